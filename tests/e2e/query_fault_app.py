"""A three-line workflow that shows the SDK fault `mnd.reading` works around, and its worker.

`python -m tests.e2e.query_fault_app ADDRESS TASK_QUEUE workflows|activities` runs one worker:
the workflow worker and the activity worker are separate processes, so killing the first
(SIGKILL) leaves the activity running and completing while no worker holds the workflow.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import timedelta

from temporalio import activity, workflow
from temporalio.client import Client
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

READY_LINE = "query-fault worker ready"
ACTIVITY_SECONDS = 2.0
# Shorter than the server's default 10 s, so a killed worker's task moves on sooner.
STICKY_TIMEOUT = timedelta(seconds=3)


@activity.defn
async def pause(seconds: float) -> str:
    await asyncio.sleep(seconds)
    return "ok"


@workflow.defn
class QueryFaultWorkflow:
    """Waits for `submit`, runs an activity, runs a second one (a command right after the first
    one's result), then waits for `approve`."""

    def __init__(self) -> None:
        self.submitted = self.approved = False

    @workflow.run
    async def run(self) -> str:
        await workflow.wait_condition(lambda: self.submitted)
        timeout = timedelta(seconds=30)
        await workflow.execute_activity(pause, ACTIVITY_SECONDS, start_to_close_timeout=timeout)
        await workflow.execute_activity(pause, 0.0, start_to_close_timeout=timeout)
        await workflow.wait_condition(lambda: self.approved)
        return "done"

    @workflow.query
    def approved_yet(self) -> bool:
        return self.approved

    @workflow.update
    def submit(self) -> None:
        self.submitted = True

    @workflow.update
    def approve(self) -> None:
        self.approved = True


async def main(address: str, task_queue: str, kind: str) -> None:
    client = await Client.connect(address)
    if kind == "workflows":
        worker = Worker(
            client,
            task_queue=task_queue,
            workflows=[QueryFaultWorkflow],
            workflow_runner=UnsandboxedWorkflowRunner(),
            sticky_queue_schedule_to_start_timeout=STICKY_TIMEOUT,
        )
    else:
        worker = Worker(client, task_queue=task_queue, activities=[pause])
    async with worker:
        print(READY_LINE, flush=True)
        await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))
