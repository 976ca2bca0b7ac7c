"""The one migration builds exactly the schema of the models, on SQLite and on PostgreSQL."""

from __future__ import annotations

from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, Engine, inspect

from mnd.db.engine import alembic_config, make_engine
from mnd.db.models import Base
from tests.db.conftest import UrlFactory


def _schema(connection: Connection) -> dict[str, Any]:
    """Tables, columns, keys and indexes as the database reports them (names included)."""
    inspector = inspect(connection)
    snapshot: dict[str, Any] = {}
    for table in sorted(inspector.get_table_names()):
        if table == "alembic_version":
            continue
        snapshot[table] = {
            "columns": [
                (
                    c["name"],
                    str(c["type"]),
                    getattr(c["type"], "timezone", None),
                    c["nullable"],
                    c.get("autoincrement"),
                )
                for c in inspector.get_columns(table)
            ],
            "pk": inspector.get_pk_constraint(table)["constrained_columns"],
            "fks": sorted(
                (tuple(fk["constrained_columns"]), fk["referred_table"], str(fk["options"]))
                for fk in inspector.get_foreign_keys(table)
            ),
            "uniques": sorted(
                (str(u["name"]), tuple(u["column_names"]))
                for u in inspector.get_unique_constraints(table)
            ),
            "indexes": sorted(
                (str(i["name"]), tuple(map(str, i["column_names"])), bool(i["unique"]))
                for i in inspector.get_indexes(table)
            ),
        }
    return snapshot


def test_upgrade_matches_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []


def test_upgrade_builds_what_create_all_builds(engine: Engine, new_db_url: UrlFactory) -> None:
    reference = make_engine(new_db_url())
    try:
        Base.metadata.create_all(reference)
        with reference.connect() as expected, engine.connect() as migrated:
            assert _schema(migrated) == _schema(expected)
    finally:
        reference.dispose()


def test_downgrade_removes_everything(db_url: str) -> None:
    config = alembic_config(db_url)
    command.upgrade(config, "head")
    command.downgrade(config, "base")
    engine = make_engine(db_url)
    try:
        with engine.connect() as connection:
            assert set(inspect(connection).get_table_names()) == {"alembic_version"}
        command.upgrade(config, "head")  # and back up again
    finally:
        engine.dispose()
