"""Minimum-duration timers: an early action is recorded at once; the step waits for its minimum."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path

from temporalio.testing import WorkflowEnvironment

from mnd.domain import actions as a
from mnd.domain.clock import COLOMBIA, colombian_date
from mnd.domain.roles import Role
from mnd.domain.steps import StepId
from tests import factories as f
from tests.support import Sale, running_worker
from tests.workflow import steps


async def test_step5_waits_one_day(skipping_env: WorkflowEnvironment, tmp_path: Path) -> None:
    async with running_worker(skipping_env.client, tmp_path) as stack:
        sale = await Sale.open(stack, f.open_input("MIN-5"))
        entered = await steps.to_client_verification(sale)
        answer = await sale.act(
            "record_crm_lookup", a.RecordCrmLookupInput(actor=steps.C, in_onyx=True, in_rr=False)
        )
        # Recorded at once, and the answer already shows the minimum running (nobody to wait on).
        assert answer.step is StepId.CLIENT_VERIFICATION and answer.waiting_on == []
        assert answer.min_until == entered.steps[-1].started_at + timedelta(days=1)
        assert (await sale.state()).crm is not None
        await skipping_env.sleep(timedelta(hours=20))
        assert (await sale.state()).step is StepId.CLIENT_VERIFICATION
        await skipping_env.sleep(timedelta(hours=5))
        state = await sale.wait_step(StepId.CONTRACT)  # moved by the timer: no answer
        record = next(r for r in state.steps if r.step is StepId.CLIENT_VERIFICATION)
        assert record.duration is not None and record.duration >= timedelta(days=1)
        await sale.act("cancel_sale", {"actor": steps.C.model_dump(), "reason": "fin"})
        await sale.handle.result()


async def test_step6_contract_number_waits_one_day(
    skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    async with running_worker(skipping_env.client, tmp_path) as stack:
        sale = await Sale.open(stack, f.open_input("MIN-6"))
        await steps.to_contract(sale, skipping_env)
        await sale.act(
            "assign_contract_number",
            a.AssignContractNumberInput(actor=f.actor(Role.PROVISIONING), contract_number="CT-1"),
        )
        answer = await steps.submit_documents(sale)
        # Both parts are in: the answer shows only the minimum left (nobody to wait on).
        assert answer.step is StepId.CONTRACT and answer.waiting_on == [] and answer.min_until
        state = await sale.state()
        assert state.contract_number == "CT-1" and state.documents is not None
        await skipping_env.sleep(timedelta(hours=12))
        state = await sale.state()
        assert state.step is StepId.CONTRACT and state.waiting_on == []
        await skipping_env.sleep(timedelta(hours=13))
        state = await sale.wait_step(StepId.DOCUMENT_VALIDATION)  # moved by the timer
        assert "documents_for_validation" in await stack.templates_sent("MIN-6")
        await sale.act("cancel_sale", {"actor": steps.C.model_dump(), "reason": "fin"})
        await sale.handle.result()


async def test_step7_approval_waits_two_days(
    skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    async with running_worker(skipping_env.client, tmp_path) as stack:
        sale = await Sale.open(stack, f.open_input("MIN-7"))
        await steps.to_document_validation(sale, skipping_env)
        answer = await sale.act(
            "approve_documents", a.ApproveDocumentsInput(actor=f.actor(Role.COMMERCIAL_SUPPORT))
        )
        assert answer.step is StepId.DOCUMENT_VALIDATION and answer.waiting_on == []
        assert (await sale.state()).validation_rounds[-1].approved is True
        await skipping_env.sleep(timedelta(days=1))
        state = await sale.state()
        assert state.step is StepId.DOCUMENT_VALIDATION and state.work_order is None
        await skipping_env.sleep(timedelta(days=1, minutes=1))
        state = await sale.wait_step(StepId.PURCHASE_FORM)  # the timer, then the OT activity
        assert state.work_order is not None and state.work_order.number.startswith("OT-")
        sent = await stack.templates_sent("MIN-7")
        assert "work_order_issued" in sent and "work_order_to_production" in sent
        await sale.act("cancel_sale", {"actor": steps.C.model_dump(), "reason": "fin"})
        await sale.handle.result()


async def test_business_day_profile_skips_weekend(
    skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    from mnd.domain.profile import CalendarKind, ProcessProfile

    async with running_worker(skipping_env.client, tmp_path) as stack:
        profile = ProcessProfile(calendar=CalendarKind.BUSINESS_CO)
        sale = await Sale.open(stack, f.open_input("MIN-BD", profile=profile))
        state = await steps.to_client_verification(sale)
        started = state.steps[-1].started_at
        assert state.min_until == profile.deadline(started, timedelta(days=1), colombian_days=True)
        assert state.min_until is not None
        assert colombian_date(state.min_until).weekday() < 5
        await sale.act("cancel_sale", {"actor": steps.C.model_dump(), "reason": "fin"})
        await sale.handle.result()


async def _to_friday_2330_bogota(env: WorkflowEnvironment) -> datetime:
    """Moves the test clock to the next Friday at 23:30 in Bogotá (Saturday 04:30 UTC)."""
    now = (await env.get_current_time()).astimezone(COLOMBIA)
    friday = now.date() + timedelta(days=(4 - now.weekday()) % 7)
    target = datetime.combine(friday, time(23, 30), COLOMBIA)
    if target <= now + timedelta(minutes=5):
        target += timedelta(days=7)
    await env.sleep(target - now)
    return target


async def test_business_days_follow_the_colombian_date_at_2330(
    skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    """Friday 23:30 in Bogotá + 1 business day is Monday 23:30 there, not Sunday 23:30 (UTC)."""
    from mnd.domain.profile import CalendarKind, ProcessProfile

    # One holiday long past, so the calendar has only weekends (Colombia moves many to Monday).
    profile = ProcessProfile(calendar=CalendarKind.BUSINESS_CO, holidays=[date(2000, 1, 1)])
    friday_late = await _to_friday_2330_bogota(skipping_env)
    async with running_worker(skipping_env.client, tmp_path) as stack:
        sale = await Sale.open(stack, f.open_input("MIN-BD-2330", profile=profile))
        state = await steps.to_client_verification(sale)
        started = state.steps[-1].started_at.astimezone(COLOMBIA)
        assert started.date() == friday_late.date() and started.hour == 23
        assert state.min_until is not None
        assert colombian_date(state.min_until) == friday_late.date() + timedelta(days=3)
        assert state.min_until - state.steps[-1].started_at == timedelta(days=3)
        await sale.act("cancel_sale", {"actor": steps.C.model_dump(), "reason": "fin"})
        await sale.handle.result()


async def test_current_details_name_the_step_and_the_wait(
    skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    from temporalio.api.sdk.v1 import WorkflowMetadata

    async with running_worker(skipping_env.client, tmp_path) as stack:
        sale = await Sale.open(stack, f.open_input("DETAILS-1"))
        await steps.to_client_verification(sale)
        meta = await sale.handle.query("__temporal_workflow_metadata", result_type=WorkflowMetadata)
        details = meta.current_details
        assert "Verificación del cliente en CRM" in details and "Minería de Datos" in details
        assert "Vence:" in details and "Mínimo hasta:" in details
        assert {d.name for d in meta.definition.update_definitions} >= {
            "select_template",
            "cancel_sale",
        }
        await sale.act("cancel_sale", {"actor": steps.C.model_dump(), "reason": "fin"})
        await sale.handle.result()


async def test_approval_after_the_minimum_answers_while_the_ot_is_issued(
    skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    """The answer never waits on the OT's activity, and never shows a stale wait either."""
    async with running_worker(skipping_env.client, tmp_path) as stack:
        sale = await Sale.open(stack, f.open_input("MIN-7B"))
        await steps.to_document_validation(sale, skipping_env)
        await skipping_env.sleep(timedelta(days=2, minutes=1))
        answer = await sale.act(
            "approve_documents", a.ApproveDocumentsInput(actor=f.actor(Role.COMMERCIAL_SUPPORT))
        )
        assert answer.step is StepId.DOCUMENT_VALIDATION and answer.waiting_on == []
        assert answer.waiting_for == "emisión de la OT"
        state = await sale.wait_step(StepId.PURCHASE_FORM)  # once the OT's activity is done
        assert state.work_order is not None
        await sale.act("cancel_sale", {"actor": steps.C.model_dump(), "reason": "fin"})
        await sale.handle.result()
