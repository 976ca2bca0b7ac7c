"""The test PostgreSQL: whether it is reachable, and throw-away schemas on it.

Every test that needs it is skipped when it is unreachable, unless MND_REQUIRE_POSTGRES=1 (CI),
where it fails instead. MND_TEST_POSTGRES_URL points elsewhere than the local default. A schema
per test (the URL's search_path points at it) keeps tests from seeing each other's rows, and
dropping it cleans up.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache

import pytest
from sqlalchemy import text

from mnd.db.engine import make_engine

POSTGRES_URL = os.environ.get(
    "MND_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@cache
def postgres_problem() -> str | None:
    """Why the test PostgreSQL cannot be used, or None (asked once per test run)."""
    engine = make_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
    try:
        with engine.connect():
            return None
    except Exception as exc:  # any failure to connect means "not reachable here"
        return f"{type(exc).__name__}: {exc}".splitlines()[0]
    finally:
        engine.dispose()


def require_postgres() -> None:
    """Skips the test when PostgreSQL is unreachable, or fails it when it is required."""
    problem = postgres_problem()
    if problem is None:
        return
    if os.environ.get("MND_REQUIRE_POSTGRES") == "1":
        pytest.fail(f"PostgreSQL required but not reachable at {POSTGRES_URL}: {problem}")
    pytest.skip(f"PostgreSQL not reachable at {POSTGRES_URL}: {problem}")


def schema_url(schema: str, base: str = POSTGRES_URL) -> str:
    """`base` (the test database, or a proxy in front of it) with `schema` as search_path."""
    return f"{base}?options=-csearch_path%3D{schema}"


@contextmanager
def fresh_schemas() -> Iterator[Callable[[], str]]:
    """Makes new empty schemas (after `require_postgres`); all are dropped at the end."""
    require_postgres()
    admin = make_engine(POSTGRES_URL)
    made: list[str] = []

    def make() -> str:
        schema = f"t_{uuid.uuid4().hex[:12]}"
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        made.append(schema)
        return schema

    try:
        yield make
    finally:
        with admin.begin() as connection:
            for schema in made:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@contextmanager
def fresh_schema() -> Iterator[str]:
    """One new empty schema, dropped at the end."""
    with fresh_schemas() as make:
        yield make()
