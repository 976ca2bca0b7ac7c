"""Fixtures of the mail tests: a real SMTP server, and outbox databases on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.mail.databases import postgres_sessions, sqlite_sessions
from tests.mail.smtp_server import SmtpServer, running_server, self_signed_certificate


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A plain SMTP server that accepts everything unless its handler is told otherwise."""
    with running_server() as server:
        yield server


@pytest.fixture(scope="session")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed (cert, key) for 127.0.0.1."""
    return self_signed_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture(params=["sqlite", "postgresql"])
def sessions(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    """Sessions on an empty records database: each test runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        yield from sqlite_sessions(tmp_path / "mnd.sqlite3")
    else:
        yield from postgres_sessions()
