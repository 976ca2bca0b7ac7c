"""The sale: what opens it, everything recorded on it, and the summary it closes with."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from mnd.domain.calls import CallReport, call_succeeded
from mnd.domain.catalog import DEFAULT_CATALOG, Catalog
from mnd.domain.content import ContentPackage
from mnd.domain.documents import DocumentRejection, DocumentSet
from mnd.domain.parties import Actor, Client, ClientEntry, Consultant
from mnd.domain.profile import ProcessProfile
from mnd.domain.roles import Role
from mnd.domain.steps import StepId

SALE_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{2,63}$")


def workflow_id_for(sale_id: str) -> str:
    return f"sale-{sale_id}"


class OpenSaleInput(BaseModel):
    """Step 1: what the consultant records when the sale opens."""

    model_config = ConfigDict(extra="forbid")

    sale_id: str
    consultant: Consultant
    client: Client
    plan_id: str
    profile: ProcessProfile = Field(default_factory=ProcessProfile)
    catalog: Catalog = Field(default_factory=lambda: DEFAULT_CATALOG.model_copy(deep=True))

    @field_validator("sale_id")
    @classmethod
    def _sale_id(cls, value: str) -> str:
        if not SALE_ID_PATTERN.match(value):
            raise ValueError(
                f"identificador de venta no válido: «{value}» (3 a 64 letras, dígitos, - o _)"
            )
        return value


class NewSaleInput(OpenSaleInput):
    """A sale as an entry point opens it (CLI, starter): the opening with the entry limits."""

    client: ClientEntry


class SaleStatus(StrEnum):
    OPEN = "open"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    # Never set by the workflow: its run was terminated or timed out from Temporal, outside
    # the sale's own path; the records and the reads say so (mnd/reconcile.py).
    TERMINATED = "terminated"

    @property
    def label_es(self) -> str:
        return _STATUS_ES[self]


_STATUS_ES = {
    SaleStatus.OPEN: "abierta",
    SaleStatus.COMPLETED: "completada",
    SaleStatus.CANCELLED: "cancelada",
    SaleStatus.TERMINATED: "terminada desde Temporal",
}


class CrmRoute(StrEnum):
    ONYX = "onyx"
    RR = "rr"
    CREATE_IN_ONYX = "create_in_onyx"


class CrmResult(BaseModel):
    in_onyx: bool
    in_rr: bool
    route: CrmRoute
    reason: str
    recorded_at: datetime
    onyx_id: str | None = None
    onyx_confirmed_at: datetime | None = None


class ValidationRound(BaseModel):
    number: int
    started_at: datetime
    min_until: datetime
    approved: bool | None = None
    rejections: list[DocumentRejection] = Field(default_factory=list)
    decided_at: datetime | None = None
    decided_by: str | None = None


class WorkOrderStatus(StrEnum):
    ISSUED = "issued"
    CLOSED = "closed"
    VOIDED = "voided"


class WorkOrder(BaseModel):
    number: str
    issued_at: datetime
    status: WorkOrderStatus = WorkOrderStatus.ISSUED
    billing_start_date: date | None = None
    closed_at: datetime | None = None


class PieceDelivery(BaseModel):
    round: int
    product_url: str
    delivery_piece_url: str
    support_channels_piece_url: str
    delivered_at: datetime


class Correction(BaseModel):
    round: int
    comments: str
    requested_by: str
    requested_at: datetime


class CallRecord(BaseModel):
    attempt: int
    at: datetime
    by: str
    call: CallReport

    @property
    def failed_applications(self) -> list[str]:
        return self.call.failed_applications


class StepRecord(BaseModel):
    step: StepId
    round: int = 1
    started_at: datetime
    ended_at: datetime | None = None
    due_at: datetime | None = None
    min_until: datetime | None = None
    actors: list[str] = Field(default_factory=list)

    @property
    def duration(self) -> timedelta | None:
        return None if self.ended_at is None else self.ended_at - self.started_at

    @property
    def sla_breached(self) -> bool:
        end = self.ended_at
        return self.due_at is not None and end is not None and end > self.due_at


class LogEntry(BaseModel):
    at: datetime
    action: str
    actor: str | None = None
    role: Role | None = None
    via: str = "update"
    accepted: bool = True
    message: str = ""


class Alert(BaseModel):
    """A failure no retry can fix (a missing template, an unknown OT): shown until someone acts."""

    at: datetime
    message: str


class Cancellation(BaseModel):
    reason: str
    by: str
    at: datetime
    notified_roles: list[Role] = Field(default_factory=list)


class SaleState(BaseModel):
    """Everything the query returns: where the sale stands and all it has recorded."""

    sale_id: str
    opened_at: datetime
    consultant: Consultant
    client: Client
    plan_id: str
    profile: ProcessProfile
    catalog: Catalog
    status: SaleStatus = SaleStatus.OPEN
    step: StepId = StepId.WEB_ACCESS
    waiting_on: list[Role] = Field(default_factory=list)
    waiting_for: str = ""
    due_at: datetime | None = None
    min_until: datetime | None = None
    template_id: str | None = None
    template_scope_notes: str | None = None
    business_type: str | None = None
    content: ContentPackage | None = None
    crm: CrmResult | None = None
    contract_requested_at: datetime | None = None
    contract_number: str | None = None
    documents: DocumentSet | None = None
    documents_submitted_at: datetime | None = None
    validation_rounds: list[ValidationRound] = Field(default_factory=list)
    work_order: WorkOrder | None = None
    purchase_form_at: datetime | None = None
    delivery_round: int = 0
    delivery: PieceDelivery | None = None
    deliveries: list[PieceDelivery] = Field(default_factory=list)
    corrections: list[Correction] = Field(default_factory=list)
    approved_at: datetime | None = None
    approved_by: str | None = None
    calls: list[CallRecord] = Field(default_factory=list)
    post_sale_requests: list[str] = Field(default_factory=list)
    cancellation: Cancellation | None = None
    steps: list[StepRecord] = Field(default_factory=list)
    log: list[LogEntry] = Field(default_factory=list)
    notifications_sent: int = 0
    # Emails queued by the sale and not yet handed to the outbox (they follow the answer).
    emails_pending: int = 0
    # Rules stated in days (RUT age, billing start, business days) read the Colombian date.
    # False on sales started before it: their recorded actions must pass the same checks and
    # their timers keep the same lengths when they replay (the workflow sets it, behind a patch).
    colombian_dates: bool = False
    # Free text is held to what the records keep (mnd.domain.fields); False on sales started
    # before it, whose accepted actions must pass again when their handlers replay.
    text_limits: bool = False
    alerts: list[Alert] = Field(default_factory=list)
    # Who has the sale in each area (`take_sale`, `assign_sale`): only that member acts for it.
    # Empty on sales recorded before claims existed, so their actions are judged as before.
    claims: dict[Role, Actor] = Field(default_factory=dict)

    @classmethod
    def opened(cls, inp: OpenSaleInput, at: datetime) -> SaleState:
        """The sale `inp` opens at `at`, before its first step."""
        return cls(
            sale_id=inp.sale_id,
            opened_at=at,
            consultant=inp.consultant,
            client=inp.client,
            plan_id=inp.plan_id,
            profile=inp.profile,
            catalog=inp.catalog,
        )

    @property
    def current_round(self) -> ValidationRound | None:
        return self.validation_rounds[-1] if self.validation_rounds else None

    @property
    def successful_call(self) -> CallRecord | None:
        return next((c for c in self.calls if call_succeeded(c.call)), None)

    def template_name(self) -> str | None:
        plan = self.catalog.plan(self.plan_id)
        template = plan.template(self.template_id) if plan and self.template_id else None
        return template.name if template else None


class StepSummary(BaseModel):
    step: StepId
    round: int
    started_at: datetime
    ended_at: datetime | None
    duration_seconds: float | None
    actors: list[str]
    due_at: datetime | None
    min_until: datetime | None
    sla_breached: bool


class SaleSummary(BaseModel):
    """What the workflow returns at cycle closure (or cancellation)."""

    sale_id: str
    status: SaleStatus
    crm_route: CrmRoute | None
    contract_number: str | None
    work_order_number: str | None
    work_order_status: WorkOrderStatus | None
    billing_start_date: date | None
    steps: list[StepSummary]
    sla_breaches: list[StepId]
    validation_rounds: int
    correction_rounds: int
    call_attempts: int
    cancellation_reason: str | None = None
    extra: dict[str, Any] = Field(default_factory=dict)
