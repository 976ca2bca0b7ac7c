"""The whole sale on the time-skipping server, seed profile: 13 steps, minimums respected."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from temporalio.testing import WorkflowEnvironment

from mnd.domain import actions as a
from mnd.domain.clock import colombian_date
from mnd.domain.roles import Role
from mnd.domain.sale import SaleStatus
from mnd.domain.steps import STEP_ORDER, StepId
from tests import factories as f
from tests.support import Sale, running_worker


async def test_happy_path_runs_all_13_steps(
    skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    env = skipping_env
    async with running_worker(env.client, tmp_path) as stack:
        sale = await Sale.open(stack, f.open_input("HAPPY-1"))
        C = f.actor(Role.CONSULTANT)
        await sale.act_to(
            StepId.BUSINESS_TYPE,
            "select_template",
            a.SelectTemplateInput(actor=C, template_id="td_moda"),
        )
        await sale.act_to(
            StepId.PRODUCT_INFORMATION,
            "confirm_business_type",
            a.ConfirmBusinessTypeInput(actor=C, business_type="restaurante"),
        )
        await sale.act_to(
            StepId.CLIENT_VERIFICATION,
            "submit_content",
            a.SubmitContentInput(actor=C, content=f.content()),
        )
        answer = await sale.act(
            "record_crm_lookup", a.RecordCrmLookupInput(actor=C, in_onyx=True, in_rr=True)
        )
        assert answer.step is StepId.CLIENT_VERIFICATION and answer.min_until is not None
        await env.sleep(timedelta(days=1, minutes=1))
        state = await sale.wait_step(StepId.CONTRACT)  # moved by the 1-day timer: no answer
        assert state.crm is not None and state.crm.route == "onyx"
        await sale.act(
            "assign_contract_number",
            a.AssignContractNumberInput(actor=f.actor(Role.PROVISIONING), contract_number="CT-555"),
        )
        await sale.act(
            "submit_documents",
            a.SubmitDocumentsInput(actor=C, documents=f.documents(colombian_date(state.opened_at))),
        )
        await env.sleep(timedelta(days=1, minutes=1))
        await sale.wait_step(StepId.DOCUMENT_VALIDATION)  # moved by the contract's 1-day timer
        await sale.act(
            "approve_documents", a.ApproveDocumentsInput(actor=f.actor(Role.COMMERCIAL_SUPPORT))
        )
        await env.sleep(timedelta(days=2, minutes=1))
        state = await sale.wait_step(StepId.PURCHASE_FORM)  # the 2-day timer, then the OT activity
        assert state.work_order is not None
        ot = state.work_order.number
        await sale.act_to(
            StepId.PIECE_DELIVERY,
            "submit_purchase_form",
            a.SubmitPurchaseFormInput(
                actor=C,
                plan_id="tienda_digital",
                template_id="td_moda",
                business_type="restaurante",
                product_count=1,
                work_order_number=ot,
            ),
        )
        url = "https://laespiga.minegocio.digital/"
        await sale.act_to(
            StepId.CLIENT_APPROVAL,
            "deliver_piece",
            a.DeliverPieceInput(
                actor=f.actor(Role.ALLY),
                product_url=url,
                delivery_piece_url=url + "pieza",
                support_channels_piece_url=url + "soporte",
            ),
        )
        await sale.act_to(
            StepId.PROVISIONING_CALL,
            "approve_product",
            a.ApproveProductInput(actor=f.actor(Role.CLIENT)),
        )
        state = await sale.act_to(StepId.WORK_ORDER_CLOSURE, "record_call", f.call())
        answer = await sale.act(
            "confirm_work_order_closure",
            a.ConfirmWorkOrderClosureInput(
                actor=f.actor(Role.PROVISIONING),
                work_order_number=ot,
                billing_start_date=colombian_date(state.opened_at) + timedelta(days=5),
            ),
        )
        assert answer.status is SaleStatus.COMPLETED, answer
        summary = await sale.handle.result()
        assert summary.status is SaleStatus.COMPLETED
        assert [s.step for s in summary.steps] == list(STEP_ORDER)
        assert all(s.ended_at is not None for s in summary.steps)
        assert summary.work_order_number == ot
        assert await stack.templates_sent("HAPPY-1") == [
            "content_request",
            "contract_number_request",
            "documents_for_validation",
            "work_order_issued",
            "work_order_to_production",
            "production_order",
            "delivery_welcome",
            "product_approved",
            "work_order_closure_request",
            "cycle_closed",
            "client_closure_notice",
        ]
