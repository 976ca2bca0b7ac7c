"""Step bookkeeping: entering and leaving a step, and who the sale waits on within it."""

from __future__ import annotations

from datetime import datetime, timedelta

from temporalio import workflow

from workflows.audit import AuditTrail
from workflows.changes import Changes
from workflows.visibility import Visibility

with workflow.unsafe.imports_passed_through():
    from mnd.domain.roles import Role
    from mnd.domain.sale import SaleState, StepRecord
    from mnd.domain.steps import StepId


class StepLedger:
    """Each change is written to the state, the UI and the audit trail together."""

    def __init__(
        self, state: SaleState, audit: AuditTrail, visibility: Visibility, changes: Changes
    ) -> None:
        self._s, self._audit, self._ui, self._changes = state, audit, visibility, changes

    def deadline(self, start: datetime, duration: timedelta) -> datetime:
        """The profile's deadline for this sale: every timer and due date comes from here."""
        return self._s.profile.deadline(start, duration, self._s.colombian_dates)

    def enter(
        self,
        step: StepId,
        roles: list[Role],
        waiting_for: str,
        min_until: datetime | None = None,
        show: bool = True,
    ) -> StepRecord:
        """Enters `step`; the UI shows it unless `show` is False (the caller refreshes it)."""
        now, s = workflow.now(), self._s
        record = StepRecord(
            step=step,
            round=1 + sum(r.step is step for r in s.steps),
            started_at=now,
            due_at=s.profile.sla_due(step, now, s.colombian_dates),
            min_until=min_until,
        )
        s.step, s.due_at, s.min_until = step, record.due_at, record.min_until
        s.waiting_on, s.waiting_for = roles, waiting_for
        s.steps.append(record)
        workflow.logger.info("Sale %s entered step %s", s.sale_id, step.value)
        # The event carries the new step's waiting roles, so the inboxes are right at once.
        self._audit.event("step_started")
        if show:
            self._ui.refresh()
        return record

    def leave(self) -> None:
        record = self._s.steps[-1] if self._s.steps else None
        if record is None or record.ended_at is not None:
            return
        record.ended_at = workflow.now()
        duration = record.duration or timedelta(0)
        workflow.logger.info("Sale %s completed step %s", self._s.sale_id, record.step.value)
        self._audit.event(
            "step_completed",
            data={"seconds": duration.total_seconds(), "sla_breached": record.sla_breached},
        )

    def set_waiting(self, roles: list[Role], waiting_for: str) -> None:
        """Changes who the sale waits on within a step; the records hear of it too."""
        changed = roles != self._s.waiting_on
        self._s.waiting_on, self._s.waiting_for = roles, waiting_for
        self._ui.refresh()
        # Added after v2: sales recorded before it never sent this event, and sending it can
        # schedule an extra record activity, so old histories replay on the old path.
        if changed and self._changes.taken("waiting-changed-events"):
            self._audit.event("waiting_changed")

    def refresh(self) -> None:
        self._ui.refresh()
