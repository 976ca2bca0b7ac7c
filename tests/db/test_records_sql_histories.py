"""The record activities of each committed history, fed to the SQL records twice (as a full
retry would): the rows match what the workflow did, and the second pass writes nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter

from activities.inputs import (
    IssueWorkOrderInput,
    RecordEventsInput,
    VoidWorkOrderInput,
    carry_projections,
)
from mnd.adapters.records_sql import SqlRecords
from mnd.db.models import Document, WorkOrder
from mnd.reports import sale_timeline

HISTORIES = sorted((Path(__file__).parents[1] / "histories").glob("*.json"))
INPUTS: dict[str, type[Any]] = {
    "record_events": RecordEventsInput,
    "issue_work_order": IssueWorkOrderInput,
    "void_work_order": VoidWorkOrderInput,
}


def _record_calls(path: Path) -> list[Any]:
    """The inputs of the history's record activities, in the order they were scheduled."""
    history = WorkflowHistory.from_json(f"sale-{path.stem}", path.read_text())
    calls = []
    for event in history.events:
        if not event.HasField("activity_task_scheduled_event_attributes"):
            continue
        attributes = event.activity_task_scheduled_event_attributes
        kind = INPUTS.get(attributes.activity_type.name)
        if kind is not None:
            payloads = list(attributes.input.payloads)
            [inp] = pydantic_data_converter.payload_converter.from_payloads(payloads, [kind])
            calls.append(inp)
    return calls


def _replay(records: SqlRecords, calls: list[Any]) -> int:
    written = 0
    for inp in calls:
        if isinstance(inp, RecordEventsInput):
            written += sum(records.record_event(e) for e in carry_projections(inp.events))
        elif isinstance(inp, IssueWorkOrderInput):
            records.issue_work_order(inp)
        else:
            records.void_work_order(inp)
    return written


@pytest.mark.parametrize("path", HISTORIES, ids=[p.stem for p in HISTORIES])
def test_history_records_once(
    path: Path, records: SqlRecords, sessions: sessionmaker[Session]
) -> None:
    calls = _record_calls(path)
    # Each event with its projection (sales since `lean-records` send it once per change).
    events = [
        e for c in calls if isinstance(c, RecordEventsInput) for e in carry_projections(c.events)
    ]
    assert _replay(records, calls) == len(events) > 0
    assert _replay(records, calls) == 0
    last = max(events, key=lambda e: e.sequence)
    sale = records.get_sale(last.sale_id)
    assert sale is not None
    assert (sale.status, sale.step, sale.last_sequence) == (
        last.projected().status,
        last.projected().step,
        last.sequence,
    )
    assert sale.status != "open" and sale.waiting_on == []
    with sessions() as session:
        rounds = session.scalars(select(Document.round).distinct()).all()
        order = session.scalars(select(WorkOrder)).first()
        timeline = sale_timeline(session, last.sale_id)
    submissions = [
        e for e in events if e.kind == "action" and e.data.get("action") == "submit_documents"
    ]
    assert sorted(rounds) == list(range(1, len(submissions) + 1))
    projection = last.projected()
    if projection.work_order_status is not None:
        assert order is not None and order.status == projection.work_order_status
        assert order.billing_start_date == projection.billing_start_date
    assert len(timeline) == sum(e.kind == "step_started" for e in events)
    assert all(span.ended_at is not None for span in timeline if span.step != last.step)
