"""The folder records are idempotent: an event or an OT is written once, whatever the retries."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest

from activities.inputs import (
    IssueWorkOrderInput,
    RecordEventInput,
    RecordEventsInput,
    SaleProjection,
    VoidWorkOrderInput,
)
from activities.records import RecordActivities, SaleRecords
from mnd.adapters import FolderRecords, WorkOrderNotFound

AT = datetime(2026, 3, 10, 15, 30, tzinfo=UTC)


def _event(sale_id: str, sequence: int) -> RecordEventInput:
    projection = SaleProjection(
        sale_id=sale_id,
        status="open",
        step="contract",
        waiting_on=["provisioning"],
        consultant_id="c-1",
        consultant_name="Andrés Rojas",
        client_name="Panadería La Espiga S.A.S.",
        client_document="NIT 900.373.115-3",
        plan_id="posicionamiento",
        crm_route="onyx",
        contract_number=None,
        work_order_number=None,
        due_at=None,
        min_until=None,
        opened_at=AT,
    )
    return RecordEventInput(
        event_id=f"{sale_id}:{sequence}",
        sale_id=sale_id,
        sequence=sequence,
        kind="step_started",
        step="contract",
        at=AT,
        message="Paso iniciado: Diligenciamiento del contrato",
        projection=projection,
    )


def _issue(records: SaleRecords, sale_id: str, at: datetime = AT) -> str:
    return records.issue_work_order(
        IssueWorkOrderInput(sale_id=sale_id, contract_number="CT-1", issued_at=at)
    ).number


def test_record_event_twice_writes_one_line(tmp_path: Path) -> None:
    records = FolderRecords(tmp_path)
    assert records.record_event(_event("S-1", 1)) is True
    assert records.record_event(_event("S-1", 1)) is False
    assert records.record_event(_event("S-1", 2)) is True
    lines = (tmp_path / "events" / "S-1.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["event_id"] for line in lines] == ["S-1:1", "S-1:2"]
    assert [e.sequence for e in records.events("S-1")] == [1, 2]
    assert records.events("S-unknown") == []


def test_concurrent_record_event_writes_no_duplicates(tmp_path: Path) -> None:
    records = FolderRecords(tmp_path)
    attempts = [_event("S-1", n % 25) for n in range(200)]  # each event sent 8 times
    with ThreadPoolExecutor(max_workers=16) as pool:
        written = list(pool.map(records.record_event, attempts))
    assert written.count(True) == 25
    assert sorted(e.sequence for e in records.events("S-1")) == list(range(25))


def test_torn_last_line_is_dropped_before_appending(tmp_path: Path) -> None:
    records = FolderRecords(tmp_path)
    records.record_event(_event("S-1", 1))
    log = tmp_path / "events" / "S-1.jsonl"
    with log.open("ab") as handle:
        handle.write(b'{"event_id": "S-1:2", "sale')  # a crash mid-write
    assert [e.sequence for e in records.events("S-1")] == [1]
    assert records.record_event(_event("S-1", 2)) is True
    assert [e.sequence for e in records.events("S-1")] == [1, 2]


def test_issue_work_order_is_idempotent_and_numbered_per_year(tmp_path: Path) -> None:
    records = FolderRecords(tmp_path)
    first = _issue(records, "S-1")
    assert first == "OT-2026-000001"
    assert _issue(records, "S-1") == first
    assert _issue(records, "S-2") == "OT-2026-000002"
    # 1 January 02:00 UTC is still 31 December in Colombia.
    assert _issue(records, "S-3", datetime(2027, 1, 1, 2, 0, tzinfo=UTC)) == "OT-2026-000003"
    assert _issue(records, "S-4", datetime(2027, 1, 2, tzinfo=UTC)) == "OT-2027-000001"
    stored = json.loads((tmp_path / "work_orders.json").read_text(encoding="utf-8"))
    assert stored["S-1"]["number"] == first and stored["S-1"]["status"] == "issued"


def test_concurrent_issue_gives_distinct_numbers(tmp_path: Path) -> None:
    records = FolderRecords(tmp_path)
    sales = [f"S-{n % 10}" for n in range(60)]
    with ThreadPoolExecutor(max_workers=12) as pool:
        numbers = dict(zip(sales, pool.map(lambda s: _issue(records, s), sales), strict=True))
    assert len(set(numbers.values())) == 10


def test_void_work_order_is_idempotent(tmp_path: Path) -> None:
    records = FolderRecords(tmp_path)
    number = _issue(records, "S-1")
    void = VoidWorkOrderInput(sale_id="S-1", number=number, reason="Venta cancelada")
    assert records.void_work_order(void).status == "voided"
    assert records.void_work_order(void).status == "voided"
    assert records.work_order("S-1") is not None
    assert _issue(records, "S-1") == number  # a voided OT keeps its number
    assert _issue(records, "S-2") == "OT-2026-000002"
    with pytest.raises(WorkOrderNotFound):
        records.void_work_order(VoidWorkOrderInput(sale_id="S-9", number="x", reason="r"))
    with pytest.raises(ValueError, match="OT-2026-000002"):
        records.void_work_order(VoidWorkOrderInput(sale_id="S-2", number="OT-1", reason="r"))


def test_record_activities_use_the_folder(tmp_path: Path) -> None:
    activities = RecordActivities(FolderRecords(tmp_path))
    batch = RecordEventsInput(events=[_event("S-1", 1), _event("S-1", 2)])
    assert activities.record_events(batch) == 2
    assert activities.record_events(batch) == 0  # a retried batch writes nothing twice
    inp = IssueWorkOrderInput(sale_id="S-1", contract_number=None, issued_at=AT)
    assert activities.issue_work_order(inp) == activities.issue_work_order(inp)
