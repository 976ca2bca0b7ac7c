"""Inputs and results of the activities: plain models the workflow can import safely."""

from __future__ import annotations

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
    projection: SaleProjection


class RecordEventsInput(BaseModel):
    """The events queued since the last call, in order (one activity per batch, not per event)."""

    events: list[RecordEventInput]


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
