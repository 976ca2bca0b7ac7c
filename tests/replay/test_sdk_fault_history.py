"""A sale history from the crash test that hit the SDK fault described in `mnd/reading.py`.

It stays committed as evidence and as the input of the repair's diagnosis: the current code
cannot replay it (workflow task 60-62 recorded a search attribute upsert, from the activity
result of event 57, ahead of the `approve_documents` Update), and `mnd sale repair` would reset
the sale to the task that completed at event 62.
"""

from __future__ import annotations

from pathlib import Path

from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHistory

from mnd.services.repair import replay_failure, reset_point

FAULT = Path(__file__).parents[1] / "histories" / "sdk_faults" / "update_after_timed_out_task.json"


async def test_the_stranded_sale_fails_to_replay_and_the_repair_finds_its_task() -> None:
    history = WorkflowHistory.from_json("sale-CRASH118434-018", FAULT.read_text())
    failure = await replay_failure(history)
    assert failure is not None
    assert "TMPRL1100" in failure and "HistoryEvent(id: 63" in failure
    assert reset_point(history, failure) == 62


async def test_what_the_reset_keeps_replays_on_the_current_code() -> None:
    """A reset to the task keeps the history up to that task's start and runs the task again:
    that prefix replays, so the repaired sale can go on from it."""
    history = WorkflowHistory.from_json("sale-CRASH118434-018", FAULT.read_text())
    point = reset_point(history, await replay_failure(history) or "")
    kept = [e for e in history.events if e.event_id < point]
    assert kept[-1].event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED
    assert await replay_failure(WorkflowHistory(history.workflow_id, kept)) is None
