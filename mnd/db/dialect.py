"""What differs between the two supported databases: upsert syntax and time zones."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, overload

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

Insert = postgresql.Insert | sqlite.Insert


def insert(session: Session, model: Any) -> Insert:
    """An INSERT that supports ON CONFLICT on the session's database (PostgreSQL or SQLite)."""
    return dialect_insert(session.get_bind().dialect.name, model)


def dialect_insert(name: str, table: Any) -> Insert:
    """An INSERT that supports ON CONFLICT on the database named `name` (`dialect.name`)."""
    if name == "postgresql":
        return postgresql.insert(table)
    if name == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"records database not supported: {name}")


@overload
def utc(value: datetime) -> datetime: ...
@overload
def utc(value: None) -> None: ...
def utc(value: datetime | None) -> datetime | None:
    """The instant in UTC, aware. Written values: SQLite stores the wall clock and drops the
    offset, so everything goes in as UTC. Read values: SQLite returns them naive (they are UTC)."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
