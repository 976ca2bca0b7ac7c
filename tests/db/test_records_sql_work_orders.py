"""SQL work orders: one OT per sale, numbered from the table's id, voided once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from activities.inputs import IssueWorkOrderInput, VoidWorkOrderInput
from mnd.adapters.records_sql import SqlRecords, WorkOrderNotFound
from mnd.db.models import WorkOrder
from tests.db.events import T0, event


def _issue(records: SqlRecords, sale_id: str, at: datetime = T0) -> str:
    inp = IssueWorkOrderInput(sale_id=sale_id, contract_number="CT-1", issued_at=at)
    return records.issue_work_order(inp).number


def test_issue_twice_returns_the_same_number(records: SqlRecords) -> None:
    assert _issue(records, "S-1") == "OT-2026-000001"
    assert _issue(records, "S-1") == "OT-2026-000001"
    # The sequence is global; the prefix is the year of issue in Colombia (UTC-5).
    assert _issue(records, "S-2", datetime(2027, 1, 1, 2, 0, tzinfo=UTC)) == "OT-2026-000002"
    assert _issue(records, "S-3", datetime(2027, 1, 2, tzinfo=UTC)) == "OT-2027-000003"
    order = records.work_order("S-1")
    assert order is not None and order.status == "issued"
    assert records.work_order("S-9") is None


def test_concurrent_issues_give_one_number_per_sale(records: SqlRecords) -> None:
    sales = [f"S-{n % 12}" for n in range(72)]  # each sale issued 6 times, interleaved
    with ThreadPoolExecutor(max_workers=8) as pool:
        numbers = list(pool.map(lambda s: _issue(records, s), sales))
    by_sale = dict(zip(sales, numbers, strict=True))
    assert len(set(numbers)) == 12 == len(set(by_sale.values()))
    assert all(by_sale[s] == n for s, n in zip(sales, numbers, strict=True))


def test_void_is_idempotent(records: SqlRecords, sessions: sessionmaker[Session]) -> None:
    number = _issue(records, "S-1")
    void = VoidWorkOrderInput(sale_id="S-1", number=number, reason="Venta cancelada")
    assert records.void_work_order(void).status == "voided"
    with sessions() as session:
        first = session.scalars(select(WorkOrder)).one()
    assert records.void_work_order(void).status == "voided"
    with sessions() as session:
        again = session.scalars(select(WorkOrder)).one()
    assert (again.voided_at, again.void_reason) == (first.voided_at, "Venta cancelada")
    assert _issue(records, "S-1") == number  # a voided OT keeps its number
    with pytest.raises(WorkOrderNotFound):
        records.void_work_order(VoidWorkOrderInput(sale_id="S-9", number="x", reason="r"))
    with pytest.raises(ValueError, match=number):
        records.void_work_order(VoidWorkOrderInput(sale_id="S-1", number="OT-1", reason="r"))


def test_the_projection_closes_the_work_order(
    records: SqlRecords, sessions: sessionmaker[Session]
) -> None:
    number = _issue(records, "S-1")
    records.record_event(event("S-1", 1, work_order_number=number, work_order_status="issued"))
    closing = event(
        "S-1",
        2,
        "action",
        step="work_order_closure",
        work_order_number=number,
        work_order_status="closed",
        billing_start_date=date(2026, 4, 1),
    )
    records.record_event(closing)
    with sessions() as session:
        order = session.scalars(select(WorkOrder)).one()
    assert (order.status, order.billing_start_date) == ("closed", date(2026, 4, 1))
    assert order.closed_at is not None
    sale = records.get_sale("S-1")
    assert sale is not None and sale.work_order_number == number
