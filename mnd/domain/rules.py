"""The rules of each staff action: `check` refuses (nothing changes), `apply` records.

Pure functions over `SaleState`: the workflow calls `check` from its Update validators and
signal handlers, then `apply` from the handlers. `now` always comes from the workflow clock.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from mnd.domain import actions as a
from mnd.domain.catalog import DELIVERED_APPLICATIONS
from mnd.domain.content import plan_content_errors
from mnd.domain.documents import document_set_errors
from mnd.domain.errors import ActionRefused, RefusalKind
from mnd.domain.messages import spanish_summary
from mnd.domain.roles import ROLE_NAMES_ES, Role
from mnd.domain.sale import SaleState, SaleStatus
from mnd.domain.steps import STEP_ORDER, StepId, step_label

Check = Callable[[SaleState, Any, datetime], None]


def _invalid(errors: list[str]) -> None:
    if errors:
        raise ActionRefused(RefusalKind.INVALID_PAYLOAD, "Datos no válidos. " + "; ".join(errors))


def _not_now(message: str) -> ActionRefused:
    return ActionRefused(RefusalKind.WRONG_STEP, message)


def parse(action: str, raw: Any) -> a.ActionInput:
    spec = a.ACTIONS.get(action)
    if spec is None:
        raise ActionRefused(RefusalKind.INVALID_PAYLOAD, f"Acción desconocida: «{action}»")
    if isinstance(raw, spec.model):
        raw = raw.model_dump(mode="json")
    try:
        return spec.model.model_validate(raw)
    except ValidationError as exc:
        raise ActionRefused(RefusalKind.INVALID_PAYLOAD, spanish_summary(exc)) from exc


def check(state: SaleState, action: str, raw: Any, now: datetime) -> a.ActionInput:
    """Parses and checks an action against the sale; raises `ActionRefused` with a Spanish message."""
    payload = parse(action, raw)
    spec = a.ACTIONS[action]
    if state.status is not SaleStatus.OPEN:
        raise ActionRefused(
            RefusalKind.CLOSED, f"La venta {state.sale_id} ya está cerrada ({state.status.value})."
        )
    actor = payload.actor
    if actor.role not in spec.roles:
        allowed = ", ".join(sorted(ROLE_NAMES_ES[r] for r in spec.roles))
        raise ActionRefused(
            RefusalKind.WRONG_ROLE,
            f"La acción «{spec.label_es}» corresponde a: {allowed}; el rol {ROLE_NAMES_ES[actor.role]} no puede realizarla.",
        )
    if actor.role is Role.CONSULTANT and actor.id != state.consultant.id:
        raise ActionRefused(
            RefusalKind.WRONG_ROLE,
            f"Solo el consultor asignado ({state.consultant.name}) puede actuar sobre la venta {state.sale_id}.",
        )
    if spec.step is not None and state.step is not spec.step:
        raise _not_now(
            f"La acción «{spec.label_es}» corresponde al paso {step_label(spec.step)}; la venta está en el paso {step_label(state.step)}."
        )
    _CHECKS[action](state, payload, now)
    return payload


def _check_template(s: SaleState, p: a.SelectTemplateInput, now: datetime) -> None:
    plan = s.catalog.plan(s.plan_id)
    if plan is None or plan.template(p.template_id) is None:
        names = ", ".join(t.id for t in plan.templates) if plan else ""
        _invalid(
            [
                f"template_id: la plantilla «{p.template_id}» no pertenece al plan {plan.name if plan else s.plan_id} (plantillas: {names})"
            ]
        )


def _check_business_type(s: SaleState, p: a.ConfirmBusinessTypeInput, now: datetime) -> None:
    if p.business_type not in s.catalog.business_types:
        _invalid(
            [
                f"business_type: «{p.business_type}» no está en el catálogo ({', '.join(s.catalog.business_types)})"
            ]
        )


def _check_content(s: SaleState, p: a.SubmitContentInput, now: datetime) -> None:
    plan = s.catalog.plan(s.plan_id)
    _invalid(plan_content_errors(p.content, plan.requires_products if plan else True))


def _check_crm(s: SaleState, p: a.RecordCrmLookupInput, now: datetime) -> None:
    if s.crm is not None:
        raise _not_now("La consulta en CRM ya está registrada para esta venta.")


def _check_onyx(s: SaleState, p: a.ConfirmOnyxCreationInput, now: datetime) -> None:
    if s.crm is None or s.crm.route != "create_in_onyx":
        raise _not_now("No hay una solicitud de creación del cliente en ONYX pendiente.")
    if s.crm.onyx_id is not None:
        raise _not_now("La creación del cliente en ONYX ya fue confirmada.")


def _check_contract_number(s: SaleState, p: a.AssignContractNumberInput, now: datetime) -> None:
    if s.contract_number is not None:
        raise _not_now(f"El consecutivo del contrato ya fue asignado ({s.contract_number}).")


def _check_documents(s: SaleState, p: a.SubmitDocumentsInput, now: datetime) -> None:
    if s.documents is not None:
        raise _not_now("Los documentos de esta ronda ya fueron enviados.")
    _invalid(document_set_errors(p.documents, now.date()))


def _check_round_open(s: SaleState, p: a.ActionInput, now: datetime) -> None:
    current = s.current_round
    if current is None or current.approved is not None:
        raise _not_now("Soporte Comercial ya registró su decisión en esta ronda de validación.")


def _check_rejection(s: SaleState, p: a.RejectDocumentsInput, now: datetime) -> None:
    _check_round_open(s, p, now)
    submitted = {d.kind for d in s.documents.documents} if s.documents else set()
    _invalid(
        [
            f"rejections: el documento «{r.kind.value}» no fue enviado"
            for r in p.rejections
            if r.kind not in submitted
        ]
    )


def _check_purchase_form(s: SaleState, p: a.SubmitPurchaseFormInput, now: datetime) -> None:
    expected = {
        "plan_id": s.plan_id,
        "template_id": s.template_id,
        "business_type": s.business_type,
        "product_count": len(s.content.products) if s.content else 0,
        "work_order_number": s.work_order.number if s.work_order else None,
    }
    _invalid(
        [
            f"{field}: «{getattr(p, field)}» no coincide con lo registrado en la venta («{value}»)"
            for field, value in expected.items()
            if getattr(p, field) != value
        ]
    )


def _check_delivery(s: SaleState, p: a.DeliverPieceInput, now: datetime) -> None:
    if s.delivery is not None:
        raise _not_now("La pieza de esta ronda ya fue entregada; espera la aprobación del cliente.")


def _check_approval(s: SaleState, p: a.ActionInput, now: datetime) -> None:
    if s.delivery is None or any(c.round == s.delivery_round for c in s.corrections):
        raise _not_now("No hay una entrega pendiente de aprobación.")


def _check_call(s: SaleState, p: a.RecordCallInput, now: datetime) -> None:
    unknown = [k for k in p.applications if k not in DELIVERED_APPLICATIONS]
    _invalid(
        [
            f"applications.{k}: aplicativo desconocido (válidos: {', '.join(DELIVERED_APPLICATIONS)})"
            for k in unknown
        ]
    )
    if p.reached and not p.applications:
        _invalid(["applications: registre la validación de App, Dash y Panel de Administración"])


def _check_closure(s: SaleState, p: a.ConfirmWorkOrderClosureInput, now: datetime) -> None:
    ot = s.work_order
    errors = []
    if ot is None or p.work_order_number != ot.number:
        errors.append(
            f"work_order_number: «{p.work_order_number}» no es la OT de la venta ({ot.number if ot else 'sin OT'})"
        )
    elif p.billing_start_date < ot.issued_at.date():
        errors.append(
            f"billing_start_date: no puede ser anterior a la emisión de la OT ({ot.issued_at.date()})"
        )
    _invalid(errors)


def _check_post_sale(s: SaleState, p: a.RecordPostSaleRequestInput, now: datetime) -> None:
    if STEP_ORDER.index(s.step) < STEP_ORDER.index(StepId.PIECE_DELIVERY):
        raise _not_now(
            "Las solicitudes de posventa se registran a partir de la entrega de la pieza (paso 9)."
        )


def _check_cancel(s: SaleState, p: a.CancelSaleInput, now: datetime) -> None:
    if s.step is StepId.CYCLE_CLOSURE:
        raise _not_now("La venta ya completó el cierre de OT; no se puede cancelar.")


def _check_reassign(s: SaleState, p: a.ReassignConsultantInput, now: datetime) -> None:
    if p.consultant.id == s.consultant.id:
        _invalid([f"consultant.id: la venta ya está asignada a {s.consultant.name}"])


def _no_check(s: SaleState, p: a.ActionInput, now: datetime) -> None:
    return None


_CHECKS: dict[str, Check] = {
    "select_template": _check_template,
    "confirm_business_type": _check_business_type,
    "submit_content": _check_content,
    "record_crm_lookup": _check_crm,
    "confirm_onyx_creation": _check_onyx,
    "assign_contract_number": _check_contract_number,
    "submit_documents": _check_documents,
    "approve_documents": _check_round_open,
    "reject_documents": _check_rejection,
    "submit_purchase_form": _check_purchase_form,
    "deliver_piece": _check_delivery,
    "approve_product": _check_approval,
    "request_corrections": _check_approval,
    "record_call": _check_call,
    "confirm_work_order_closure": _check_closure,
    "record_post_sale_request": _check_post_sale,
    "cancel_sale": _check_cancel,
    "reassign_consultant": _check_reassign,
}
assert set(_CHECKS) == set(a.ACTIONS), "every action has its check"
