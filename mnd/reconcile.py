"""Records stay true when a sale's run ends outside its own code.

A run terminated or timed out by an operator (or cancelled from the Temporal UI before sales
handled that themselves) never runs its closing path: its records row stays `open` and the sale
sits in inboxes forever. The worker (`run_worker`) and the dev stack sweep for such runs with a
visibility query (the sale's `MndStatus` is still `open` while Temporal says the run is closed)
and close their records (`mnd.worker_app.reconciling`).
Idempotent: a sale already closed in the records is left as it is.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from typing import Protocol

from temporalio.client import Client, WorkflowExecutionStatus

from mnd.domain.sale import SaleStatus
from mnd.temporal_retry import is_transient

log = logging.getLogger(__name__)

# What the records say of a run Temporal closed without the sale's own closing path.
RECORD_STATUS = {
    WorkflowExecutionStatus.TERMINATED: SaleStatus.TERMINATED.value,
    WorkflowExecutionStatus.TIMED_OUT: SaleStatus.TERMINATED.value,
    WorkflowExecutionStatus.FAILED: SaleStatus.TERMINATED.value,
    WorkflowExecutionStatus.CANCELED: SaleStatus.CANCELLED.value,
}
CLOSED_OUTSIDE = (
    "WorkflowType = 'SaleWorkflow' AND MndStatus = 'open' "
    "AND ExecutionStatus IN ('Terminated', 'TimedOut', 'Failed', 'Canceled')"
)


class RunCloser(Protocol):
    def close_run(self, sale_id: str, status: str, at: datetime, reason: str) -> bool:
        """Closes the sale's records (status, inboxes, one event) unless closed; True if now."""
        ...


async def reconcile_closed_runs(client: Client, records: RunCloser) -> list[str]:
    """One sweep: the sales whose records were closed now."""
    closed: list[str] = []
    async for run in client.list_workflows(CLOSED_OUTSIDE):
        if run.status not in RECORD_STATUS or not run.id.startswith("sale-"):
            continue
        sale_id = run.id.removeprefix("sale-")
        status = RECORD_STATUS[run.status]
        at = run.close_time or datetime.now(UTC)
        reason = f"Ejecución cerrada desde Temporal ({_STATUS_ES[run.status]})"
        if await asyncio.to_thread(records.close_run, sale_id, status, at, reason):
            log.warning("Sale %s: run %s outside its own path; records closed", sale_id, status)
            closed.append(sale_id)
    return closed


async def keep_reconciling(client: Client, records: RunCloser, every: timedelta) -> None:
    """Sweeps every `every` until cancelled; a transient error waits for the next sweep."""
    while True:
        try:
            await reconcile_closed_runs(client, records)
        except Exception as exc:
            if not is_transient(exc):
                log.exception("Reconciliation sweep failed")
        await asyncio.sleep(every.total_seconds())


_STATUS_ES = {
    WorkflowExecutionStatus.TERMINATED: "terminada",
    WorkflowExecutionStatus.TIMED_OUT: "tiempo agotado",
    WorkflowExecutionStatus.FAILED: "fallida",
    WorkflowExecutionStatus.CANCELED: "cancelada",
}
