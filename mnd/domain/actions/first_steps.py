"""Steps 2 to 5: the consultant's choices with the client, and the CRM lookup."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from mnd.domain.actions.base import ActionInput, invalid, not_now
from mnd.domain.content import ContentPackage, plan_content_errors
from mnd.domain.fields import NonBlank
from mnd.domain.roles import Role
from mnd.domain.sale import CrmResult, CrmRoute, SaleState
from mnd.domain.steps import StepId


class SelectTemplateInput(ActionInput):
    name: ClassVar[str] = "select_template"
    label_es: ClassVar[str] = "Seleccionar plantilla"
    roles: ClassVar[frozenset[Role]] = frozenset({Role.CONSULTANT})
    step: ClassVar[StepId | None] = StepId.TEMPLATE_SELECTION

    template_id: NonBlank
    scope_notes: str | None = None

    def check(self, sale: SaleState, now: datetime) -> None:
        plan = sale.catalog.plan(sale.plan_id)
        if plan is None or plan.template(self.template_id) is None:
            names = ", ".join(t.id for t in plan.templates) if plan else ""
            invalid(
                [
                    f"template_id: la plantilla «{self.template_id}» no pertenece al plan {plan.name if plan else sale.plan_id} (plantillas: {names})"
                ]
            )

    def apply(self, sale: SaleState, now: datetime) -> str:
        sale.template_id, sale.template_scope_notes = self.template_id, self.scope_notes
        return f"Plantilla seleccionada: {sale.template_name()}"


class ConfirmBusinessTypeInput(ActionInput):
    name: ClassVar[str] = "confirm_business_type"
    label_es: ClassVar[str] = "Confirmar tipo de comercio"
    roles: ClassVar[frozenset[Role]] = frozenset({Role.CONSULTANT})
    step: ClassVar[StepId | None] = StepId.BUSINESS_TYPE

    business_type: NonBlank

    def check(self, sale: SaleState, now: datetime) -> None:
        known = sale.catalog.business_types
        if self.business_type not in known:
            invalid(
                [
                    f"business_type: «{self.business_type}» no está en el catálogo ({', '.join(known)})"
                ]
            )

    def apply(self, sale: SaleState, now: datetime) -> str:
        sale.business_type = self.business_type
        return f"Tipo de comercio: {sale.catalog.business_types[self.business_type]}"


class SubmitContentInput(ActionInput):
    name: ClassVar[str] = "submit_content"
    label_es: ClassVar[str] = "Enviar contenido"
    roles: ClassVar[frozenset[Role]] = frozenset({Role.CONSULTANT})
    step: ClassVar[StepId | None] = StepId.PRODUCT_INFORMATION

    content: ContentPackage

    def check(self, sale: SaleState, now: datetime) -> None:
        plan = sale.catalog.plan(sale.plan_id)
        invalid(plan_content_errors(self.content, plan.requires_products if plan else True))

    def apply(self, sale: SaleState, now: datetime) -> str:
        sale.content = self.content
        return f"Contenido recibido: {len(self.content.products)} producto(s)"


def crm_route(in_onyx: bool, in_rr: bool) -> tuple[CrmRoute, str]:
    """PROCESS.md step 5: where the contract is typed, and why."""
    if in_onyx and in_rr:
        return CrmRoute.ONYX, "Cliente registrado en ONYX y en RR: el contrato se digita por ONYX."
    if in_rr:
        return CrmRoute.RR, "Cliente registrado solo en RR: la venta se ingresa por RR."
    if in_onyx:
        return CrmRoute.ONYX, "Cliente registrado solo en ONYX: la venta se digita por ONYX."
    return (
        CrmRoute.CREATE_IN_ONYX,
        "Cliente no registrado: se solicita su creación en ONYX a Minería de Datos.",
    )


class RecordCrmLookupInput(ActionInput):
    name: ClassVar[str] = "record_crm_lookup"
    label_es: ClassVar[str] = "Registrar consulta en CRM"
    roles: ClassVar[frozenset[Role]] = frozenset({Role.CONSULTANT, Role.DATA_MINING})
    step: ClassVar[StepId | None] = StepId.CLIENT_VERIFICATION

    in_onyx: bool
    in_rr: bool
    notes: str | None = None

    def check(self, sale: SaleState, now: datetime) -> None:
        if sale.crm is not None:
            raise not_now("La consulta en CRM ya está registrada para esta venta.")

    def apply(self, sale: SaleState, now: datetime) -> str:
        route, reason = crm_route(self.in_onyx, self.in_rr)
        sale.crm = CrmResult(
            in_onyx=self.in_onyx, in_rr=self.in_rr, route=route, reason=reason, recorded_at=now
        )
        return reason


class ConfirmOnyxCreationInput(ActionInput):
    name: ClassVar[str] = "confirm_onyx_creation"
    label_es: ClassVar[str] = "Confirmar creación en ONYX"
    roles: ClassVar[frozenset[Role]] = frozenset({Role.DATA_MINING})
    step: ClassVar[StepId | None] = StepId.CLIENT_VERIFICATION

    onyx_id: NonBlank

    def check(self, sale: SaleState, now: datetime) -> None:
        if sale.crm is None or sale.crm.route != "create_in_onyx":
            raise not_now("No hay una solicitud de creación del cliente en ONYX pendiente.")
        if sale.crm.onyx_id is not None:
            raise not_now("La creación del cliente en ONYX ya fue confirmada.")

    def apply(self, sale: SaleState, now: datetime) -> str:
        assert sale.crm is not None  # check() refused otherwise
        sale.crm.onyx_id, sale.crm.onyx_confirmed_at = self.onyx_id, now
        return f"Cliente creado en ONYX con id {self.onyx_id}"
