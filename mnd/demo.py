"""The demo: its data, and `drive_sale`, which walks a sale through the 13 steps.

It is the scenario driver (`mnd/scenario.py`) over the sale's Temporal handle: it plays every
role as a client of the workflow, exactly as staff would from another process, and prints each
step as it completes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta

from temporalio.client import Client, WorkflowHandle

from mnd.demo_data import demo_content, demo_documents, demo_sale
from mnd.domain.sale import SaleState, SaleSummary, StepRecord, workflow_id_for
from mnd.domain.steps import STEP_NAMES_ES, STEP_ORDER, step_number
from mnd.reading import read_state
from mnd.scenario import TemporalChannel, drive

__all__ = ["demo_content", "demo_documents", "demo_sale", "drive_sale", "format_step", "print_step"]

StepCallback = Callable[[StepRecord], None]


def format_step(record: StepRecord) -> str:
    """`✔  5/13 client_verification · Verificación del cliente en CRM (2.1 s)`."""
    again = f" (ronda {record.round})" if record.round > 1 else ""
    took = f" ({record.duration.total_seconds():.1f} s)" if record.duration is not None else ""
    name = STEP_NAMES_ES[record.step]
    number = f"{step_number(record.step):>2}/{len(STEP_ORDER)}"
    return f"✔ {number} {record.step.value} · {name}{again}{took}"


def print_step(record: StepRecord) -> None:
    print(format_step(record), flush=True)


def _report(state: SaleState, reported: set[int], on_step: StepCallback) -> None:
    for index, record in enumerate(state.steps):
        if record.ended_at is not None and index not in reported:
            reported.add(index)
            on_step(record)


async def drive_sale(
    client: Client,
    sale_id: str,
    on_step: StepCallback = print_step,
    *,
    in_onyx: bool = True,
    in_rr: bool = True,
    poll_interval: float = 0.2,
    timeout: timedelta | None = None,
) -> SaleSummary:
    """Acts as every role until the sale's workflow ends; reports each completed step once."""
    handle: WorkflowHandle[object, SaleSummary] = client.get_workflow_handle(
        workflow_id_for(sale_id), result_type=SaleSummary
    )
    loop = asyncio.get_running_loop()
    deadline = None if timeout is None else loop.time() + timeout.total_seconds()
    reported: set[int] = set()

    def watch(state: SaleState) -> None:
        _report(state, reported, on_step)
        if deadline is not None and loop.time() > deadline:
            raise TimeoutError(
                f"La venta {sale_id} no terminó a tiempo; está en «{STEP_NAMES_ES[state.step]}», "
                f"esperando: {state.waiting_for or 'nada'}"
            )

    channel = TemporalChannel(client, sale_id, poll_interval)
    await drive(channel, in_onyx=in_onyx, in_rr=in_rr, on_state=watch)
    summary = await handle.result()
    _report(await read_state(client, sale_id), reported, on_step)
    return summary
