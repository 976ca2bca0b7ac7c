"""The demo: its data, and `drive_sale`, an autopilot that walks a sale through the 13 steps.

The autopilot plays every role as a client of the workflow: it reads the `state` query (through
`mnd.reading`, as the staff tools do) and sends the Update the sale waits for, exactly as staff
would from another process.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError

from mnd.autopilot import next_action
from mnd.demo_data import demo_content, demo_documents, demo_sale
from mnd.domain.action_result import ActionResult
from mnd.domain.actions import ActionInput
from mnd.domain.errors import RefusalKind
from mnd.domain.sale import SaleState, SaleStatus, SaleSummary, StepRecord, workflow_id_for
from mnd.domain.steps import STEP_NAMES_ES, STEP_ORDER, step_number
from mnd.reading import read_state

__all__ = ["demo_content", "demo_documents", "demo_sale", "drive_sale", "format_step", "print_step"]

StepCallback = Callable[[StepRecord], None]

# Refusals that only mean the poll was stale: the sale moved on (or closed) meanwhile.
_STALE = {RefusalKind.WRONG_STEP.value, RefusalKind.CLOSED.value}


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
    result = asyncio.ensure_future(handle.result())
    reported: set[int] = set()
    try:
        while not result.done():
            state = await read_state(client, sale_id)
            _report(state, reported, on_step)
            if deadline is not None and loop.time() > deadline:
                raise TimeoutError(
                    f"La venta {sale_id} no terminó a tiempo; está en «{STEP_NAMES_ES[state.step]}», "
                    f"esperando: {state.waiting_for or 'nada'}"
                )
            action = (
                None if state.status is not SaleStatus.OPEN else next_action(state, in_onyx, in_rr)
            )
            answer = None if action is None else await _send(handle, result, *action)
            if answer is not None and (answer.waiting_on or not answer.min_until):
                continue  # the answer shows the sale after it reacted: the next action is due
            # Nothing to do now: the sale holds a minimum (until when the answer says) or
            # finishes an activity; look again then.
            await asyncio.wait({result}, timeout=_pause(answer, poll_interval))
        summary = await result
        _report(await read_state(client, sale_id), reported, on_step)
        return summary
    finally:
        result.cancel()


def _pause(answer: ActionResult | None, poll_interval: float) -> float:
    if answer is None or answer.min_until is None:
        return poll_interval
    left = (answer.min_until - datetime.now(UTC)).total_seconds()
    return max(left, poll_interval)


async def _send(
    handle: WorkflowHandle[object, SaleSummary],
    result: asyncio.Future[SaleSummary],
    name: str,
    payload: ActionInput,
) -> ActionResult | None:
    """Sends one Update; None when the sale had already moved on (a stale read)."""
    try:
        answer: ActionResult = await handle.execute_update(
            name, payload, id=f"autopilot:{uuid.uuid4()}", result_type=ActionResult
        )
    except WorkflowUpdateFailedError as failed:
        cause = failed.cause
        if isinstance(cause, ApplicationError) and cause.type in _STALE:
            return None
        raise
    except RPCError:
        # The workflow may have completed between the read and the Update.
        if result.done():
            return None
        raise
    return answer
