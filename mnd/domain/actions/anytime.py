"""Actions not tied to one step: post-sale requests, cancellation and reassignment."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from mnd.domain.actions.base import ActionInput, invalid, not_now
from mnd.domain.fields import NonBlank
from mnd.domain.parties import Consultant
from mnd.domain.roles import Role
from mnd.domain.sale import Cancellation, SaleState
from mnd.domain.steps import STEP_ORDER, StepId


class RecordPostSaleRequestInput(ActionInput):
    name: ClassVar[str] = "record_post_sale_request"
    label_es: ClassVar[str] = "Registrar solicitud de posventa"
    roles: ClassVar[frozenset[Role]] = frozenset({Role.CONSULTANT, Role.PRODUCTION, Role.CLIENT})

    description: NonBlank

    def check(self, sale: SaleState, now: datetime) -> None:
        if STEP_ORDER.index(sale.step) < STEP_ORDER.index(StepId.PIECE_DELIVERY):
            raise not_now(
                "Las solicitudes de posventa se registran a partir de la entrega de la pieza (paso 9)."
            )

    def apply(self, sale: SaleState, now: datetime) -> str:
        sale.post_sale_requests.append(self.description)
        return f"Solicitud de posventa registrada: {self.description}"


class CancelSaleInput(ActionInput):
    name: ClassVar[str] = "cancel_sale"
    label_es: ClassVar[str] = "Cancelar venta"
    roles: ClassVar[frozenset[Role]] = frozenset({Role.CONSULTANT, Role.SUPERVISOR})

    reason: NonBlank

    def check(self, sale: SaleState, now: datetime) -> None:
        if sale.step is StepId.CYCLE_CLOSURE:
            raise not_now("La venta ya completó el cierre de OT; no se puede cancelar.")

    def apply(self, sale: SaleState, now: datetime) -> str:
        sale.cancellation = Cancellation(reason=self.reason, by=self.actor.id, at=now)
        return f"Cancelación solicitada: {self.reason}"


class ReassignConsultantInput(ActionInput):
    name: ClassVar[str] = "reassign_consultant"
    label_es: ClassVar[str] = "Reasignar consultor"
    roles: ClassVar[frozenset[Role]] = frozenset({Role.SUPERVISOR})

    consultant: Consultant
    reason: NonBlank

    def check(self, sale: SaleState, now: datetime) -> None:
        if self.consultant.id == sale.consultant.id:
            invalid([f"consultant.id: la venta ya está asignada a {sale.consultant.name}"])

    def apply(self, sale: SaleState, now: datetime) -> str:
        previous, sale.consultant = sale.consultant.name, self.consultant
        return f"Venta reasignada de {previous} a {self.consultant.name}: {self.reason}"
