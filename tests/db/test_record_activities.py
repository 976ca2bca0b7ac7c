"""The work order activities on a real database: voiding an OT that is not the sale's fails for
good and writes nothing; a database that is down stays retryable."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.exc import OperationalError
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.failures import FailureKind
from activities.inputs import IssueWorkOrderInput, VoidWorkOrderInput
from activities.records import RecordActivities
from mnd.adapters.records_sql import SqlRecords
from mnd.db.engine import make_engine, session_factory

AT = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def _void(activities: RecordActivities, sale_id: str, number: str) -> None:
    inp = VoidWorkOrderInput(sale_id=sale_id, number=number, reason="Venta cancelada")
    ActivityEnvironment().run(activities.void_work_order, inp)


def test_void_of_an_ot_the_sale_does_not_hold_fails_for_good(records: SqlRecords) -> None:
    activities = RecordActivities(records)
    issued = IssueWorkOrderInput(sale_id="S-1", contract_number="CT-1", issued_at=AT)
    number = ActivityEnvironment().run(activities.issue_work_order, issued).number
    cases = [
        ("S-9", number, FailureKind.WORK_ORDER_NOT_FOUND, "la venta S-9 no tiene OT"),
        ("S-1", "OT-2026-999999", FailureKind.WORK_ORDER_MISMATCH, "no es la de la venta S-1"),
    ]
    for sale_id, ot, kind, text in cases:
        for _ in range(2):  # a retry, were there one, fails the same way
            with pytest.raises(ApplicationError) as raised:
                _void(activities, sale_id, ot)
            assert (raised.value.type, raised.value.non_retryable) == (kind.value, True)
            assert text in raised.value.message
    order = records.work_order("S-1")
    assert order is not None and order.status == "issued"  # nothing was written
    assert records.work_order("S-9") is None


def test_database_down_stays_retryable() -> None:
    engine = make_engine("postgresql+psycopg://mnd:x@127.0.0.1:1/mnd")  # nothing listens
    try:
        activities = RecordActivities(SqlRecords(session_factory(engine)))
        with pytest.raises(OperationalError):  # not an ApplicationError: Temporal retries it
            _void(activities, "S-1", "OT-2026-000001")
    finally:
        engine.dispose()
