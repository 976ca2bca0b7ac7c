"""Real databases for the records tests: a SQLite file, and a fresh PostgreSQL schema per test.

PostgreSQL is skipped when unreachable, unless MND_REQUIRE_POSTGRES=1 (CI), where it fails.
MND_TEST_POSTGRES_URL points elsewhere than the local default.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from mnd.adapters.records_sql import SqlRecords
from mnd.db.engine import make_engine, session_factory, upgrade

POSTGRES_URL = os.environ.get(
    "MND_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
UrlFactory = Callable[[], str]


@pytest.fixture(scope="session")
def postgres_admin() -> Iterator[Engine]:
    """An engine on the test database, or a skip (a failure when PostgreSQL is required)."""
    engine = make_engine(POSTGRES_URL)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:  # any failure to connect means "not available here"
        engine.dispose()
        message = f"PostgreSQL not reachable at {POSTGRES_URL}: {exc}"
        if os.environ.get("MND_REQUIRE_POSTGRES") == "1":
            pytest.fail(message)
        pytest.skip(message)
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def new_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[UrlFactory]:
    """Makes empty, isolated databases of one kind: SQLite files, or PostgreSQL schemas that
    are dropped after the test (the URL's search_path points at the schema)."""
    schemas: list[str] = []
    admin: Engine | None = None
    if request.param == "postgresql":
        admin = request.getfixturevalue("postgres_admin")

    def make() -> str:
        if admin is None:
            return f"sqlite:///{tmp_path / f'records-{uuid.uuid4().hex[:8]}.sqlite3'}"
        schema = f"t_{uuid.uuid4().hex[:12]}"
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        schemas.append(schema)
        return f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"

    yield make
    if admin is not None:
        with admin.begin() as connection:
            for schema in schemas:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


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
