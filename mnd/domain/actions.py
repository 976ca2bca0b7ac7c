"""Every staff action on a sale: its payload, the roles that may take it, and its step.

One model per action; each carries the actor. The workflow exposes each action as an Update
(with a validator) and as a Signal of the same name.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, HttpUrl

from mnd.domain.content import ContentPackage
from mnd.domain.documents import DocumentRejection, DocumentSet
from mnd.domain.fields import NonBlank
from mnd.domain.parties import Actor, Consultant
from mnd.domain.roles import Role
from mnd.domain.steps import StepId


class ActionInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    actor: Actor


class SelectTemplateInput(ActionInput):
    template_id: NonBlank
    scope_notes: str | None = None


class ConfirmBusinessTypeInput(ActionInput):
    business_type: NonBlank


class SubmitContentInput(ActionInput):
    content: ContentPackage


class RecordCrmLookupInput(ActionInput):
    in_onyx: bool
    in_rr: bool
    notes: str | None = None


class ConfirmOnyxCreationInput(ActionInput):
    onyx_id: NonBlank


class AssignContractNumberInput(ActionInput):
    contract_number: NonBlank


class SubmitDocumentsInput(ActionInput):
    documents: DocumentSet


class ApproveDocumentsInput(ActionInput):
    notes: str | None = None


class RejectDocumentsInput(ActionInput):
    rejections: list[DocumentRejection] = Field(min_length=1)


class SubmitPurchaseFormInput(ActionInput):
    plan_id: NonBlank
    template_id: NonBlank
    business_type: NonBlank
    product_count: int = Field(ge=0)
    work_order_number: NonBlank


class DeliverPieceInput(ActionInput):
    product_url: HttpUrl
    delivery_piece_url: HttpUrl
    support_channels_piece_url: HttpUrl


class ApproveProductInput(ActionInput):
    comment: str | None = None


class RequestCorrectionsInput(ActionInput):
    comments: NonBlank


class ApplicationCheck(StrEnum):
    OK = "ok"
    FAILED = "failed"


class RecordCallInput(ActionInput):
    reached: bool
    support_channels_explained: bool = False
    post_sale_channels_explained: bool = False
    applications: dict[str, ApplicationCheck] = Field(default_factory=dict)
    notes: str | None = None


class ConfirmWorkOrderClosureInput(ActionInput):
    work_order_number: NonBlank
    billing_start_date: date


class RecordPostSaleRequestInput(ActionInput):
    description: NonBlank


class CancelSaleInput(ActionInput):
    reason: NonBlank


class ReassignConsultantInput(ActionInput):
    consultant: Consultant
    reason: NonBlank


class ActionSpec(BaseModel):
    """Who may take an action and at which step (None: at any open step)."""

    name: str
    model: type[ActionInput]
    roles: frozenset[Role]
    step: StepId | None
    label_es: str


def _spec(
    name: str, model: type[ActionInput], roles: set[Role], step: StepId | None, label: str
) -> ActionSpec:
    return ActionSpec(name=name, model=model, roles=frozenset(roles), step=step, label_es=label)


_C, _S = Role.CONSULTANT, StepId
ACTIONS: dict[str, ActionSpec] = {
    s.name: s
    for s in (
        _spec(
            "select_template",
            SelectTemplateInput,
            {_C},
            _S.TEMPLATE_SELECTION,
            "Seleccionar plantilla",
        ),
        _spec(
            "confirm_business_type",
            ConfirmBusinessTypeInput,
            {_C},
            _S.BUSINESS_TYPE,
            "Confirmar tipo de comercio",
        ),
        _spec(
            "submit_content", SubmitContentInput, {_C}, _S.PRODUCT_INFORMATION, "Enviar contenido"
        ),
        _spec(
            "record_crm_lookup",
            RecordCrmLookupInput,
            {_C, Role.DATA_MINING},
            _S.CLIENT_VERIFICATION,
            "Registrar consulta en CRM",
        ),
        _spec(
            "confirm_onyx_creation",
            ConfirmOnyxCreationInput,
            {Role.DATA_MINING},
            _S.CLIENT_VERIFICATION,
            "Confirmar creación en ONYX",
        ),
        _spec(
            "assign_contract_number",
            AssignContractNumberInput,
            {Role.PROVISIONING},
            _S.CONTRACT,
            "Asignar consecutivo del contrato",
        ),
        _spec("submit_documents", SubmitDocumentsInput, {_C}, _S.CONTRACT, "Enviar documentos"),
        _spec(
            "approve_documents",
            ApproveDocumentsInput,
            {Role.COMMERCIAL_SUPPORT},
            _S.DOCUMENT_VALIDATION,
            "Aprobar documentos",
        ),
        _spec(
            "reject_documents",
            RejectDocumentsInput,
            {Role.COMMERCIAL_SUPPORT},
            _S.DOCUMENT_VALIDATION,
            "Rechazar documentos",
        ),
        _spec(
            "submit_purchase_form",
            SubmitPurchaseFormInput,
            {_C},
            _S.PURCHASE_FORM,
            "Enviar formulario de compra",
        ),
        _spec("deliver_piece", DeliverPieceInput, {Role.ALLY}, _S.PIECE_DELIVERY, "Entregar pieza"),
        _spec(
            "approve_product",
            ApproveProductInput,
            {Role.CLIENT, Role.PRODUCTION},
            _S.CLIENT_APPROVAL,
            "Aprobar producto",
        ),
        _spec(
            "request_corrections",
            RequestCorrectionsInput,
            {Role.CLIENT, Role.PRODUCTION},
            _S.CLIENT_APPROVAL,
            "Solicitar correcciones",
        ),
        _spec(
            "record_call",
            RecordCallInput,
            {Role.PRODUCTION},
            _S.PROVISIONING_CALL,
            "Registrar llamada de aprovisionamiento",
        ),
        _spec(
            "confirm_work_order_closure",
            ConfirmWorkOrderClosureInput,
            {Role.PROVISIONING},
            _S.WORK_ORDER_CLOSURE,
            "Confirmar cierre de OT",
        ),
        _spec(
            "record_post_sale_request",
            RecordPostSaleRequestInput,
            {_C, Role.PRODUCTION, Role.CLIENT},
            None,
            "Registrar solicitud de posventa",
        ),
        _spec("cancel_sale", CancelSaleInput, {_C, Role.SUPERVISOR}, None, "Cancelar venta"),
        _spec(
            "reassign_consultant",
            ReassignConsultantInput,
            {Role.SUPERVISOR},
            None,
            "Reasignar consultor",
        ),
    )
}
