"""The read that avoids the SDK fault behind `mnd.reading`, on the stage that provokes it.

A worker holding the workflow is killed while an activity runs; a fresh worker then answers the
reads. `mnd.reading`'s order (settle, query, settle) never sends a query while a workflow task is
pending, so the reader's next Update cannot land in a task the query ran ahead: the history
replays. Nothing here depends on timing: the settle waits for a condition the server reports.

The fault itself (a bare query racing another client's Update) depends on timing, so it is not a
test: `make diagnose-sdk-fault` stages it and repairs what it strands (README, Scaling workers).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from mnd.reading import wait_until_settled
from tests.e2e.processes import ProcessSet
from tests.e2e.query_fault_app import QueryFaultWorkflow
from tests.e2e.query_fault_stack import Stack

pytestmark = [pytest.mark.devserver, pytest.mark.fault]


@pytest.fixture
def stack(dev_env: WorkflowEnvironment, tmp_path: Path) -> Iterator[Stack]:
    processes = ProcessSet()
    try:
        yield Stack(dev_env.client, tmp_path, processes)
    finally:
        processes.close()


async def test_settled_read_then_update_replays(stack: Stack) -> None:
    """`mnd.reading`'s order: settle, query, settle; the reader acts only after its read."""
    handle = await stack.start_and_kill_holder()
    stack.worker("fresh", "workflows")

    async def read() -> bool:
        await wait_until_settled(stack.client, handle.id)
        seen = await handle.query(QueryFaultWorkflow.approved_yet)
        await wait_until_settled(stack.client, handle.id)
        return seen

    assert await read() is False
    await handle.execute_update(QueryFaultWorkflow.approve)
    failure = await stack.replay_failure(handle)
    assert failure is None, failure
