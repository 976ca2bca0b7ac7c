"""Record activities: the audit trail of each step and the work order (OT), idempotent on retry."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from temporalio import activity

from activities.failures import FailureKind, permanent
from activities.inputs import (
    IssueWorkOrderInput,
    RecordEventInput,
    RecordEventsInput,
    VoidWorkOrderInput,
    WorkOrderResult,
)


class SaleRecords(Protocol):
    def record_event(self, event: RecordEventInput) -> bool:
        """Stores the event unless its id is already stored; True when written now."""
        ...

    def record_events(self, events: Sequence[RecordEventInput]) -> int:
        """Stores a batch of one sale's events, each unless already stored; how many were new."""
        ...

    def issue_work_order(self, inp: IssueWorkOrderInput) -> WorkOrderResult:
        """Issues the sale's OT, or returns the one already issued to it."""
        ...

    def void_work_order(self, inp: VoidWorkOrderInput) -> WorkOrderResult:
        """Voids the sale's OT (again: no change); raises LookupError when the sale has no OT
        and ValueError when its OT has another number, writing nothing."""
        ...


class RecordActivities:
    """Writes the sale's durable record through an injected store (files now, SQL later)."""

    def __init__(self, records: SaleRecords) -> None:
        self._records = records

    @activity.defn
    def record_events(self, batch: RecordEventsInput) -> int:
        """Appends events (step changes, actions, refusals) to the sale's record; returns how many were new."""
        return self._records.record_events(batch.events)

    @activity.defn
    def issue_work_order(self, inp: IssueWorkOrderInput) -> WorkOrderResult:
        """Issues the work order (OT) once per sale."""
        # Never permanent: the sale cannot go on without its OT, so whatever fails here (the
        # database, in practice: the sale id and contract number are validated when recorded)
        # is waited out and fixed, not skipped with an alert.
        return self._records.issue_work_order(inp)

    @activity.defn
    def void_work_order(self, inp: VoidWorkOrderInput) -> WorkOrderResult:
        """Voids the sale's OT when the sale is cancelled."""
        try:
            return self._records.void_work_order(inp)
        except LookupError as exc:
            raise permanent(
                f"la venta {inp.sale_id} no tiene OT en los registros.",
                FailureKind.WORK_ORDER_NOT_FOUND,
            ) from exc
        except ValueError as exc:
            raise permanent(
                f"la OT {inp.number} no es la de la venta {inp.sale_id} en los registros.",
                FailureKind.WORK_ORDER_MISMATCH,
            ) from exc
