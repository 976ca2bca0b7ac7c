"""The record and projection contract (mnd/domain/projection.py): its JSON is the one committed
histories hold, and the records' row and views are named after its fields."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from temporalio.client import WorkflowHistory

from mnd.db.models import Sale
from mnd.db.queries import SaleView
from mnd.domain.projection import ROW_FIELDS, SaleProjection

HISTORIES = sorted((Path(__file__).parents[1] / "histories").glob("*.json"))


def committed_projections(path: Path) -> list[dict[str, Any]]:
    """Every projection the history's record activities carried, as the JSON stored there
    (sales since the `lean-records` patch leave out those equal to the previous one: null)."""
    history = WorkflowHistory.from_json(f"sale-{path.stem}", path.read_text())
    found = []
    for event in history.events:
        attributes = event.activity_task_scheduled_event_attributes
        if attributes.activity_type.name == "record_events":
            for payload in attributes.input.payloads:
                events = json.loads(payload.data)["events"]
                found += [e["projection"] for e in events if e.get("projection") is not None]
    return found


@pytest.mark.parametrize("path", HISTORIES, ids=[p.stem for p in HISTORIES])
def test_json_shape_is_the_committed_one(path: Path) -> None:
    projections = committed_projections(path)
    assert projections
    for stored in projections:
        again = SaleProjection.model_validate(stored).model_dump(mode="json")
        # Older histories lack the fields added later with a default; nothing else differs.
        assert {k: again[k] for k in stored} == stored
        assert list(stored) == [k for k in again if k in stored]  # same order


def test_the_sale_row_and_its_view_are_named_after_the_projection() -> None:
    columns = {c.key for c in Sale.__table__.columns}
    assert set(ROW_FIELDS) <= columns
    view = SaleView.model_fields
    for name in (*ROW_FIELDS, "waiting_on"):
        assert view[name].annotation == SaleProjection.model_fields[name].annotation, name
