"""The API on the time-skipping server: the app and a real worker share one database and queue."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker
from temporalio.client import (
    Client,
    Interceptor,
    OutboundInterceptor,
    StartWorkflowInput,
    StartWorkflowUpdateInput,
    WorkflowHandle,
    WorkflowUpdateHandle,
)
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

from mnd.api import create_app
from mnd.auth.staff import StaffDirectory
from mnd.db.engine import make_engine, session_factory
from mnd.domain.roles import Role
from mnd.settings import Settings
from tests.conftest import time_skipping_server
from tests.support import Stack, running_worker

PUBLIC_URL = "https://mnd.test"
# One member per role (two consultants: the sale's own and another one).
TEAM: dict[str, tuple[str, str, list[Role]]] = {
    "c-100": ("Laura Gómez", "laura.gomez@claro.com.co", [Role.CONSULTANT]),
    "c-200": ("Andrés Ruiz", "andres.ruiz@claro.com.co", [Role.CONSULTANT]),
    "dm-1": ("Diana Mora", "mineriadedatos@claro.com.co", [Role.DATA_MINING]),
    "prov-1": ("Pablo Ríos", "soportemno@claro.com.co", [Role.PROVISIONING]),
    "cs-1": ("Carla Soto", "validacion.co@claro.com.co", [Role.COMMERCIAL_SUPPORT]),
    "prod-1": ("Pedro Díaz", "produccionmno@claro.com.co", [Role.PRODUCTION]),
    "ally-1": ("Aliado Web", "aliado@minegocio.digital", [Role.ALLY]),
    "client-1": ("Cliente Prueba", "cliente@laespiga.com.co", [Role.CLIENT]),
    "sup-1": ("Sofía Vargas", "supervisor.mnd@claro.com.co", [Role.SUPERVISOR]),
    "sys-1": ("Sistema", "sistema@minegocio.digital", [Role.SYSTEM]),
}
# The member who acts in each role in these tests.
BY_ROLE: dict[Role, str] = {
    roles[0]: member for member, (_, _, roles) in TEAM.items() if member != "c-200"
}


@dataclass
class Api:
    http: httpx.AsyncClient
    app: FastAPI
    env: WorkflowEnvironment
    stack: Stack
    settings: Settings
    sessions: sessionmaker[Session]
    tokens: dict[str, str]
    answers: LostAnswers

    def auth(self, member: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[member]}"}


class LostAnswers(Interceptor):
    """Client interceptor that loses the answer of a chosen Update, once: the call reaches the
    server, the sale applies the action and answers, and the app never hears back, as when a
    network drops the answer; the request hangs until its client gives up (is cancelled).
    Deterministic where a timeout would race the answer: `lost` is set only once the server
    has answered, and before the app could see it."""

    def __init__(self) -> None:
        self._armed: dict[str, asyncio.Event] = {}

    def lose(self, update_id_part: str) -> asyncio.Event:
        """Loses the answer of the next Update whose id contains `update_id_part`; the event is
        set once it was lost. A later Update with that id (the retry) gets its answer."""
        lost = self._armed[update_id_part] = asyncio.Event()
        return lost

    def intercept_client(self, next: OutboundInterceptor) -> OutboundInterceptor:
        return _LoseAnswers(next, self._armed)


class _LoseAnswers(OutboundInterceptor):
    def __init__(self, next: OutboundInterceptor, armed: dict[str, asyncio.Event]) -> None:
        super().__init__(next)
        self.armed = armed

    async def start_workflow_update(
        self, input: StartWorkflowUpdateInput
    ) -> WorkflowUpdateHandle[Any]:
        # `execute_update` waits for the COMPLETED stage: this returns with the sale's answer.
        handle = await super().start_workflow_update(input)
        part = next((p for p in self.armed if p in (input.update_id or "")), None)
        if part is None:
            return handle
        self.armed.pop(part).set()
        await asyncio.Future()  # the answer never arrives: wait until the caller gives up
        raise AssertionError("unreachable")


class StartedWorkflows(Interceptor):
    """Client interceptor that notes the id of every workflow the app starts."""

    def __init__(self) -> None:
        self.ids: list[str] = []

    def intercept_client(self, next: OutboundInterceptor) -> OutboundInterceptor:
        return _NoteStarts(next, self.ids)


class _NoteStarts(OutboundInterceptor):
    def __init__(self, next: OutboundInterceptor, ids: list[str]) -> None:
        super().__init__(next)
        self.ids = ids

    async def start_workflow(self, input: StartWorkflowInput) -> WorkflowHandle[Any, Any]:
        handle = await super().start_workflow(input)
        self.ids.append(handle.id)
        return handle


@pytest_asyncio.fixture(scope="package")
async def api(
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[Api]:
    """One worker, one database, one app for the API tests; each test opens its own sales.

    On a time-skipping server of their own: the package's sales live as long as the package."""
    async with time_skipping_server() as skipping_env:
        async for api in _api(skipping_env, tmp_path_factory):
            yield api


async def _api(
    skipping_env: WorkflowEnvironment, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Api]:
    root: Path = tmp_path_factory.mktemp("api")
    started, answers = StartedWorkflows(), LostAnswers()
    # The app's client is the environment's, plus the interceptors that note the sales it opens
    # and lose an answer on demand.
    config = skipping_env.client.config()
    config["interceptors"] = [started, answers]
    client = Client(**config)
    async with running_worker(skipping_env.client, root, public_url=PUBLIC_URL) as stack:
        settings = Settings(data_dir=root, task_queue=stack.task_queue, public_url=PUBLIC_URL)
        engine = make_engine(settings.db_url)
        sessions = session_factory(engine)
        directory = StaffDirectory(sessions)
        tokens = {}
        for member, (name, email, roles) in TEAM.items():
            directory.add(member, name, email, roles)
            tokens[member] = directory.create_token(member, "pruebas")
        app = create_app(settings, client=client)
        # httpx's ASGI transport does not run the lifespan: enter it here.
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url=PUBLIC_URL) as http:
                yield Api(http, app, skipping_env, stack, settings, sessions, tokens, answers)
        await terminate_sales(skipping_env.client, started.ids)
        engine.dispose()


async def terminate_sales(client: Client, workflow_ids: list[str]) -> None:
    """Ends every sale these tests opened. Left open on a queue no worker polls any more, a sale
    whose timer fires during a later test's `env.sleep` holds a workflow task that nobody
    completes, and the time-skipping server then never skips time again in this session.
    The ids come from the app's client as it starts each sale, so none is missed however far
    its records have got."""
    for workflow_id in workflow_ids:
        with contextlib.suppress(RPCError):  # already closed
            await client.get_workflow_handle(workflow_id).terminate("fin de pruebas")
