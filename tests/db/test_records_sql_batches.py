"""SQL records in batches: a batch writes what its events, recorded one at a time in the same
order, would write; retried whole, overlapping a committed batch, or arriving after newer
batches, it writes each event once and leaves the same sale row, waits, documents and OT."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import JSON, Engine, Table, select
from sqlalchemy.orm import Session, sessionmaker

from activities.inputs import (
    IssueWorkOrderInput,
    RecordEventInput,
    RecordEventsInput,
    VoidWorkOrderInput,
    carry_projections,
    drop_repeated_projections,
)
from mnd.adapters.records_sql import SqlRecords
from mnd.db.engine import make_engine, session_factory, upgrade
from mnd.db.models import Document, Sale, SaleWait, StepEvent, WorkOrder
from tests import factories
from tests.db.conftest import UrlFactory
from tests.db.events import T0, event
from tests.db.test_records_sql_histories import HISTORIES, _record_calls

_TABLES: list[Table] = [
    Sale.__table__,  # type: ignore[list-item]
    SaleWait.__table__,  # type: ignore[list-item]
    StepEvent.__table__,  # type: ignore[list-item]
    Document.__table__,  # type: ignore[list-item]
    WorkOrder.__table__,  # type: ignore[list-item]
]
_DUE = T0 + timedelta(days=2)


@dataclass
class _Db:
    engine: Engine
    sessions: sessionmaker[Session]
    records: SqlRecords

    def dump(self, sale_id: str) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of the sale in every table it writes, but the autoincrement ids and the
        wall clock of a void."""
        found = {}
        with self.engine.connect() as connection:
            for table in _TABLES:
                columns = [c for c in table.c if c.name not in ("id", "voided_at")]
                # PostgreSQL's json has no ordering: sort on the other columns.
                keys = [c for c in columns if not isinstance(c.type, JSON)]
                query = select(*columns).where(table.c.sale_id == sale_id).order_by(*keys)
                found[table.name] = [tuple(row) for row in connection.execute(query)]
        return found

    def issue(self, sale_id: str) -> str:
        inp = IssueWorkOrderInput(sale_id=sale_id, contract_number="CT-1", issued_at=T0)
        return self.records.issue_work_order(inp).number


@pytest.fixture
def two_dbs(new_db_url: UrlFactory) -> Iterator[tuple[_Db, _Db]]:
    """Two empty databases of one kind, migrated: one for batches, one for single events."""
    made = []
    for _ in range(2):
        url = new_db_url()
        upgrade(url)
        engine = make_engine(url)
        sessions = session_factory(engine)
        made.append(_Db(engine, sessions, SqlRecords(sessions)))
    yield made[0], made[1]
    for db in made:
        db.engine.dispose()


def _sale_events(sale_id: str, ot: str) -> list[RecordEventInput]:
    """A sale's trail with every kind of derived row: waits kept and restarted within and across
    steps, two accepted submissions and a refused one (documents, two rounds), the OT issued
    then closed by the projection, and the sale closed (no waits)."""
    documents = factories.documents(date(2026, 3, 1)).model_dump(mode="json")
    submission = {"action": "submit_documents", "payload": {"documents": documents}}
    ot_issued: dict[str, Any] = {"work_order_number": ot, "work_order_status": "issued"}
    validation = {"step": "document_validation", "waiting_on": ("commercial_support",)}
    specs: list[tuple[str, dict[str, Any]]] = [
        ("sale_opened", {"step": "web_access", "waiting_on": ()}),
        ("step_started", {"step": "template_selection", "waiting_on": ("consultant",)}),
        ("action", {"step": "template_selection", "waiting_on": ("consultant",), "actor": "c-1"}),
        ("step_completed", {"step": "template_selection", "waiting_on": ()}),
        ("step_started", {"waiting_on": ("provisioning", "consultant"), "due_at": _DUE}),
        ("waiting_changed", {"waiting_on": ("provisioning",), "due_at": _DUE}),
        ("step_started", validation),
        ("action", validation | {"actor": "c-1", "data": submission}),
        ("action", validation | {"actor": "c-1", "data": submission, "accepted": False}),
        ("action", validation | {"actor": "c-1", "data": submission}),
        ("step_started", {"step": "work_order_closure", "waiting_on": ("production",)} | ot_issued),
        (
            "action",
            {"step": "work_order_closure", "waiting_on": ("production",), "actor": "p-1"}
            | ot_issued
            | {"work_order_status": "closed", "billing_start_date": date(2026, 4, 1)},
        ),
        ("sale_completed", {"step": "cycle_closure", "status": "completed"} | ot_issued),
    ]
    return [event(sale_id, n, kind, **spec) for n, (kind, spec) in enumerate(specs, start=1)]


def _record_both(
    batched: _Db,
    single: _Db,
    batches: list[list[RecordEventInput]],
    lean: list[bool] | None = None,
) -> tuple[list[int], list[bool]]:
    """The batches as batches in one database, their events one at a time (each with its
    projection) in the other. Batch i is sent in the lean form (a projection only where it
    changed, as sales since the `lean-records` patch send it) when `lean[i]`."""
    sent = [
        drop_repeated_projections(batch) if lean and lean[i] else batch
        for i, batch in enumerate(batches)
    ]
    written = [batched.records.record_events(batch) for batch in sent]
    one_by_one = [single.records.record_event(e) for batch in batches for e in batch]
    return written, one_by_one


def test_the_lean_form_leaves_out_only_repeated_projections() -> None:
    trail = _sale_events("S-1", "OT-x")
    sent = drop_repeated_projections(trail)
    assert sent[0].projection is not None
    assert 0 < sum(e.projection is None for e in sent) < len(trail)
    assert carry_projections(sent) == trail
    # Each batch as sent stands alone: its first event always carries the projection.
    assert drop_repeated_projections(trail[5:])[0].projection == trail[5].projection


def test_a_batch_whose_first_event_has_no_projection_writes_nothing(
    two_dbs: tuple[_Db, _Db],
) -> None:
    db, _ = two_dbs
    trail = _sale_events("S-1", "OT-x")
    orphan = trail[3].model_copy(update={"projection": None})
    with pytest.raises(ValueError, match="no projection"):
        db.records.record_events([orphan, *drop_repeated_projections(trail[4:6])])
    assert db.dump("S-1") == {table.name: [] for table in _TABLES}


@pytest.mark.parametrize("form", ["full", "lean"])
def test_a_retried_batch_writes_each_event_once_and_the_same_row(
    two_dbs: tuple[_Db, _Db], form: str
) -> None:
    batched, single = two_dbs
    ot = batched.issue("S-1")
    assert single.issue("S-1") == ot
    trail = _sale_events("S-1", ot)

    def at(*sequences: int) -> list[RecordEventInput]:
        return [trail[n - 1] for n in sequences]

    batches = [
        at(1, 2, 3),
        at(1, 2, 3),  # retried after its commit
        at(3, 4, 5),  # overlapping the committed batch
        at(4, 5, 6, 7),  # the next batch, retried after a partial one committed
        at(8, 9),
        at(1, 2, 3, 4, 5, 6, 7, 8, 9),  # everything so far, again
        at(10, 11, 12, 13),
        at(12, 13),
        at(2, 3),  # an old batch retried after newer ones: it must not roll the sale back
    ]
    written, one_by_one = _record_both(batched, single, batches, [form == "lean"] * len(batches))
    assert written == [3, 0, 2, 2, 2, 0, 4, 0, 0]
    assert one_by_one.count(True) == len(trail) == 13
    assert batched.dump("S-1") == single.dump("S-1")

    dump = batched.dump("S-1")
    assert [row[2] for row in dump["step_events"]] == list(range(1, 14))  # each event once
    sale = batched.records.get_sale("S-1")
    assert sale is not None
    assert (sale.status, sale.step, sale.last_sequence, sale.waiting_on) == (
        "completed",
        "cycle_closure",
        13,
        [],
    )
    assert sorted({row[1] for row in dump["documents"]}) == [1, 2]  # two rounds, five each
    assert len(dump["documents"]) == 10
    order = batched.records.work_order("S-1")
    assert order is not None and order.status == "closed"


def test_a_batch_keeps_the_waits_of_its_step(two_dbs: tuple[_Db, _Db]) -> None:
    """Waits started in an earlier batch keep their start when the step goes on."""
    batched, single = two_dbs
    trail = _sale_events("S-1", "OT-x")
    batches = [trail[:4], trail[4:5], trail[5:6]]  # step 5 starts, then 6 narrows its waits
    _record_both(batched, single, batches)
    [wait] = batched.records.inbox("provisioning", now=T0)
    assert wait.since == trail[4].at and wait.due_at == _DUE
    assert batched.records.inbox("consultant", now=T0) == []
    assert batched.dump("S-1") == single.dump("S-1")


def test_concurrent_overlapping_batches_write_each_event_once(two_dbs: tuple[_Db, _Db]) -> None:
    """Attempts of one sale's batches at once, the first ones racing to create its row."""
    db, _ = two_dbs
    trail = [event("S-1", n, waiting_on=("consultant",)) for n in range(1, 21)]
    slices = [trail[n % 7 : n % 7 + 1 + n % 5] for n in range(40)] + [trail[5:], trail]
    # Every other attempt in the lean form: one projection, carried to the batch's events.
    slices = [drop_repeated_projections(b) if i % 2 else b for i, b in enumerate(slices)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        written = list(pool.map(db.records.record_events, slices))
    assert sum(written) == 20
    assert [row[2] for row in db.dump("S-1")["step_events"]] == list(range(1, 21))
    sale = db.records.get_sale("S-1")
    assert sale is not None and sale.last_sequence == 20
    # One step throughout: the wait started with whichever event came first, and was kept.
    [wait] = db.records.inbox("consultant", now=T0)
    assert wait.since in {e.at for e in trail[:7]}


_SALES = itertools.count()


@st.composite
def _deliveries(draw: st.DrawFn) -> list[tuple[int, int]]:
    """Slices [start, stop) of the 13 events, as the activity may be handed them: the
    workflow's batches in order (any cut), with retries of any run of events (a lost result,
    a late attempt) at any point, before or after newer batches."""
    cuts = sorted(draw(st.sets(st.integers(1, 12), max_size=8)))
    bounds = [0, *cuts, 13]
    batches = list(itertools.pairwise(bounds))
    for _ in range(draw(st.integers(0, 5))):
        start = draw(st.integers(0, 12))
        stop = draw(st.integers(start + 1, 13))
        batches.insert(draw(st.integers(0, len(batches))), (start, stop))
    return batches


@settings(
    max_examples=25,
    deadline=None,
    database=None,  # no .hypothesis folder in the checkout
    # The databases are shared across examples on purpose: each example is its own sale.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(deliveries=_deliveries(), lean=st.lists(st.booleans(), min_size=20, max_size=20))
def test_any_batching_and_retries_leave_what_single_events_leave(
    two_dbs: tuple[_Db, _Db], deliveries: list[tuple[int, int]], lean: list[bool]
) -> None:
    """In either form, batch by batch (a sale sends one form, its histories the other)."""
    batched, single = two_dbs
    sale_id = f"S-{next(_SALES)}"
    ot = batched.issue(sale_id)
    assert single.issue(sale_id) == ot
    trail = _sale_events(sale_id, ot)
    batches = [trail[start:stop] for start, stop in deliveries]
    written, one_by_one = _record_both(batched, single, batches, lean)
    assert sum(written) == one_by_one.count(True) == len(trail)
    assert batched.dump(sale_id) == single.dump(sale_id)
    events = batched.dump(sale_id)["step_events"]
    assert [row[2] for row in events] == list(range(1, 14))
    # However the events came, the row ends as the newest one says.
    sale = batched.records.get_sale(sale_id)
    assert sale is not None
    assert (sale.status, sale.step, sale.last_sequence, sale.waiting_on) == (
        "completed",
        "cycle_closure",
        13,
        [],
    )


_SAMPLED = [
    p
    for p in HISTORIES
    if p.stem
    in (
        "happy_path_v5",
        "happy_path_v6",
        "happy_path_v7",
        "documents_rejected_v4",
        "corrections_and_reminders_v4",
        "cancelled_after_work_order_v4",
    )
]


@pytest.mark.parametrize("path", _SAMPLED, ids=[p.stem for p in _SAMPLED])
def test_a_history_in_its_batches_leaves_what_its_events_one_at_a_time_leave(
    path: Any, two_dbs: tuple[_Db, _Db]
) -> None:
    batched, single = two_dbs
    calls = _record_calls(path)
    for db, one_by_one in ((batched, False), (single, True)):
        for _ in range(2):  # the whole sale again, as a full retry would: nothing changes
            for inp in calls:
                if isinstance(inp, RecordEventsInput):
                    if one_by_one:
                        for e in carry_projections(inp.events):
                            db.records.record_event(e)
                    else:
                        db.records.record_events(inp.events)
                elif isinstance(inp, IssueWorkOrderInput):
                    db.records.issue_work_order(inp)
                elif isinstance(inp, VoidWorkOrderInput):
                    db.records.void_work_order(inp)
    [sale_id] = {e.sale_id for c in calls if isinstance(c, RecordEventsInput) for e in c.events}
    assert batched.dump(sale_id) == single.dump(sale_id)
