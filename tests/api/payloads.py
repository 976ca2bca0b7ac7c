"""A body for every action that passes the API's validation (the sale may still refuse it)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from mnd.domain.clock import colombian_date
from tests.api import flow

VALID: dict[str, dict[str, Any]] = {
    "select_template": {"template_id": "td_moda"},
    "confirm_business_type": {"business_type": "restaurante"},
    "submit_content": {"content": flow.content()},
    "record_crm_lookup": {"in_onyx": True, "in_rr": True},
    "confirm_onyx_creation": {"onyx_id": "ONYX-1"},
    "assign_contract_number": {"contract_number": "CT-1"},
    "submit_documents": {"documents": flow.documents(colombian_date(datetime.now(UTC)))},
    "approve_documents": {},
    "reject_documents": {"rejections": [{"kind": "rut", "reason": "Vencido"}]},
    "submit_purchase_form": {
        "plan_id": "tienda_digital",
        "template_id": "td_moda",
        "business_type": "restaurante",
        "product_count": 1,
        "work_order_number": "OT-2026-000001",
    },
    "deliver_piece": flow.delivery(),
    "approve_product": {},
    "request_corrections": {"comments": "Cambiar la foto"},
    "record_call": flow.good_call(),
    "confirm_work_order_closure": {
        "work_order_number": "OT-2026-000001",
        "billing_start_date": "2026-01-01",
    },
    "record_post_sale_request": {"description": "Otra foto"},
    "cancel_sale": {"reason": "El cliente desistió"},
    "reassign_consultant": {
        "consultant": {"id": "c-200", "name": "Andrés Ruiz", "email": "andres.ruiz@claro.com.co"},
        "reason": "Cambio de zona",
    },
    "take_sale": {},
    "release_sale": {},
    "assign_sale": {
        "role": "commercial_support",
        "member": {"id": "cs-2", "name": "Camila Rueda"},
        "reason": "Carla Soto está de vacaciones",
    },
}
