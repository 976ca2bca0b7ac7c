"""Engines, sessions and migrations of the records database; built on demand, never at import."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).with_name("migrations")
# Long enough for a burst of worker threads and processes to take turns writing.
SQLITE_BUSY_TIMEOUT_MS = 30_000
_READ_ONLY = "mnd_read_only"


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for `url`: SQLite tuned for several writers, PostgreSQL with stale-link checks."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:" and not database.startswith("file:"):
            # The default file lives under MND_DATA_DIR, which a fresh checkout lacks.
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, **kwargs)
        _tune_sqlite(engine)
        return engine
    # A worker idles for hours between sales; a dropped connection must not fail an activity.
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _tune_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # The driver's own transaction handling would defer BEGIN past our pragmas and reads;
        # switching it off lets the "begin" hook below issue BEGIN IMMEDIATE itself.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        # WAL lets readers (inbox, reports) run while a worker writes.
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A deferred transaction that reads and then writes cannot wait for a concurrent writer
        # (SQLite answers "database is locked" at once); IMMEDIATE takes the write lock up front,
        # so writers queue on busy_timeout instead of failing. Read-only sessions skip the lock,
        # so a long report never holds the workers back.
        read_only = connection.get_execution_options().get(_READ_ONLY)
        connection.exec_driver_sql("BEGIN DEFERRED" if read_only else "BEGIN IMMEDIATE")


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded values after commit, so results can be read once committed."""
    return sessionmaker(engine, expire_on_commit=False)


def read_session(sessions: sessionmaker[Session]) -> Session:
    """A session for queries only (inboxes, reports): it never takes SQLite's write lock."""
    session = sessions()
    session.connection(execution_options={_READ_ONLY: True})
    return session


def alembic_config(url: str | None = None) -> Config:
    """An Alembic config pointing at the migrations shipped in the package, from any cwd."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if url is not None:
        # Passed as an attribute, not an ini option: configparser would read the '%' of an
        # escaped password or `options=-csearch_path%3D...` as interpolation.
        config.attributes["url"] = url
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Runs `alembic upgrade head` on `url`."""
    command.upgrade(alembic_config(url), revision)


def open_database(url: str, migrate: bool) -> Engine:
    """The engine of the records, after `alembic upgrade head` when `migrate` is set."""
    if migrate:
        upgrade(url)
    return make_engine(url)
