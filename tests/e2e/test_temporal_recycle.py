"""The Temporal server recycles the API's connections under steady opens, reads and actions:
nobody sees a 5xx, every action applies exactly once, and nobody is told that the sale they
just opened was "already opened" (issue 8, items 5 and 7).

The API's Temporal client goes through `TcpProxy`; the worker talks to the dev server directly.
At fixed points of the sequence the proxy drops every open connection, or loses the answer of
the next call once the server gave it (replaced by CANCELLED "context canceled", or a broken
connection: what a call racing the server's own recycling gets). Every action's answer is lost
that way, so each action is sent again, with the update id of its first attempt; every open
either loses the start's answer (the run exists, the caller does not know) or meets connections
the proxy just dropped.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from mnd.api import create_app
from mnd.auth.staff import StaffDirectory
from mnd.db.engine import make_engine, session_factory
from mnd.domain.sale import SaleState
from mnd.domain.steps import StepId
from mnd.settings import Settings
from tests.api.conftest import TEAM
from tests.api.flow import CLIENT, content
from tests.support import running_worker
from tests.tcp_proxy import TcpProxy

pytestmark = pytest.mark.devserver

RECYCLE_EVERY = 4  # requests: every 4th one meets connections the proxy just dropped
LOSE_READ_EVERY = 3  # reads: every 3rd one loses its first answer
REASSIGNMENTS = 6
OPENS = 6  # more sales, opened between the actions: half lose the start's answer
CONSULTANTS = [
    {"id": member, "name": TEAM[member][0], "email": TEAM[member][1]}
    for member in ("c-200", "c-100")
]


@dataclass
class Driver:
    """Sends the requests in a fixed order and recycles the proxy at fixed points of it."""

    http: httpx.AsyncClient
    proxy: TcpProxy
    tokens: dict[str, str]
    requests: int = 0
    reads: int = 0
    losses: int = 0
    statuses: list[int] = field(default_factory=list)
    opened: list[str] = field(default_factory=list)

    async def request(self, method: str, path: str, who: str, **kw: Any) -> httpx.Response:
        self.requests += 1
        if self.requests % RECYCLE_EVERY == 0:
            self.proxy.recycle()
        headers = {"Authorization": f"Bearer {self.tokens[who]}"}
        response = await self.http.request(method, path, headers=headers, **kw)
        self.statuses.append(response.status_code)
        assert response.status_code < 500, (method, path, response.status_code, response.text)
        return response

    async def open(self, who: str, lose_answer: bool, **extra: Any) -> str:
        """Opens a sale as `who`; the start's answer is lost, or the open meets connections the
        proxy just dropped. Either way the caller is told it opened (never 409 for its own
        sale)."""
        sale_id = f"RECYCLE-{uuid.uuid4().hex[:8]}"
        response = await self.send_open(sale_id, who, lose_answer, **extra)
        assert response.status_code == 201, (sale_id, response.status_code, response.text)
        assert response.json()["sale_id"] == sale_id
        self.opened.append(sale_id)
        return sale_id

    async def send_open(
        self, sale_id: str, who: str, lose_answer: bool, **extra: Any
    ) -> httpx.Response:
        if lose_answer:
            self.losses += 1
            self.proxy.recycle_on_next_answer(cancel=self.losses % 2 == 1)
        else:
            self.proxy.recycle()
        body = {"sale_id": sale_id, "client": CLIENT, "plan_id": "tienda_digital", **extra}
        return await self.request("POST", "/api/sales", who, json={**body, "profile": "fast"})

    async def act(self, sale_id: str, action: str, body: dict[str, Any], who: str) -> None:
        # Each action's first answer is lost, alternately as CANCELLED and as a broken line.
        self.losses += 1
        self.proxy.recycle_on_next_answer(cancel=self.losses % 2 == 1)
        path = f"/api/sales/{sale_id}/actions/{action}"
        response = await self.request("POST", path, who, json=body)
        assert response.status_code == 200, (action, response.text)

    async def read(self, sale_id: str) -> SaleState:
        self.reads += 1
        if self.reads % LOSE_READ_EVERY == 0:
            self.losses += 1
            self.proxy.recycle_on_next_answer(cancel=self.losses % 2 == 1)
        response = await self.request("GET", f"/api/sales/{sale_id}", "sup-1")
        assert response.status_code == 200, response.text
        return SaleState.model_validate(response.json())

    async def until_step(self, sale_id: str, step: StepId, reads: int = 200) -> SaleState:
        """Reads steadily until the sale stands at `step` waiting on someone (the main path
        moves a moment after the action)."""
        for _ in range(reads):
            state = await self.read(sale_id)
            if state.step is step and state.waiting_on:
                return state
        raise AssertionError(f"sale stuck at {state.step}")


@pytest_asyncio.fixture
async def driver(dev_env: WorkflowEnvironment, tmp_path: Path) -> AsyncIterator[Driver]:
    """The API (ASGI, in this process) on a Temporal client that goes through the proxy."""
    host, port = dev_env.client.service_client.config.target_host.rsplit(":", 1)
    proxy = TcpProxy(host, int(port), http2=True)
    proxy.start()
    try:
        async with running_worker(dev_env.client, tmp_path) as stack:
            proxied = await Client.connect(
                f"127.0.0.1:{proxy.port}",
                namespace=dev_env.client.namespace,
                data_converter=pydantic_data_converter,
            )
            settings = Settings(data_dir=tmp_path, task_queue=stack.task_queue)
            engine = make_engine(settings.db_url)
            directory = StaffDirectory(session_factory(engine))
            tokens = {}
            for member, (name, email, roles) in TEAM.items():
                directory.add(member, name, email, roles)
                tokens[member] = directory.create_token(member, "pruebas")
            app = create_app(settings, client=proxied)
            async with app.router.lifespan_context(app):
                transport = httpx.ASGITransport(app=app)
                async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
                    yield Driver(http, proxy, tokens)
            engine.dispose()
    finally:
        proxy.close()


async def test_recycled_connections_never_reach_a_person(driver: Driver) -> None:
    sale_id = await driver.open("c-100", lose_answer=True)

    await driver.until_step(sale_id, StepId.TEMPLATE_SELECTION)
    await driver.act(sale_id, "select_template", {"template_id": "td_moda"}, "c-100")
    await driver.until_step(sale_id, StepId.BUSINESS_TYPE)
    await driver.act(sale_id, "confirm_business_type", {"business_type": "restaurante"}, "c-100")
    await driver.until_step(sale_id, StepId.PRODUCT_INFORMATION)
    await driver.act(sale_id, "submit_content", {"content": content()}, "c-100")
    await driver.until_step(sale_id, StepId.CLIENT_VERIFICATION)
    for n in range(REASSIGNMENTS):
        # Applied twice, a reassignment would be refused the second time (already assigned):
        # a 422 here, or two log entries below.
        reassign = {"consultant": CONSULTANTS[n % 2], "reason": f"reasignación {n}"}
        await driver.act(sale_id, "reassign_consultant", reassign, "sup-1")
        await driver.read(sale_id)
        if n < OPENS:
            # Opened between the actions, by a consultant and by a supervisor for one.
            who = "c-200" if n % 3 else "sup-1"
            body = {"consultant": CONSULTANTS[0]} if who == "sup-1" else {}
            other = await driver.open(who, lose_answer=n % 2 == 0, **body)
            opened = await driver.until_step(other, StepId.TEMPLATE_SELECTION)
            assert opened.consultant.id == "c-200"

    # A different open of an id already opened is still refused, its answer lost too.
    again = await driver.send_open(driver.opened[1], "sup-1", True, consultant=CONSULTANTS[1])
    assert again.status_code == 409 and "ya fue abierta" in again.json()["detail"], again.text

    state = await driver.read(sale_id)
    accepted = [entry for entry in state.log if entry.via == "update" and entry.accepted]
    assert [e.action for e in accepted] == [
        "select_template",
        "confirm_business_type",
        "submit_content",
        *["reassign_consultant"] * REASSIGNMENTS,
    ]
    reasons = [e.message.rsplit(": ", 1)[-1] for e in accepted[3:]]
    assert reasons == [f"reasignación {n}" for n in range(REASSIGNMENTS)]
    assert state.consultant.id == "c-100"
    # Every loss the sequence asked for happened (each action's answer among them), and the
    # proxy's connections were recycled all along: nobody saw anything but the answers.
    assert driver.proxy.answers_lost == driver.losses >= REASSIGNMENTS + 3 + OPENS // 2
    assert driver.proxy.connections > driver.requests // RECYCLE_EVERY + OPENS // 2
    # Every open was answered 201 (none 409 for its own sale); the one refusal is the duplicate.
    assert len(driver.opened) == OPENS + 1
    assert [status for status in driver.statuses if status >= 300] == [409], driver.statuses
