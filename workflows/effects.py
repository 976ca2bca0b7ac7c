"""What the sale does to the world: emails to each area, and the work order (OT).

Emails are keyed `<sale>:<n>:<template>`, so a retry never sends one twice. On sales started
with answers after reaction they are queued and sent in order by a background coroutine: the
main path (and so a staff member's answer) never waits on the mail server.
"""

from __future__ import annotations

from typing import Any

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

from workflows import notices
from workflows.audit import AuditTrail
from workflows.progress import Progress
from workflows.retries import MAIL_TIMEOUT, RECORD_TIMEOUT, RETRY
from workflows.visibility import Visibility

with workflow.unsafe.imports_passed_through():
    from activities.inputs import (
        IssueWorkOrderInput,
        Recipient,
        SendEmailInput,
        VoidWorkOrderInput,
    )
    from activities.notifications import NotificationActivities
    from activities.records import RecordActivities
    from mnd.domain.roles import Role
    from mnd.domain.sale import Alert, SaleState, WorkOrder, WorkOrderStatus


class Effects:
    """Notifications and work orders; a permanent failure becomes a visible alert, not a crash."""

    def __init__(
        self,
        state: SaleState,
        audit: AuditTrail,
        visibility: Visibility,
        progress: Progress,
        queued: bool,
    ) -> None:
        self._s, self._audit, self._ui, self._progress = state, audit, visibility, progress
        self._queued = queued
        self._outgoing: list[SendEmailInput] = []
        self._seq = 0
        self._closing = False

    async def notify(
        self, template: str, to: list[Role], reply_to: list[Role] | None = None, **extra: Any
    ) -> None:
        self._seq += 1
        s = self._s
        message = SendEmailInput(
            message_id=f"{s.sale_id}:{self._seq:04d}:{template}",
            sale_id=s.sale_id,
            template=template,
            to=[self._recipient(r) for r in to],
            reply_to=[self._recipient(r) for r in reply_to or []],
            context={**notices.base_context(s), **extra},
        )
        if self._queued:
            self._outgoing.append(message)
            s.emails_pending += 1
        else:
            await self._send(message)

    def close(self) -> None:
        """No email comes after this: the sender sends what is queued and ends."""
        self._closing = True

    async def send_queued(self) -> None:
        while True:
            await workflow.wait_condition(lambda: bool(self._outgoing) or self._closing)
            if not self._outgoing:
                return
            await self._send(self._outgoing[0])
            del self._outgoing[0]
            self._s.emails_pending -= 1

    async def _send(self, message: SendEmailInput) -> None:
        to = ", ".join(r.role.value for r in message.to)
        try:
            await workflow.execute_activity_method(
                NotificationActivities.send_email,
                message,
                start_to_close_timeout=MAIL_TIMEOUT,
                retry_policy=RETRY,
                summary=f"Correo {message.template} a {to}",
            )
        except ActivityError as failed:
            self.alert(f"No se pudo enviar el correo «{message.template}»: {_reason(failed)}")
            return
        self._s.notifications_sent += 1
        self._audit.event(
            "notification",
            message=message.template,
            data={"to": [r.role.value for r in message.to]},
        )

    def _recipient(self, role: Role) -> Recipient:
        email = {Role.CLIENT: self._s.client.email, Role.CONSULTANT: self._s.consultant.email}
        return Recipient(role=role, email=email.get(role))

    async def issue_work_order(self) -> WorkOrder:
        s = self._s
        self._progress.settle()
        result = await workflow.execute_activity_method(
            RecordActivities.issue_work_order,
            IssueWorkOrderInput(
                sale_id=s.sale_id, contract_number=s.contract_number, issued_at=workflow.now()
            ),
            start_to_close_timeout=RECORD_TIMEOUT,
            retry_policy=RETRY,
            summary="Emitir OT",
        )
        s.work_order = WorkOrder(number=result.number, issued_at=workflow.now())
        self._audit.event("work_order_issued", message=result.number)
        return s.work_order

    async def void_work_order(self, reason: str) -> bool:
        ot = self._s.work_order
        if ot is None or ot.status is not WorkOrderStatus.ISSUED:
            return False
        try:
            await workflow.execute_activity_method(
                RecordActivities.void_work_order,
                VoidWorkOrderInput(sale_id=self._s.sale_id, number=ot.number, reason=reason),
                start_to_close_timeout=RECORD_TIMEOUT,
                retry_policy=RETRY,
                summary="Anular OT",
            )
        except ActivityError as failed:
            self.alert(f"No se pudo anular la OT {ot.number}: {_reason(failed)}")
            return False
        ot.status = WorkOrderStatus.VOIDED
        self._audit.event("work_order_voided", message=ot.number)
        return True

    def alert(self, message: str) -> None:
        """Shown in the UI's details and recorded: someone has to fix what no retry can."""
        self._s.alerts.append(Alert(at=workflow.now(), message=message))
        workflow.logger.error("Sale %s: %s", self._s.sale_id, message)
        self._audit.event("alert", message=message)
        self._ui.refresh()


def _reason(failed: ActivityError) -> str:
    cause = failed.cause
    return cause.message if isinstance(cause, ApplicationError) else str(cause or failed)
