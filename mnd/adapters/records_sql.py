"""Sale records in SQL (SQLite or PostgreSQL): the event trail, the sale's current row, the OT."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from pydantic_core import to_jsonable_python
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, sessionmaker

from mnd.adapters.records_sql_sync import (
    Applied,
    record_documents,
    sale_row,
    statements,
    stored_waits,
    write_applied,
)
from mnd.db import queries
from mnd.db.dialect import insert, utc
from mnd.db.engine import read_session
from mnd.db.models import Sale, SaleWait, StepEvent, WorkOrder
from mnd.domain.clock import COLOMBIA
from mnd.domain.projection import (
    IssueWorkOrderInput,
    RecordEventInput,
    VoidWorkOrderInput,
    WorkOrderResult,
    carry_projections,
)
from mnd.domain.sale import SaleStatus, WorkOrderStatus

_RUN_CLOSED_GAP = 1000
# Transactions a batch gets when another attempt keeps racing it; then the activity fails (and
# Temporal retries it).
_BATCH_ATTEMPTS = 3


class _AlreadyRecorded(RuntimeError):
    """A concurrent attempt stored some of the batch's events first: undo this transaction."""


class WorkOrderNotFound(LookupError):
    """The sale has no work order to void."""


class WorkOrderMismatch(ValueError):
    """The sale's work order has another number than the one to void."""


class SqlRecords:
    """Implements `SaleRecords` on the records database; each call is one idempotent transaction.

    Retries are the normal case (Temporal retries an activity whose result was lost), so every
    write is keyed: the event id, the sale id for its OT, and the sale's sequence for its row.
    """

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def record_event(self, event: RecordEventInput) -> bool:
        """Stores the event and applies its projection unless already stored; True when new."""
        return self.record_events([event]) == 1

    def record_events(self, events: Sequence[RecordEventInput]) -> int:
        """Records a batch of events in one transaction; how many were new.

        One commit per batch instead of one per event: a commit is a WAL flush on PostgreSQL
        (a lock and a file write on SQLite). And one statement per table per batch: the new
        events in one INSERT, the sale's row, waits and OT written once, as the batch's events
        applied in order leave them (`records_sql_sync.Applied`). The batch is normally one
        sale's; events of several sales are recorded sale by sale, in order of appearance. An event
        sent without its projection (the same as the previous one's) gets it first, from the
        batch as sent (`carry_projections`).
        """
        by_sale: dict[str, list[RecordEventInput]] = {}
        seen: set[str] = set()
        for event in carry_projections(events):
            if event.event_id not in seen:  # the same event twice in a batch is written once
                seen.add(event.event_id)
                by_sale.setdefault(event.sale_id, []).append(event)
        for attempt in range(1, _BATCH_ATTEMPTS + 1):
            try:
                with self._sessions.begin() as session:
                    return sum(
                        self._record(session, sale, batch) for sale, batch in by_sale.items()
                    )
            except _AlreadyRecorded:
                if attempt == _BATCH_ATTEMPTS:
                    raise
        raise AssertionError("unreachable")

    def _record(self, session: Session, sale_id: str, events: list[RecordEventInput]) -> int:
        """Records one sale's events in the session's transaction; how many were new."""
        connection = session.connection()
        st = statements(connection.dialect.name)
        row = connection.execute(st.lock_sale, {"sale_id": sale_id}).first()
        row_written = False
        if row is None:
            # No row, so none of its events is stored yet: the row goes in as the newest event
            # leaves it. A concurrent first batch of the same sale makes this a no-op once the
            # other commits (ON CONFLICT DO NOTHING on every unique key); the row is then there,
            # and is locked as usual.
            newest = max(events, key=lambda e: e.sequence)
            inserted = connection.execute(st.insert_sale, sale_row(newest, first=True))
            row_written = inserted.first() is not None
            if not row_written:
                row = connection.execute(st.lock_sale, {"sale_id": sale_id}).first()
                if row is None:
                    raise _AlreadyRecorded(sale_id)
        # Under the row's lock, what ON CONFLICT skips was stored by an earlier attempt.
        stored = connection.execute(st.insert_events, [_event_row(e) for e in events])
        stored_ids = set(stored.scalars())
        new = [e for e in events if e.event_id in stored_ids]
        if row_written and len(new) < len(events):
            raise _AlreadyRecorded(sale_id)  # another attempt's events without its row: retry
        if not new:
            return 0
        applied = Applied.of(
            new,
            step=None if row is None else row.step,
            last_sequence=None if row is None else row.last_sequence,
            stored_waits=lambda: stored_waits(connection, st, sale_id),
        )
        write_applied(connection, st, sale_id, applied, row_written)
        record_documents(connection, st, sale_id, new)
        return len(new)

    def issue_work_order(self, inp: IssueWorkOrderInput) -> WorkOrderResult:
        """Issues the sale's OT once: `OT-<year>-<id>`, where id is the work_orders table's own
        sequence (global, never reset, zero-padded to 6 digits; unique and increasing, not
        gapless) and year is the year of issue on the Colombian calendar. A repeated call
        returns the OT already issued."""
        with self._sessions.begin() as session:
            # Look first: on PostgreSQL even an INSERT that conflicts consumes a sequence value,
            # and retries are common, so inserting blindly would leave gaps in the numbering.
            if session.scalar(select(WorkOrder.id).where(WorkOrder.sale_id == inp.sale_id)):
                return _order_result(session, inp.sale_id)
            stmt = insert(session, WorkOrder).values(
                sale_id=inp.sale_id,
                contract_number=inp.contract_number,
                status=WorkOrderStatus.ISSUED.value,
                issued_at=utc(inp.issued_at),
            )
            # The unique sale_id makes a concurrent duplicate wait for the first and do nothing.
            new_id = session.scalar(
                stmt.on_conflict_do_nothing(index_elements=["sale_id"]).returning(WorkOrder.id)
            )
            if new_id is not None:
                number = f"OT-{utc(inp.issued_at).astimezone(COLOMBIA).year}-{new_id:06d}"
                session.execute(
                    update(WorkOrder).where(WorkOrder.id == new_id).values(number=number)
                )
            return _order_result(session, inp.sale_id)

    def void_work_order(self, inp: VoidWorkOrderInput) -> WorkOrderResult:
        """Marks the sale's OT voided; voiding it again changes nothing. Raises (writing
        nothing) `WorkOrderNotFound` when the sale has no OT and `WorkOrderMismatch` when its OT
        has another number."""
        with self._sessions.begin() as session:
            order = session.scalars(
                select(WorkOrder).where(WorkOrder.sale_id == inp.sale_id).with_for_update()
            ).first()
            if order is None:
                raise WorkOrderNotFound(f"sale {inp.sale_id!r} has no work order")
            if order.number != inp.number:
                raise WorkOrderMismatch(
                    f"sale {inp.sale_id!r} holds work order {order.number}, not {inp.number}"
                )
            if order.status != WorkOrderStatus.VOIDED.value:
                order.status = WorkOrderStatus.VOIDED.value
                order.void_reason = inp.reason
                order.voided_at = datetime.now(UTC)
            return _order_result(session, inp.sale_id)

    def close_run(self, sale_id: str, status: str, at: datetime, reason: str) -> bool:
        """Closes an open sale whose run ended outside its own path (`mnd/reconcile.py`): the
        row's status, no more waits (it leaves every inbox) and one event; True when changed."""
        with self._sessions.begin() as session:
            row = session.scalars(
                select(Sale).where(Sale.sale_id == sale_id).with_for_update()
            ).first()
            if row is None or row.status != SaleStatus.OPEN.value:
                return False
            # Well past the run's own numbering: an event of the dead run still in flight
            # keeps its sequence free, and (older) it can no longer reopen the row.
            sequence = row.last_sequence + _RUN_CLOSED_GAP
            row.status, row.updated_at, row.last_sequence = status, utc(at), sequence
            session.execute(delete(SaleWait).where(SaleWait.sale_id == sale_id))
            session.add(
                StepEvent(
                    event_id=f"{sale_id}:run-closed",
                    sale_id=sale_id,
                    sequence=sequence,
                    kind="run_closed",
                    step=row.step,
                    at=utc(at),
                    via="temporal",
                    accepted=True,
                    message=reason,
                    data={"status": status},
                )
            )
            return True

    # --- reads for the CLI and the API ------------------------------------------------------
    def inbox(
        self, role: str, limit: int = 50, now: datetime | None = None
    ) -> list[queries.InboxItem]:
        """Sales waiting on `role`, longest-waiting first, flagged overdue against `now`."""
        with read_session(self._sessions) as session:
            return queries.inbox(session, role, limit, now or datetime.now(UTC))

    def get_sale(self, sale_id: str) -> queries.SaleView | None:
        """The sale's current row with the roles it waits on, or None."""
        with read_session(self._sessions) as session:
            return queries.get_sale(session, sale_id)

    def events(self, sale_id: str) -> list[queries.EventView]:
        """The sale's audit trail in sequence order."""
        with read_session(self._sessions) as session:
            return queries.events(session, sale_id)

    def work_order(self, sale_id: str) -> WorkOrderResult | None:
        """The sale's OT, if one was issued."""
        with read_session(self._sessions) as session:
            found = session.scalar(select(WorkOrder.id).where(WorkOrder.sale_id == sale_id))
            return None if found is None else _order_result(session, sale_id)


def _event_row(event: RecordEventInput) -> dict[str, object]:
    row = event.model_dump(exclude={"projection", "data"})
    # The JSON column needs JSON values (a date in a payload would not serialise).
    row["data"], row["at"] = to_jsonable_python(event.data), utc(event.at)
    return row


def _order_result(session: Session, sale_id: str) -> WorkOrderResult:
    number, status = session.execute(
        select(WorkOrder.number, WorkOrder.status).where(WorkOrder.sale_id == sale_id)
    ).one()
    return WorkOrderResult(number=number, sale_id=sale_id, status=status)
