"""How staff read the sale's codes, for every tool that shows them (the CLI and the console):
Spanish step, role, plan and status names, and durations."""

from __future__ import annotations

from collections.abc import Iterable

from mnd.domain.catalog import DEFAULT_CATALOG
from mnd.domain.roles import ROLE_NAMES_ES, Role
from mnd.domain.sale import SaleStatus
from mnd.domain.steps import StepId, step_label

STATUS_ES = {status.value: status.label_es for status in SaleStatus}
# Roles a staff member can hold: the system acts on its own, never through a token.
STAFF_ROLES = tuple(role for role in Role if role is not Role.SYSTEM)


def step_text(step: str) -> str:
    """`5. Verificación del cliente en CRM` for a step id; the id itself if unknown."""
    return step_label(StepId(step)) if step in StepId._value2member_map_ else step


def role_text(role: str) -> str:
    return ROLE_NAMES_ES[Role(role)] if role in Role._value2member_map_ else role


def roles_text(roles: Iterable[str], empty: str = "—") -> str:
    names = [role_text(role) for role in roles]
    return ", ".join(names) if names else empty


def plan_text(plan_id: str) -> str:
    """`Tienda Digital` for `tienda_digital` (the default catalog's names); the id if unknown."""
    plan = DEFAULT_CATALOG.plan(plan_id)
    return plan.name if plan else plan_id


def status_text(status: str) -> str:
    return STATUS_ES.get(status, status)


def duration_text(seconds: float | None) -> str:
    """`2 d 3 h`, `4 h 05 min`, `12 min 30 s`, `8 s`: as precise as a person needs."""
    if seconds is None:
        return "—"
    total = round(seconds)
    days, rest = divmod(total, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes:02d} min"
    if minutes:
        return f"{minutes} min {secs:02d} s"
    return f"{secs} s"
