"""SQL records: each event is stored once whatever the retries, and the sale's row, waits and
documents follow the newest event."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from activities.inputs import RecordEventInput, RecordEventsInput
from activities.records import RecordActivities
from mnd.adapters.records_sql import SqlRecords, _AlreadyRecorded
from mnd.db.engine import read_session
from mnd.db.models import Document, Sale, SaleWait, StepEvent
from tests import factories
from tests.db.events import T0, event, record_and_issue


def _count(sessions: sessionmaker[Session], model: type[object]) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_record_event_twice_writes_one_row(records: SqlRecords) -> None:
    assert records.record_event(event("S-1", 1)) is True
    assert records.record_event(event("S-1", 1)) is False
    assert records.record_event(event("S-1", 2, "step_completed", data={"seconds": 60})) is True
    trail = records.events("S-1")
    assert [(e.sequence, e.kind) for e in trail] == [(1, "step_started"), (2, "step_completed")]
    assert trail[0].at == T0 + timedelta(minutes=1) and trail[1].data == {"seconds": 60}
    sale = records.get_sale("S-1")
    assert sale is not None and sale.workflow_id == "sale-S-1" and sale.last_sequence == 2
    assert sale.opened_at == T0 and sale.waiting_on == ["provisioning"]
    assert records.get_sale("S-unknown") is None and records.events("S-unknown") == []


class _CrashBeforeCommit(SqlRecords):
    """Fails after every write of the event, before the commit (as a lost connection would)."""

    def _record(self, session: Session, sale_id: str, events: list[RecordEventInput]) -> int:
        super()._record(session, sale_id, events)
        raise ConnectionError("connection lost before commit")


def test_failure_before_commit_leaves_nothing_and_retry_writes_once(
    sessions: sessionmaker[Session],
) -> None:
    submitted = _submission("S-1", 1)
    with pytest.raises(ConnectionError):
        _CrashBeforeCommit(sessions).record_event(submitted)
    for model in (Sale, SaleWait, StepEvent, Document):
        assert _count(sessions, model) == 0, model.__name__
    records = SqlRecords(sessions)
    assert records.record_event(submitted) is True
    assert records.record_event(submitted) is False
    assert [_count(sessions, m) for m in (Sale, SaleWait, StepEvent, Document)] == [1, 1, 1, 5]


def test_concurrent_retries_write_each_event_once(
    records: SqlRecords, sessions: sessionmaker[Session]
) -> None:
    attempts = [event("S-1", 1 + n % 20, waiting_on=("consultant",)) for n in range(120)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        written = list(pool.map(records.record_event, attempts))
    assert written.count(True) == 20
    assert _count(sessions, StepEvent) == 20
    sale = records.get_sale("S-1")
    assert sale is not None and sale.last_sequence == 20


@pytest.mark.usefixtures("engine")  # migrated
def test_processes_recording_the_same_events_write_them_once(db_url: str) -> None:
    context = multiprocessing.get_context("spawn")  # fresh interpreters, like separate workers
    with ProcessPoolExecutor(max_workers=3, mp_context=context) as pool:
        results = list(pool.map(record_and_issue, [db_url] * 3, [10] * 3, [30] * 3))
    assert sum(written for written, _ in results) == 30
    assert results[0][1] == results[1][1] == results[2][1]
    assert len(set(results[0][1].values())) == 10


def test_a_long_read_does_not_hold_writers_back(
    records: SqlRecords, sessions: sessionmaker[Session]
) -> None:
    records.record_event(event("S-1", 1))
    with read_session(sessions) as reading, ThreadPoolExecutor(max_workers=1) as pool:
        assert reading.scalars(select(Sale.sale_id)).all() == ["S-1"]  # a report under way
        assert pool.submit(records.record_event, event("S-1", 2)).result(timeout=5) is True


def test_an_older_event_never_rolls_the_sale_back(records: SqlRecords) -> None:
    records.record_event(event("S-1", 2, step="document_validation", waiting_on=("ally",)))
    assert records.record_event(event("S-1", 1, step="contract", status="open")) is True
    sale = records.get_sale("S-1")
    assert sale is not None
    assert (sale.step, sale.last_sequence, sale.waiting_on) == ("document_validation", 2, ["ally"])
    assert [e.sequence for e in records.events("S-1")] == [1, 2]


def test_waits_follow_the_newest_projection(records: SqlRecords) -> None:
    due = T0 + timedelta(days=1)
    records.record_event(event("S-1", 1, waiting_on=("provisioning", "consultant"), due_at=due))
    # Same step, consultant done: provisioning keeps waiting since event 1.
    records.record_event(event("S-1", 2, waiting_on=("provisioning",), due_at=due))
    [wait] = records.inbox("provisioning", now=T0)
    assert wait.since == T0 + timedelta(minutes=1) and wait.due_at == due
    assert records.inbox("consultant", now=T0) == []
    # A new step starts a new wait, even on the same role.
    records.record_event(event("S-1", 3, step="document_validation", waiting_on=("provisioning",)))
    [wait] = records.inbox("provisioning", now=T0)
    assert wait.since == T0 + timedelta(minutes=3) and wait.due_at is None
    # A closed sale leaves every inbox, even if its projection still names a role.
    records.record_event(event("S-1", 4, "sale_cancelled", status="cancelled"))
    assert records.inbox("provisioning", now=T0) == []


def test_inbox_lists_oldest_first_and_flags_overdue(records: SqlRecords) -> None:
    now = T0 + timedelta(hours=5)
    waits = {"S-new": 40, "S-old": 10, "S-mid": 20}  # minutes after T0
    for sale_id, minutes in waits.items():
        due = T0 + timedelta(hours=1 if sale_id == "S-old" else 9)
        at = T0 + timedelta(minutes=minutes)
        records.record_event(event(sale_id, 1, at=at, waiting_on=("consultant",), due_at=due))
    records.record_event(event("S-other", 1, waiting_on=("ally",)))
    inbox = records.inbox("consultant", now=now)
    assert [(i.sale_id, i.overdue) for i in inbox] == [
        ("S-old", True),
        ("S-mid", False),
        ("S-new", False),
    ]
    assert inbox[0].client_name == "Panadería La Espiga S.A.S." and inbox[0].step == "contract"
    assert [i.sale_id for i in records.inbox("consultant", limit=2, now=now)] == ["S-old", "S-mid"]


def _submission(sale_id: str, sequence: int, accepted: bool = True) -> RecordEventInput:
    documents = factories.documents(date(2026, 3, 1)).model_dump(mode="json")
    return event(
        sale_id,
        sequence,
        "action",
        actor="c-1",
        accepted=accepted,
        waiting_on=("provisioning",),
        data={"action": "submit_documents", "payload": {"documents": documents}},
    )


def test_documents_are_written_once_per_round(
    records: SqlRecords, sessions: sessionmaker[Session]
) -> None:
    records.record_event(_submission("S-1", 1))
    records.record_event(_submission("S-1", 1))  # a retry
    records.record_event(_submission("S-1", 2, accepted=False))  # refused: no documents
    records.record_event(_submission("S-1", 3))  # resubmitted after a rejection
    with sessions() as session:
        rows = session.scalars(select(Document).order_by(Document.round, Document.kind)).all()
    assert [(d.round, d.kind) for d in rows] == [
        *((1, k) for k in ("anexo", "cedula", "clausulas", "contrato", "rut")),
        *((2, k) for k in ("anexo", "cedula", "clausulas", "contrato", "rut")),
    ]
    rut = rows[4]
    assert rut.issued_on == date(2026, 3, 1) and rut.content_type == "application/pdf"


def test_record_activities_use_sql(records: SqlRecords) -> None:
    activities = RecordActivities(records)
    batch = RecordEventsInput(events=[event("S-1", 1), event("S-1", 2)])
    assert activities.record_events(batch) == 2
    assert activities.record_events(batch) == 0  # a retried batch writes nothing twice


def test_a_batch_is_one_transaction_and_a_partial_retry_writes_the_rest(
    records: SqlRecords, sessions: sessionmaker[Session]
) -> None:
    batch = [event("S-1", 1), _submission("S-1", 2), event("S-1", 3, "step_completed")]
    with pytest.raises(ConnectionError):
        _CrashBeforeCommit(sessions).record_events(batch)
    for model in (Sale, SaleWait, StepEvent, Document):
        assert _count(sessions, model) == 0, model.__name__  # nothing of the batch stayed
    assert records.record_event(batch[0]) is True  # an earlier attempt got this far
    assert records.record_events(batch) == 2
    assert records.record_events(batch) == 0
    assert [e.sequence for e in records.events("S-1")] == [1, 2, 3]
    assert _count(sessions, Document) == 5
    sale = records.get_sale("S-1")
    assert sale is not None and sale.last_sequence == 3


def test_a_batch_racing_another_attempt_is_tried_again(
    sessions: sessionmaker[Session],
) -> None:
    class _RacedOnce(SqlRecords):
        """The first time, the batch finds another attempt's writes half done (raised as the
        batch would); its transaction is undone and the batch tried again."""

        raced = False

        def _record(self, session: Session, sale_id: str, events: list[RecordEventInput]) -> int:
            written = super()._record(session, sale_id, events)
            if not self.raced:
                type(self).raced = True
                raise _AlreadyRecorded(sale_id)
            return written

    SqlRecords(sessions).record_event(event("S-1", 2))  # the other attempt's write
    batch = [event("S-1", 1), event("S-1", 2), event("S-1", 3)]
    assert _RacedOnce(sessions).record_events(batch) == 2
    assert [e.sequence for e in SqlRecords(sessions).events("S-1")] == [1, 2, 3]
