"""Records an accepted action on the sale. Only `rules.check` decides acceptance; this never refuses."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from mnd.domain import actions as a
from mnd.domain.sale import (
    CallRecord,
    Cancellation,
    Correction,
    CrmResult,
    CrmRoute,
    PieceDelivery,
    SaleState,
    WorkOrderStatus,
)

Apply = Callable[[SaleState, Any, datetime], str]


def crm_route(in_onyx: bool, in_rr: bool) -> tuple[CrmRoute, str]:
    """PROCESS.md step 5: where the contract is typed, and why."""
    if in_onyx and in_rr:
        return CrmRoute.ONYX, "Cliente creado en ONYX y RR: el contrato se digita por ONYX."
    if in_rr:
        return CrmRoute.RR, "Cliente creado solo en RR: la venta se ingresa por RR."
    if in_onyx:
        return CrmRoute.ONYX, "Cliente creado solo en ONYX: la venta se digita por ONYX."
    return (
        CrmRoute.CREATE_IN_ONYX,
        "Cliente no creado: se solicita su creación en ONYX a Minería de Datos.",
    )


def apply(state: SaleState, action: str, payload: a.ActionInput, now: datetime) -> str:
    """Records the action and returns the Spanish line for the sale's log."""
    return _APPLIERS[action](state, payload, now)


def _template(s: SaleState, p: a.SelectTemplateInput, now: datetime) -> str:
    s.template_id, s.template_scope_notes = p.template_id, p.scope_notes
    return f"Plantilla seleccionada: {s.template_name()}"


def _business_type(s: SaleState, p: a.ConfirmBusinessTypeInput, now: datetime) -> str:
    s.business_type = p.business_type
    return f"Tipo de comercio: {s.catalog.business_types[p.business_type]}"


def _content(s: SaleState, p: a.SubmitContentInput, now: datetime) -> str:
    s.content = p.content
    return f"Contenido recibido: {len(p.content.products)} producto(s)"


def _crm(s: SaleState, p: a.RecordCrmLookupInput, now: datetime) -> str:
    route, reason = crm_route(p.in_onyx, p.in_rr)
    s.crm = CrmResult(in_onyx=p.in_onyx, in_rr=p.in_rr, route=route, reason=reason, recorded_at=now)
    return reason


def _onyx(s: SaleState, p: a.ConfirmOnyxCreationInput, now: datetime) -> str:
    assert s.crm is not None
    s.crm.onyx_id, s.crm.onyx_confirmed_at = p.onyx_id, now
    return f"Cliente creado en ONYX con id {p.onyx_id}"


def _contract_number(s: SaleState, p: a.AssignContractNumberInput, now: datetime) -> str:
    s.contract_number = p.contract_number
    return f"Consecutivo del contrato: {p.contract_number}"


def _documents(s: SaleState, p: a.SubmitDocumentsInput, now: datetime) -> str:
    s.documents, s.documents_submitted_at = p.documents, now
    return f"Documentos enviados: {len(p.documents.documents)}"


def _approve_documents(s: SaleState, p: a.ApproveDocumentsInput, now: datetime) -> str:
    current = s.current_round
    assert current is not None
    current.approved, current.decided_at, current.decided_by = True, now, p.actor.id
    return f"Documentos aprobados (ronda {current.number})"


def _reject_documents(s: SaleState, p: a.RejectDocumentsInput, now: datetime) -> str:
    current = s.current_round
    assert current is not None
    current.approved, current.decided_at, current.decided_by = False, now, p.actor.id
    current.rejections = list(p.rejections)
    reasons = "; ".join(f"{r.kind.value}: {r.reason}" for r in p.rejections)
    return f"Documentos rechazados (ronda {current.number}): {reasons}"


def _purchase_form(s: SaleState, p: a.SubmitPurchaseFormInput, now: datetime) -> str:
    s.purchase_form_at = now
    return "Formulario de compra enviado"


def _delivery(s: SaleState, p: a.DeliverPieceInput, now: datetime) -> str:
    s.delivery = PieceDelivery(
        round=s.delivery_round,
        product_url=str(p.product_url),
        delivery_piece_url=str(p.delivery_piece_url),
        support_channels_piece_url=str(p.support_channels_piece_url),
        delivered_at=now,
    )
    s.deliveries.append(s.delivery)
    return f"Pieza entregada: {p.product_url}"


def _approve_product(s: SaleState, p: a.ApproveProductInput, now: datetime) -> str:
    s.approved_at, s.approved_by = now, p.actor.id
    return "Producto aprobado por el cliente"


def _corrections(s: SaleState, p: a.RequestCorrectionsInput, now: datetime) -> str:
    s.corrections.append(
        Correction(
            round=s.delivery_round, comments=p.comments, requested_by=p.actor.id, requested_at=now
        )
    )
    return f"Correcciones solicitadas: {p.comments}"


def _call(s: SaleState, p: a.RecordCallInput, now: datetime) -> str:
    record = CallRecord(attempt=len(s.calls) + 1, at=now, by=p.actor.id, call=p)
    s.calls.append(record)
    if not p.reached:
        return f"Llamada intento {record.attempt}: cliente no contactado"
    failed = record.failed_applications
    return f"Llamada intento {record.attempt}: " + (
        f"fallan {', '.join(failed)}" if failed else "registrada"
    )


def _closure(s: SaleState, p: a.ConfirmWorkOrderClosureInput, now: datetime) -> str:
    assert s.work_order is not None
    s.work_order.status = WorkOrderStatus.CLOSED
    s.work_order.billing_start_date, s.work_order.closed_at = p.billing_start_date, now
    return f"OT {s.work_order.number} cerrada; facturación desde {p.billing_start_date}"


def _post_sale(s: SaleState, p: a.RecordPostSaleRequestInput, now: datetime) -> str:
    s.post_sale_requests.append(p.description)
    return f"Solicitud de posventa registrada: {p.description}"


def _cancel(s: SaleState, p: a.CancelSaleInput, now: datetime) -> str:
    s.cancellation = Cancellation(reason=p.reason, by=p.actor.id, at=now)
    return f"Cancelación solicitada: {p.reason}"


def _reassign(s: SaleState, p: a.ReassignConsultantInput, now: datetime) -> str:
    previous, s.consultant = s.consultant.name, p.consultant
    return f"Venta reasignada de {previous} a {p.consultant.name}: {p.reason}"


_APPLIERS: dict[str, Apply] = {
    "select_template": _template,
    "confirm_business_type": _business_type,
    "submit_content": _content,
    "record_crm_lookup": _crm,
    "confirm_onyx_creation": _onyx,
    "assign_contract_number": _contract_number,
    "submit_documents": _documents,
    "approve_documents": _approve_documents,
    "reject_documents": _reject_documents,
    "submit_purchase_form": _purchase_form,
    "deliver_piece": _delivery,
    "approve_product": _approve_product,
    "request_corrections": _corrections,
    "record_call": _call,
    "confirm_work_order_closure": _closure,
    "record_post_sale_request": _post_sale,
    "cancel_sale": _cancel,
    "reassign_consultant": _reassign,
}
assert set(_APPLIERS) == set(a.ACTIONS), "every action has its recorder"
