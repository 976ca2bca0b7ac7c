"""The 13 steps of PROCESS.md as the sale workflow's main path, one method per step."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from temporalio import workflow

from workflows import notices
from workflows.runtime import SaleRuntime

with workflow.unsafe.imports_passed_through():
    from mnd.domain.roles import Role
    from mnd.domain.sale import SaleState, SaleStatus, ValidationRound, call_succeeded
    from mnd.domain.steps import StepId

_C = Role.CONSULTANT


class SaleSteps:
    """Step methods; `SaleWorkflow` supplies the state, the runtime and `_until`."""

    _s: SaleState
    _rt: SaleRuntime

    async def _until(self, ready: Callable[[], bool], min_until: datetime | None = None) -> None:
        raise NotImplementedError

    async def _web_access(self) -> None:
        self._rt.enter_step(StepId.WEB_ACCESS, [], "venta registrada")
        self._rt.event("sale_opened", message=f"Venta abierta por {self._s.consultant.name}")
        self._rt.leave_step()

    async def _template_selection(self) -> None:
        self._rt.enter_step(StepId.TEMPLATE_SELECTION, [_C], "plantilla y su alcance")
        await self._until(lambda: self._s.template_id is not None)
        self._rt.leave_step()

    async def _business_type(self) -> None:
        self._rt.enter_step(StepId.BUSINESS_TYPE, [_C], "tipo de comercio confirmado")
        await self._until(lambda: self._s.business_type is not None)
        self._rt.leave_step()

    async def _product_information(self) -> None:
        self._rt.enter_step(StepId.PRODUCT_INFORMATION, [_C], "paquete de contenido")
        await self._rt.notify(
            "content_request", [Role.CLIENT], requirements=notices.requirements(self._s)
        )
        await self._until(lambda: self._s.content is not None)
        self._rt.leave_step()

    async def _client_verification(self) -> None:
        s, started = self._s, workflow.now()
        min_until = s.profile.deadline(started, s.profile.client_verification_min)
        self._rt.enter_step(
            StepId.CLIENT_VERIFICATION,
            [_C, Role.DATA_MINING],
            "resultado de la consulta en CRM (ONYX / RR)",
            min_until=min_until,
        )
        await self._until(lambda: s.crm is not None)
        assert s.crm is not None
        if s.crm.route == "create_in_onyx":
            await self._rt.notify("onyx_creation_request", [Role.DATA_MINING])
            self._rt.set_waiting([Role.DATA_MINING], "confirmación de creación del cliente en ONYX")
            await self._until(lambda: s.crm is not None and s.crm.onyx_id is not None)
            await self._rt.notify("onyx_created", [_C], onyx_id=s.crm.onyx_id)
        await self._until(lambda: True, min_until=min_until)
        self._rt.leave_step()

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
        min_until = s.profile.deadline(s.contract_requested_at, s.profile.contract_number_min)
        self._rt.enter_step(
            StepId.CONTRACT,
            [Role.PROVISIONING, _C],
            "consecutivo y documentos",
            min_until=min_until,
        )
        if first_round:
            await self._rt.notify("contract_number_request", [Role.PROVISIONING])
        while missing := self._contract_missing():
            texts = {Role.PROVISIONING: "consecutivo del contrato", _C: "juego de documentos"}
            self._rt.set_waiting(list(missing), " y ".join(texts[r] for r in missing))
            await self._until(lambda m=missing: self._contract_missing() != m)  # type: ignore[misc]
        await self._until(lambda: True, min_until=min_until)
        round_number = len(s.validation_rounds) + 1
        await self._rt.notify(
            "documents_for_validation",
            [Role.COMMERCIAL_SUPPORT],
            documents=notices.documents(s),
            crm_route_reason=s.crm.reason if s.crm else "",
            round=round_number,
        )
        self._rt.leave_step()

    async def _document_validation(self) -> bool:
        """One validation round; True when approved, False when sent back to step 6."""
        s, now = self._s, workflow.now()
        min_until = s.profile.deadline(now, s.profile.document_validation_min)
        s.validation_rounds.append(
            ValidationRound(
                number=len(s.validation_rounds) + 1, started_at=now, min_until=min_until
            )
        )
        self._rt.enter_step(
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
            await self._rt.notify(
                "documents_rejected", [_C], round=current.number, rejections=notices.rejections(s)
            )
            s.documents, s.documents_submitted_at = None, None
            self._rt.leave_step()
            return False
        await self._until(lambda: True, min_until=min_until)
        await self._rt.issue_work_order()
        await self._rt.notify("work_order_issued", [_C])
        await self._rt.notify(
            "work_order_to_production", [Role.PRODUCTION], documents=notices.documents(s)
        )
        self._rt.leave_step()
        return True

    async def _purchase_form(self) -> None:
        self._rt.enter_step(StepId.PURCHASE_FORM, [_C], "formulario de compra")
        await self._until(lambda: self._s.purchase_form_at is not None)
        await self._rt.notify("production_order", [Role.ALLY], **notices.production_order(self._s))
        self._rt.leave_step()

    async def _piece_delivery(self) -> None:
        s = self._s
        s.delivery_round += 1
        s.delivery = None
        record = self._rt.enter_step(
            StepId.PIECE_DELIVERY, [Role.ALLY], "URL del producto y piezas de entrega"
        )
        self._rt.start(
            self._remind_ally(lambda: record.ended_at is not None or s.cancellation is not None)
        )
        await self._until(lambda: s.delivery is not None)
        self._rt.leave_step()
        await self._rt.notify(
            "delivery_welcome",
            [Role.CLIENT],
            reply_to=[_C, Role.PRODUCTION],
            **notices.delivery(s),
        )

    async def _remind_ally(self, done: Callable[[], bool]) -> None:
        p, rt = self._s.profile, self._rt
        estimate = int(p.ally_delivery_estimate.total_seconds() // 60)
        if not await rt.elapsed(done, p.ally_delivery_estimate, "aviso al aliado"):
            return
        await rt.notify(
            "delivery_reminder",
            [Role.ALLY],
            estimate_minutes=estimate,
            round=self._s.delivery_round,
        )
        rest = p.ally_delivery_escalation - p.ally_delivery_estimate
        if await rt.elapsed(done, rest, "escalamiento a Producción"):
            waited = int(p.ally_delivery_escalation.total_seconds() // 60)
            await rt.notify(
                "delivery_escalation",
                [Role.PRODUCTION],
                estimate_minutes=estimate,
                waiting_minutes=waited,
            )

    async def _client_approval(self) -> bool:
        """True when the client approves; False when corrections send the sale back to step 9."""
        s = self._s
        record = self._rt.enter_step(
            StepId.CLIENT_APPROVAL, [Role.CLIENT, Role.PRODUCTION], "aprobación del cliente"
        )
        delivery_round = s.delivery_round

        def done() -> bool:
            return record.ended_at is not None or s.cancellation is not None

        self._rt.start(self._remind_client(done))
        self._rt.start(self._escalate_approval(done))
        await self._until(
            lambda: (
                s.approved_at is not None or any(c.round == delivery_round for c in s.corrections)
            )
        )
        url = s.delivery.product_url if s.delivery else ""
        if s.approved_at is None:
            comments = s.corrections[-1].comments
            self._rt.leave_step()
            await self._rt.notify(
                "corrections_requested",
                [Role.ALLY],
                comments=comments,
                round=delivery_round,
                product_url=url,
            )
            return False
        self._rt.leave_step()
        await self._rt.notify(
            "product_approved",
            [Role.PRODUCTION, _C],
            product_url=url,
            approved_by=s.approved_by or "",
        )
        return True

    async def _remind_client(self, done: Callable[[], bool]) -> None:
        p = self._s.profile
        for number in range(1, p.max_client_reminders + 1):
            if not await self._rt.elapsed(done, p.client_approval_reminder_every, "recordatorio"):
                return
            url = self._s.delivery.product_url if self._s.delivery else ""
            await self._rt.notify(
                "approval_reminder", [Role.CLIENT], product_url=url, reminder_number=number
            )

    async def _escalate_approval(self, done: Callable[[], bool]) -> None:
        p = self._s.profile
        if await self._rt.elapsed(done, p.client_approval_escalation, "escalamiento al consultor"):
            url = self._s.delivery.product_url if self._s.delivery else ""
            hours = int(p.client_approval_escalation.total_seconds() // 3600)
            await self._rt.notify("approval_escalation", [_C], product_url=url, waiting_hours=hours)

    async def _provisioning_call(self) -> None:
        s = self._s
        self._rt.enter_step(StepId.PROVISIONING_CALL, [Role.PRODUCTION], "registro de la llamada")
        seen = 0
        while True:
            await self._until(lambda n=seen: len(s.calls) > n)  # type: ignore[misc]
            for record in s.calls[seen:]:
                seen += 1
                failed = record.failed_applications if record.call.reached else []
                if failed:
                    await self._rt.notify(
                        "application_fix_request",
                        [Role.ALLY],
                        failed_applications=notices.failed_applications(failed),
                        attempt=record.attempt,
                    )
            last = s.calls[seen - 1]
            if call_succeeded(last.call):
                break
            reason = "cliente no contactado" if not last.call.reached else "llamada incompleta"
            self._rt.set_waiting(
                [Role.PRODUCTION], f"nueva llamada ({reason} en el intento {last.attempt})"
            )
        self._rt.leave_step()

    async def _work_order_closure(self) -> None:
        s = self._s
        self._rt.enter_step(
            StepId.WORK_ORDER_CLOSURE,
            [Role.PROVISIONING],
            "cierre de la OT y fecha de inicio de facturación",
        )
        await self._rt.notify("work_order_closure_request", [Role.PROVISIONING])
        await self._until(lambda: s.work_order is not None and s.work_order.closed_at is not None)
        self._rt.leave_step()

    async def _cycle_closure(self) -> None:
        s = self._s
        self._rt.enter_step(StepId.CYCLE_CLOSURE, [], "cierre del ciclo")
        s.status = SaleStatus.COMPLETED
        self._rt.leave_step()
        s.waiting_for, s.due_at, s.min_until = "venta completada", None, None
        self._rt.refresh()
        await self._rt.notify("cycle_closed", [_C], **notices.closure(s))
        # Added after the first release: sales that closed (or were replayed) under the old
        # code have no such activity in their history, so the new path runs only where the
        # patch marker is recorded. See README, "Changing the workflow safely".
        if workflow.patched("client-closure-notice"):
            await self._rt.notify(
                "client_closure_notice",
                [Role.CLIENT],
                billing_start_date=notices.closure(s)["billing_start_date"],
            )
        self._rt.event("sale_completed")
