"""The sale workflow's machinery: step bookkeeping, UI visibility, activities and the event queue.

Everything here runs inside the workflow sandbox and only uses deterministic workflow APIs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy

from workflows import notices
from workflows import search_attributes as sa

with workflow.unsafe.imports_passed_through():
    from activities.inputs import (
        IssueWorkOrderInput,
        Recipient,
        RecordEventInput,
        RecordEventsInput,
        SendEmailInput,
        VoidWorkOrderInput,
    )
    from activities.notifications import NotificationActivities
    from activities.records import RecordActivities
    from mnd.domain.projection import SaleProjection, project
    from mnd.domain.roles import ROLE_NAMES_ES, Role
    from mnd.domain.sale import (
        LogEntry,
        SaleState,
        SaleSummary,
        StepRecord,
        StepSummary,
        WorkOrder,
        WorkOrderStatus,
    )
    from mnd.domain.steps import STEP_ORDER, StepId, step_label

# Activities retry until they succeed (a database or mail server that is down makes the sale
# wait, not fail); each is idempotent on its key, so a retry never writes or sends twice.
_RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(minutes=1))
_TIMEOUT = timedelta(seconds=30)
# Well above the SMTP client's own timeout: a retry started while the first attempt still talks
# to the server could send the message twice.
_MAIL_TIMEOUT = timedelta(minutes=2)


class Cancelled(Exception):
    """Raised inside the main path when staff cancel the sale."""


class SaleRuntime:
    """Owns the side of the workflow that staff never touch directly."""

    def __init__(self, state: SaleState) -> None:
        self.s = state
        self.closing = False
        self._events: list[RecordEventInput] = []
        self._event_seq = 0
        self._message_seq = 0
        self._tasks: list[asyncio.Task[None]] = []
        self._shown: dict[str, Any] = {}

    # --- steps -----------------------------------------------------------------------------
    def enter_step(
        self, step: StepId, roles: list[Role], waiting_for: str, **kw: Any
    ) -> StepRecord:
        now, s = workflow.now(), self.s
        record = StepRecord(
            step=step,
            round=1 + sum(r.step is step for r in s.steps),
            started_at=now,
            due_at=s.profile.sla_due(step, now),
            min_until=kw.get("min_until"),
        )
        s.step, s.due_at, s.min_until = step, record.due_at, record.min_until
        s.waiting_on, s.waiting_for = roles, waiting_for
        s.steps.append(record)
        workflow.logger.info("Sale %s entered step %s", s.sale_id, step.value)
        # The event carries the new step's waiting roles, so the inboxes are right at once.
        self.event("step_started")
        self.refresh()
        return record

    def leave_step(self) -> None:
        record = self.s.steps[-1] if self.s.steps else None
        if record is None or record.ended_at is not None:
            return
        record.ended_at = workflow.now()
        duration = record.duration or timedelta(0)
        workflow.logger.info("Sale %s completed step %s", self.s.sale_id, record.step.value)
        self.event(
            "step_completed",
            data={"seconds": duration.total_seconds(), "sla_breached": record.sla_breached},
        )

    def set_waiting(self, roles: list[Role], waiting_for: str) -> None:
        """Changes who the sale waits on within a step; the records hear of it too."""
        changed = roles != self.s.waiting_on
        self.s.waiting_on, self.s.waiting_for = roles, waiting_for
        self.refresh()
        # Added after v2: sales recorded before it never sent this event, and sending it can
        # schedule an extra record activity, so old histories replay on the old path.
        if changed and workflow.patched("waiting-changed-events"):
            self.event("waiting_changed")

    # --- visibility in the Temporal UI -----------------------------------------------------
    def refresh(self) -> None:
        """Upserts the search attributes that changed and sets the UI's current details."""
        s = self.s
        values: dict[str, Any] = {
            sa.STEP.name: s.step.value,
            sa.WAITING_ON.name: [r.value for r in s.waiting_on],
            sa.CONSULTANT.name: s.consultant.id,
            sa.CLIENT_DOCUMENT.name: s.client.document_number,
            sa.PLAN.name: s.plan_id,
            sa.CRM_ROUTE.name: s.crm.route.value if s.crm else None,
            sa.DUE_DATE.name: s.due_at,
            sa.STATUS.name: s.status.value,
        }
        updates = [
            key.value_set(values[key.name]) if values[key.name] else key.value_unset()
            for key in sa.ALL_KEYS
            if self._shown.get(key.name, "<unset>") != values[key.name]
        ]
        if updates:
            workflow.upsert_search_attributes(updates)
            self._shown.update(values)
        workflow.set_current_details(self._details())

    def _details(self) -> str:
        s = self.s
        who = ", ".join(ROLE_NAMES_ES[r] for r in s.waiting_on) or "nadie (temporizador o sistema)"
        lines = [f"**Paso {step_label(s.step)}** ({s.status.value})", f"Espera a: {who}"]
        if s.waiting_for:
            lines.append(f"Qué se espera: {s.waiting_for}")
        if s.min_until:
            lines.append(f"Mínimo hasta: {s.min_until:%Y-%m-%d %H:%M:%S} UTC")
        if s.due_at:
            lines.append(f"Vence: {s.due_at:%Y-%m-%d %H:%M:%S} UTC")
        return "  \n".join(lines)

    # --- the audit trail -------------------------------------------------------------------
    def event(self, kind: str, entry: LogEntry | None = None, **kw: Any) -> None:
        self._event_seq += 1
        s = self.s
        self._events.append(
            RecordEventInput(
                event_id=f"{s.sale_id}:{self._event_seq:05d}",
                sale_id=s.sale_id,
                sequence=self._event_seq,
                kind=kind,
                step=s.step.value,
                at=workflow.now(),
                actor=entry.actor if entry else None,
                role=entry.role.value if entry and entry.role else None,
                via=entry.via if entry else "system",
                accepted=entry.accepted if entry else True,
                message=entry.message if entry else kw.get("message", ""),
                data=kw.get("data", {}),
                projection=self.projection(),
            )
        )

    async def drain_events(self) -> None:
        """Records queued events in order, a batch per activity, until the sale closes."""
        while True:
            await workflow.wait_condition(lambda: bool(self._events) or self.closing)
            if not self._events:
                return
            batch = list(self._events)
            await workflow.execute_activity_method(
                RecordActivities.record_events,
                RecordEventsInput(events=batch),
                start_to_close_timeout=_TIMEOUT,
                retry_policy=_RETRY,
                summary=f"Registro de {len(batch)} evento(s)",
            )
            # Events queued while the activity ran stay for the next batch.
            del self._events[: len(batch)]

    def projection(self) -> SaleProjection:
        return project(self.s)

    # --- activities ------------------------------------------------------------------------
    def _recipient(self, role: Role) -> Recipient:
        email = {Role.CLIENT: self.s.client.email, Role.CONSULTANT: self.s.consultant.email}
        return Recipient(role=role, email=email.get(role))

    async def notify(
        self, template: str, to: list[Role], reply_to: list[Role] | None = None, **extra: Any
    ) -> None:
        self._message_seq += 1
        s = self.s
        inp = SendEmailInput(
            message_id=f"{s.sale_id}:{self._message_seq:04d}:{template}",
            sale_id=s.sale_id,
            template=template,
            to=[self._recipient(r) for r in to],
            reply_to=[self._recipient(r) for r in reply_to or []],
            context={**notices.base_context(s), **extra},
        )
        await workflow.execute_activity_method(
            NotificationActivities.send_email,
            inp,
            start_to_close_timeout=_MAIL_TIMEOUT,
            retry_policy=_RETRY,
            summary=f"Correo {template} a {', '.join(r.value for r in to)}",
        )
        s.notifications_sent += 1
        self.event("notification", message=template, data={"to": [r.value for r in to]})

    async def issue_work_order(self) -> WorkOrder:
        s = self.s
        result = await workflow.execute_activity_method(
            RecordActivities.issue_work_order,
            IssueWorkOrderInput(
                sale_id=s.sale_id, contract_number=s.contract_number, issued_at=workflow.now()
            ),
            start_to_close_timeout=_TIMEOUT,
            retry_policy=_RETRY,
            summary="Emitir OT",
        )
        s.work_order = WorkOrder(number=result.number, issued_at=workflow.now())
        self.event("work_order_issued", message=result.number)
        return s.work_order

    async def void_work_order(self, reason: str) -> bool:
        ot = self.s.work_order
        if ot is None or ot.status is not WorkOrderStatus.ISSUED:
            return False
        await workflow.execute_activity_method(
            RecordActivities.void_work_order,
            VoidWorkOrderInput(sale_id=self.s.sale_id, number=ot.number, reason=reason),
            start_to_close_timeout=_TIMEOUT,
            retry_policy=_RETRY,
            summary="Anular OT",
        )
        ot.status = WorkOrderStatus.VOIDED
        self.event("work_order_voided", message=ot.number)
        return True

    # --- reminders: background timers that never block the main path ----------------------
    def start(self, coro: Coroutine[Any, Any, None]) -> None:
        self._tasks.append(asyncio.create_task(coro))

    def tasks_done(self) -> bool:
        return all(t.done() for t in self._tasks)

    async def elapsed(self, done: Callable[[], bool], duration: timedelta, label: str) -> bool:
        """Sleeps `duration` unless `done()` first; True when the time ran out."""
        if duration <= timedelta(0):
            return not done()
        try:
            await workflow.wait_condition(done, timeout=duration, timeout_summary=label)
        except TimeoutError:
            return True
        return False

    # --- closing ---------------------------------------------------------------------------
    def engaged_roles(self) -> list[Role]:
        """The areas that already heard of the sale and must hear of its cancellation."""
        s = self.s
        reached = {r.step for r in s.steps}
        engaged = {
            Role.CONSULTANT: True,
            Role.CLIENT: StepId.PRODUCT_INFORMATION in reached,
            Role.DATA_MINING: s.crm is not None and s.crm.route == "create_in_onyx",
            Role.PROVISIONING: s.contract_requested_at is not None,
            Role.COMMERCIAL_SUPPORT: bool(s.validation_rounds),
            Role.PRODUCTION: s.work_order is not None,
            Role.ALLY: s.purchase_form_at is not None,
        }
        return [role for role, yes in engaged.items() if yes]

    def summary(self) -> SaleSummary:
        s = self.s
        steps = [
            StepSummary(
                step=r.step,
                round=r.round,
                started_at=r.started_at,
                ended_at=r.ended_at,
                duration_seconds=r.duration.total_seconds() if r.duration else None,
                actors=r.actors,
                due_at=r.due_at,
                min_until=r.min_until,
                sla_breached=r.sla_breached,
            )
            for r in s.steps
        ]
        ot = s.work_order
        return SaleSummary(
            sale_id=s.sale_id,
            status=s.status,
            crm_route=s.crm.route if s.crm else None,
            contract_number=s.contract_number,
            work_order_number=ot.number if ot else None,
            work_order_status=ot.status if ot else None,
            billing_start_date=ot.billing_start_date if ot else None,
            steps=steps,
            sla_breaches=[r.step for r in s.steps if r.sla_breached],
            validation_rounds=len(s.validation_rounds),
            correction_rounds=len(s.corrections),
            call_attempts=len(s.calls),
            cancellation_reason=s.cancellation.reason if s.cancellation else None,
            extra={"last_step": STEP_ORDER.index(s.step) + 1},
        )
