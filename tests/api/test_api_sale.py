"""A whole sale through the HTTP API: every action, each by a member of the role it belongs to."""

from __future__ import annotations

from mnd.domain.clock import colombian_date
from mnd.domain.roles import Role
from mnd.domain.sale import CrmRoute, SaleStatus
from mnd.domain.steps import StepId
from mnd.scenario import drive
from tests.api import flow
from tests.api.conftest import Api
from tests.api.flow import ApiSale, member

C, C2 = "c-100", "c-200"
PROD, PROV = member(Role.PRODUCTION), member(Role.PROVISIONING)


async def test_every_action_through_the_api(api: Api) -> None:
    sale = await ApiSale.open(api)
    await sale.act_to(StepId.BUSINESS_TYPE, "select_template", {"template_id": "td_moda"}, C)
    await sale.act_to(
        StepId.PRODUCT_INFORMATION, "confirm_business_type", {"business_type": "restaurante"}, C
    )

    # Step 4 with the product image uploaded first and referenced as file:<id>.
    image = await flow.uploaded(api, flow.JPEG, "pan.jpg", "image/jpeg", "product_image")
    content = flow.content()
    content["products"][0]["image"] = {"storage_ref": image}
    answer = await sale.act("submit_content", {"content": content}, C)
    assert answer.step is StepId.CLIENT_VERIFICATION, answer
    state = await sale.state()
    assert state.content is not None
    assert state.content.products[0].image.file_name == "pan.jpg"
    assert state.content.products[0].image.storage_ref == image

    # Step 5, neither in ONYX nor RR: Minería de Datos records the lookup and the creation.
    dm = member(Role.DATA_MINING)
    answer = await sale.act("record_crm_lookup", {"in_onyx": False, "in_rr": False}, dm)
    assert answer.waiting_on == [Role.DATA_MINING], answer
    await sale.act("confirm_onyx_creation", {"onyx_id": "ONYX-9"}, dm)
    state = await sale.state()
    assert state.crm is not None and state.crm.route is CrmRoute.CREATE_IN_ONYX
    await sale.sleep(1)
    state = await sale.wait_step(StepId.CONTRACT)  # moved by step 5's 1-day timer: no answer

    # Step 6: the contract number, then documents uploaded and referenced.
    await sale.act("assign_contract_number", {"contract_number": "CT-77"}, PROV)
    documents = flow.documents(colombian_date(state.opened_at))
    rut = await flow.uploaded(api, flow.PDF, "rut-2026.pdf", "application/pdf", "document")
    cedula = await flow.uploaded(api, flow.PNG, "cedula.png", "image/png", "document")
    for doc in documents["documents"]:
        if doc["kind"] == "rut":
            doc.update(storage_ref=rut, file_name=None)
        if doc["kind"] == "cedula":
            doc.update(storage_ref=cedula, file_name=None, content_type=None)
    documents["documents"] = [
        {k: v for k, v in d.items() if v is not None} for d in documents["documents"]
    ]
    await sale.act("submit_documents", {"documents": documents}, C)
    state = await sale.state()
    assert state.documents is not None
    by_kind = {d.kind.value: d for d in state.documents.documents}
    assert by_kind["rut"].file_name == "rut-2026.pdf" and by_kind["rut"].sha256
    assert by_kind["cedula"].content_type == "image/png"
    assert by_kind["cedula"].size_bytes == len(flow.PNG)
    await sale.sleep(1)
    state = await sale.wait_step(StepId.DOCUMENT_VALIDATION)  # moved by the contract's timer

    # Step 7: rejected once (back to 6), then approved.
    cs = member(Role.COMMERCIAL_SUPPORT)
    rejection = {"rejections": [{"kind": "cedula", "reason": "La foto está borrosa"}]}
    state = await sale.act_to(StepId.CONTRACT, "reject_documents", rejection, cs)
    # The contract's minimum has passed: the resubmission goes straight back to validation.
    await sale.act_to(
        StepId.DOCUMENT_VALIDATION,
        "submit_documents",
        {"documents": flow.documents(colombian_date(state.opened_at))},
        C,
    )
    answer = await sale.act("approve_documents", {"notes": "Completo"}, cs)
    assert answer.waiting_on == [] and answer.min_until is not None, answer
    await sale.sleep(2)
    state = await sale.wait_step(StepId.PURCHASE_FORM)  # the 2-day timer, then the OT activity

    # A supervisor reassigns the sale; from then on only the new consultant acts as consultant.
    body = {
        "consultant": {"id": C2, "name": "Andrés Ruiz", "email": "andres.ruiz@claro.com.co"},
        "reason": "Laura sale a vacaciones",
    }
    await sale.act("reassign_consultant", body, "sup-1")
    refused = await sale.post("submit_purchase_form", flow.purchase_form(state), C)
    assert refused.status_code == 403, refused.text
    assert "Solo el consultor asignado" in refused.json()["detail"]
    await sale.act_to(StepId.PIECE_DELIVERY, "submit_purchase_form", flow.purchase_form(state), C2)

    # Steps 9 and 10: a delivery, corrections, a second delivery, approval by Producción.
    ally = member(Role.ALLY)
    await sale.act_to(StepId.CLIENT_APPROVAL, "deliver_piece", flow.delivery(1), ally)
    await sale.act_to(
        StepId.CLIENT_APPROVAL,
        "record_post_sale_request",
        {"description": "Cambiar el logo en 2027"},
        PROD,
    )
    await sale.act_to(
        StepId.PIECE_DELIVERY,
        "request_corrections",
        {"comments": "El precio del pan está mal"},
        PROD,
    )
    await sale.act_to(StepId.CLIENT_APPROVAL, "deliver_piece", flow.delivery(2), ally)
    await sale.act_to(
        StepId.PROVISIONING_CALL, "approve_product", {"comment": "Aprobado por teléfono"}, PROD
    )

    # Step 11: an unanswered call, then the full call; step 12: the OT closes.
    await sale.act_to(StepId.PROVISIONING_CALL, "record_call", {"reached": False}, PROD)
    state = await sale.act_to(StepId.WORK_ORDER_CLOSURE, "record_call", flow.good_call(), PROD)
    assert state.work_order is not None
    closure = {
        "work_order_number": state.work_order.number,
        "billing_start_date": colombian_date(state.work_order.issued_at).isoformat(),
    }
    answer = await sale.act("confirm_work_order_closure", closure, PROV)
    assert answer.status is SaleStatus.COMPLETED, answer
    state = await sale.state()
    assert state.post_sale_requests == ["Cambiar el logo en 2027"]
    assert len(state.corrections) == 1 and len(state.calls) == 2
    assert state.consultant.id == C2

    # Closed: any further action is refused as such.
    late = await sale.post("record_post_sale_request", {"description": "otra"}, PROD)
    assert late.status_code == 409 and late.json()["kind"] == "sale_closed", late.text


async def test_cancel_by_consultant_and_by_supervisor(api: Api) -> None:
    for who in (C, "sup-1"):
        sale = await ApiSale.open(api)
        answer = await sale.act("cancel_sale", {"reason": "El cliente desistió"}, who)
        # Answered once the sale reacted: already cancelled, waiting on nobody.
        assert answer.status is SaleStatus.CANCELLED and answer.waiting_on == [], answer
        state = await sale.state()
        assert state.cancellation is not None and state.cancellation.by == who


async def test_a_whole_sale_driven_through_the_api(api: Api) -> None:
    """The scenario driver the demo uses, over HTTP: every role through its own token."""
    sale = await ApiSale.open(api)
    final = await drive(flow.HttpChannel(sale))
    assert final.status is SaleStatus.COMPLETED, final.waiting_for
    assert [r.step for r in final.steps][-1] is StepId.CYCLE_CLOSURE
    assert len({r.step for r in final.steps}) == 13
