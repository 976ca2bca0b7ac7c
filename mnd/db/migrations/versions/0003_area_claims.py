"""Who has each sale per area (`take_sale`, `assign_sale`): the sales row's `claims`.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # NOT NULL with a default: the rows already there (sales nobody took) get an empty object,
    # which SQLite accepts on ADD COLUMN and PostgreSQL fills without a second statement.
    op.add_column(
        "sales",
        sa.Column("claims", sa.JSON(), server_default=sa.text("'{}'"), nullable=False),
    )


def downgrade() -> None:
    op.drop_column("sales", "claims")
