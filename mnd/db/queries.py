"""Read queries of the records for the CLI and the API: inboxes, a sale, its audit trail."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from mnd.db.dialect import utc
from mnd.db.models import Sale, SaleWait, StepEvent
from mnd.domain.projection import ClaimView


class InboxItem(BaseModel):
    """A sale waiting on a role."""

    sale_id: str
    role: str
    step: str
    status: str
    client_name: str
    client_document: str = ""
    consultant_id: str
    consultant_name: str
    plan_id: str
    since: datetime
    due_at: datetime | None
    overdue: bool
    # Who has the sale per area (role value → member): the inbox says who took it.
    claims: dict[str, ClaimView] = Field(default_factory=dict)


class SaleView(BaseModel):
    """The sale's current row and who it waits on."""

    sale_id: str
    workflow_id: str
    status: str
    step: str
    waiting_on: list[str]
    consultant_id: str
    consultant_name: str
    client_name: str
    client_document: str
    plan_id: str
    crm_route: str | None
    contract_number: str | None
    work_order_number: str | None
    due_at: datetime | None
    min_until: datetime | None
    opened_at: datetime
    updated_at: datetime
    last_sequence: int
    claims: dict[str, ClaimView] = Field(default_factory=dict)


class EventView(BaseModel):
    """One entry of the audit trail."""

    event_id: str
    sale_id: str
    sequence: int
    kind: str
    step: str
    at: datetime
    actor: str | None
    role: str | None
    via: str
    accepted: bool
    message: str
    data: dict[str, Any]


def inbox(
    session: Session,
    role: str,
    limit: int,
    now: datetime,
    consultant_id: str | None = None,
    conditions: Sequence[ColumnElement[bool]] = (),
) -> list[InboxItem]:
    """Sales waiting on `role`, longest-waiting first (the (role, since) index serves it);
    `consultant_id` keeps only that consultant's sales and `conditions` (on `Sale`) filter
    further, both before the limit applies."""
    query = (
        select(SaleWait.role, SaleWait.since, SaleWait.due_at, Sale)
        .join(Sale, Sale.sale_id == SaleWait.sale_id)
        .where(SaleWait.role == role)
    )
    if consultant_id is not None:
        query = query.where(Sale.consultant_id == consultant_id)
    if conditions:
        query = query.where(*conditions)
    rows = session.execute(query.order_by(SaleWait.since, SaleWait.sale_id).limit(limit)).all()
    now = utc(now)
    items = []
    for wait_role, since, due_at, sale in rows:
        due = utc(due_at)
        items.append(
            InboxItem(
                sale_id=sale.sale_id,
                role=wait_role,
                step=sale.step,
                status=sale.status,
                client_name=sale.client_name,
                client_document=sale.client_document,
                consultant_id=sale.consultant_id,
                consultant_name=sale.consultant_name,
                plan_id=sale.plan_id,
                since=utc(since),
                due_at=due,
                overdue=due is not None and due < now,
                claims=sale.claims or {},
            )
        )
    return items


def get_sale(session: Session, sale_id: str) -> SaleView | None:
    """The sale's row, or None when no event of it was recorded."""
    sale = session.get(Sale, sale_id)
    if sale is None:
        return None
    roles = session.scalars(
        select(SaleWait.role).where(SaleWait.sale_id == sale_id).order_by(SaleWait.role)
    ).all()
    fields = {c.key: getattr(sale, c.key) for c in Sale.__table__.columns}
    for key in ("due_at", "min_until", "opened_at", "updated_at"):
        fields[key] = utc(fields[key])
    return SaleView(waiting_on=list(roles), **fields)


def events(session: Session, sale_id: str) -> list[EventView]:
    """The sale's events in sequence order."""
    rows = session.scalars(
        select(StepEvent).where(StepEvent.sale_id == sale_id).order_by(StepEvent.sequence)
    ).all()
    return [
        EventView.model_validate(
            {c.key: getattr(row, c.key) for c in StepEvent.__table__.columns if c.key != "id"}
            | {"at": utc(row.at)}
        )
        for row in rows
    ]
