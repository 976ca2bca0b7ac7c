"""Moves a sale from one step to the next with valid actions, crossing minimums on the test clock."""

from __future__ import annotations

from datetime import timedelta

from temporalio.testing import WorkflowEnvironment

from mnd.domain import actions as a
from mnd.domain.action_result import ActionResult
from mnd.domain.clock import colombian_date
from mnd.domain.roles import Role
from mnd.domain.sale import SaleState
from mnd.domain.steps import StepId
from tests import factories as f
from tests.support import Sale

C = f.actor(Role.CONSULTANT)
URL = "https://laespiga.minegocio.digital/"


async def to_client_verification(sale: Sale) -> SaleState:
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
    return await sale.act_to(
        StepId.CLIENT_VERIFICATION,
        "submit_content",
        a.SubmitContentInput(actor=C, content=f.content()),
    )


async def to_contract(
    sale: Sale, env: WorkflowEnvironment, in_onyx: bool = True, in_rr: bool = True
) -> SaleState:
    await to_client_verification(sale)
    answer = await sale.act(
        "record_crm_lookup", a.RecordCrmLookupInput(actor=C, in_onyx=in_onyx, in_rr=in_rr)
    )
    if not (in_onyx or in_rr):
        assert answer.waiting_on == [Role.DATA_MINING], answer
        await sale.act(
            "confirm_onyx_creation",
            a.ConfirmOnyxCreationInput(actor=f.actor(Role.DATA_MINING), onyx_id="ONYX-77"),
        )
    await env.sleep(timedelta(days=1, minutes=1))
    return await sale.wait_step(StepId.CONTRACT)  # moved by step 5's 1-day timer: no answer


async def submit_documents(sale: Sale) -> ActionResult:
    state = await sale.state()
    return await sale.act(
        "submit_documents",
        a.SubmitDocumentsInput(actor=C, documents=f.documents(colombian_date(state.opened_at))),
    )


async def to_document_validation(sale: Sale, env: WorkflowEnvironment) -> SaleState:
    await to_contract(sale, env)
    await sale.act(
        "assign_contract_number",
        a.AssignContractNumberInput(actor=f.actor(Role.PROVISIONING), contract_number="CT-555"),
    )
    await submit_documents(sale)
    await env.sleep(timedelta(days=1, minutes=1))
    return await sale.wait_step(StepId.DOCUMENT_VALIDATION)  # moved by the contract's timer


async def to_purchase_form(sale: Sale, env: WorkflowEnvironment) -> SaleState:
    await to_document_validation(sale, env)
    await sale.act(
        "approve_documents", a.ApproveDocumentsInput(actor=f.actor(Role.COMMERCIAL_SUPPORT))
    )
    await env.sleep(timedelta(days=2, minutes=1))
    return await sale.wait_step(StepId.PURCHASE_FORM)  # the 2-day timer, then the OT activity


def purchase_form(state: SaleState) -> a.SubmitPurchaseFormInput:
    assert state.work_order is not None
    return a.SubmitPurchaseFormInput(
        actor=C,
        plan_id=state.plan_id,
        template_id=state.template_id or "",
        business_type=state.business_type or "",
        product_count=len(state.content.products) if state.content else 0,
        work_order_number=state.work_order.number,
    )


async def to_piece_delivery(sale: Sale, env: WorkflowEnvironment) -> SaleState:
    state = await to_purchase_form(sale, env)
    return await sale.act_to(StepId.PIECE_DELIVERY, "submit_purchase_form", purchase_form(state))


def delivery() -> a.DeliverPieceInput:
    return a.DeliverPieceInput(
        actor=f.actor(Role.ALLY),
        product_url=URL,
        delivery_piece_url=URL + "pieza",
        support_channels_piece_url=URL + "soporte",
    )


async def to_client_approval(sale: Sale, env: WorkflowEnvironment) -> SaleState:
    await to_piece_delivery(sale, env)
    return await sale.act_to(StepId.CLIENT_APPROVAL, "deliver_piece", delivery())


async def to_provisioning_call(sale: Sale, env: WorkflowEnvironment) -> SaleState:
    await to_client_approval(sale, env)
    return await sale.act_to(
        StepId.PROVISIONING_CALL,
        "approve_product",
        a.ApproveProductInput(actor=f.actor(Role.CLIENT)),
    )


async def to_work_order_closure(sale: Sale, env: WorkflowEnvironment) -> SaleState:
    await to_provisioning_call(sale, env)
    return await sale.act_to(StepId.WORK_ORDER_CLOSURE, "record_call", f.call())


def closure(state: SaleState) -> a.ConfirmWorkOrderClosureInput:
    assert state.work_order is not None
    return a.ConfirmWorkOrderClosureInput(
        actor=f.actor(Role.PROVISIONING),
        work_order_number=state.work_order.number,
        billing_start_date=colombian_date(state.work_order.issued_at) + timedelta(days=3),
    )
