"""`mnd sale repair`'s reset on a real server, made deterministic: a history written by older code
that the current code cannot replay (no race needed), reset to the task the diagnosis names.

The committed history `tests/histories/sdk_faults/` checks the diagnosis on a real stranded
sale (`tests/replay/test_sdk_fault_history.py`); this checks what the server does with it: the
new run keeps the history before that task, takes the Update again and completes on the
current code, and its history replays.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from temporalio import activity, workflow
from temporalio.client import Client, WorkflowHistory
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Replayer, UnsandboxedWorkflowRunner, Worker

from mnd.services.repair import reset_point, reset_to

pytestmark = pytest.mark.devserver


@activity.defn
async def old_step() -> None:
    pass


@workflow.defn(name="RepairToy")
class OldCode:
    """Waits for `approve`, then runs an activity."""

    def __init__(self) -> None:
        self.approved = False

    @workflow.run
    async def run(self) -> str:
        await workflow.wait_condition(lambda: self.approved)
        await workflow.execute_activity(old_step, start_to_close_timeout=timedelta(seconds=10))
        return "old"

    @workflow.update
    def approve(self) -> None:
        self.approved = True


@workflow.defn(name="RepairToy")
class CurrentCode(OldCode):
    """Where the old code ran an activity, the current code starts a timer."""

    @workflow.run
    async def run(self) -> str:
        await workflow.wait_condition(lambda: self.approved)
        await workflow.sleep(timedelta(milliseconds=10))
        return "current"


async def replay_failure(workflow_cls: type, history: WorkflowHistory) -> str | None:
    replayer = Replayer(workflows=[workflow_cls], workflow_runner=UnsandboxedWorkflowRunner())
    result = await replayer.replay_workflow(history, raise_on_replay_failure=False)
    return None if result.replay_failure is None else str(result.replay_failure)


def worker(client: Client, task_queue: str, workflow_cls: type) -> Worker:
    return Worker(
        client,
        task_queue=task_queue,
        workflows=[workflow_cls],
        activities=[old_step],
        workflow_runner=UnsandboxedWorkflowRunner(),
    )


async def test_reset_to_the_failing_task_completes_on_the_current_code(
    dev_env: WorkflowEnvironment,
) -> None:
    client, task_queue = dev_env.client, f"repair-{uuid.uuid4().hex[:8]}"
    async with worker(client, task_queue, OldCode):
        handle = await client.start_workflow(
            OldCode.run, id=f"wf-{task_queue}", task_queue=task_queue
        )
        await handle.execute_update(OldCode.approve)
        assert await handle.result() == "old"
    history = await handle.fetch_history()
    failure = await replay_failure(CurrentCode, history)
    assert failure is not None and "TMPRL1100" in failure

    point = reset_point(history, failure)
    new_run = await reset_to(client, handle.id, history.run_id, point, "prueba")
    async with worker(client, task_queue, CurrentCode):
        repaired = client.get_workflow_handle(handle.id, run_id=new_run, result_type=str)
        assert await repaired.result() == "current"  # the Update was taken again
    assert await replay_failure(CurrentCode, await repaired.fetch_history()) is None
