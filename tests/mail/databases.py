"""Records databases for the tests: a SQLite file, or a fresh PostgreSQL schema, both migrated."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from mnd.db.engine import make_engine, session_factory, upgrade
from tests.postgres import fresh_schema, schema_url


def postgres_sessions() -> Iterator[sessionmaker[Session]]:
    """Sessions on a fresh schema of the test PostgreSQL, migrated by the app's own Alembic
    scripts; skips (or fails) when unreachable."""
    with fresh_schema() as schema:
        url = schema_url(schema)
        upgrade(url)
        engine = make_engine(url)
        try:
            yield session_factory(engine)
        finally:
            engine.dispose()


def sqlite_sessions(path: Path) -> Iterator[sessionmaker[Session]]:
    """Sessions on a new SQLite file, migrated to the newest schema."""
    url = f"sqlite:///{path}"
    upgrade(url)
    engine = make_engine(url)
    try:
        yield session_factory(engine)
    finally:
        engine.dispose()
