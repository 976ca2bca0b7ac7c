"""What every staff action is: a typed payload that knows who may take it, when, what it checks
and what it records on the sale.

An action class carries its metadata as class variables (`name`, `label_es`, `roles`, `step`),
its own rule (`check`: raise `ActionRefused`, change nothing) and its effect (`apply`: record it
on the sale and return the Spanish log line). The workflow's Update and Signal handlers, the API
routes and bodies, the CLI and the console's forms are all derived from these classes.
"""

from __future__ import annotations

from abc import abstractmethod
from datetime import datetime
from typing import ClassVar

from pydantic import BaseModel, ConfigDict

from mnd.domain.errors import ActionRefused, RefusalKind
from mnd.domain.parties import Actor
from mnd.domain.roles import AREA_ROLES, ROLE_NAMES_ES, Role
from mnd.domain.sale import SaleState, SaleStatus
from mnd.domain.steps import StepId, step_label


def invalid(errors: list[str]) -> None:
    """Refuses the payload when there are errors, each naming its field."""
    if errors:
        raise ActionRefused(RefusalKind.INVALID_PAYLOAD, "Datos no válidos. " + "; ".join(errors))


def not_now(message: str) -> ActionRefused:
    return ActionRefused(RefusalKind.WRONG_STEP, message)


class ActionInput(BaseModel):
    """A staff action on a sale; subclasses set the class variables and the two methods."""

    model_config = ConfigDict(extra="forbid")

    name: ClassVar[str]
    label_es: ClassVar[str]
    roles: ClassVar[frozenset[Role]]
    # The step the action belongs to; None: any open step (its own `check` may narrow it).
    step: ClassVar[StepId | None] = None

    actor: Actor

    def check(self, sale: SaleState, now: datetime) -> None:
        """This action's own rule beyond role and step; raises `ActionRefused`. None by default."""

    @abstractmethod
    def apply(self, sale: SaleState, now: datetime) -> str:
        """Records the accepted action on the sale; returns the Spanish line for its log."""

    def check_claim(self, sale: SaleState) -> None:
        """In an area someone took the sale for, only that member acts in the area's role.

        Run by `admit`, so by the Update's validator too: a page left open on a sale that was
        reassigned meanwhile is refused. Sales without claims (all those recorded before claims
        existed) pass as before.
        """
        role = self.actor.role
        holder = sale.claims.get(role) if role in AREA_ROLES else None
        if holder is not None and holder.id != self.actor.id:
            raise ActionRefused(
                RefusalKind.WRONG_ROLE,
                f"La venta la tiene {member_label(holder)}; solo esa persona puede actuar por "
                "el área. Pídale que la libere o a un supervisor que la reasigne.",
            )

    def admit(self, sale: SaleState, now: datetime) -> None:
        """Every rule, in order: the sale is open, the role may act (and, in an area, the
        member has the sale or nobody does), it is the step, then `check`."""
        if sale.status is not SaleStatus.OPEN:
            raise ActionRefused(
                RefusalKind.CLOSED,
                f"La venta {sale.sale_id} ya está cerrada ({sale.status.label_es}).",
            )
        role = self.actor.role
        if role not in self.roles:
            raise ActionRefused(
                RefusalKind.WRONG_ROLE,
                f"La acción «{self.label_es}» corresponde a: {roles_es(self.roles)}; el rol {ROLE_NAMES_ES[role]} no puede realizarla.",
            )
        if role is Role.CONSULTANT and self.actor.id != sale.consultant.id:
            raise ActionRefused(
                RefusalKind.WRONG_ROLE,
                f"Solo el consultor asignado ({sale.consultant.name}) puede actuar sobre la venta {sale.sale_id}.",
            )
        self.check_claim(sale)
        if self.step is not None and sale.step is not self.step:
            raise not_now(
                f"La acción «{self.label_es}» corresponde al paso {step_label(self.step)}; la venta está en el paso {step_label(sale.step)}."
            )
        self.check(sale, now)


def member_label(member: Actor) -> str:
    """`Ana Pérez (Soporte Comercial)`: the member's name (or id) and the area they act in."""
    return f"{member.name or member.id} ({ROLE_NAMES_ES[member.role]})"


def roles_es(roles: frozenset[Role]) -> str:
    return ", ".join(sorted(ROLE_NAMES_ES[r] for r in roles))
