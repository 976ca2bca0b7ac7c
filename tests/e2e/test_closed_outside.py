"""Item 5 of the exact-actions issue: records stay true when an operator acts outside the staff
tools. A cancel from the Temporal UI or CLI runs the sale's own cancellation (before and after
the OT was issued); a run terminated, or timed out, is closed in the records by the worker's
sweep, as `worker.py` starts it, with nobody running a command."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest
from temporalio.client import (
    Client,
    Interceptor,
    OutboundInterceptor,
    StartWorkflowInput,
    WorkflowExecutionStatus,
    WorkflowHandle,
)
from temporalio.testing import WorkflowEnvironment

from mnd.adapters.outbox_sql import SqlOutbox
from mnd.adapters.records_sql import SqlRecords
from mnd.db.engine import open_database, session_factory
from mnd.domain.roles import DEFAULT_MAILBOXES, Role
from mnd.domain.sale import SaleState, SaleStatus, workflow_id_for
from mnd.domain.steps import StepId
from mnd.opening import open_sale
from mnd.scenario import TemporalChannel, drive
from mnd.services.sales import SaleService
from mnd.settings import Settings
from tests import factories as f
from tests.e2e.processes import WorkerProcess
from tests.support import HANG_GUARD, Sale, Stack, running_worker
from tests.workflow import steps
from workflows.sale import OPERATOR_CANCEL_REASON
from workflows.search_attributes import STATUS

pytestmark = pytest.mark.devserver

T = TypeVar("T")
# Long enough for the sale to open and reach the records (they follow within a second), short
# enough for a test: the run times out on the server's clock, and the test waits for that.
RUN_TIMEOUT = timedelta(seconds=5)


async def until(check: Callable[[], Awaitable[T]], done: Callable[[T], bool], timeout: float) -> T:
    """`await check()` until `done(value)`: records and visibility follow the run a moment later."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = await check()
        if done(value) or asyncio.get_running_loop().time() > deadline:
            return value
        await asyncio.sleep(0.05)


async def row_status(
    stack: Stack, sale_id: str, expected: str, timeout: float = HANG_GUARD
) -> str | None:
    async def status() -> str | None:
        row = stack.records.get_sale(sale_id)
        return row.status if row else None

    return await until(status, lambda s: s == expected, timeout)


def inboxes(stack: Stack, sale_id: str) -> set[Role]:
    """The roles whose inbox lists the sale."""
    now = datetime.now(UTC)
    return {
        role for role in Role if sale_id in {i.sale_id for i in stack.records.inbox(role, 100, now)}
    }


# --- a cancel from Temporal ------------------------------------------------------------------
async def at_client_verification(sale: Sale) -> None:
    await steps.to_client_verification(sale)


async def at_piece_delivery(sale: Sale) -> None:
    """Every role played by the autopilot on the real clock (fast profile), up to the ally's
    delivery: the OT has been issued and the production order sent."""

    def waiting_on_ally(state: SaleState) -> bool:
        return state.step is StepId.PIECE_DELIVERY and Role.ALLY in state.waiting_on

    state = await drive(
        TemporalChannel(sale.stack.client, sale.sale_id, poll=0.05), waiting_on_ally
    )
    assert waiting_on_ally(state) and state.work_order is not None, state.step


ENGAGED_AT_PIECE_DELIVERY = {
    Role.CONSULTANT,
    Role.CLIENT,
    Role.PROVISIONING,
    Role.COMMERCIAL_SUPPORT,
    Role.PRODUCTION,
    Role.ALLY,
}


@pytest.mark.parametrize(
    ("reach", "engaged", "ot_issued"),
    [
        (at_client_verification, {Role.CONSULTANT, Role.CLIENT}, False),
        (at_piece_delivery, ENGAGED_AT_PIECE_DELIVERY, True),
    ],
    ids=["client_verification", "piece_delivery"],
)
async def test_a_cancel_from_temporal_runs_the_sales_cancellation(
    dev_env: WorkflowEnvironment,
    tmp_path: Path,
    reach: Callable[[Sale], Awaitable[None]],
    engaged: set[Role],
    ot_issued: bool,
) -> None:
    sale_id = f"OUT-CANCEL-{uuid.uuid4().hex[:6]}"
    async with running_worker(dev_env.client, tmp_path) as stack:
        sale = await Sale.open(stack, f.open_input(sale_id, f.quick_profile()))
        await reach(sale)
        await stack.settled(sale_id)
        assert inboxes(stack, sale_id)
        await sale.handle.cancel()  # what the Temporal UI's "Request cancellation" sends
        summary = await sale.handle.result()
        assert summary.status is SaleStatus.CANCELLED
        assert summary.cancellation_reason == OPERATOR_CANCEL_REASON
        state = await sale.state()
        assert state.cancellation is not None and state.cancellation.by == "temporal"
        assert set(state.cancellation.notified_roles) == engaged
        assert [e.action for e in state.log if e.via == "temporal"] == ["cancel_sale"]

        # The engaged areas heard of it: one message to all of them.
        [notice] = [
            m for m in await stack.mails(sale_id) if m["X-MND-Template"] == "sale_cancelled"
        ]
        to = str(notice["To"])
        for role in engaged - {Role.CONSULTANT, Role.CLIENT}:
            assert DEFAULT_MAILBOXES[role][0] in to, (role, to)
        assert "laura.gomez@claro.com.co" in to and "jorge@laespiga.com.co" in to

        # The OT, when there was one, is voided in the records.
        order = stack.records.work_order(sale_id)
        if ot_issued:
            assert summary.work_order_status == "voided"
            assert order is not None and order.status == "voided", order
        else:
            assert order is None and summary.work_order_number is None

        # The UI's filter attribute says cancelled (Temporal's own status is Completed).
        described = await sale.handle.describe()
        assert described.status is WorkflowExecutionStatus.COMPLETED
        assert described.typed_search_attributes.get(STATUS) == SaleStatus.CANCELLED.value
        assert await row_status(stack, sale_id, "cancelled") == "cancelled"
        assert inboxes(stack, sale_id) == set()


# --- a run terminated or timed out: the worker's sweep ----------------------------------------
class _ShortRuns(Interceptor):
    """Starts every workflow with an execution timeout of `RUN_TIMEOUT`: the product's own open
    path (`open_sale`) with the one thing an operator's start would add."""

    def intercept_client(self, next: OutboundInterceptor) -> OutboundInterceptor:
        return _ShortRun(next)


class _ShortRun(OutboundInterceptor):
    async def start_workflow(self, input: StartWorkflowInput) -> WorkflowHandle[Any, Any]:
        input.execution_timeout = RUN_TIMEOUT
        return await super().start_workflow(input)


@asynccontextmanager
async def worker_process(dev_env: WorkflowEnvironment, root: Path) -> AsyncIterator[Stack]:
    """`worker.py` as deployed (its sweep started by `run_worker`, every 0.2 s instead of 5 min),
    and a `Stack` over the same records database."""
    settings = Settings(data_dir=root, task_queue=f"tq-{uuid.uuid4()}")
    worker = WorkerProcess(
        "worker",
        root / "worker.log",
        {
            "TEMPORAL_ADDRESS": dev_env.client.service_client.config.target_host,
            "TEMPORAL_NAMESPACE": dev_env.client.namespace,
            "MND_TASK_QUEUE": settings.task_queue,
            "MND_DATA_DIR": str(root),
            "MND_DATABASE_URL": None,
            "MND_METRICS_BIND": "",
            "MND_RECONCILE_EVERY_SECONDS": "0.2",
        },
    )
    worker.start()
    try:
        await worker.wait_ready()  # it migrated the records database before listening
        engine = open_database(settings.db_url, migrate=False)
        sessions = session_factory(engine)
        try:
            yield Stack(
                dev_env.client, settings.task_queue, SqlRecords(sessions), SqlOutbox(sessions, None)
            )
        finally:
            engine.dispose()
    finally:
        worker.stop()


async def run_status(client: Client, sale_id: str) -> WorkflowExecutionStatus | None:
    return (await client.get_workflow_handle(workflow_id_for(sale_id)).describe()).status


@pytest.mark.parametrize(
    ("end", "reason"),
    [("terminate", "terminada"), ("time_out", "tiempo agotado")],
)
async def test_a_run_ended_from_temporal_leaves_the_inboxes_by_itself(
    dev_env: WorkflowEnvironment, tmp_path: Path, end: str, reason: str
) -> None:
    sale_id = f"OUT-{end.upper()}-{uuid.uuid4().hex[:6]}"
    async with worker_process(dev_env, tmp_path) as stack:
        client = dev_env.client
        if end == "time_out":
            config = client.config()
            config["interceptors"] = [_ShortRuns()]
            client = Client(**config)
        handle = await open_sale(client, f.open_input(sale_id), stack.task_queue)
        await stack.settled(sale_id)
        assert Role.CONSULTANT in inboxes(stack, sale_id)

        if end == "terminate":
            await handle.terminate(reason="prueba de operación")
            expected = WorkflowExecutionStatus.TERMINATED
        else:
            expected = WorkflowExecutionStatus.TIMED_OUT
        timeout = RUN_TIMEOUT.total_seconds() + HANG_GUARD
        ended = await until(
            lambda: run_status(dev_env.client, sale_id), lambda s: s is expected, timeout
        )
        assert ended is expected

        # Nobody runs a command: the worker's sweep closes the records.
        assert await row_status(stack, sale_id, "terminated") == "terminated"
        assert inboxes(stack, sale_id) == set()
        closing = [e for e in stack.records.events(sale_id) if e.kind == "run_closed"]
        assert len(closing) == 1 and reason in closing[0].message, closing
        state = await SaleService(dev_env.client, stack.task_queue).state(sale_id)
        assert state.status is SaleStatus.TERMINATED and state.waiting_on == []
