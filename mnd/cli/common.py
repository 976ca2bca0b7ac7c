"""What every sub-app shares: the records database from the settings, errors, dates."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import NoReturn

import typer
from alembic.util import CommandError
from pydantic import ValidationError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from mnd.db.engine import make_engine, session_factory, upgrade
from mnd.domain.clock import COLOMBIA
from mnd.settings import Settings, get_settings

# Colombia has kept UTC-5 without daylight saving since 1993; a fixed offset needs no tzdata.

# Exit codes of the staff commands beyond 1 (any other error): scripts branch on them.
EXIT_INVALID = 2  # invalid data or payload
EXIT_CONFLICT = 3  # wrong step, closed sale, or a sale id already opened
EXIT_ROLE = 4  # the signed-in member's roles do not allow it
EXIT_NOT_FOUND = 5  # unknown sale


def fail(message: str, code: int = 1) -> NoReturn:
    """Ends the command with one Spanish line on stderr and the exit code (1 unless given)."""
    typer.echo(message, err=True)
    raise typer.Exit(code)


def settings() -> Settings:
    """The settings from the environment; an invalid variable ends the command."""
    try:
        return get_settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        fail(f"Configuración no válida en MND_{field.upper()}: {first['msg']}")


@contextmanager
def records() -> Iterator[sessionmaker[Session]]:
    """Sessions on the records database; a database error ends the command in Spanish."""
    config = settings()
    url = config.db_url
    shown = make_url(url).render_as_string(hide_password=True)
    engine = make_engine(url)
    try:
        if config.db_auto_migrate:
            upgrade(url)
        yield session_factory(engine)
    except CommandError as exc:
        fail(f"No se pudo migrar la base de datos «{shown}»: {exc}")
    except SQLAlchemyError as exc:
        # The driver's own message (first line) says what went wrong without a traceback.
        detail = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        fail(f"No se pudo leer la base de datos «{shown}»: {detail}")
    finally:
        engine.dispose()


def local_time(value: datetime | None) -> str:
    """A timestamp in Colombian time, to the minute; "—" when there is none."""
    if value is None:
        return "—"
    # SQLite hands back naive datetimes; the records are always written in UTC.
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(COLOMBIA).strftime("%Y-%m-%d %H:%M")
