"""The 13 steps of PROCESS.md as the sale's main path, one method per step.

The path owns every timer and every move; it waits only through `Progress.block`, and a
cancellation recorded by a handler interrupts any wait (`Cancelled`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from temporalio import workflow

from workflows import notices
from workflows.audit import AuditTrail
from workflows.changes import Changes
from workflows.effects import Effects
from workflows.ledger import StepLedger
from workflows.progress import Progress
from workflows.reminders import Reminders

with workflow.unsafe.imports_passed_through():
    from mnd.domain.calls import call_succeeded
    from mnd.domain.clock import COLOMBIA
    from mnd.domain.roles import Role
    from mnd.domain.sale import SaleState, SaleStatus, ValidationRound
    from mnd.domain.steps import StepId, step_label

_C = Role.CONSULTANT


class Cancelled(Exception):
    """Raised inside the main path when staff cancel the sale."""


class MainPath:
    def __init__(
        self,
        state: SaleState,
        audit: AuditTrail,
        ledger: StepLedger,
        effects: Effects,
        progress: Progress,
        reminders: Reminders,
        changes: Changes,
    ) -> None:
        self._s, self._audit, self._ledger, self._effects = state, audit, ledger, effects
        self._progress, self._reminders, self._changes = progress, reminders, changes

    async def walk(self) -> None:
        await self._web_access()
        await self._template_selection()
        await self._business_type()
        await self._product_information()
        await self._client_verification()
        while True:
            await self._contract()
            if await self._document_validation():
                break
        await self._purchase_form()
        while True:
            await self._piece_delivery()
            if await self._client_approval():
                break
        await self._provisioning_call()
        await self._work_order_closure()
        await self._cycle_closure()

    def _cancelled(self) -> bool:
        return self._s.cancellation is not None

    async def _until(self, ready: Callable[[], bool], min_until: datetime | None = None) -> None:
        """Waits for `ready()`, then for the step's minimum; a cancellation interrupts either."""
        cancelled = self._cancelled
        await self._progress.block(lambda: ready() or cancelled())
        if min_until is not None and not cancelled() and min_until > workflow.now():
            until = min_until.astimezone(COLOMBIA)
            self._ledger.set_waiting([], f"tiempo mínimo del paso (hasta {until:%Y-%m-%d %H:%M})")
            await self._progress.block(
                cancelled, timeout=min_until - workflow.now(), summary="tiempo mínimo del paso"
            )
        if cancelled():
            raise Cancelled()

    async def _web_access(self) -> None:
        # The next step is entered in the same task: shown then (since `lean-records`).
        self._ledger.enter(StepId.WEB_ACCESS, [], "venta registrada", show=not self._audit.lean)
        self._audit.event("sale_opened", message=f"Venta abierta por {self._s.consultant.name}")
        self._ledger.leave()

    async def _template_selection(self) -> None:
        self._ledger.enter(StepId.TEMPLATE_SELECTION, [_C], "plantilla y su alcance")
        await self._until(lambda: self._s.template_id is not None)
        self._ledger.leave()

    async def _business_type(self) -> None:
        self._ledger.enter(StepId.BUSINESS_TYPE, [_C], "tipo de comercio confirmado")
        await self._until(lambda: self._s.business_type is not None)
        self._ledger.leave()

    async def _product_information(self) -> None:
        self._ledger.enter(StepId.PRODUCT_INFORMATION, [_C], "paquete de contenido")
        await self._effects.notify(
            "content_request", [Role.CLIENT], requirements=notices.requirements(self._s)
        )
        await self._until(lambda: self._s.content is not None)
        self._ledger.leave()

    async def _client_verification(self) -> None:
        s, started = self._s, workflow.now()
        min_until = self._ledger.deadline(started, s.profile.client_verification_min)
        self._ledger.enter(
            StepId.CLIENT_VERIFICATION,
            [_C, Role.DATA_MINING],
            "resultado de la consulta en CRM (ONYX / RR)",
            min_until=min_until,
        )
        await self._until(lambda: s.crm is not None)
        assert s.crm is not None
        if s.crm.route == "create_in_onyx":
            await self._effects.notify("onyx_creation_request", [Role.DATA_MINING])
            self._ledger.set_waiting(
                [Role.DATA_MINING], "confirmación de creación del cliente en ONYX"
            )
            await self._until(lambda: s.crm is not None and s.crm.onyx_id is not None)
            await self._effects.notify("onyx_created", [_C], onyx_id=s.crm.onyx_id)
        await self._until(lambda: True, min_until=min_until)
        self._ledger.leave()

    def _contract_missing(self) -> tuple[Role, ...]:
        missing = []
        if self._s.contract_number is None:
            missing.append(Role.PROVISIONING)
        if self._s.documents is None:
            missing.append(_C)
        return tuple(missing)

    async def _contract(self) -> None:
        s = self._s
        first_round = s.contract_requested_at is None
        if s.contract_requested_at is None:
            s.contract_requested_at = workflow.now()
        # The 1-day minimum runs from the request, so a resubmission after a rejection
        # (which comes back here) does not wait again.
        min_until = self._ledger.deadline(s.contract_requested_at, s.profile.contract_number_min)
        self._ledger.enter(
            StepId.CONTRACT,
            [Role.PROVISIONING, _C],
            "consecutivo y documentos",
            min_until=min_until,
        )
        if first_round:
            await self._effects.notify("contract_number_request", [Role.PROVISIONING])
        while missing := self._contract_missing():
            texts = {Role.PROVISIONING: "consecutivo del contrato", _C: "juego de documentos"}
            self._ledger.set_waiting(list(missing), " y ".join(texts[r] for r in missing))
            await self._until(lambda m=missing: self._contract_missing() != m)  # type: ignore[misc]
        await self._until(lambda: True, min_until=min_until)
        await self._effects.notify(
            "documents_for_validation",
            [Role.COMMERCIAL_SUPPORT],
            documents=notices.documents(s),
            crm_route_reason=s.crm.reason if s.crm else "",
            round=len(s.validation_rounds) + 1,
            # The request opens step 7: the email names it, not the step 6 it is sent from
            # (an activity input only, so replay is unaffected).
            step_label=step_label(StepId.DOCUMENT_VALIDATION),
        )
        self._ledger.leave()

    async def _document_validation(self) -> bool:
        """One validation round; True when approved, False when sent back to step 6."""
        s, now = self._s, workflow.now()
        min_until = self._ledger.deadline(now, s.profile.document_validation_min)
        s.validation_rounds.append(
            ValidationRound(
                number=len(s.validation_rounds) + 1, started_at=now, min_until=min_until
            )
        )
        self._ledger.enter(
            StepId.DOCUMENT_VALIDATION,
            [Role.COMMERCIAL_SUPPORT],
            "aprobación o rechazo de los documentos",
            min_until=min_until,
        )
        current = s.validation_rounds[-1]
        await self._until(lambda: current.approved is not None)
        if not current.approved:
            # Interpretation: a rejection ends the round at once, so the consultant can fix the
            # documents without waiting; the 2-day minimum holds back only the approval.
            await self._effects.notify(
                "documents_rejected", [_C], round=current.number, rejections=notices.rejections(s)
            )
            s.documents, s.documents_submitted_at = None, None
            self._ledger.leave()
            return False
        await self._until(lambda: True, min_until=min_until)
        if self._progress.answers_after_reaction:
            # The approval's answer comes while the OT is issued: it must not still show
            # Soporte Comercial as the one the sale waits on.
            self._ledger.set_waiting([], "emisión de la OT")
        await self._effects.issue_work_order()
        await self._effects.notify("work_order_issued", [_C])
        await self._effects.notify(
            "work_order_to_production", [Role.PRODUCTION], documents=notices.documents(s)
        )
        self._ledger.leave()
        return True

    async def _purchase_form(self) -> None:
        self._ledger.enter(StepId.PURCHASE_FORM, [_C], "formulario de compra")
        await self._until(lambda: self._s.purchase_form_at is not None)
        await self._effects.notify(
            "production_order", [Role.ALLY], **notices.production_order(self._s)
        )
        self._ledger.leave()

    async def _piece_delivery(self) -> None:
        s = self._s
        s.delivery_round += 1
        s.delivery = None
        record = self._ledger.enter(
            StepId.PIECE_DELIVERY, [Role.ALLY], "URL del producto y piezas de entrega"
        )
        self._reminders.start(
            self._reminders.ally(lambda: record.ended_at is not None or self._cancelled())
        )
        await self._until(lambda: s.delivery is not None)
        self._ledger.leave()
        await self._effects.notify(
            "delivery_welcome", [Role.CLIENT], reply_to=[_C, Role.PRODUCTION], **notices.delivery(s)
        )

    async def _client_approval(self) -> bool:
        """True when the client approves; False when corrections send the sale back to step 9."""
        s = self._s
        record = self._ledger.enter(
            StepId.CLIENT_APPROVAL, [Role.CLIENT, Role.PRODUCTION], "aprobación del cliente"
        )
        delivery_round = s.delivery_round

        def done() -> bool:
            return record.ended_at is not None or self._cancelled()

        self._reminders.start(self._reminders.client(done))
        self._reminders.start(self._reminders.approval_escalation(done))
        await self._until(
            lambda: (
                s.approved_at is not None or any(c.round == delivery_round for c in s.corrections)
            )
        )
        url = s.delivery.product_url if s.delivery else ""
        if s.approved_at is None:
            comments = s.corrections[-1].comments
            self._ledger.leave()
            await self._effects.notify(
                "corrections_requested",
                [Role.ALLY],
                comments=comments,
                round=delivery_round,
                product_url=url,
            )
            return False
        self._ledger.leave()
        await self._effects.notify(
            "product_approved",
            [Role.PRODUCTION, _C],
            product_url=url,
            approved_by=s.approved_by or "",
        )
        return True

    async def _provisioning_call(self) -> None:
        s = self._s
        self._ledger.enter(StepId.PROVISIONING_CALL, [Role.PRODUCTION], "registro de la llamada")
        seen = 0
        while True:
            await self._until(lambda n=seen: len(s.calls) > n)  # type: ignore[misc]
            for record in s.calls[seen:]:
                seen += 1
                failed = record.failed_applications if record.call.reached else []
                if failed:
                    await self._effects.notify(
                        "application_fix_request",
                        [Role.ALLY],
                        failed_applications=notices.failed_applications(failed),
                        attempt=record.attempt,
                    )
            last = s.calls[seen - 1]
            if call_succeeded(last.call):
                break
            reason = "cliente no contactado" if not last.call.reached else "llamada incompleta"
            self._ledger.set_waiting(
                [Role.PRODUCTION], f"nueva llamada ({reason} en el intento {last.attempt})"
            )
        self._ledger.leave()

    async def _work_order_closure(self) -> None:
        s = self._s
        self._ledger.enter(
            StepId.WORK_ORDER_CLOSURE,
            [Role.PROVISIONING],
            "cierre de la OT y fecha de inicio de facturación",
        )
        await self._effects.notify("work_order_closure_request", [Role.PROVISIONING])
        await self._until(lambda: s.work_order is not None and s.work_order.closed_at is not None)
        self._ledger.leave()

    async def _cycle_closure(self) -> None:
        s = self._s
        # Shown once, completed (one search attribute upsert, a visibility write in the
        # server, instead of two in the same task); sales before `lean-records` showed both.
        self._ledger.enter(StepId.CYCLE_CLOSURE, [], "cierre del ciclo", show=not self._audit.lean)
        s.status = SaleStatus.COMPLETED
        self._ledger.leave()
        s.waiting_for, s.due_at, s.min_until = "venta completada", None, None
        self._ledger.refresh()
        await self._effects.notify("cycle_closed", [_C], **notices.closure(s))
        # Added after the first release: sales that closed (or were replayed) under the old
        # code have no such activity in their history, so the new path runs only where the
        # patch marker is recorded. See README, "Changing the workflow safely".
        if self._changes.taken("client-closure-notice"):
            await self._effects.notify(
                "client_closure_notice",
                [Role.CLIENT],
                billing_start_date=notices.closure(s)["billing_start_date"],
            )
        self._audit.event("sale_completed")
