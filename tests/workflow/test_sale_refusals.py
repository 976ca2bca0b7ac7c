"""Every rule refused through the Update: Spanish message, error type, and nothing changed."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

from mnd.domain.clock import colombian_date
from mnd.domain.fields import CONTRACT_NUMBER_MAX, FILE_NAME_MAX
from mnd.domain.roles import Role
from mnd.domain.steps import StepId
from tests import factories as f
from tests.support import Sale, running_worker
from tests.workflow import steps

C = steps.C.model_dump()


async def assert_refused(
    sale: Sale, action: str, payload: dict[str, Any], kind: str, *fragments: str
) -> None:
    before = await sale.state()
    refusal = await sale.refused(action, payload)
    assert refusal.type == kind, refusal.message
    for fragment in fragments:
        assert fragment in refusal.message, refusal.message
    after = await sale.state()
    # Emails queued before the refusal may be sent meanwhile; nothing else may move.
    moving = {"log", "notifications_sent", "emails_pending"}
    assert after.model_dump(exclude=moving) == before.model_dump(exclude=moving)
    assert len(after.log) == len(before.log)  # a refused update leaves no trace in the sale


def content_with(**product: Any) -> dict[str, Any]:
    return {
        "actor": C,
        "content": {"products": [f.product(**product)], "embed_code": "<iframe src='x'></iframe>"},
    }


async def test_refusals_in_the_first_steps(
    skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    async with running_worker(skipping_env.client, tmp_path) as stack:
        sale = await Sale.open(stack, f.open_input("REFUSE-A"))
        await assert_refused(
            sale,
            "select_template",
            {"actor": C, "template_id": "pos_basico"},
            "invalid_payload",
            "no pertenece al plan Tienda Digital",
        )
        await assert_refused(
            sale,
            "select_template",
            {"actor": {"id": "p", "role": "production"}, "template_id": "td_moda"},
            "wrong_role",
            "Consultor",
        )
        await assert_refused(
            sale,
            "select_template",
            {"actor": {"id": "c-2", "role": "consultant"}, "template_id": "td_moda"},
            "wrong_role",
            "Solo el consultor asignado",
        )
        await assert_refused(
            sale, "select_template", {"actor": C}, "invalid_payload", "template_id: es obligatorio"
        )
        await assert_refused(
            sale,
            "select_template",
            {"actor": {"id": "x", "role": "boss"}, "template_id": "td_moda"},
            "invalid_payload",
            "actor.role",
        )
        await assert_refused(
            sale,
            "submit_content",
            content_with(),
            "wrong_step",
            "paso 4. Información del producto",
            "paso 2.",
        )
        await assert_refused(
            sale,
            "reassign_consultant",
            {
                "actor": {"id": "s", "role": "supervisor"},
                "reason": "x",
                "consultant": {"id": "c-2", "name": "Ana", "email": "no-es-correo"},
            },
            "invalid_payload",
            "correo electrónico no válido",
        )
        await sale.act_to(
            StepId.BUSINESS_TYPE, "select_template", {"actor": C, "template_id": "td_moda"}
        )
        await assert_refused(
            sale,
            "confirm_business_type",
            {"actor": C, "business_type": "casino"},
            "invalid_payload",
            "no está en el catálogo",
        )
        await sale.act_to(
            StepId.PRODUCT_INFORMATION,
            "confirm_business_type",
            {"actor": C, "business_type": "restaurante"},
        )
        long_text = " ".join(["palabra"] * 21)
        await assert_refused(
            sale,
            "submit_content",
            content_with(description=long_text),
            "invalid_payload",
            "21 palabras; el máximo es 20",
        )
        await assert_refused(
            sale,
            "submit_content",
            content_with(price_cop="0"),
            "invalid_payload",
            "precio debe ser mayor que 0",
        )
        await assert_refused(
            sale, "submit_content", content_with(price_cop="-5"), "invalid_payload", "precio"
        )
        await assert_refused(
            sale,
            "submit_content",
            content_with(image={"file_name": "pan.png"}),
            "invalid_payload",
            "la imagen debe ser JPG",
        )
        await assert_refused(
            sale,
            "submit_content",
            content_with(image={"file_name": "pan.jpg", "content_type": "image/png"}),
            "invalid_payload",
            "JPG",
        )
        await assert_refused(
            sale,
            "submit_content",
            content_with(name="", category=""),
            "invalid_payload",
            "products[0].category: no puede estar vacío",
            "products[0].name",
        )
        await assert_refused(
            sale,
            "submit_content",
            {"actor": C, "content": {"products": [], "embed_code": "<iframe></iframe>"}},
            "invalid_payload",
            "al menos un producto",
        )
        await assert_refused(
            sale,
            "submit_content",
            {"actor": C, "content": {"products": [f.product()], "embed_code": "hola"}},
            "invalid_payload",
            "código embed",
        )
        await sale.act("cancel_sale", {"actor": C, "reason": "fin"})
        await sale.handle.result()
        with pytest.raises(RPCError):  # a finished workflow takes no update at all
            await sale.act("select_template", {"actor": C, "template_id": "td_moda"})


async def test_refusals_on_documents_and_forms(
    skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    env = skipping_env
    async with running_worker(env.client, tmp_path) as stack:
        sale = await Sale.open(stack, f.open_input("REFUSE-B"))
        state = await steps.to_contract(sale, env)
        today = colombian_date(state.opened_at) + timedelta(days=1)
        docs = f.documents(today - timedelta(days=31)).model_dump(mode="json")
        await assert_refused(
            sale,
            "submit_documents",
            {"actor": C, "documents": docs},
            "invalid_payload",
            "RUT: expedido el",
            "como máximo 30 días",
        )
        partial = {
            "documents": [d for d in docs["documents"] if d["kind"] not in ("contrato", "rut")]
        }
        await assert_refused(
            sale,
            "submit_documents",
            {"actor": C, "documents": partial},
            "invalid_payload",
            "falta el documento: Contrato",
            "falta el RUT o el certificado de Cámara de Comercio",
        )
        await assert_refused(
            sale,
            "assign_contract_number",
            {"actor": C, "contract_number": "1"},
            "wrong_role",
            "Aprovisionamiento",
        )
        await assert_refused(
            sale,
            "approve_documents",
            {"actor": {"id": "s", "role": "commercial_support"}},
            "wrong_step",
        )
        # Longer than the records keep (PostgreSQL would refuse the row): refused up front.
        long_name = {**docs["documents"][0], "file_name": "x" * (FILE_NAME_MAX - 3) + ".pdf"}
        await assert_refused(
            sale,
            "submit_documents",
            {"actor": C, "documents": {"documents": [long_name, *docs["documents"][1:]]}},
            "invalid_payload",
            f"documents.documents.0.file_name: es demasiado largo ({FILE_NAME_MAX + 1} caracteres",
        )
        await assert_refused(
            sale,
            "assign_contract_number",
            {
                "actor": f.actor(Role.PROVISIONING).model_dump(),
                "contract_number": "C" * (CONTRACT_NUMBER_MAX + 1),
            },
            "invalid_payload",
            f"contract_number: es demasiado largo ({CONTRACT_NUMBER_MAX + 1} caracteres; "
            f"máximo {CONTRACT_NUMBER_MAX})",
        )
        await sale.act(
            "assign_contract_number",
            {"actor": f.actor(Role.PROVISIONING).model_dump(), "contract_number": "CT-9"},
        )
        await assert_refused(
            sale,
            "assign_contract_number",
            {"actor": f.actor(Role.PROVISIONING).model_dump(), "contract_number": "CT-10"},
            "wrong_step",
            "ya fue asignado (CT-9)",
        )
        await steps.submit_documents(sale)
        await env.sleep(timedelta(days=1, minutes=1))
        await sale.wait_step(StepId.DOCUMENT_VALIDATION)  # moved by the contract's 1-day timer
        support = f.actor(Role.COMMERCIAL_SUPPORT).model_dump()
        await assert_refused(
            sale,
            "reject_documents",
            {"actor": support, "rejections": []},
            "invalid_payload",
            "rejections",
        )
        await assert_refused(
            sale,
            "reject_documents",
            {"actor": support, "rejections": [{"kind": "camara_comercio", "reason": "x"}]},
            "invalid_payload",
            "no fue enviado",
        )
        await sale.act("approve_documents", {"actor": support})
        await assert_refused(
            sale, "approve_documents", {"actor": support}, "wrong_step", "ya registró su decisión"
        )
        await env.sleep(timedelta(days=2, minutes=1))
        state = await sale.wait_step(StepId.PURCHASE_FORM)  # the 2-day timer, then the OT activity
        form = steps.purchase_form(state).model_dump(mode="json")
        await assert_refused(
            sale,
            "submit_purchase_form",
            {**form, "template_id": "td_mercado", "product_count": 3},
            "invalid_payload",
            "template_id: «td_mercado» no coincide",
            "product_count",
        )
        await sale.act_to(StepId.PIECE_DELIVERY, "submit_purchase_form", form)
        ally = f.actor(Role.ALLY).model_dump()
        await assert_refused(
            sale,
            "deliver_piece",
            {
                "actor": ally,
                "product_url": "no es url",
                "delivery_piece_url": "https://a.co",
                "support_channels_piece_url": "https://a.co",
            },
            "invalid_payload",
            "product_url: debe ser una URL válida",
        )
        await sale.act_to(StepId.CLIENT_APPROVAL, "deliver_piece", steps.delivery())
        await assert_refused(
            sale,
            "request_corrections",
            {"actor": f.actor(Role.CLIENT).model_dump(), "comments": "  "},
            "invalid_payload",
            "comments: no puede estar vacío",
        )
        await assert_refused(sale, "approve_product", {"actor": ally}, "wrong_role", "Cliente")
        await sale.act_to(
            StepId.PROVISIONING_CALL,
            "approve_product",
            {"actor": f.actor(Role.CLIENT).model_dump()},
        )
        prod = f.actor(Role.PRODUCTION).model_dump()
        await assert_refused(
            sale,
            "record_call",
            {"actor": prod, "reached": True, "applications": {"tienda": "ok"}},
            "invalid_payload",
            "aplicativo desconocido",
        )
        state = await sale.act_to(StepId.WORK_ORDER_CLOSURE, "record_call", f.call())
        closure = steps.closure(state).model_dump(mode="json")
        await assert_refused(
            sale,
            "confirm_work_order_closure",
            {**closure, "work_order_number": "OT-0"},
            "invalid_payload",
            "no es la OT de la venta",
        )
        issued = state.work_order.issued_at  # type: ignore[union-attr]
        early = (colombian_date(issued) - timedelta(days=1)).isoformat()
        await assert_refused(
            sale,
            "confirm_work_order_closure",
            {**closure, "billing_start_date": early},
            "invalid_payload",
            "no puede ser anterior",
        )
        await sale.act("confirm_work_order_closure", closure)
        await sale.handle.result()
