"""Builds the events the workflow would record, so each test states only what it is about."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from activities.inputs import RecordEventInput, SaleProjection

T0 = datetime(2026, 3, 10, 15, 30, tzinfo=UTC)


def event(
    sale_id: str,
    sequence: int,
    kind: str = "step_started",
    step: str = "contract",
    *,
    at: datetime | None = None,
    waiting_on: tuple[str, ...] = ("provisioning",),
    actor: str | None = None,
    accepted: bool = True,
    data: dict[str, Any] | None = None,
    **projection: Any,
) -> RecordEventInput:
    """Event `sequence` of `sale_id`, by default at T0 + `sequence` minutes."""
    at = at or T0 + timedelta(minutes=sequence)
    fields: dict[str, Any] = {
        "sale_id": sale_id,
        "status": "open",
        "step": step,
        "waiting_on": list(waiting_on),
        "consultant_id": "c-1",
        "consultant_name": "Andrés Rojas",
        "client_name": "Panadería La Espiga S.A.S.",
        "client_document": "900373115-3",
        "plan_id": "posicionamiento",
        "crm_route": "onyx",
        "contract_number": None,
        "work_order_number": None,
        "due_at": None,
        "min_until": None,
        "opened_at": T0,
    } | projection
    return RecordEventInput(
        event_id=f"{sale_id}:{sequence:05d}",
        sale_id=sale_id,
        sequence=sequence,
        kind=kind,
        step=step,
        at=at,
        actor=actor,
        accepted=accepted,
        via="update" if actor else "system",
        data=data or {},
        projection=SaleProjection(**fields),
    )


def record_and_issue(url: str, sales: int, events: int) -> tuple[int, dict[str, str]]:
    """Run in a separate process: records the same events and OTs as its siblings."""
    from activities.inputs import IssueWorkOrderInput
    from mnd.adapters.records_sql import SqlRecords
    from mnd.db.engine import make_engine, session_factory

    engine = make_engine(url)
    try:
        records = SqlRecords(session_factory(engine))
        written = sum(records.record_event(event("S-1", n)) for n in range(1, events + 1))
        numbers = {
            f"S-{n}": records.issue_work_order(
                IssueWorkOrderInput(sale_id=f"S-{n}", contract_number=None, issued_at=T0)
            ).number
            for n in range(sales)
        }
        return written, numbers
    finally:
        engine.dispose()
