"""`mnd.reading`'s order, on a fake server: settle, query, settle; a failed rebuild read again.

The SDK fault this order avoids (README, Scaling workers) needs a killed worker and a race to
show; `tests/e2e/test_sdk_query_fault.py` and `make diagnose-sdk-fault` stage it. Here the
server's answers are scripted, so the order of calls is checked exactly.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

import pytest
from temporalio.api.workflowservice.v1 import (
    DescribeWorkflowExecutionRequest,
    DescribeWorkflowExecutionResponse,
)
from temporalio.client import Client, WorkflowQueryFailedError

from mnd.reading import read_state, wait_until_settled

STATE = object()  # stands for the SaleState the query returns
REBUILD_FAILED = WorkflowQueryFailedError("[TMPRL1100] Nondeterminism error: ...")


class FakeServer:
    """Answers `describe` with the scripted pending flags (then none pending), and `query` with
    the scripted outcomes; logs every call."""

    def __init__(self, pending: list[bool], answers: list[object]) -> None:
        self.pending, self.answers, self.calls = pending, answers, list[str]()
        self.namespace = "default"
        self.workflow_service = self

    async def describe_workflow_execution(
        self, request: DescribeWorkflowExecutionRequest
    ) -> DescribeWorkflowExecutionResponse:
        assert request.execution.workflow_id == "sale-S-1"
        response = DescribeWorkflowExecutionResponse()
        busy = self.pending.pop(0) if self.pending else False
        if busy:
            response.pending_workflow_task.SetInParent()
        self.calls.append("busy" if busy else "settled")
        return response

    def get_workflow_handle(self, workflow_id: str) -> FakeServer:
        assert workflow_id == "sale-S-1"
        return self

    async def query(self, name: str, result_type: Any) -> object:
        self.calls.append(f"query {name}")
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


async def read(server: FakeServer) -> object:
    return await read_state(cast(Client, server), "S-1", timedelta(seconds=5))


async def test_query_only_between_two_settled_descriptions() -> None:
    server = FakeServer(pending=[True, True, False, True, False], answers=[STATE])
    assert await read(server) is STATE
    assert server.calls == ["busy", "busy", "settled", "query state", "busy", "settled"]


async def test_a_failed_rebuild_is_read_again_once_settled() -> None:
    server = FakeServer(pending=[False, True, False, False], answers=[REBUILD_FAILED, STATE])
    assert await read(server) is STATE
    assert server.calls == ["settled", "query state", "busy", "settled", "query state", "settled"]


async def test_a_rebuild_that_keeps_failing_reaches_the_caller() -> None:
    server = FakeServer(pending=[], answers=[REBUILD_FAILED] * 3)
    with pytest.raises(WorkflowQueryFailedError, match="TMPRL1100"):
        await read(server)
    assert server.calls.count("query state") == 3


async def test_other_query_failures_are_not_retried() -> None:
    server = FakeServer(pending=[], answers=[WorkflowQueryFailedError("boom")])
    with pytest.raises(WorkflowQueryFailedError, match="boom"):
        await read(server)
    assert server.calls == ["settled", "query state"]


async def test_a_task_that_stays_pending_gives_up_after_the_timeout() -> None:
    server = FakeServer(pending=[True] * 1000, answers=[])
    client = cast(Client, server)
    assert await wait_until_settled(client, "sale-S-1", timedelta(seconds=0.1)) is False
    assert set(server.calls) == {"busy"}
