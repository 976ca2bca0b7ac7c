"""Who in an area has the sale: several people answer one mailbox (Soporte Comercial, Producción,
Aprovisionamiento, Minería de Datos, the ally), so one member takes a sale and, while they have
it, only they act on it for the area (`ActionInput.check_claim`). None of these moves the sale.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from pydantic import BaseModel, ConfigDict

from mnd.domain.actions.base import ActionInput, invalid, member_label, not_now, roles_es
from mnd.domain.errors import ActionRefused, RefusalKind
from mnd.domain.fields import NonBlank
from mnd.domain.parties import Actor
from mnd.domain.roles import AREA_ROLES, ROLE_NAMES_ES, Role
from mnd.domain.sale import SaleState


class TakeSaleInput(ActionInput):
    name: ClassVar[str] = "take_sale"
    label_es: ClassVar[str] = "Tomar la venta"
    roles: ClassVar[frozenset[Role]] = AREA_ROLES

    def check_claim(self, sale: SaleState) -> None:
        """Taking has its own rule and message (`check`): the general one would hide them."""

    def check(self, sale: SaleState, now: datetime) -> None:
        role = self.actor.role
        area = ROLE_NAMES_ES[role]
        holder = sale.claims.get(role)
        if holder is not None and holder.id == self.actor.id:
            raise not_now(f"Usted ya tiene esta venta por {area}; no hay nada que tomar.")
        if holder is not None:
            raise ActionRefused(
                RefusalKind.WRONG_ROLE,
                f"La venta ya la tomó {member_label(holder)}. Pídale que la libere o a un "
                "supervisor que se la asigne.",
            )
        if role not in sale.waiting_on:
            waiting = ", ".join(ROLE_NAMES_ES[r] for r in sale.waiting_on) or "nadie"
            raise not_now(
                f"La venta no espera a {area} ahora (espera a: {waiting}); se toma cuando "
                "espera a su área."
            )

    def apply(self, sale: SaleState, now: datetime) -> str:
        sale.claims[self.actor.role] = self.actor.model_copy()
        return f"Tomada por {member_label(self.actor)}"


class ReleaseSaleInput(ActionInput):
    """Only the member who has the sale releases it: `check_claim` refuses anyone else."""

    name: ClassVar[str] = "release_sale"
    label_es: ClassVar[str] = "Liberar la venta"
    roles: ClassVar[frozenset[Role]] = AREA_ROLES

    def check(self, sale: SaleState, now: datetime) -> None:
        if self.actor.role not in sale.claims:
            area = ROLE_NAMES_ES[self.actor.role]
            raise not_now(f"Nadie de {area} tiene esta venta; no hay nada que liberar.")

    def apply(self, sale: SaleState, now: datetime) -> str:
        holder = sale.claims.pop(self.actor.role)
        return f"Liberada por {member_label(holder)}"


class AreaMember(BaseModel):
    """The member a supervisor gives the sale to; they act in the assignment's `role`."""

    model_config = ConfigDict(extra="forbid")

    id: NonBlank
    name: NonBlank


class AssignSaleInput(ActionInput):
    name: ClassVar[str] = "assign_sale"
    label_es: ClassVar[str] = "Asignar la venta a un miembro del área"
    roles: ClassVar[frozenset[Role]] = frozenset({Role.SUPERVISOR})

    role: Role
    member: AreaMember
    reason: NonBlank | None = None

    def check(self, sale: SaleState, now: datetime) -> None:
        if self.role not in AREA_ROLES:
            invalid(
                [
                    f"role: {ROLE_NAMES_ES[self.role]} no es un área que tome ventas; "
                    f"use una de: {roles_es(AREA_ROLES)}"
                ]
            )
        holder = sale.claims.get(self.role)
        if holder is not None and holder.id == self.member.id:
            invalid([f"member.id: la venta ya la tiene {member_label(holder)}"])

    def apply(self, sale: SaleState, now: datetime) -> str:
        previous = sale.claims.get(self.role)
        member = Actor(id=self.member.id, role=self.role, name=self.member.name)
        sale.claims[self.role] = member
        line = f"Asignada a {member_label(member)}"
        if previous is not None:
            line += f" (la tenía {previous.name or previous.id})"
        return line + (f": {self.reason}" if self.reason else "")
