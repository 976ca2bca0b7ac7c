"""What the API holds while it runs: built by the app's lifespan, never at import time."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from fastapi.templating import Jinja2Templates
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from temporalio.client import Client

from mnd.adapters.storage_local import LocalStorage
from mnd.api.files import FileStore
from mnd.auth.approval import ApprovalLinks
from mnd.auth.sign_in import ConsoleAuth
from mnd.auth.staff import StaffDirectory
from mnd.db.engine import open_database, session_factory
from mnd.settings import Settings
from mnd.temporal_client import connect

WEB_TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "web"


@dataclass(frozen=True)
class ApiContext:
    settings: Settings
    client: Client
    engine: Engine
    sessions: sessionmaker[Session]
    staff: StaffDirectory
    console: ConsoleAuth
    links: ApprovalLinks
    files: FileStore
    pages: Jinja2Templates


@asynccontextmanager
async def api_context(settings: Settings, client: Client | None) -> AsyncIterator[ApiContext]:
    """Connects Temporal (unless given a client) and opens the records database, then disposes."""
    temporal = client or await connect(settings)
    # Migrations and the first connection are blocking I/O: keep them off the event loop.
    engine = await asyncio.to_thread(open_database, settings.db_url, settings.db_auto_migrate)
    sessions = session_factory(engine)
    try:
        yield ApiContext(
            settings=settings,
            client=temporal,
            engine=engine,
            sessions=sessions,
            staff=StaffDirectory(sessions),
            console=ConsoleAuth(
                sessions,
                idle=timedelta(minutes=settings.console_session_idle_minutes),
                max_age=timedelta(hours=settings.console_session_max_hours),
            ),
            # The same secret and base URL as the worker's issuer, or no emailed link checks.
            links=ApprovalLinks(
                sessions,
                settings.secret_key,
                timedelta(hours=settings.approval_link_ttl_hours),
                settings.public_url,
            ),
            files=FileStore(sessions, LocalStorage(settings.upload_dir)),
            # The client's pages; Starlette's loader escapes HTML in `.html` templates.
            pages=Jinja2Templates(directory=WEB_TEMPLATES),
        )
    finally:
        engine.dispose()
