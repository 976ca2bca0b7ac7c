"""The record and projection contract: where a sale stands, as the records keep it, and what
the records activities take (events in batches, the work order's inputs and result).

The workflow computes it (`project`) and sends it with the events that moved the sale; the records activity stores
it in the sale's row (`mnd/adapters/records_sql.py`), its waits and its OT; the read queries
give it back (`mnd/db/queries.py`). Committed histories hold it as JSON: fields may be added with
a default, never renamed or removed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from mnd.domain.sale import SaleState


class ClaimView(BaseModel):
    """The member who has the sale for an area (`take_sale`, `assign_sale`)."""

    id: str
    name: str


class SaleProjection(BaseModel):
    """Where the sale stands, copied on every event so the records can keep a current row."""

    sale_id: str
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
    work_order_status: str | None = None
    billing_start_date: date | None = None
    due_at: datetime | None
    min_until: datetime | None
    opened_at: datetime
    # Who has the sale per area, by role value, so an inbox shows who took each sale.
    claims: dict[str, ClaimView] = Field(default_factory=dict)


# Kept elsewhere than the sale's row: who it waits on (one `sale_waits` row per role) and the
# OT's status and billing date (its `work_orders` row).
_NOT_IN_ROW = frozenset({"waiting_on", "work_order_status", "billing_start_date"})
ROW_FIELDS: tuple[str, ...] = tuple(f for f in SaleProjection.model_fields if f not in _NOT_IN_ROW)


def project(s: SaleState) -> SaleProjection:
    """Where the sale stands, as the records keep it (a pure function of the state)."""
    return SaleProjection(
        sale_id=s.sale_id,
        status=s.status.value,
        step=s.step.value,
        waiting_on=[r.value for r in s.waiting_on],
        consultant_id=s.consultant.id,
        consultant_name=s.consultant.name,
        client_name=s.client.legal_name,
        client_document=s.client.document_number,
        plan_id=s.plan_id,
        crm_route=s.crm.route.value if s.crm else None,
        contract_number=s.contract_number,
        work_order_number=s.work_order.number if s.work_order else None,
        work_order_status=s.work_order.status.value if s.work_order else None,
        billing_start_date=s.work_order.billing_start_date if s.work_order else None,
        due_at=s.due_at,
        min_until=s.min_until,
        opened_at=s.opened_at,
        claims={
            role.value: ClaimView(id=member.id, name=member.name or member.id)
            for role, member in s.claims.items()
        },
    )


class RecordEventInput(BaseModel):
    event_id: str = Field(description="Idempotency key: `<sale id>:<sequence>`")
    sale_id: str
    sequence: int
    kind: str
    step: str
    at: datetime
    actor: str | None = None
    role: str | None = None
    via: str = "system"
    accepted: bool = True
    message: str = ""
    data: dict[str, Any] = Field(default_factory=dict)
    # None: the sale stands where the previous event of the same batch left it. Sales since the
    # `lean-records` change send a projection only when it changed within the batch (the first
    # event of a batch always has one); earlier histories carry one on every event. The records
    # accept both (`carry_projections`).
    projection: SaleProjection | None = None

    def projected(self) -> SaleProjection:
        """The event's projection, once carried (`carry_projections`)."""
        if self.projection is None:
            raise ValueError(f"event {self.event_id} has no projection: carry the batch's first")
        return self.projection


class RecordEventsInput(BaseModel):
    """The events queued since the last call, in order (one activity per batch, not per event)."""

    events: list[RecordEventInput]


def drop_repeated_projections(events: Sequence[RecordEventInput]) -> list[RecordEventInput]:
    """`events` (each with its projection) as sent: a projection equal to the one of the
    previous event of the same sale is left out (about half a kilobyte of history per event;
    most events do not move the sale)."""
    sent: list[RecordEventInput] = []
    last: dict[str, SaleProjection | None] = {}
    for event in events:
        repeated = event.sale_id in last and event.projection == last[event.sale_id]
        last[event.sale_id] = event.projection
        sent.append(event.model_copy(update={"projection": None}) if repeated else event)
    return sent


def carry_projections(events: Sequence[RecordEventInput]) -> list[RecordEventInput]:
    """`events` as sent, each with its projection: one left out is that of the previous event
    of the same sale in the batch.

    Raises ValueError when a sale's first event in the batch has none (the workflow never sends
    such a batch). Works on the batch as sent, before any event is skipped as already stored,
    so a retried or overlapping batch resolves each event to the same projection."""
    carried: list[RecordEventInput] = []
    last: dict[str, SaleProjection] = {}
    for event in events:
        if event.projection is None:
            if event.sale_id not in last:
                event.projected()  # raises: nothing to carry
            event = event.model_copy(update={"projection": last[event.sale_id]})
        last[event.sale_id] = event.projected()
        carried.append(event)
    return carried


class IssueWorkOrderInput(BaseModel):
    sale_id: str
    contract_number: str | None
    issued_at: datetime


class WorkOrderResult(BaseModel):
    number: str
    sale_id: str
    status: str


class VoidWorkOrderInput(BaseModel):
    sale_id: str
    number: str
    reason: str
