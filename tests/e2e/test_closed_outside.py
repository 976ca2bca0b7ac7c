"""Item 5 of the exact-actions issue: records stay true when an operator acts outside the staff
tools. A cancel from the Temporal UI or CLI runs the sale's own cancellation; a terminated run
is closed in the records by the worker's sweep, with nobody running a command."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from mnd.domain.roles import Role
from mnd.domain.sale import SaleStatus
from mnd.reconcile import keep_reconciling
from mnd.services.sales import SaleService
from tests import factories as f
from tests.support import Sale, Stack, running_worker
from tests.workflow import steps
from workflows.sale import OPERATOR_CANCEL_REASON

pytestmark = pytest.mark.devserver


async def row_status(stack: Stack, sale_id: str, expected: str) -> str | None:
    """Records and visibility follow the run a moment later: wait for the expected status."""
    status = None
    for _ in range(200):
        row = stack.records.get_sale(sale_id)
        status = row.status if row else None
        if status == expected:
            break
        await asyncio.sleep(0.05)
    return status


def inbox(stack: Stack, role: Role) -> set[str]:
    return {i.sale_id for i in stack.records.inbox(role.value, 100, datetime.now(UTC))}


async def test_a_cancel_from_temporal_runs_the_sales_cancellation(
    dev_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    async with running_worker(dev_env.client, tmp_path) as stack:
        sale = await Sale.open(stack, f.open_input("OUT-CANCEL"))
        await steps.to_client_verification(sale)
        await sale.handle.cancel()  # what the Temporal UI's "Request cancellation" sends
        summary = await sale.handle.result()
        assert summary.status is SaleStatus.CANCELLED
        assert summary.cancellation_reason == OPERATOR_CANCEL_REASON
        state = await sale.state()
        assert state.cancellation is not None and state.cancellation.by == "temporal"
        assert set(state.cancellation.notified_roles) == {Role.CONSULTANT, Role.CLIENT}
        assert state.log[-1].via == "temporal"
        assert "sale_cancelled" in await stack.templates_sent("OUT-CANCEL")
        assert await row_status(stack, "OUT-CANCEL", "cancelled") == "cancelled"
        assert "OUT-CANCEL" not in inbox(stack, Role.CONSULTANT)


async def test_a_terminated_run_leaves_the_inboxes_by_itself(
    dev_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    async with running_worker(dev_env.client, tmp_path) as stack:
        sale = await Sale.open(stack, f.open_input("OUT-TERM"))
        await steps.to_client_verification(sale)
        await stack.settled("OUT-TERM")
        assert "OUT-TERM" in inbox(stack, Role.CONSULTANT)
        await sale.handle.terminate(reason="prueba de operación")
        # The worker's sweep, as `run_worker` starts it (here every 0.1 s, not 5 min).
        sweep = asyncio.create_task(
            keep_reconciling(stack.client, stack.records, timedelta(seconds=0.1))
        )
        try:
            assert await row_status(stack, "OUT-TERM", "terminated") == "terminated"
        finally:
            sweep.cancel()
        assert "OUT-TERM" not in inbox(stack, Role.CONSULTANT)
        closing = [e for e in stack.records.events("OUT-TERM") if e.kind == "run_closed"]
        assert len(closing) == 1 and "terminada" in closing[0].message
        state = await SaleService(stack.client, stack.task_queue).state("OUT-TERM")
        assert state.status is SaleStatus.TERMINATED and state.waiting_on == []
