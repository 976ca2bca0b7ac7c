"""The 13 steps of a sale, in order, with their Spanish names."""

from __future__ import annotations

from enum import StrEnum


class StepId(StrEnum):
    WEB_ACCESS = "web_access"
    TEMPLATE_SELECTION = "template_selection"
    BUSINESS_TYPE = "business_type"
    PRODUCT_INFORMATION = "product_information"
    CLIENT_VERIFICATION = "client_verification"
    CONTRACT = "contract"
    DOCUMENT_VALIDATION = "document_validation"
    PURCHASE_FORM = "purchase_form"
    PIECE_DELIVERY = "piece_delivery"
    CLIENT_APPROVAL = "client_approval"
    PROVISIONING_CALL = "provisioning_call"
    WORK_ORDER_CLOSURE = "work_order_closure"
    CYCLE_CLOSURE = "cycle_closure"


STEP_ORDER: tuple[StepId, ...] = tuple(StepId)

STEP_NAMES_ES: dict[StepId, str] = {
    StepId.WEB_ACCESS: "Ingreso a la web",
    StepId.TEMPLATE_SELECTION: "Selección de plantilla y alcance",
    StepId.BUSINESS_TYPE: "Tipo de comercio",
    StepId.PRODUCT_INFORMATION: "Información del producto",
    StepId.CLIENT_VERIFICATION: "Verificación del cliente en CRM",
    StepId.CONTRACT: "Diligenciamiento del contrato",
    StepId.DOCUMENT_VALIDATION: "Validación de documentos",
    StepId.PURCHASE_FORM: "Formulario de compra",
    StepId.PIECE_DELIVERY: "Entrega de la pieza (aliado)",
    StepId.CLIENT_APPROVAL: "Aprobación del cliente",
    StepId.PROVISIONING_CALL: "Llamada de aprovisionamiento",
    StepId.WORK_ORDER_CLOSURE: "Cierre de OT e inicio de facturación",
    StepId.CYCLE_CLOSURE: "Cierre de ciclo",
}


def step_number(step: StepId) -> int:
    """1-based position of the step in the process."""
    return STEP_ORDER.index(step) + 1


def step_label(step: StepId) -> str:
    """`5. Verificación del cliente en CRM`: how staff see a step."""
    return f"{step_number(step)}. {STEP_NAMES_ES[step]}"
