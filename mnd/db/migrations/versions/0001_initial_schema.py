"""Initial schema: sales, sale_waits, step_events, documents, work_orders, messages.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# BIGINT ids on PostgreSQL; SQLite only autoincrements an INTEGER PRIMARY KEY.
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TIMESTAMP = sa.DateTime(timezone=True)


def _id() -> sa.Column[int]:
    return sa.Column("id", BIG_ID, autoincrement=True, nullable=False)


def _sale_fk() -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["sale_id"], ["sales.sale_id"], ondelete="CASCADE")


def upgrade() -> None:
    op.create_table(
        "sales",
        sa.Column("sale_id", sa.String(64), nullable=False),
        sa.Column("workflow_id", sa.String(80), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("step", sa.String(32), nullable=False),
        sa.Column("consultant_id", sa.String(64), nullable=False),
        sa.Column("consultant_name", sa.String(200), nullable=False),
        sa.Column("client_name", sa.String(300), nullable=False),
        sa.Column("client_document", sa.String(32), nullable=False),
        sa.Column("plan_id", sa.String(64), nullable=False),
        sa.Column("crm_route", sa.String(32), nullable=True),
        sa.Column("contract_number", sa.String(64), nullable=True),
        sa.Column("work_order_number", sa.String(32), nullable=True),
        sa.Column("due_at", TIMESTAMP, nullable=True),
        sa.Column("min_until", TIMESTAMP, nullable=True),
        sa.Column("opened_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.Column("last_sequence", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("sale_id"),
        sa.UniqueConstraint("workflow_id"),
    )
    for column in ("client_document", "consultant_id", "plan_id", "status", "step"):
        op.create_index(f"ix_sales_{column}", "sales", [column])

    op.create_table(
        "sale_waits",
        sa.Column("sale_id", sa.String(64), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("since", TIMESTAMP, nullable=False),
        sa.Column("due_at", TIMESTAMP, nullable=True),
        _sale_fk(),
        sa.PrimaryKeyConstraint("sale_id", "role"),
    )
    op.create_index("ix_sale_waits_role_since", "sale_waits", ["role", "since"])

    op.create_table(
        "step_events",
        _id(),
        sa.Column("event_id", sa.String(100), nullable=False),
        sa.Column("sale_id", sa.String(64), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("step", sa.String(32), nullable=False),
        sa.Column("at", TIMESTAMP, nullable=False),
        sa.Column("actor", sa.String(64), nullable=True),
        sa.Column("role", sa.String(32), nullable=True),
        sa.Column("via", sa.String(16), nullable=False),
        sa.Column("accepted", sa.Boolean(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        _sale_fk(),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id"),
        sa.UniqueConstraint("sale_id", "sequence", name="uq_step_events_sale_sequence"),
    )
    op.create_index("ix_step_events_kind_step_at", "step_events", ["kind", "step", "at"])

    op.create_table(
        "documents",
        _id(),
        sa.Column("sale_id", sa.String(64), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("file_name", sa.String(300), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=True),
        sa.Column("size_bytes", sa.BigInteger(), nullable=True),
        sa.Column("sha256", sa.String(64), nullable=True),
        sa.Column("storage_ref", sa.String(500), nullable=True),
        sa.Column("submitted_at", TIMESTAMP, nullable=False),
        _sale_fk(),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "sale_id", "round", "kind", "file_name", name="uq_documents_round_file"
        ),
    )
    op.create_index("ix_documents_sale_id", "documents", ["sale_id"])

    op.create_table(
        "work_orders",
        _id(),
        sa.Column("number", sa.String(32), nullable=True),
        sa.Column("sale_id", sa.String(64), nullable=False),
        sa.Column("contract_number", sa.String(64), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("issued_at", TIMESTAMP, nullable=False),
        sa.Column("closed_at", TIMESTAMP, nullable=True),
        sa.Column("billing_start_date", sa.Date(), nullable=True),
        sa.Column("voided_at", TIMESTAMP, nullable=True),
        sa.Column("void_reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
        sa.UniqueConstraint("sale_id"),
    )

    op.create_table(
        "messages",
        _id(),
        sa.Column("message_id", sa.String(160), nullable=False),
        sa.Column("sale_id", sa.String(64), nullable=False),
        sa.Column("template", sa.String(64), nullable=False),
        sa.Column("recipients", sa.JSON(), nullable=False),
        sa.Column("reply_to", sa.JSON(), nullable=False),
        sa.Column("subject", sa.String(300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("sent_at", TIMESTAMP, nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("message_id"),
    )
    op.create_index("ix_messages_sale_id", "messages", ["sale_id"])
    op.create_index("ix_messages_status", "messages", ["status"])


def downgrade() -> None:
    # Children first; dropping a table drops its indexes.
    for table in ("messages", "work_orders", "documents", "step_events", "sale_waits", "sales"):
        op.drop_table(table)
