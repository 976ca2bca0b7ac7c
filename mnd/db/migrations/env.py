"""Alembic environment of the records database: the URL comes from the caller or MND_DATABASE_URL."""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context

from mnd.db.engine import make_engine
from mnd.db.models import Base
from mnd.settings import get_settings

config = context.config
# Only the `alembic` command line has an ini file; in-process upgrades keep the app's logging.
if config.config_file_name is not None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def _url() -> str:
    """`upgrade(url)` passes the URL as an attribute; the command line reads the settings."""
    url = config.attributes.get("url")
    return str(url) if url else get_settings().db_url


def _options(url: str) -> dict[str, object]:
    # SQLite cannot alter most columns in place; batch mode copies the table instead.
    return {
        "target_metadata": Base.metadata,
        "render_as_batch": url.startswith("sqlite"),
        "compare_type": True,
    }


def run_offline() -> None:
    """`alembic upgrade head --sql`: the DDL as a script, for a DBA to review and apply."""
    url = _url()
    context.configure(url=url, literal_binds=True, **_options(url))  # type: ignore[arg-type]
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    url = _url()
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            context.configure(connection=connection, **_options(url))  # type: ignore[arg-type]
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
