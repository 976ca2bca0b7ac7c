"""Helpers to run a sale on a real Temporal server from a test."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel
from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError

from mnd.adapters.outbox_sql import SqlOutbox
from mnd.adapters.records_sql import SqlRecords
from mnd.db.engine import open_database, session_factory
from mnd.domain.action_result import ActionResult
from mnd.domain.sale import OpenSaleInput, SaleState, SaleSummary, workflow_id_for
from mnd.domain.steps import StepId
from mnd.mail.message import build_message
from mnd.reading import describe
from mnd.settings import Settings
from mnd.worker_app import build_worker
from workflows.sale import SaleWorkflow
from workflows.visibility import opening_search_attributes

# How long a wait on a condition (a step, an email, a port) may take before the test fails as
# hung. Only a hang reaches it: a pass returns as soon as the condition holds. Generous, so that
# a machine kept busy by other work (CI under load, 2 cores) never turns a slow pass into a red.
HANG_GUARD = 60.0
T = TypeVar("T")


async def without_hanging(call: Awaitable[T], what: str) -> T:
    """`await call`, failing the test if it never ends instead of hanging it (HANG_GUARD): an
    answer that waited on an email or a record while their server is down would never come."""
    try:
        return await asyncio.wait_for(call, HANG_GUARD)
    except TimeoutError:
        raise AssertionError(f"{what}: no answer in {HANG_GUARD:.0f} s") from None


@dataclass
class Stack:
    client: Client
    task_queue: str
    records: SqlRecords
    outbox: SqlOutbox

    def mails_now(self, sale_id: str) -> list[EmailMessage]:
        """The sale's messages in the outbox table now, oldest first, as the SMTP server sees them."""
        rows = sorted(self.outbox.list_messages(sale_id=sale_id, limit=1000), key=lambda m: m.id)
        return [
            build_message(
                "mnd@test",
                m.message_id,
                m.sale_id,
                m.template,
                m.recipients,
                m.reply_to,
                m.subject,
                m.body,
            )
            for m in rows
        ]

    def templates_sent_now(self, sale_id: str) -> list[str]:
        return [str(m["X-MND-Template"]) for m in self.mails_now(sale_id)]

    async def settled(self, sale_id: str, timeout: float = HANG_GUARD) -> None:
        """Waits until the sale has no email queued and no workflow task or activity pending.

        Emails and records follow an action (the answer never waits on them): a test that
        reads the outbox waits for the sale's effects to be done, not for a fixed time.
        """
        handle = self.client.get_workflow_handle(workflow_id_for(sale_id))
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            state = await handle.query("state", result_type=SaleState)
            described = await describe(self.client, workflow_id_for(sale_id))
            busy = described.HasField("pending_workflow_task") or described.pending_activities
            if not state.emails_pending and not busy:
                return
            if loop.time() > deadline:
                raise AssertionError(f"sale {sale_id} still busy: {state.emails_pending} email(s)")
            await asyncio.sleep(0.05)

    async def mails(self, sale_id: str) -> list[EmailMessage]:
        """The sale's messages once its pending emails are sent."""
        await self.settled(sale_id)
        return self.mails_now(sale_id)

    async def templates_sent(self, sale_id: str) -> list[str]:
        return [str(m["X-MND-Template"]) for m in await self.mails(sale_id)]


@asynccontextmanager
async def running_worker(client: Client, root: Path, **settings: Any) -> AsyncIterator[Stack]:
    """The real worker (as `worker.py` builds it) on a fresh task queue, with its own database."""
    config = Settings(data_dir=root, task_queue=f"tq-{uuid.uuid4()}", **settings)
    engine = open_database(config.db_url, migrate=True)
    sessions = session_factory(engine)
    stack = Stack(client, config.task_queue, SqlRecords(sessions), SqlOutbox(sessions, None))
    try:
        with ThreadPoolExecutor(max_workers=config.activity_threads) as pool:
            async with build_worker(client, config, engine, activity_executor=pool):
                yield stack
    finally:
        engine.dispose()


class Sale:
    """A started sale and the moves a test makes on it."""

    def __init__(
        self, stack: Stack, handle: WorkflowHandle[Any, SaleSummary], sale_id: str
    ) -> None:
        self.stack, self.handle, self.sale_id = stack, handle, sale_id

    @classmethod
    async def open(cls, stack: Stack, inp: OpenSaleInput) -> Sale:
        handle = await stack.client.start_workflow(
            SaleWorkflow.run,
            inp,
            id=workflow_id_for(inp.sale_id),
            task_queue=stack.task_queue,
            static_summary=f"Venta {inp.sale_id} (prueba)",
            # As `open_sale` starts it (the committed histories recorded before hold none).
            search_attributes=opening_search_attributes(SaleState.opened(inp, datetime.now(UTC))),
        )
        sale = cls(stack, handle, inp.sale_id)
        # Starting a workflow answers before its first task runs: nothing tells when step 2 is.
        await sale.wait_for(lambda s: s.step is StepId.TEMPLATE_SELECTION)
        return sale

    async def state(self) -> SaleState:
        return await self.handle.query(SaleWorkflow.state)

    async def act(self, action: str, payload: BaseModel | dict[str, Any]) -> ActionResult:
        """Sends the action's Update; the answer comes once the sale has reacted to it."""
        answer: ActionResult = await self.handle.execute_update(
            action, payload, result_type=ActionResult
        )
        return answer

    async def act_to(
        self, step: StepId, action: str, payload: BaseModel | dict[str, Any]
    ) -> SaleState:
        """Acts, checks the answer already shows the sale at `step`, and reads it (no polling)."""
        answer = await self.act(action, payload)
        assert answer.step is step and answer.waiting_on, answer
        return await self.state()

    async def signal(self, action: str, payload: BaseModel | dict[str, Any]) -> None:
        await self.handle.signal(action, payload)

    async def refused(self, action: str, payload: BaseModel | dict[str, Any]) -> ApplicationError:
        """Sends the update expecting a refusal; returns the error the client saw."""
        try:
            await self.act(action, payload)
        except WorkflowUpdateFailedError as err:
            assert isinstance(err.cause, ApplicationError), err.cause
            return err.cause
        raise AssertionError(f"{action} was accepted")

    async def wait_for(
        self, ready: Callable[[SaleState], bool], timeout: float = HANG_GUARD
    ) -> SaleState:
        """Polls the query until `ready(state)`. Only where nothing answers: after a timer on the
        test clock, a Signal, an activity (the OT) or the opening. After an Update, assert on its
        answer instead (`act_to`): the answer comes once the sale has reacted."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            state = await self.state()
            if ready(state):
                return state
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(
                    f"sale stuck at {state.step} waiting for {state.waiting_for!r}"
                )
            await asyncio.sleep(0.05)

    async def wait_step(self, step: StepId, timeout: float = HANG_GUARD) -> SaleState:
        return await self.wait_for(lambda s: s.step is step and bool(s.waiting_on), timeout)
