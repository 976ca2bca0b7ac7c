"""How a sale ends: who must hear of a cancellation, and the summary the workflow returns."""

from __future__ import annotations

from mnd.domain.roles import Role
from mnd.domain.sale import SaleState, SaleSummary, StepSummary
from mnd.domain.steps import STEP_ORDER, StepId


def engaged_roles(s: SaleState) -> list[Role]:
    """The areas that already heard of the sale and must hear of its cancellation."""
    reached = {r.step for r in s.steps}
    engaged = {
        Role.CONSULTANT: True,
        Role.CLIENT: StepId.PRODUCT_INFORMATION in reached,
        Role.DATA_MINING: s.crm is not None and s.crm.route == "create_in_onyx",
        Role.PROVISIONING: s.contract_requested_at is not None,
        Role.COMMERCIAL_SUPPORT: bool(s.validation_rounds),
        Role.PRODUCTION: s.work_order is not None,
        Role.ALLY: s.purchase_form_at is not None,
    }
    return [role for role, yes in engaged.items() if yes]


def summarize(s: SaleState) -> SaleSummary:
    """Each step's start, end, duration, actors and SLA, with the sale's numbers."""
    steps = [
        StepSummary(
            step=r.step,
            round=r.round,
            started_at=r.started_at,
            ended_at=r.ended_at,
            duration_seconds=r.duration.total_seconds() if r.duration else None,
            actors=r.actors,
            due_at=r.due_at,
            min_until=r.min_until,
            sla_breached=r.sla_breached,
        )
        for r in s.steps
    ]
    ot = s.work_order
    return SaleSummary(
        sale_id=s.sale_id,
        status=s.status,
        crm_route=s.crm.route if s.crm else None,
        contract_number=s.contract_number,
        work_order_number=ot.number if ot else None,
        work_order_status=ot.status if ot else None,
        billing_start_date=ot.billing_start_date if ot else None,
        steps=steps,
        sla_breaches=[r.step for r in s.steps if r.sla_breached],
        validation_rounds=len(s.validation_rounds),
        correction_rounds=len(s.corrections),
        call_attempts=len(s.calls),
        cancellation_reason=s.cancellation.reason if s.cancellation else None,
        extra={"last_step": STEP_ORDER.index(s.step) + 1},
    )
