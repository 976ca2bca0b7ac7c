"""Steps 6 to 8: the contract number, the document set, its validation and the purchase form."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from pydantic import Field

from mnd.domain.actions.base import ActionInput, invalid, not_now
from mnd.domain.clock import rule_date
from mnd.domain.documents import DocumentRejection, DocumentSet, document_set_errors
from mnd.domain.fields import CONTRACT_NUMBER_MAX, FILE_NAME_MAX, NonBlank, too_long
from mnd.domain.roles import Role
from mnd.domain.sale import SaleState, ValidationRound
from mnd.domain.steps import StepId


class AssignContractNumberInput(ActionInput):
    name: ClassVar[str] = "assign_contract_number"
    label_es: ClassVar[str] = "Asignar consecutivo del contrato"
    roles: ClassVar[frozenset[Role]] = frozenset({Role.PROVISIONING})
    step: ClassVar[StepId | None] = StepId.CONTRACT

    contract_number: NonBlank

    def check(self, sale: SaleState, now: datetime) -> None:
        if sale.contract_number is not None:
            raise not_now(f"El consecutivo del contrato ya fue asignado ({sale.contract_number}).")
        if sale.text_limits:
            invalid(too_long("contract_number", self.contract_number, CONTRACT_NUMBER_MAX))

    def apply(self, sale: SaleState, now: datetime) -> str:
        sale.contract_number = self.contract_number
        return f"Consecutivo del contrato: {self.contract_number}"


class SubmitDocumentsInput(ActionInput):
    name: ClassVar[str] = "submit_documents"
    label_es: ClassVar[str] = "Enviar documentos"
    roles: ClassVar[frozenset[Role]] = frozenset({Role.CONSULTANT})
    step: ClassVar[StepId | None] = StepId.CONTRACT

    documents: DocumentSet

    def check(self, sale: SaleState, now: datetime) -> None:
        if sale.documents is not None:
            raise not_now("Los documentos de esta ronda ya fueron enviados.")
        # The submission day is the Colombian one: a RUT's 30 days are counted in Bogotá.
        errors = document_set_errors(self.documents, rule_date(now, sale.colombian_dates))
        if sale.text_limits:
            for i, document in enumerate(self.documents.documents):
                errors += too_long(
                    f"documents.documents.{i}.file_name", document.file_name, FILE_NAME_MAX
                )
        invalid(errors)

    def apply(self, sale: SaleState, now: datetime) -> str:
        sale.documents, sale.documents_submitted_at = self.documents, now
        return f"Documentos enviados: {len(self.documents.documents)}"


def _open_round(sale: SaleState) -> ValidationRound:
    current = sale.current_round
    if current is None or current.approved is not None:
        raise not_now("Soporte Comercial ya registró su decisión en esta ronda de validación.")
    return current


class ApproveDocumentsInput(ActionInput):
    name: ClassVar[str] = "approve_documents"
    label_es: ClassVar[str] = "Aprobar documentos"
    roles: ClassVar[frozenset[Role]] = frozenset({Role.COMMERCIAL_SUPPORT})
    step: ClassVar[StepId | None] = StepId.DOCUMENT_VALIDATION

    notes: str | None = None

    def check(self, sale: SaleState, now: datetime) -> None:
        _open_round(sale)

    def apply(self, sale: SaleState, now: datetime) -> str:
        current = _open_round(sale)
        current.approved, current.decided_at, current.decided_by = True, now, self.actor.id
        return f"Documentos aprobados (ronda {current.number})"


class RejectDocumentsInput(ActionInput):
    name: ClassVar[str] = "reject_documents"
    label_es: ClassVar[str] = "Rechazar documentos"
    roles: ClassVar[frozenset[Role]] = frozenset({Role.COMMERCIAL_SUPPORT})
    step: ClassVar[StepId | None] = StepId.DOCUMENT_VALIDATION

    rejections: list[DocumentRejection] = Field(min_length=1)

    def check(self, sale: SaleState, now: datetime) -> None:
        _open_round(sale)
        submitted = {d.kind for d in sale.documents.documents} if sale.documents else set()
        invalid(
            [
                f"rejections: el documento «{r.kind.value}» no fue enviado"
                for r in self.rejections
                if r.kind not in submitted
            ]
        )

    def apply(self, sale: SaleState, now: datetime) -> str:
        current = _open_round(sale)
        current.approved, current.decided_at, current.decided_by = False, now, self.actor.id
        current.rejections = list(self.rejections)
        reasons = "; ".join(f"{r.kind.value}: {r.reason}" for r in self.rejections)
        return f"Documentos rechazados (ronda {current.number}): {reasons}"


class SubmitPurchaseFormInput(ActionInput):
    name: ClassVar[str] = "submit_purchase_form"
    label_es: ClassVar[str] = "Enviar formulario de compra"
    roles: ClassVar[frozenset[Role]] = frozenset({Role.CONSULTANT})
    step: ClassVar[StepId | None] = StepId.PURCHASE_FORM

    plan_id: NonBlank
    template_id: NonBlank
    business_type: NonBlank
    product_count: int = Field(ge=0)
    work_order_number: NonBlank

    def check(self, sale: SaleState, now: datetime) -> None:
        expected = {
            "plan_id": sale.plan_id,
            "template_id": sale.template_id,
            "business_type": sale.business_type,
            "product_count": len(sale.content.products) if sale.content else 0,
            "work_order_number": sale.work_order.number if sale.work_order else None,
        }
        invalid(
            [
                f"{field}: «{getattr(self, field)}» no coincide con lo registrado en la venta («{value}»)"
                for field, value in expected.items()
                if getattr(self, field) != value
            ]
        )

    def apply(self, sale: SaleState, now: datetime) -> str:
        sale.purchase_form_at = now
        return "Formulario de compra enviado"
