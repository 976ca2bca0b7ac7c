"""Steps 9 to 12: the ally's delivery, the client's decision, the call and the OT closure."""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

from pydantic import HttpUrl

from mnd.domain.actions.base import ActionInput, invalid, not_now
from mnd.domain.calls import CallReport
from mnd.domain.catalog import DELIVERED_APPLICATIONS
from mnd.domain.clock import rule_date, spanish_date
from mnd.domain.fields import NonBlank
from mnd.domain.roles import Role
from mnd.domain.sale import (
    CallRecord,
    Correction,
    PieceDelivery,
    SaleState,
    WorkOrderStatus,
)
from mnd.domain.steps import StepId


class DeliverPieceInput(ActionInput):
    name: ClassVar[str] = "deliver_piece"
    label_es: ClassVar[str] = "Entregar pieza"
    roles: ClassVar[frozenset[Role]] = frozenset({Role.ALLY})
    step: ClassVar[StepId | None] = StepId.PIECE_DELIVERY

    product_url: HttpUrl
    delivery_piece_url: HttpUrl
    support_channels_piece_url: HttpUrl

    def check(self, sale: SaleState, now: datetime) -> None:
        if sale.delivery is not None:
            raise not_now(
                "La pieza de esta ronda ya fue entregada; espera la aprobación del cliente."
            )

    def apply(self, sale: SaleState, now: datetime) -> str:
        sale.delivery = PieceDelivery(
            round=sale.delivery_round,
            product_url=str(self.product_url),
            delivery_piece_url=str(self.delivery_piece_url),
            support_channels_piece_url=str(self.support_channels_piece_url),
            delivered_at=now,
        )
        sale.deliveries.append(sale.delivery)
        return f"Pieza entregada: {self.product_url}"


def _awaiting_approval(sale: SaleState) -> None:
    if sale.delivery is None or any(c.round == sale.delivery_round for c in sale.corrections):
        raise not_now("No hay una entrega pendiente de aprobación.")


class ApproveProductInput(ActionInput):
    name: ClassVar[str] = "approve_product"
    label_es: ClassVar[str] = "Aprobar producto"
    roles: ClassVar[frozenset[Role]] = frozenset({Role.CLIENT, Role.PRODUCTION})
    step: ClassVar[StepId | None] = StepId.CLIENT_APPROVAL

    comment: str | None = None

    def check(self, sale: SaleState, now: datetime) -> None:
        _awaiting_approval(sale)

    def apply(self, sale: SaleState, now: datetime) -> str:
        sale.approved_at, sale.approved_by = now, self.actor.id
        return "Producto aprobado por el cliente"


class RequestCorrectionsInput(ActionInput):
    name: ClassVar[str] = "request_corrections"
    label_es: ClassVar[str] = "Solicitar correcciones"
    roles: ClassVar[frozenset[Role]] = frozenset({Role.CLIENT, Role.PRODUCTION})
    step: ClassVar[StepId | None] = StepId.CLIENT_APPROVAL

    comments: NonBlank

    def check(self, sale: SaleState, now: datetime) -> None:
        _awaiting_approval(sale)

    def apply(self, sale: SaleState, now: datetime) -> str:
        sale.corrections.append(
            Correction(
                round=sale.delivery_round,
                comments=self.comments,
                requested_by=self.actor.id,
                requested_at=now,
            )
        )
        return f"Correcciones solicitadas: {self.comments}"


class RecordCallInput(ActionInput, CallReport):
    name: ClassVar[str] = "record_call"
    label_es: ClassVar[str] = "Registrar llamada de aprovisionamiento"
    roles: ClassVar[frozenset[Role]] = frozenset({Role.PRODUCTION})
    step: ClassVar[StepId | None] = StepId.PROVISIONING_CALL

    def check(self, sale: SaleState, now: datetime) -> None:
        invalid(
            [
                f"applications.{k}: aplicativo desconocido (válidos: {', '.join(DELIVERED_APPLICATIONS)})"
                for k in self.applications
                if k not in DELIVERED_APPLICATIONS
            ]
        )
        if self.reached and not self.applications:
            invalid(["applications: registre la validación de App, Dash y Panel de Administración"])

    def apply(self, sale: SaleState, now: datetime) -> str:
        report = CallReport.model_validate(self.model_dump(exclude={"actor"}))
        record = CallRecord(attempt=len(sale.calls) + 1, at=now, by=self.actor.id, call=report)
        sale.calls.append(record)
        if not self.reached:
            return f"Llamada intento {record.attempt}: cliente no contactado"
        failed = record.failed_applications
        return f"Llamada intento {record.attempt}: " + (
            f"fallan {', '.join(failed)}" if failed else "registrada"
        )


class ConfirmWorkOrderClosureInput(ActionInput):
    name: ClassVar[str] = "confirm_work_order_closure"
    label_es: ClassVar[str] = "Confirmar cierre de OT"
    roles: ClassVar[frozenset[Role]] = frozenset({Role.PROVISIONING})
    step: ClassVar[StepId | None] = StepId.WORK_ORDER_CLOSURE

    work_order_number: NonBlank
    billing_start_date: date

    def check(self, sale: SaleState, now: datetime) -> None:
        ot = sale.work_order
        if ot is None or self.work_order_number != ot.number:
            invalid(
                [
                    f"work_order_number: «{self.work_order_number}» no es la OT de la venta ({ot.number if ot else 'sin OT'})"
                ]
            )
        elif self.billing_start_date < (issued_on := rule_date(ot.issued_at, sale.colombian_dates)):
            # The OT's issue day as read in Bogotá: an OT issued at 21:00 there is not "tomorrow".
            invalid(
                [
                    f"billing_start_date: no puede ser anterior a la emisión de la OT ({spanish_date(issued_on)})"
                ]
            )

    def apply(self, sale: SaleState, now: datetime) -> str:
        ot = sale.work_order
        assert ot is not None  # check() refused otherwise
        ot.status, ot.billing_start_date, ot.closed_at = (
            WorkOrderStatus.CLOSED,
            self.billing_start_date,
            now,
        )
        return (
            f"OT {ot.number} cerrada; facturación desde el {spanish_date(self.billing_start_date)}"
        )
