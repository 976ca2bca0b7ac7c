"""The rows derived from a batch of a sale's events, written in the batch's transaction: the
sale's row, who the sale waits on, the OT's closing, and the documents of a submission.

What the batch leaves is what its events, applied one at a time in order, would leave (each
new event applied when it is newer than the row, `Sale.last_sequence`); `Applied` works that
out in memory, so each table is written once per batch. The statements are SQLAlchemy Core,
built once per database kind (`statements`): building a statement, not running it, was most of
a record's cost.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from typing import Any, cast

from sqlalchemy import (
    Connection,
    Delete,
    Insert,
    Select,
    String,
    Table,
    Update,
    bindparam,
    delete,
    select,
    update,
)
from sqlalchemy import insert as plain_insert

from mnd.db.dialect import dialect_insert, utc
from mnd.db.models import Document, Sale, SaleWait, StepEvent, WorkOrder
from mnd.domain.projection import ROW_FIELDS, RecordEventInput
from mnd.domain.sale import SaleStatus, WorkOrderStatus, workflow_id_for

SUBMIT_DOCUMENTS = "submit_documents"
# What an event refreshes in the sale's row: the projection's row fields but the key.
_ROW_UPDATES: set[str] = set(ROW_FIELDS) - {"sale_id"}

_SALES = cast(Table, Sale.__table__)
_WAITS = cast(Table, SaleWait.__table__)
_EVENTS = cast(Table, StepEvent.__table__)
_DOCUMENTS = cast(Table, Document.__table__)
_ORDERS = cast(Table, WorkOrder.__table__)


@dataclass(frozen=True)
class Statements:
    """Every statement of a batch, with bound parameters, for one kind of database."""

    lock_sale: Select[str, int]
    insert_sale: Insert
    update_sale: Update
    insert_events: Insert
    waits: Select[str, datetime]
    delete_waits: Delete
    insert_waits: Insert
    close_order: Update
    submissions: Select[int]
    insert_documents: Insert


@cache
def statements(dialect: str) -> Statements:
    """The batch's statements on the database kind `dialect` (`postgresql` or `sqlite`)."""
    sale_id = bindparam("sale_id", type_=String)
    events = _EVENTS.c
    return Statements(
        # Locks the sale's row (PostgreSQL) so batches of one sale apply one at a time; SQLite
        # already serialises writers with BEGIN IMMEDIATE.
        lock_sale=select(_SALES.c.step, _SALES.c.last_sequence)
        .where(_SALES.c.sale_id == sale_id)
        .with_for_update(),
        # No conflict target: a concurrent first batch of the same sale may collide on either
        # unique key (sale_id, workflow_id); every unique index is then an arbiter, so the
        # insert does nothing instead of failing (no savepoint, no aborted transaction).
        insert_sale=dialect_insert(dialect, _SALES)
        .on_conflict_do_nothing()
        .returning(_SALES.c.sale_id),
        # The columns set are the keys of the parameters (the row's fields).
        update_sale=update(_SALES).where(_SALES.c.sale_id == bindparam("key_sale_id")),
        insert_events=dialect_insert(dialect, _EVENTS)
        .on_conflict_do_nothing(index_elements=["event_id"])
        .returning(events.event_id),
        waits=select(_WAITS.c.role, _WAITS.c.since).where(_WAITS.c.sale_id == sale_id),
        delete_waits=delete(_WAITS).where(_WAITS.c.sale_id == sale_id),
        insert_waits=plain_insert(_WAITS),
        close_order=update(_ORDERS)
        .where(
            _ORDERS.c.sale_id == bindparam("key_sale_id"),
            _ORDERS.c.status == WorkOrderStatus.ISSUED.value,
        )
        .values(
            status=WorkOrderStatus.CLOSED.value,
            closed_at=bindparam("key_closed_at"),
            billing_start_date=bindparam("key_billing_start_date"),
        ),
        # Each accepted submission opens one validation round, so the earlier ones number it.
        submissions=select(events.sequence)
        .where(
            events.sale_id == sale_id,
            events.kind == "action",
            events.accepted.is_(True),
            events.data["action"].as_string() == SUBMIT_DOCUMENTS,
        )
        .order_by(events.sequence),
        insert_documents=dialect_insert(dialect, _DOCUMENTS).on_conflict_do_nothing(
            index_elements=["sale_id", "round", "kind", "file_name"]
        ),
    )


def sale_row(event: RecordEventInput, first: bool = False) -> dict[str, Any]:
    """The sale's row as `event` leaves it (with its key and workflow id when `first`)."""
    # The row's columns are named after the projection's fields (mnd/domain/projection.py).
    projected = event.projected().model_dump(include=_ROW_UPDATES)
    row = {k: utc(v) if isinstance(v, datetime) else v for k, v in projected.items()}
    row |= {"updated_at": utc(event.at), "last_sequence": event.sequence}
    if first:
        row |= {"sale_id": event.sale_id, "workflow_id": workflow_id_for(event.sale_id)}
    return row


@dataclass
class Applied:
    """What the new events of a batch, applied one at a time in order, leave of the sale.

    An event applies when the row is older (`last_sequence`): a retry of an older event
    arriving after newer ones never rolls the row back. `step` and `last_sequence` are the
    row's before the batch (None: no row yet).
    """

    step: str | None
    last_sequence: int | None
    newest: RecordEventInput | None = None  # the last event applied: the row ends as it says
    # Who the sale waits on after the batch, and since when; None while no event applied.
    waits: dict[str, datetime] | None = None
    closing: RecordEventInput | None = None  # the first applied event that closes the OT
    _stored_waits: Callable[[], dict[str, datetime]] | None = field(default=None, repr=False)

    @classmethod
    def of(
        cls,
        events: Sequence[RecordEventInput],
        step: str | None,
        last_sequence: int | None,
        stored_waits: Callable[[], dict[str, datetime]],
    ) -> Applied:
        """Applies `events` to the row (`step`, `last_sequence`); `stored_waits` reads the
        sale's waits before the batch (called only when an event keeps them)."""
        applied = cls(step, last_sequence, _stored_waits=stored_waits)
        for event in events:
            applied._apply(event)
        return applied

    def _apply(self, event: RecordEventInput) -> None:
        if self.last_sequence is not None and event.sequence <= self.last_sequence:
            return
        p = event.projected()
        same_step = self.step == p.step
        # A closed sale waits on nobody, whatever a stale waiting list says: it must leave
        # inboxes.
        roles = list(dict.fromkeys(p.waiting_on)) if p.status == SaleStatus.OPEN.value else []
        old: dict[str, datetime] = {}
        if same_step and roles:
            if self.waits is None and self._stored_waits is not None:
                self.waits = self._stored_waits()
            old = self.waits or {}
        # A role still waited on in the same step keeps waiting since it started; a new step or
        # a newly waited role starts its wait with this event.
        at = utc(event.at)
        self.waits = {role: old.get(role, at) for role in roles}
        self.step, self.last_sequence, self.newest = p.step, event.sequence, event
        if self.closing is None and p.work_order_status == WorkOrderStatus.CLOSED.value:
            self.closing = event


def stored_waits(connection: Connection, st: Statements, sale_id: str) -> dict[str, datetime]:
    """Who the sale waits on now, and since when."""
    return {role: since for role, since in connection.execute(st.waits, {"sale_id": sale_id})}


def write_applied(
    connection: Connection, st: Statements, sale_id: str, applied: Applied, row_written: bool
) -> None:
    """Writes what the batch's events leave: the row (unless `row_written`), the waits, the
    OT's closing."""
    newest = applied.newest
    if newest is None:
        return
    if not row_written:
        connection.execute(st.update_sale, sale_row(newest) | {"key_sale_id": sale_id})
        connection.execute(st.delete_waits, {"sale_id": sale_id})
    due_at = utc(newest.projected().due_at)
    waits = [
        {"sale_id": sale_id, "role": role, "since": since, "due_at": due_at}
        for role, since in (applied.waits or {}).items()
    ]
    if waits:
        connection.execute(st.insert_waits, waits)
    closing = applied.closing
    if closing is not None:
        connection.execute(
            st.close_order,
            {
                "key_sale_id": sale_id,
                "key_closed_at": utc(closing.at),
                "key_billing_start_date": closing.projected().billing_start_date,
            },
        )


def record_documents(
    connection: Connection, st: Statements, sale_id: str, events: Sequence[RecordEventInput]
) -> None:
    """Stores the metadata of each document submission among `events` (just stored), numbered
    by validation round."""
    submitted = [(event, docs) for event in events if (docs := _submitted(event))]
    if not submitted:
        return
    # Every accepted submission of the sale, this batch's included: the earlier ones number
    # each round.
    sequences = list(connection.scalars(st.submissions, {"sale_id": sale_id}))
    rows = [
        {
            "sale_id": sale_id,
            "round": bisect_left(sequences, event.sequence) + 1,
            "kind": doc["kind"],
            "file_name": doc["file_name"],
            "content_type": doc.get("content_type", "application/pdf"),
            "issued_on": _date(doc.get("issued_on")),
            "size_bytes": doc.get("size_bytes"),
            "sha256": doc.get("sha256"),
            "storage_ref": doc.get("storage_ref"),
            "submitted_at": utc(event.at),
        }
        for event, docs in submitted
        for doc in docs
    ]
    connection.execute(st.insert_documents, rows)


def _submitted(event: RecordEventInput) -> list[dict[str, Any]]:
    if event.kind != "action" or not event.accepted or event.data.get("action") != SUBMIT_DOCUMENTS:
        return []
    payload = event.data.get("payload") or {}
    documents: list[dict[str, Any]] = (payload.get("documents") or {}).get("documents") or []
    return documents


def _date(value: str | date | None) -> date | None:
    # The payload went through JSON, so dates arrive as ISO strings.
    return date.fromisoformat(value) if isinstance(value, str) else value
