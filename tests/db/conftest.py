"""Real databases for the records tests: a SQLite file, and a fresh PostgreSQL schema per test.

PostgreSQL is skipped when unreachable, unless MND_REQUIRE_POSTGRES=1 (CI), where it fails
(tests/postgres.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from mnd.adapters.records_sql import SqlRecords
from mnd.db.engine import make_engine, session_factory, upgrade
from tests.postgres import fresh_schemas, schema_url

UrlFactory = Callable[[], str]


@pytest.fixture(params=["sqlite", "postgresql"])
def new_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[UrlFactory]:
    """Makes empty, isolated databases of one kind: SQLite files, or PostgreSQL schemas that
    are dropped after the test."""
    if request.param == "sqlite":
        yield lambda: f"sqlite:///{tmp_path / f'records-{uuid.uuid4().hex[:8]}.sqlite3'}"
        return
    with fresh_schemas() as make_schema:
        yield lambda: schema_url(make_schema())


@pytest.fixture
def db_url(new_db_url: UrlFactory) -> str:
    """An empty database (SQLite, then PostgreSQL)."""
    return new_db_url()


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """The database migrated to head."""
    upgrade(db_url)
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    return session_factory(engine)


@pytest.fixture
def records(sessions: sessionmaker[Session]) -> SqlRecords:
    return SqlRecords(sessions)
