"""Whole sales, one per branch of the process: recorded as histories and replayed on every run."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

from temporalio.testing import WorkflowEnvironment

from mnd.domain import actions as a
from mnd.domain.parties import Actor
from mnd.domain.roles import Role
from mnd.domain.steps import StepId
from tests import factories as f
from tests.support import Sale
from tests.workflow import steps

Scenario = Callable[[Sale, WorkflowEnvironment], Awaitable[None]]


async def finish_from_provisioning_call(sale: Sale) -> None:
    state = await sale.act_to(StepId.WORK_ORDER_CLOSURE, "record_call", f.call())
    await sale.act("confirm_work_order_closure", steps.closure(state))
    await sale.handle.result()


async def finish_from_contract(sale: Sale, env: WorkflowEnvironment) -> None:
    await sale.act(
        "assign_contract_number",
        a.AssignContractNumberInput(actor=f.actor(Role.PROVISIONING), contract_number="CT-1"),
    )
    await steps.submit_documents(sale)
    await env.sleep(timedelta(days=1, minutes=1))
    await sale.wait_step(StepId.DOCUMENT_VALIDATION)  # moved by the contract's 1-day timer
    await sale.act(
        "approve_documents", a.ApproveDocumentsInput(actor=f.actor(Role.COMMERCIAL_SUPPORT))
    )
    await env.sleep(timedelta(days=2, minutes=1))
    state = await sale.wait_step(StepId.PURCHASE_FORM)  # the 2-day timer, then the OT activity
    await sale.act_to(StepId.PIECE_DELIVERY, "submit_purchase_form", steps.purchase_form(state))
    await sale.act_to(StepId.CLIENT_APPROVAL, "deliver_piece", steps.delivery())
    await sale.act_to(
        StepId.PROVISIONING_CALL,
        "approve_product",
        a.ApproveProductInput(actor=f.actor(Role.CLIENT)),
    )
    await finish_from_provisioning_call(sale)


async def happy_path(sale: Sale, env: WorkflowEnvironment) -> None:
    await steps.to_contract(sale, env)
    await finish_from_contract(sale, env)


async def route_rr(sale: Sale, env: WorkflowEnvironment) -> None:
    await steps.to_contract(sale, env, in_onyx=False, in_rr=True)
    await finish_from_contract(sale, env)


async def route_create_in_onyx(sale: Sale, env: WorkflowEnvironment) -> None:
    await steps.to_contract(sale, env, in_onyx=False, in_rr=False)
    await finish_from_contract(sale, env)


async def documents_rejected(sale: Sale, env: WorkflowEnvironment) -> None:
    await steps.to_document_validation(sale, env)
    rejection = a.RejectDocumentsInput(
        actor=f.actor(Role.COMMERCIAL_SUPPORT), rejections=[{"kind": "rut", "reason": "vencido"}]
    )
    await sale.act_to(StepId.CONTRACT, "reject_documents", rejection)
    answer = await steps.submit_documents(sale)
    assert answer.step is StepId.DOCUMENT_VALIDATION, answer
    await sale.act(
        "approve_documents", a.ApproveDocumentsInput(actor=f.actor(Role.COMMERCIAL_SUPPORT))
    )
    await env.sleep(timedelta(days=2, minutes=1))
    state = await sale.wait_step(StepId.PURCHASE_FORM)  # the 2-day timer, then the OT activity
    await sale.act_to(StepId.PIECE_DELIVERY, "submit_purchase_form", steps.purchase_form(state))
    await sale.act_to(StepId.CLIENT_APPROVAL, "deliver_piece", steps.delivery())
    await sale.act_to(
        StepId.PROVISIONING_CALL,
        "approve_product",
        a.ApproveProductInput(actor=f.actor(Role.CLIENT)),
    )
    await finish_from_provisioning_call(sale)


async def corrections_and_reminders(sale: Sale, env: WorkflowEnvironment) -> None:
    await steps.to_piece_delivery(sale, env)
    await env.sleep(timedelta(hours=5))  # the ally's reminder and escalation fire
    await sale.act_to(StepId.CLIENT_APPROVAL, "deliver_piece", steps.delivery())
    await env.sleep(timedelta(days=3, hours=1))  # client reminders and the escalation
    await sale.act_to(
        StepId.PIECE_DELIVERY,
        "request_corrections",
        a.RequestCorrectionsInput(actor=f.actor(Role.CLIENT), comments="Otro color"),
    )
    await sale.act_to(StepId.CLIENT_APPROVAL, "deliver_piece", steps.delivery())
    await sale.act_to(
        StepId.PROVISIONING_CALL,
        "approve_product",
        a.ApproveProductInput(actor=f.actor(Role.PRODUCTION)),
    )
    await finish_from_provisioning_call(sale)


async def failed_calls_and_signals(sale: Sale, env: WorkflowEnvironment) -> None:
    await sale.signal(
        "select_template", {"actor": {"id": "x", "role": "ally"}, "template_id": "td_moda"}
    )
    await steps.to_provisioning_call(sale, env)
    answer = await sale.act("record_call", f.call(reached=False))
    assert "intento 1" in answer.waiting_for, answer
    answer = await sale.act("record_call", f.call(failing=("app", "dash")))
    assert "intento 2" in answer.waiting_for, answer
    await finish_from_provisioning_call(sale)


async def cancelled_after_work_order(sale: Sale, env: WorkflowEnvironment) -> None:
    await steps.to_piece_delivery(sale, env)
    await sale.act(
        "cancel_sale",
        a.CancelSaleInput(actor=f.actor(Role.SUPERVISOR, "sup-1"), reason="El cliente desistió"),
    )
    await sale.handle.result()


async def cancelled_from_temporal(sale: Sale, env: WorkflowEnvironment) -> None:
    """An operator's cancel from the Temporal UI or CLI, which runs the sale's cancellation."""
    await steps.to_client_verification(sale)
    await sale.handle.cancel()
    await sale.handle.result()


async def area_claims(sale: Sale, env: WorkflowEnvironment) -> None:
    """Soporte Comercial's members take and hand over the sale (a signal from the one who no
    longer has it is refused); Producción's member takes it for the call."""
    await steps.to_document_validation(sale, env)
    ana = Actor(id="cs-ana", role=Role.COMMERCIAL_SUPPORT, name="Ana Pérez")
    bruno = Actor(id="cs-bruno", role=Role.COMMERCIAL_SUPPORT, name="Bruno Díaz")
    await sale.act("take_sale", a.TakeSaleInput(actor=ana))
    await sale.signal("approve_documents", a.ApproveDocumentsInput(actor=bruno))
    await sale.wait_for(lambda s: not s.log[-1].accepted)  # a Signal has no answer
    await sale.act(
        "assign_sale",
        a.AssignSaleInput(
            actor=f.actor(Role.SUPERVISOR, "sup-1"),
            role=Role.COMMERCIAL_SUPPORT,
            member=a.AreaMember(id=bruno.id, name="Bruno Díaz"),
            reason="Ana está de vacaciones",
        ),
    )
    await sale.act("approve_documents", a.ApproveDocumentsInput(actor=bruno))
    await sale.act("release_sale", a.ReleaseSaleInput(actor=bruno))
    await env.sleep(timedelta(days=2, minutes=1))
    state = await sale.wait_step(StepId.PURCHASE_FORM)  # the 2-day timer, then the OT activity
    await sale.act_to(StepId.PIECE_DELIVERY, "submit_purchase_form", steps.purchase_form(state))
    await sale.act_to(StepId.CLIENT_APPROVAL, "deliver_piece", steps.delivery())
    await sale.act_to(
        StepId.PROVISIONING_CALL,
        "approve_product",
        a.ApproveProductInput(actor=f.actor(Role.CLIENT)),
    )
    await sale.act("take_sale", a.TakeSaleInput(actor=f.actor(Role.PRODUCTION)))
    await finish_from_provisioning_call(sale)


SCENARIOS: dict[str, Scenario] = {
    "happy_path": happy_path,
    "route_rr": route_rr,
    "route_create_in_onyx": route_create_in_onyx,
    "documents_rejected": documents_rejected,
    "corrections_and_reminders": corrections_and_reminders,
    "failed_calls_and_signals": failed_calls_and_signals,
    "cancelled_after_work_order": cancelled_after_work_order,
    "cancelled_from_temporal": cancelled_from_temporal,
    "area_claims": area_claims,
}
