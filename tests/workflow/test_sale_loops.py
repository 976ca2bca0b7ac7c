"""The loops of the process: document rejection, client corrections, failed provisioning calls."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from temporalio.testing import WorkflowEnvironment

from mnd.domain import actions as a
from mnd.domain.roles import Role
from mnd.domain.sale import SaleStatus
from mnd.domain.steps import StepId
from tests import factories as f
from tests.support import Sale, running_worker
from tests.workflow import steps


async def test_rejected_documents_go_back_to_step_6_then_pass(
    skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    env = skipping_env
    async with running_worker(env.client, tmp_path) as stack:
        sale = await Sale.open(stack, f.open_input("LOOP-DOCS"))
        await steps.to_document_validation(sale, env)
        support = f.actor(Role.COMMERCIAL_SUPPORT)
        state = await sale.act_to(
            StepId.CONTRACT,
            "reject_documents",
            a.RejectDocumentsInput(
                actor=support, rejections=[{"kind": "rut", "reason": "ilegible"}]
            ),
        )
        assert state.documents is None and state.contract_number == "CT-555"
        assert state.waiting_on == [Role.CONSULTANT]
        rejected = next(
            m for m in await stack.mails("LOOP-DOCS") if m["X-MND-Template"] == "documents_rejected"
        )
        assert "laura.gomez@claro.com.co" in str(rejected["To"])
        assert "ilegible" in rejected.get_content()
        answer = await steps.submit_documents(sale)
        # The contract's minimum has already passed: the answer shows the next step.
        assert answer.step is StepId.DOCUMENT_VALIDATION and answer.waiting_on, answer
        state = await sale.state()
        assert len(state.validation_rounds) == 2
        await sale.act("approve_documents", a.ApproveDocumentsInput(actor=support))
        await env.sleep(timedelta(days=2, minutes=1))
        state = await sale.wait_step(StepId.PURCHASE_FORM)  # the 2-day timer, then the OT activity
        assert state.work_order is not None
        assert (await stack.templates_sent("LOOP-DOCS")).count("documents_for_validation") == 2
        await sale.act("cancel_sale", {"actor": steps.C.model_dump(), "reason": "fin"})
        summary = await sale.handle.result()
        assert summary.validation_rounds == 2


async def test_corrections_go_back_to_ally_then_approval(
    skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    env = skipping_env
    async with running_worker(env.client, tmp_path) as stack:
        sale = await Sale.open(stack, f.open_input("LOOP-FIX"))
        await steps.to_client_approval(sale, env)
        state = await sale.act_to(
            StepId.PIECE_DELIVERY,
            "request_corrections",
            a.RequestCorrectionsInput(
                actor=f.actor(Role.CLIENT), comments="Cambiar el color del encabezado"
            ),
        )
        assert state.delivery is None and state.delivery_round == 2
        fix = next(
            m
            for m in await stack.mails("LOOP-FIX")
            if m["X-MND-Template"] == "corrections_requested"
        )
        assert "Cambiar el color del encabezado" in fix.get_content()
        await sale.act_to(StepId.CLIENT_APPROVAL, "deliver_piece", steps.delivery())
        state = await sale.act_to(
            StepId.PROVISIONING_CALL,
            "approve_product",
            a.ApproveProductInput(actor=f.actor(Role.PRODUCTION)),
        )
        assert [r.step for r in state.steps].count(StepId.PIECE_DELIVERY) == 2
        assert (await stack.templates_sent("LOOP-FIX")).count("delivery_welcome") == 2
        await sale.act("cancel_sale", {"actor": steps.C.model_dump(), "reason": "fin"})
        summary = await sale.handle.result()
        assert summary.correction_rounds == 1


async def test_failed_calls_then_success_and_closure(
    skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    env = skipping_env
    async with running_worker(env.client, tmp_path) as stack:
        sale = await Sale.open(stack, f.open_input("LOOP-CALL"))
        await steps.to_provisioning_call(sale, env)
        answer = await sale.act("record_call", f.call(reached=False))
        assert "intento 1" in answer.waiting_for and answer.step is StepId.PROVISIONING_CALL
        answer = await sale.act("record_call", f.call(failing=("dash",)))
        assert "intento 2" in answer.waiting_for, answer
        fix = next(
            m
            for m in await stack.mails("LOOP-CALL")
            if m["X-MND-Template"] == "application_fix_request"
        )
        assert "Dash" in fix.get_content()
        state = await sale.act_to(StepId.WORK_ORDER_CLOSURE, "record_call", f.call())
        await sale.act("confirm_work_order_closure", steps.closure(state))
        summary = await sale.handle.result()
        assert summary.status is SaleStatus.COMPLETED and summary.call_attempts == 3
        assert (await stack.templates_sent("LOOP-CALL"))[-2:] == [
            "cycle_closed",
            "client_closure_notice",
        ]
