"""Inputs and results of the activities: plain models the workflow can import safely."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

# Re-exported (`X as X`): the record contract itself (what the records activities take and
# the adapters store) lives in mnd/domain/projection.py, which both import.
from mnd.domain.projection import IssueWorkOrderInput as IssueWorkOrderInput
from mnd.domain.projection import RecordEventInput as RecordEventInput
from mnd.domain.projection import RecordEventsInput as RecordEventsInput
from mnd.domain.projection import SaleProjection as SaleProjection
from mnd.domain.projection import VoidWorkOrderInput as VoidWorkOrderInput
from mnd.domain.projection import WorkOrderResult as WorkOrderResult
from mnd.domain.projection import carry_projections as carry_projections
from mnd.domain.projection import drop_repeated_projections as drop_repeated_projections
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
