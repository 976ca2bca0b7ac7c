"""`SaleWorkflow`: one durable workflow per Mi Negocio Digital sale, through its 13 steps."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from typing import Any

from temporalio import workflow

from workflows.handlers import SaleActionHandlers
from workflows.runtime import Cancelled, SaleRuntime
from workflows.steps_flow import SaleSteps

with workflow.unsafe.imports_passed_through():
    from mnd.domain.sale import LogEntry, OpenSaleInput, SaleState, SaleStatus, SaleSummary


@workflow.defn
class SaleWorkflow(SaleSteps, SaleActionHandlers):
    """A Mi Negocio Digital sale, from the consultant's first visit to the start of billing.

    The main `run` coroutine owns the path: it walks the 13 steps of PROCESS.md in order, holds
    every minimum-duration timer, and sends each notification. Staff act through one Update per
    action (validated, refused in Spanish without changing anything) or the Signal of the same
    name; handlers only record what happened, and the main path reacts to the recorded state. The
    process profile arrives with the sale, so a running sale keeps the rules it started with.
    """

    @workflow.init
    def __init__(self, inp: OpenSaleInput) -> None:
        # Handlers may run before `run` starts: the state exists from the first task.
        self._s = SaleState(
            sale_id=inp.sale_id,
            opened_at=workflow.now(),
            consultant=inp.consultant,
            client=inp.client,
            plan_id=inp.plan_id,
            profile=inp.profile,
            catalog=inp.catalog,
        )
        self._rt = SaleRuntime(self._s)

    @workflow.run
    async def run(self, inp: OpenSaleInput) -> SaleSummary:
        recorder = asyncio.create_task(self._rt.drain_events())
        try:
            await self._walk_steps()
        except Cancelled:
            await self._close_cancelled()
        await workflow.wait_condition(
            lambda: workflow.all_handlers_finished() and self._rt.tasks_done()
        )
        # Only now is the event queue final: reminders and late handlers may have added to it.
        self._rt.closing = True
        await recorder
        return self._rt.summary()

    def _after_action(self, entry: LogEntry, payload: dict[str, Any]) -> None:
        kind = "action" if entry.accepted else "action_refused"
        self._rt.event(kind, entry=entry, data={"action": entry.action, "payload": payload})
        self._rt.refresh()

    async def _until(self, ready: Callable[[], bool], min_until: datetime | None = None) -> None:
        """Waits for `ready()`, then for the step's minimum; a cancellation interrupts either."""
        cancelled = self._cancel_requested
        await workflow.wait_condition(lambda: ready() or cancelled())
        if min_until is not None and not cancelled() and min_until > workflow.now():
            self._rt.set_waiting(
                [], f"tiempo mínimo del paso (hasta {min_until:%Y-%m-%d %H:%M:%S} UTC)"
            )
            await self._rt.elapsed(cancelled, min_until - workflow.now(), "tiempo mínimo del paso")
        if cancelled():
            raise Cancelled()

    def _cancel_requested(self) -> bool:
        return self._s.cancellation is not None

    async def _close_cancelled(self) -> None:
        s = self._s
        assert s.cancellation is not None
        self._rt.leave_step()
        s.status = SaleStatus.CANCELLED
        s.waiting_on, s.waiting_for, s.due_at, s.min_until = [], "venta cancelada", None, None
        ot_voided = await self._rt.void_work_order(s.cancellation.reason)
        roles = self._rt.engaged_roles()
        s.cancellation.notified_roles = roles
        await self._rt.notify(
            "sale_cancelled",
            roles,
            reason=s.cancellation.reason,
            ot_voided=ot_voided,
        )
        self._rt.event("sale_cancelled", message=s.cancellation.reason)
        self._rt.refresh()

    async def _walk_steps(self) -> None:
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
