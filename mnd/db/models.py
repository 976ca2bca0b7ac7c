"""SQLAlchemy 2 models of the records. The workflow is the source of truth; these rows are the
durable record the areas and reports read, and the outbox of every message."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from mnd.domain.fields import CONTRACT_NUMBER_MAX, FILE_NAME_MAX, LEGAL_NAME_MAX

# BigInteger ids that SQLite still autoincrements (it only does so for INTEGER PRIMARY KEY).
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    type_annotation_map = {datetime: DateTime(timezone=True), dict[str, Any]: JSON}


class Sale(Base):
    """The current projection of a sale: where it stands now."""

    __tablename__ = "sales"

    sale_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    workflow_id: Mapped[str] = mapped_column(String(80), unique=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    step: Mapped[str] = mapped_column(String(32), index=True)
    consultant_id: Mapped[str] = mapped_column(String(64), index=True)
    consultant_name: Mapped[str] = mapped_column(String(200))
    client_name: Mapped[str] = mapped_column(String(LEGAL_NAME_MAX))
    client_document: Mapped[str] = mapped_column(String(32), index=True)
    plan_id: Mapped[str] = mapped_column(String(64), index=True)
    crm_route: Mapped[str | None] = mapped_column(String(32))
    contract_number: Mapped[str | None] = mapped_column(String(CONTRACT_NUMBER_MAX))
    work_order_number: Mapped[str | None] = mapped_column(String(32))
    due_at: Mapped[datetime | None]
    min_until: Mapped[datetime | None]
    opened_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    # The sequence of the newest event applied: an older event retried late never rolls back.
    last_sequence: Mapped[int] = mapped_column(Integer, default=0)
    # Who has the sale per area: {role: {"id", "name"}} (`SaleProjection.claims`). The server
    # default fills the rows written before the column existed.
    claims: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, server_default=text("'{}'"))


class SaleWait(Base):
    """Who the sale waits on now, one row per role: the inbox query reads this index."""

    __tablename__ = "sale_waits"

    sale_id: Mapped[str] = mapped_column(
        ForeignKey("sales.sale_id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(32), primary_key=True)
    since: Mapped[datetime]
    due_at: Mapped[datetime | None]

    __table_args__ = (Index("ix_sale_waits_role_since", "role", "since"),)


class StepEvent(Base):
    """The audit trail: who did what, when, with what payload summary; refusals too."""

    __tablename__ = "step_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(100), unique=True)
    sale_id: Mapped[str] = mapped_column(ForeignKey("sales.sale_id", ondelete="CASCADE"))
    sequence: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))
    step: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime]
    actor: Mapped[str | None] = mapped_column(String(64))
    role: Mapped[str | None] = mapped_column(String(32))
    via: Mapped[str] = mapped_column(String(16))
    accepted: Mapped[bool] = mapped_column(Boolean)
    message: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    __table_args__ = (
        UniqueConstraint("sale_id", "sequence", name="uq_step_events_sale_sequence"),
        Index("ix_step_events_kind_step_at", "kind", "step", "at"),
    )


class Document(Base):
    """A submitted document's metadata; the bytes are in the storage adapter."""

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    sale_id: Mapped[str] = mapped_column(
        ForeignKey("sales.sale_id", ondelete="CASCADE"), index=True
    )
    round: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))
    file_name: Mapped[str] = mapped_column(String(FILE_NAME_MAX))
    content_type: Mapped[str] = mapped_column(String(100))
    issued_on: Mapped[date | None] = mapped_column(Date)
    size_bytes: Mapped[int | None] = mapped_column(BigInteger)
    sha256: Mapped[str | None] = mapped_column(String(64))
    storage_ref: Mapped[str | None] = mapped_column(String(500))
    submitted_at: Mapped[datetime]

    __table_args__ = (
        UniqueConstraint("sale_id", "round", "kind", "file_name", name="uq_documents_round_file"),
    )


class WorkOrder(Base):
    """The OT. Its number comes from this table's own id sequence: OT-<year>-<id, 6 digits>."""

    __tablename__ = "work_orders"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    number: Mapped[str | None] = mapped_column(String(32), unique=True)
    sale_id: Mapped[str] = mapped_column(String(64), unique=True)
    contract_number: Mapped[str | None] = mapped_column(String(CONTRACT_NUMBER_MAX))
    status: Mapped[str] = mapped_column(String(16))
    issued_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    billing_start_date: Mapped[date | None] = mapped_column(Date)
    voided_at: Mapped[datetime | None]
    void_reason: Mapped[str | None] = mapped_column(Text)


class Message(Base):
    """The outbox: every notification, rendered, with its delivery status."""

    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    message_id: Mapped[str] = mapped_column(String(160), unique=True)
    sale_id: Mapped[str] = mapped_column(String(64), index=True)
    template: Mapped[str] = mapped_column(String(64))
    recipients: Mapped[list[str]] = mapped_column(JSON)
    reply_to: Mapped[list[str]] = mapped_column(JSON, default=list)
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    # stored (no SMTP configured), sending, sent, failed (permanent 5xx).
    status: Mapped[str] = mapped_column(String(16), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]


class StaffMember(Base):
    """A person who acts on sales, in one or more roles (PROCESS.md, "Roles")."""

    __tablename__ = "staff"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    roles: Mapped[list[str]] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]
    # Argon2 hash of the console password; None: the member signs in with no password (tokens only).
    password_hash: Mapped[str | None] = mapped_column(String(200), default=None)


class ApiToken(Base):
    """A personal API token, stored as its SHA-256: a leaked table leaks no usable token."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    staff_id: Mapped[str] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class ApprovalLink(Base):
    """A client's single-use approval link (step 10); the signed token carries its nonce."""

    __tablename__ = "approval_links"

    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    sale_id: Mapped[str] = mapped_column(String(64), index=True)
    delivery_round: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(32))


class StoredFile(Base):
    """An uploaded document or image; the bytes are in the storage adapter under `storage_ref`."""

    __tablename__ = "stored_files"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    file_name: Mapped[str] = mapped_column(String(FILE_NAME_MAX))
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    storage_ref: Mapped[str] = mapped_column(String(500))
    uploaded_by: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime]


class ConsoleSession(Base):
    """A signed-in console session; the cookie holds the token, the table only its SHA-256."""

    __tablename__ = "console_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    staff_id: Mapped[str] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]


class SignInFailure(Base):
    """A failed console sign-in, counted per login to throttle guessing."""

    __tablename__ = "sign_in_failures"
    __table_args__ = (Index("ix_sign_in_failures_login_at", "login", "at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    login: Mapped[str] = mapped_column(String(254))
    at: Mapped[datetime]
