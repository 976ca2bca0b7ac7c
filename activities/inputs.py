"""Inputs and results of the activities: plain models the workflow can import safely."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

# Re-exported (`X as X`): the contract itself lives in mnd/domain/projection.py.
from mnd.domain.projection import SaleProjection as SaleProjection
from mnd.domain.roles import Role


class Recipient(BaseModel):
    """A role's mailbox (resolved by the activity from its directory) or a given address."""

    role: Role
    email: str | None = None


class SendEmailInput(BaseModel):
    message_id: str = Field(description="Idempotency key: the same id is delivered once")
    sale_id: str
    template: str
    to: list[Recipient]
    reply_to: list[Recipient] = Field(default_factory=list)
    context: dict[str, Any] = Field(default_factory=dict)


class EmailResult(BaseModel):
    message_id: str
    status: str
    recipients: list[str]
    subject: str


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
    # `lean-history` patch send a projection only when it changed within the batch (the first
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
