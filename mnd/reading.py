"""Reading a sale's whole state (the workflow's `state` query) from an entry point, safely.

Why not a bare `handle.query`: with temporalio 1.35 a query can strand a sale. When a worker that
does not hold the sale in its cache answers a query while a workflow task is pending (typically
a worker was killed, and the sale's next task waits out the 10 s sticky timeout), the SDK core
rebuilds the sale from history *including the pending events* (say, an activity's result): the
workflow code runs on from there and its next commands are kept for the task. When a staff
action's Update then arrives in that same task, history records those commands before the
Update's acceptance; a replay delivers the Update and the activity result together, Update
first, and no longer matches (TMPRL1100, "Update machine does not handle this event"). Every
later worker that loads the sale from history fails on it. `tests/e2e/test_sdk_query_fault.py`
reproduces it with a three-line workflow; the crash test found 1-3 of 50 sales in that state
while its driver polled `state` between kills.

So a read waits, through `DescribeWorkflowExecution` (answered by the server alone), until the
sale has no workflow task pending, both before the query (a sale in the middle of a task is not
queried) and after it (the caller, who typically acts next on what it read, cannot send its
Update into the task the query may have run ahead); or until `settle_timeout` has passed (a sale
whose task keeps failing must still be readable). What remains: an Update from *another* client
arriving while a query waits on a worker that just died (the test above shows that path too).

Every describe and query is retried on transient errors (a connection the server recycled, an
unavailable server: `mnd/temporal_retry.py`), so those never reach the person reading.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.enums.v1.workflow_pb2 import (
    WORKFLOW_EXECUTION_STATUS_CANCELED,
    WORKFLOW_EXECUTION_STATUS_FAILED,
    WORKFLOW_EXECUTION_STATUS_TERMINATED,
    WORKFLOW_EXECUTION_STATUS_TIMED_OUT,
)
from temporalio.api.workflowservice.v1 import (
    DescribeWorkflowExecutionRequest,
    DescribeWorkflowExecutionResponse,
)
from temporalio.client import Client, WorkflowQueryFailedError

from mnd.domain.sale import SaleState, SaleStatus, workflow_id_for
from mnd.temporal_retry import retry_transient

# Above the server's sticky schedule-to-start timeout (10 s): the task of a killed worker's sale
# moves to the shared queue and runs before we give up waiting.
SETTLE_TIMEOUT = timedelta(seconds=15)
_POLL = 0.05
_QUERY_ATTEMPTS = 3
_NONDETERMINISM = "TMPRL1100"
_ENDED_OUTSIDE = (
    WORKFLOW_EXECUTION_STATUS_TERMINATED,
    WORKFLOW_EXECUTION_STATUS_TIMED_OUT,
    WORKFLOW_EXECUTION_STATUS_FAILED,
)


async def describe(
    client: Client, workflow_id: str, run_id: str = ""
) -> DescribeWorkflowExecutionResponse:
    """The server's description of the workflow (its latest run, or `run_id`); `RPCError`
    NOT_FOUND if none.

    The raw RPC: `handle.describe()` also decodes the search attributes, which fails on the
    time-skipping server for a cleared datetime attribute (MndDueDate of a closed sale).
    Transient errors are retried (a read is safe to repeat).
    """
    request = DescribeWorkflowExecutionRequest(
        namespace=client.namespace,
        execution=WorkflowExecution(workflow_id=workflow_id, run_id=run_id),
    )
    return await retry_transient(
        lambda: client.workflow_service.describe_workflow_execution(request),
        f"describe {workflow_id}",
        deadline_safe=True,
    )


def closed_outside(described: DescribeWorkflowExecutionResponse) -> SaleStatus | None:
    """The status of a run Temporal closed without the sale's own closing path, or None."""
    status = described.workflow_execution_info.status
    if status == WORKFLOW_EXECUTION_STATUS_CANCELED:
        return SaleStatus.CANCELLED
    if status in _ENDED_OUTSIDE:
        return SaleStatus.TERMINATED
    return None


async def wait_until_settled(
    client: Client, workflow_id: str, settle_timeout: timedelta = SETTLE_TIMEOUT
) -> bool:
    """Waits while the workflow has a workflow task pending; False if it still has one at the end.

    Raises the server's `RPCError` (NOT_FOUND for an unknown workflow), like a query would.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + settle_timeout.total_seconds()
    while True:
        described = await describe(client, workflow_id)
        if not described.HasField("pending_workflow_task"):
            return True
        if loop.time() >= deadline:
            return False
        await asyncio.sleep(_POLL)


async def read_state(
    client: Client, sale_id: str, settle_timeout: timedelta = SETTLE_TIMEOUT
) -> SaleState:
    """The sale's `state` query, between two waits for no pending workflow task (module doc).

    A query that fails to rebuild the sale (TMPRL1100) is sent again, twice at most, once the
    sale has settled: the crash test met it on a sale under load whose whole history replays;
    the query had been answered from a history caught in the middle of a task. A sale whose
    history is really broken fails every time, and the error reaches the caller.
    """
    workflow_id = workflow_id_for(sale_id)
    handle = client.get_workflow_handle(workflow_id)
    for attempt in range(_QUERY_ATTEMPTS):
        await wait_until_settled(client, workflow_id, settle_timeout)
        try:
            state: SaleState = await retry_transient(
                lambda: handle.query("state", result_type=SaleState),
                f"query state {workflow_id}",
                deadline_safe=True,
            )
        except WorkflowQueryFailedError as exc:
            if _NONDETERMINISM not in str(exc) or attempt == _QUERY_ATTEMPTS - 1:
                raise
            await asyncio.sleep(_POLL * 4)
            continue
        await wait_until_settled(client, workflow_id, settle_timeout)
        return state
    raise AssertionError("unreachable")  # the loop returns or raises
