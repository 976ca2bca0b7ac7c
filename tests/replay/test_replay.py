"""Every committed history replays on the current code: a change that would break a running sale
fails here (regenerate with `python -m tests.histories.record` only on purpose)."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from workflows.changes import CURRENT, FOLDED
from workflows.sale import SaleWorkflow
from workflows.sandbox import sale_workflow_runner

ROOT = Path(__file__).parents[2]
HISTORIES = sorted((ROOT / "tests" / "histories").glob("*.json"))


def test_histories_cover_every_branch() -> None:
    names = {p.stem for p in HISTORIES}
    assert len(names) >= 5
    assert {"happy_path", "route_rr", "route_create_in_onyx", "documents_rejected"} <= names


@pytest.mark.parametrize("path", HISTORIES, ids=[p.stem for p in HISTORIES])
async def test_history_replays(path: Path) -> None:
    history = WorkflowHistory.from_json(f"sale-{path.stem}", path.read_text())
    replayer = Replayer(
        workflows=[SaleWorkflow],
        data_converter=pydantic_data_converter,
        workflow_runner=sale_workflow_runner(),
    )
    result = await replayer.replay_workflow(history, raise_on_replay_failure=False)
    assert result.replay_failure is None, f"{path.name}: {result.replay_failure}"


def _markers_and_mails(path: Path) -> tuple[set[str], int]:
    history = WorkflowHistory.from_json("x", path.read_text())
    markers = {
        e.marker_recorded_event_attributes.details["patch-data"].payloads[0].data.decode()
        for e in history.events
        if e.HasField("marker_recorded_event_attributes")
    }
    mails = sum(
        1
        for e in history.events
        if e.HasField("activity_task_scheduled_event_attributes")
        and e.activity_task_scheduled_event_attributes.activity_type.name == "send_email"
    )
    return markers, mails


def test_patch_client_closure_notice_old_and_new_paths() -> None:
    """v1 histories predate the `client-closure-notice` patch; v2 took the new path."""
    here = Path(__file__).parents[1] / "histories"
    old_markers, old_mails = _markers_and_mails(here / "happy_path.json")
    new_markers, new_mails = _markers_and_mails(here / "happy_path_v2.json")
    assert not any("client-closure-notice" in m for m in old_markers)
    assert any("client-closure-notice" in m for m in new_markers)
    assert new_mails == old_mails + 1  # the client's closure notice


def test_patch_waiting_changed_events_only_in_v3() -> None:
    here = Path(__file__).parents[1] / "histories"
    for name, expected in [
        ("happy_path_v2", False),
        ("happy_path_v3", True),
        ("documents_rejected_v3", True),
    ]:
        markers, _ = _markers_and_mails(here / f"{name}.json")
        assert any("waiting-changed-events" in m for m in markers) is expected, name


def _update_results(path: Path) -> list[int]:
    history = WorkflowHistory.from_json("x", path.read_text())
    return [
        len(e.workflow_execution_update_completed_event_attributes.outcome.success.payloads[0].data)
        for e in history.events
        if e.HasField("workflow_execution_update_completed_event_attributes")
    ]


def test_patch_answers_after_reaction_only_in_v4() -> None:
    """v4 sales answer each Update after the sale reacted, with a small result (under 1 KB);
    older sales answered with the whole sale and replay on their old path."""
    here = Path(__file__).parents[1] / "histories"
    for name, expected in [("happy_path_v3", False), ("happy_path_v4", True)]:
        markers, _ = _markers_and_mails(here / f"{name}.json")
        assert any("answers-after-reaction" in m for m in markers) is expected, name
    old, new = (
        _update_results(here / "happy_path_v3.json"),
        _update_results(here / "happy_path_v4.json"),
    )
    assert len(new) == len(old) == 12
    assert min(old) > 3000 and max(new) < 1024, (old, new)


def test_cancel_from_temporal_history_closes_as_the_sale() -> None:
    history = WorkflowHistory.from_json(
        "x",
        (Path(__file__).parents[1] / "histories" / "cancelled_from_temporal_v4.json").read_text(),
    )
    kinds = [e.WhichOneof("attributes") for e in history.events]
    assert "workflow_execution_cancel_requested_event_attributes" in kinds
    # Completed with the sale's summary (not CANCELED): the cancellation path ran.
    assert kinds[-1] == "workflow_execution_completed_event_attributes"


def test_patch_colombian_dates_old_and_new_paths() -> None:
    """v4 histories count business days by the UTC date; v5 sales record the Colombian one."""
    here = Path(__file__).parents[1] / "histories"
    old_markers, _ = _markers_and_mails(here / "happy_path_v4.json")
    new_markers, _ = _markers_and_mails(here / "happy_path_v5.json")
    assert not any("colombian-dates" in m for m in old_markers)
    assert any("colombian-dates" in m for m in new_markers)


def test_area_claims_history_takes_hands_over_and_releases() -> None:
    """area_claims_v5: sales with claims replay, the refused signal of the member who no longer
    has the sale included (a claim needs no patch: older sales have none, so they act as before)."""
    history = WorkflowHistory.from_json(
        "x", (Path(__file__).parents[1] / "histories" / "area_claims_v5.json").read_text()
    )
    updates = [
        e.workflow_execution_update_accepted_event_attributes.accepted_request.input.name
        for e in history.events
        if e.HasField("workflow_execution_update_accepted_event_attributes")
    ]
    claims = [name for name in updates if name in {"take_sale", "assign_sale", "release_sale"}]
    assert claims == ["take_sale", "assign_sale", "release_sale", "take_sale"]
    signals = [
        e.workflow_execution_signaled_event_attributes.signal_name
        for e in history.events
        if e.HasField("workflow_execution_signaled_event_attributes")
    ]
    assert signals == ["approve_documents"]


def test_every_patch_has_a_committed_history_on_its_new_path() -> None:
    """A `workflow.patched` id with no recorded history taking it leaves its new path untested
    by replay (record one: `python -m tests.histories.record --suffix _vN <scenario>`)."""
    source = "\n".join(p.read_text() for p in (ROOT / "workflows").glob("*.py"))
    patch_ids = set(re.findall(r'workflow\.patched\("([^"]+)"\)', source))
    patch_ids |= {CURRENT, *FOLDED}  # workflows/changes.py asks these
    assert len(patch_ids) >= 7, patch_ids
    recorded = {marker for path in HISTORIES for marker in _markers_and_mails(path)[0]}
    missing = [p for p in patch_ids if not any(f'"id":"{p}"' in m for m in recorded)]
    assert not missing, missing


def _projections_sent(path: Path) -> list[object]:
    history = WorkflowHistory.from_json("x", path.read_text())
    return [
        event.get("projection")
        for e in history.events
        if e.HasField("activity_task_scheduled_event_attributes")
        and e.activity_task_scheduled_event_attributes.activity_type.name == "record_events"
        for payload in e.activity_task_scheduled_event_attributes.input.payloads
        for event in json.loads(payload.data)["events"]
    ]


def test_patch_lean_records_old_and_new_paths() -> None:
    """v7 sales send the projection only where it changed within a batch (null elsewhere), and
    show steps 1 and 13 once; v5 and v6 sales sent it with every event."""
    here = Path(__file__).parents[1] / "histories"
    for name, lean in [("happy_path_v5", False), ("happy_path_v6", False), ("happy_path_v7", True)]:
        markers, _ = _markers_and_mails(here / f"{name}.json")
        assert any("lean-records" in m for m in markers) is lean, name
        sent = _projections_sent(here / f"{name}.json")
        assert (None in sent) is lean, name
    # v7 was started with its search attributes (as `open_sale` starts a sale): none of the
    # values it opened with is ever upserted.
    history = WorkflowHistory.from_json("x", (here / "happy_path_v7.json").read_text())
    started = history.events[0].workflow_execution_started_event_attributes
    assert "MndConsultant" in started.search_attributes.indexed_fields
    assert not any(
        "MndConsultant"
        in e.upsert_workflow_search_attributes_event_attributes.search_attributes.indexed_fields
        for e in history.events
        if e.HasField("upsert_workflow_search_attributes_event_attributes")
    )
    # One upsert of the sale's attributes per workflow task at most (each is a visibility write).
    tasks, per_task = 0, Counter[int]()
    for e in history.events:
        if e.HasField("workflow_task_completed_event_attributes"):
            tasks += 1
        elif e.HasField("upsert_workflow_search_attributes_event_attributes"):
            fields = e.upsert_workflow_search_attributes_event_attributes.search_attributes
            if "TemporalChangeVersion" not in fields.indexed_fields:
                per_task[tasks] += 1
    assert per_task and max(per_task.values()) == 1, per_task


def test_a_new_sale_takes_every_folded_change_under_one_marker() -> None:
    """v8 sales record one change marker (one TemporalChangeVersion upsert, a visibility write)
    where v7 recorded one per change, and run every folded change's new path."""
    here = Path(__file__).parents[1] / "histories"
    markers, mails = _markers_and_mails(here / "happy_path_v8.json")
    assert markers == {f'{{"id":"{CURRENT}","deprecated":false}}'}, markers
    old_markers, old_mails = _markers_and_mails(here / "happy_path_v7.json")
    assert len(old_markers) == 6 and mails == old_mails  # the client's closure notice included
    sent = _projections_sent(here / "happy_path_v8.json")
    assert None in sent  # lean-records
