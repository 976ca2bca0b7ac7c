"""Records databases for the tests: a SQLite file, or a fresh PostgreSQL schema, both migrated."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from mnd.db.engine import make_engine, session_factory, upgrade

POSTGRES_URL = os.environ.get(
    "MND_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@cache
def _postgres_problem() -> str | None:
    engine = make_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
    try:
        with engine.connect():
            return None
    except Exception as exc:  # any failure to connect means "not reachable here"
        return f"{type(exc).__name__}: {exc}".splitlines()[0]
    finally:
        engine.dispose()


def postgres_sessions() -> Iterator[sessionmaker[Session]]:
    """Sessions on a fresh schema of the test PostgreSQL; skips (or fails) when unreachable."""
    problem = _postgres_problem()
    if problem is not None:
        if os.environ.get("MND_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL required but not reachable at {POSTGRES_URL}: {problem}")
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_URL}: {problem}")
    # A fresh schema per test, migrated by the app's own Alembic scripts: tests never see
    # each other's rows, and dropping the schema cleans up.
    schema = f"mail_{uuid.uuid4().hex[:12]}"
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    upgrade(url)
    engine = make_engine(url)
    try:
        yield session_factory(engine)
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def sqlite_sessions(path: Path) -> Iterator[sessionmaker[Session]]:
    """Sessions on a new SQLite file, migrated to the newest schema."""
    url = f"sqlite:///{path}"
    upgrade(url)
    engine = make_engine(url)
    try:
        yield session_factory(engine)
    finally:
        engine.dispose()
