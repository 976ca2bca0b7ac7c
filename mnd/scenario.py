"""One scenario driver for a sale, over any channel that reaches it.

The driver plays every role with the autopilot's payloads (`mnd/autopilot.py`) and takes each
action's answer (`ActionResult`, given once the sale reacted) to know what is due next; it only
waits when the answer says nothing is due now (a minimum running, an activity under way). A
channel is how it reaches the sale: a Temporal handle (`TemporalChannel`: the demo), or the
HTTP API (`tests/api/flow.py`'s channel: the API tests), each with its own way of letting time
pass (the real clock, or the time-skipping test server's).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Protocol

from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError

from mnd.autopilot import next_action
from mnd.domain.action_result import ActionResult
from mnd.domain.actions import ActionInput
from mnd.domain.errors import RefusalKind
from mnd.domain.sale import SaleState, SaleStatus, workflow_id_for
from mnd.reading import read_state

# Refusals that only mean the state read was stale: the sale moved on (or closed) meanwhile.
STALE = {RefusalKind.WRONG_STEP.value, RefusalKind.CLOSED.value}


class SaleChannel(Protocol):
    async def state(self) -> SaleState: ...

    async def act(self, action: str, payload: ActionInput) -> ActionResult | None:
        """The action's answer; None when the sale refused it as stale."""
        ...

    async def pause(self, answer: ActionResult | None) -> None:
        """Lets time pass when nothing is due: until the answer's minimum, or a short while."""
        ...


async def drive(
    channel: SaleChannel,
    until: Callable[[SaleState], bool] = lambda state: False,
    *,
    in_onyx: bool = True,
    in_rr: bool = True,
    on_state: Callable[[SaleState], None] | None = None,
) -> SaleState:
    """Acts as every role until `until(state)` or the sale closes; returns the last state."""
    while True:
        state = await channel.state()
        if on_state is not None:
            on_state(state)
        if until(state) or state.status is not SaleStatus.OPEN:
            return state
        action = next_action(state, in_onyx, in_rr)
        answer = None if action is None else await channel.act(*action)
        if answer is not None and (answer.waiting_on or not answer.min_until):
            continue  # the answer shows the sale after it reacted: the next action is due
        await channel.pause(answer)


class TemporalChannel:
    """A sale reached through its workflow handle, on the real clock."""

    def __init__(self, client: Client, sale_id: str, poll: float = 0.2) -> None:
        self._client, self._sale_id, self._poll = client, sale_id, poll
        self._handle = client.get_workflow_handle(workflow_id_for(sale_id))

    async def state(self) -> SaleState:
        return await read_state(self._client, self._sale_id)

    async def act(self, action: str, payload: ActionInput) -> ActionResult | None:
        try:
            answer: ActionResult = await self._handle.execute_update(
                action, payload, id=f"driver:{uuid.uuid4()}", result_type=ActionResult
            )
        except WorkflowUpdateFailedError as failed:
            cause = failed.cause
            if isinstance(cause, ApplicationError) and cause.type in STALE:
                return None
            raise
        return answer

    async def pause(self, answer: ActionResult | None) -> None:
        await asyncio.sleep(seconds_until_due(answer, datetime.now(UTC), self._poll))


def seconds_until_due(answer: ActionResult | None, now: datetime, poll: float) -> float:
    """How long nothing is due: until the answer's minimum, or `poll` (an activity under way)."""
    if answer is None or answer.min_until is None:
        return poll
    return max((answer.min_until - now).total_seconds(), poll)
