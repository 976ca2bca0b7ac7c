"""A sale history from the crash test that hit the SDK fault described in `mnd/reading.py`.

It stays committed as evidence and as the input of the repair's diagnosis: the current code
cannot replay it (workflow task 60-62 recorded a search attribute upsert, from the activity
result of event 57, ahead of the `approve_documents` Update), and `mnd sale repair` would reset
the sale to the task that completed at event 62.
"""

from __future__ import annotations

from pathlib import Path

from temporalio.client import WorkflowHistory

from mnd.services.repair import replay_failure, reset_point

FAULT = Path(__file__).parents[1] / "histories" / "sdk_faults" / "update_after_timed_out_task.json"


async def test_the_stranded_sale_fails_to_replay_and_the_repair_finds_its_task() -> None:
    history = WorkflowHistory.from_json("sale-CRASH118434-018", FAULT.read_text())
    failure = await replay_failure(history)
    assert failure is not None
    assert "TMPRL1100" in failure and "HistoryEvent(id: 63" in failure
    assert reset_point(history, failure) == 62
