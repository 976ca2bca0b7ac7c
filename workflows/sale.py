"""`SaleWorkflow`: one durable workflow per Mi Negocio Digital sale, through its 13 steps."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

from temporalio import workflow
from temporalio.exceptions import ApplicationError

from workflows.audit import AuditTrail
from workflows.changes import Changes
from workflows.effects import Effects
from workflows.ledger import StepLedger
from workflows.path import Cancelled, MainPath
from workflows.progress import Progress
from workflows.reminders import Reminders
from workflows.visibility import Visibility

with workflow.unsafe.imports_passed_through():
    from mnd.domain.action_result import ActionResult
    from mnd.domain.actions import ACTIONS, ActionInput, admit
    from mnd.domain.closing import engaged_roles, summarize
    from mnd.domain.errors import ActionRefused
    from mnd.domain.sale import (
        Cancellation,
        LogEntry,
        OpenSaleInput,
        SaleState,
        SaleStatus,
        SaleSummary,
    )

# A cancellation requested from the Temporal UI or CLI (not through the staff tools).
OPERATOR_CANCEL_REASON = "Cancelada desde Temporal por un operador"


def _with_action_handlers(cls: type[Any]) -> type[Any]:
    """One Update (with its validator) and one Signal per action class, named after it."""
    for name, action in ACTIONS.items():
        setattr(cls, name, _update(name, action))
        setattr(cls, f"{name}_signal", _signal(name, action))
    return cls


def _update(name: str, action: type[ActionInput]) -> Any:
    async def handler(self: Any, payload: dict[str, Any]) -> ActionResult:
        answer: ActionResult = await self._act(name, payload)
        return answer

    def validator(self: Any, payload: dict[str, Any]) -> None:
        self._validate(name, payload)

    handler.__name__ = handler.__qualname__ = name
    method = workflow.update(name=name, description=action.label_es)(handler)
    method.validator(validator)
    return method


def _signal(name: str, action: type[ActionInput]) -> Any:
    def handler(self: Any, payload: Any) -> None:
        self._act_on_signal(name, payload)

    handler.__name__ = handler.__qualname__ = f"{name}_signal"
    return workflow.signal(name=name, description=action.label_es)(handler)


@workflow.defn
@_with_action_handlers
class SaleWorkflow:
    """A Mi Negocio Digital sale, from the consultant's first visit to the start of billing.

    The main path (`MainPath`) walks the 13 steps of PROCESS.md in order, holds every
    minimum-duration timer and decides every move. Staff act through one Update per action
    class (validated, refused in Spanish without changing anything) or the Signal of the same
    name; a handler records the action and, when the action moves the sale, answers once the
    main path has reacted. Emails, the work order, the audit trail and what the Temporal UI
    shows are collaborators with one job each. The process profile arrives with the sale, so a
    running sale keeps the rules it started with.
    """

    @workflow.init
    def __init__(self, inp: OpenSaleInput) -> None:
        # Handlers may run before `run` starts: the state exists from the first task.
        s = self._s = SaleState.opened(inp, workflow.now())
        changes = Changes()
        # Sales recorded before this marker answered each Update at once (with the whole
        # sale), awaited each email on the main path and ended CANCELED on a Temporal cancel.
        self._reacts = changes.taken("answers-after-reaction")
        self._progress = Progress(answers_after_reaction=self._reacts)
        self._audit = AuditTrail(s)
        self._ui = Visibility(s)
        self._effects = Effects(s, self._audit, self._ui, self._progress, queued=self._reacts)
        # Sales recorded before this marker count days by the UTC date: their business-day
        # timers and the checks their handlers run again on replay must not change.
        s.colombian_dates = changes.taken("colombian-dates")
        s.text_limits = changes.taken("text-limits")
        # Sales recorded before this marker sent the projection with every event; the records
        # accept both forms, and this keeps the old histories' activity inputs as recorded.
        self._audit.lean = changes.taken("lean-records")
        self._ledger = StepLedger(s, self._audit, self._ui, changes)
        self._reminders = Reminders(s, self._effects)
        self._path = MainPath(
            s, self._audit, self._ledger, self._effects, self._progress, self._reminders, changes
        )
        # First answers by update id: a retried Update gets the same answer, applied once.
        self._answers: dict[str, ActionResult] = {}

    @workflow.run
    async def run(self, inp: OpenSaleInput) -> SaleSummary:
        recorder = asyncio.create_task(self._audit.drain())
        sender = asyncio.create_task(self._effects.send_queued()) if self._reacts else None
        try:
            await self._path.walk()
        except Cancelled:
            await self._to_the_end(self._close_cancelled())
        except asyncio.CancelledError:
            if not self._reacts:
                raise
            # Requested from the Temporal UI or CLI: the sale's own cancellation path, so the
            # areas hear of it, the OT is voided and the records say cancelled.
            self._record_operator_cancel()
            await self._to_the_end(self._close_cancelled())
        await self._to_the_end(self._finish(recorder, sender))
        return summarize(self._s)

    async def _finish(
        self, recorder: asyncio.Task[None], sender: asyncio.Task[None] | None
    ) -> None:
        self._progress.settle()
        await workflow.wait_condition(
            lambda: workflow.all_handlers_finished() and self._reminders.all_done()
        )
        # Only now are the queues final: reminders and late handlers may have added to them.
        if sender is not None:
            self._effects.close()
            await sender
        self._audit.close()
        await recorder

    async def _to_the_end(self, work: Coroutine[Any, Any, None]) -> None:
        """Closing work runs to its end: a cancel requested from Temporal while the sale is
        closing (say, its last emails wait for the mail server) must not cut off its records
        and emails. Old sales awaited it directly: keep their order of commands."""
        if not self._reacts:
            await work
            return
        closing = asyncio.create_task(work)
        while True:
            try:
                await asyncio.shield(closing)
                return
            except asyncio.CancelledError:
                if closing.cancelled():
                    raise
                workflow.logger.info("Sale %s already closing: cancel ignored", self._s.sale_id)

    @workflow.query
    def state(self) -> SaleState:
        """The whole state of the sale."""
        return self._s

    # --- staff actions ---------------------------------------------------------------------
    def _admit(self, name: str, payload: Any) -> ActionInput:
        try:
            return admit(self._s, name, payload, workflow.now())
        except ActionRefused as refusal:
            # A non-retryable ApplicationError carries the kind to the client as `.type`.
            raise ApplicationError(
                refusal.message, type=refusal.kind.value, non_retryable=True
            ) from None

    def _validate(self, name: str, payload: Any) -> None:
        info = workflow.current_update_info()
        if info is not None and info.id in self._answers:
            return  # a retry of an applied action: answered below, not checked again
        self._admit(name, payload)

    async def _act(self, name: str, payload: Any) -> ActionResult:
        info = workflow.current_update_info()
        update_id = info.id if info else ""
        if update_id in self._answers:
            return self._answers[update_id]
        # Checked again: the sale may have moved between the validator and the handler.
        lean = self._audit.lean
        entry = self._record(self._admit(name, payload), via="update", show=not lean)
        try:
            await self._progress.taken_in(wait=True)
        finally:
            if lean:
                # Shown once the main path reacted: what the action changed goes in the same
                # upsert as the move it caused (since `lean-records`; a visibility write less).
                self._ui.refresh()
        answer = ActionResult.of(self._s, name, entry.message)
        self._answers[update_id] = answer
        return answer

    def _act_on_signal(self, name: str, payload: Any) -> None:
        try:
            action = self._admit(name, payload)
        except ApplicationError as refused:
            actor = payload.get("actor") if isinstance(payload, dict) else None
            entry = LogEntry(
                at=workflow.now(),
                action=name,
                actor=str(actor.get("id")) if isinstance(actor, dict) else None,
                via="signal",
                accepted=False,
                message=f"[{refused.type}] {refused.message}",
            )
            self._s.log.append(entry)
            workflow.logger.warning("Señal rechazada %s: %s", name, refused.message)
            self._audit.event("action_refused", entry=entry, data={"action": name, "payload": {}})
            self._ui.refresh()
            return
        self._record(action, via="signal")
        self._progress.accept()

    def _record(self, action: ActionInput, via: str, show: bool = True) -> LogEntry:
        now = workflow.now()
        message = action.apply(self._s, now)
        actor = action.actor
        entry = LogEntry(
            at=now, action=action.name, actor=actor.id, role=actor.role, via=via, message=message
        )
        self._s.log.append(entry)
        current = self._s.steps[-1] if self._s.steps else None
        if current is not None and actor.id not in current.actors:
            current.actors.append(actor.id)
        # The record keeps what was submitted (metadata only: files live in storage).
        payload = action.model_dump(mode="json", exclude={"actor"})
        self._audit.event("action", entry=entry, data={"action": action.name, "payload": payload})
        if show:
            self._ui.refresh()
        return entry

    # --- closing ---------------------------------------------------------------------------
    def _record_operator_cancel(self) -> None:
        now, s = workflow.now(), self._s
        if s.cancellation is None:
            s.cancellation = Cancellation(reason=OPERATOR_CANCEL_REASON, by="temporal", at=now)
        entry = LogEntry(
            at=now,
            action="cancel_sale",
            actor="temporal",
            via="temporal",
            message=f"Cancelación solicitada: {OPERATOR_CANCEL_REASON}",
        )
        s.log.append(entry)
        data = {"action": "cancel_sale", "payload": {"reason": OPERATOR_CANCEL_REASON}}
        self._audit.event("action", entry=entry, data=data)

    async def _close_cancelled(self) -> None:
        s = self._s
        assert s.cancellation is not None
        self._ledger.leave()
        s.status = SaleStatus.CANCELLED
        s.waiting_on, s.waiting_for, s.due_at, s.min_until = [], "venta cancelada", None, None
        # The cancel action answers now: the sale is cancelled, whatever the OT void takes.
        self._progress.settle()
        ot_voided = await self._effects.void_work_order(s.cancellation.reason)
        roles = engaged_roles(s)
        s.cancellation.notified_roles = roles
        await self._effects.notify(
            "sale_cancelled", roles, reason=s.cancellation.reason, ot_voided=ot_voided
        )
        self._audit.event("sale_cancelled", message=s.cancellation.reason)
        self._ui.refresh()
