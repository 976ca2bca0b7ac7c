"""Inputs and results of the activities: plain models the workflow can import safely."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

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
