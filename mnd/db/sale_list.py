"""The sales list of the staff tools: the current projection, filtered, latest activity first."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from mnd.db.dialect import utc
from mnd.db.models import Sale, SaleWait
from mnd.db.queries import SaleView


class SaleListFilter(BaseModel):
    """Every filter is optional; `q` looks into the sale id, client, document and consultant."""

    step: str | None = None
    waiting_on: str | None = None
    consultant_id: str | None = None
    plan_id: str | None = None
    status: str | None = None
    q: str | None = None
    # Overdue at this instant: the due date is before it.
    due_before: datetime | None = None
    limit: int = Field(default=50, ge=1, le=1000)
    offset: int = Field(default=0, ge=0)


def list_sales(session: Session, wanted: SaleListFilter) -> list[SaleView]:
    """The sales matching every given filter, most recently updated first."""
    sales = session.scalars(
        select(Sale)
        .where(*sale_conditions(wanted))
        .order_by(Sale.updated_at.desc(), Sale.sale_id)
        .limit(wanted.limit)
        .offset(wanted.offset)
    ).all()
    waits: dict[str, list[str]] = {sale.sale_id: [] for sale in sales}
    if waits:
        rows = session.execute(
            select(SaleWait.sale_id, SaleWait.role)
            .where(SaleWait.sale_id.in_(list(waits)))
            .order_by(SaleWait.sale_id, SaleWait.role)
        )
        for sale_id, role in rows:
            waits[sale_id].append(role)
    views = []
    for sale in sales:
        fields = {c.key: getattr(sale, c.key) for c in Sale.__table__.columns}
        for key in ("due_at", "min_until", "opened_at", "updated_at"):
            fields[key] = utc(fields[key])
        views.append(SaleView(waiting_on=waits[sale.sale_id], **fields))
    return views


def sale_conditions(wanted: SaleListFilter) -> list[ColumnElement[bool]]:
    """The filters as conditions on `Sale` (the inbox applies them too)."""
    exact = (
        (Sale.step, wanted.step),
        (Sale.consultant_id, wanted.consultant_id),
        (Sale.plan_id, wanted.plan_id),
        (Sale.status, wanted.status),
    )
    conditions: list[ColumnElement[bool]] = [c == v for c, v in exact if v is not None]
    if wanted.due_before is not None:
        conditions.append(Sale.due_at < wanted.due_before)
    if wanted.waiting_on is not None:
        waiting = select(SaleWait.sale_id).where(
            SaleWait.sale_id == Sale.sale_id, SaleWait.role == wanted.waiting_on
        )
        conditions.append(waiting.exists())
    if wanted.q:
        escaped = wanted.q.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        columns = (Sale.sale_id, Sale.client_name, Sale.client_document, Sale.consultant_name)
        matches: list[ColumnElement[bool]] = [c.ilike(pattern, escape="\\") for c in columns]
        digits = "".join(ch for ch in wanted.q if ch.isdigit())
        if digits and all(ch.isdigit() or ch in ".- " for ch in wanted.q):
            # A NIT is stored formatted (900.373.115-3); staff type it with or without dots.
            bare = func.replace(func.replace(Sale.client_document, ".", ""), "-", "")
            matches.append(bare.contains(digits))
        conditions.append(or_(*matches))
    return conditions
