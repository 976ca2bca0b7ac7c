"""The console served by uvicorn on a real port, over the dev server, a real worker and a real
database: what a browser (or httpx) talks to. The fast profile keeps the minimums in seconds.

The browser is Debian's Chromium (`MND_CHROMIUM` names another executable), driven by
Playwright; a browser Playwright would download is never used.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
import uvicorn
from playwright.async_api import Browser, async_playwright
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker
from temporalio.testing import WorkflowEnvironment

from mnd.api import create_app
from mnd.auth.sign_in import ConsoleAuth
from mnd.auth.staff import StaffDirectory
from mnd.db.engine import make_engine, session_factory
from mnd.db.models import ConsoleSession
from mnd.domain.roles import Role
from mnd.settings import Settings
from tests.support import Stack, running_worker

PASSWORD = "clave-de-prueba-1"
CHROMIUM_MISSING = (
    "Chromium no encontrado: apt-get install -y chromium (las pruebas de navegador se omiten)"
)
# One member per role, and a second Soporte Comercial analyst (the area is several people).
TEAM: dict[str, tuple[str, str, list[Role]]] = {
    "laura.gomez": ("Laura Gómez", "laura.gomez@claro.com.co", [Role.CONSULTANT]),
    "andres.ruiz": ("Andrés Ruiz", "andres.ruiz@claro.com.co", [Role.CONSULTANT]),
    "diana.mora": ("Diana Mora", "diana.mora@claro.com.co", [Role.DATA_MINING]),
    "pablo.rios": ("Pablo Ríos", "pablo.rios@claro.com.co", [Role.PROVISIONING]),
    "carla.soto": ("Carla Soto", "carla.soto@claro.com.co", [Role.COMMERCIAL_SUPPORT]),
    "jorge.lara": ("Jorge Lara", "jorge.lara@claro.com.co", [Role.COMMERCIAL_SUPPORT]),
    "pedro.diaz": ("Pedro Díaz", "pedro.diaz@claro.com.co", [Role.PRODUCTION]),
    "aliado.web": ("Aliado Web", "aliado@minegocio.digital", [Role.ALLY]),
    "sofia.vargas": ("Sofía Vargas", "sofia.vargas@claro.com.co", [Role.SUPERVISOR]),
}


@dataclass
class Console:
    url: str
    stack: Stack
    settings: Settings
    sessions: sessionmaker[Session]

    def http(self) -> httpx.AsyncClient:
        """A fresh client (its own cookies): one per person signed in."""
        return httpx.AsyncClient(base_url=self.url, follow_redirects=False, timeout=30)

    def expire_sessions(self, staff_id: str) -> None:
        """What an hour away from the keyboard does to the member's sessions."""
        idle = timedelta(minutes=self.settings.console_session_idle_minutes, seconds=1)
        with self.sessions.begin() as session:
            session.execute(
                update(ConsoleSession)
                .where(ConsoleSession.staff_id == staff_id)
                .values(last_seen_at=datetime.now(UTC) - idle)
            )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest_asyncio.fixture(scope="package")
async def console(
    dev_env: WorkflowEnvironment, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Console]:
    root: Path = tmp_path_factory.mktemp("console")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    async with running_worker(dev_env.client, root, public_url=url) as stack:
        settings = Settings(
            data_dir=root,
            task_queue=stack.task_queue,
            public_url=url,
            api_port=port,
            profile="fast",
        )
        engine = make_engine(settings.db_url)
        sessions = session_factory(engine)
        directory, auth = StaffDirectory(sessions), ConsoleAuth(sessions)
        for member, (name, email, roles) in TEAM.items():
            directory.add(member, name, email, roles)
            auth.set_password(member, PASSWORD)
        app = create_app(settings, client=dev_env.client)
        server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
        )
        serving = asyncio.create_task(server.serve())
        while not server.started:  # the socket is bound once `started` is set
            if serving.done():
                serving.result()
            await asyncio.sleep(0.01)
        try:
            yield Console(url, stack, settings, sessions)
        finally:
            server.should_exit = True
            await serving
            engine.dispose()


@asynccontextmanager
async def signed_in(console: Console, member: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client signed in as `member` (through the sign-in form, CSRF cookie included)."""
    async with console.http() as http:
        page = await http.get("/consola/entrar")
        answer = await http.post(
            "/consola/entrar",
            data={
                "usuario": member,
                "clave": PASSWORD,
                "csrf_token": csrf_of(page.text),
                "siguiente": "/consola",
            },
        )
        assert answer.status_code == 303, answer.text
        yield http


def csrf_of(html: str) -> str:
    marker = 'name="csrf_token" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


def chromium_path() -> str | None:
    """Debian's Chromium, or the executable `MND_CHROMIUM` names; None when there is none."""
    chosen = os.environ.get("MND_CHROMIUM") or shutil.which("chromium")
    return chosen if chosen and Path(chosen).is_file() else None


def browser_required() -> bool:
    """CI sets MND_REQUIRE_BROWSER=1: there a missing Chromium fails instead of skipping."""
    return os.environ.get("MND_REQUIRE_BROWSER") == "1"


@pytest_asyncio.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    """One Chromium per test module; each person signed in gets a fresh context of it."""
    path = chromium_path()
    if path is None:
        if browser_required():
            pytest.fail(f"MND_REQUIRE_BROWSER=1: {CHROMIUM_MISSING.split(' (')[0]}")
        pytest.skip(CHROMIUM_MISSING)
    async with async_playwright() as playwright:
        # Spanish browser chrome too (date fields, file buttons), as staff in Colombia see it.
        launched = await playwright.chromium.launch(executable_path=path, args=["--lang=es-419"])
        try:
            yield launched
        finally:
            await launched.close()
