"""How staff read the sale's codes: Spanish step, role and status names, durations, filters."""

from __future__ import annotations

from collections.abc import Iterable

from mnd.cli.common import EXIT_INVALID, fail
from mnd.domain.catalog import DEFAULT_CATALOG
from mnd.domain.roles import ROLE_NAMES_ES, Role
from mnd.domain.steps import STEP_ORDER, StepId, step_label

STATUS_ES = {"open": "abierta", "completed": "completada", "cancelled": "cancelada"}
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


def parse_step(value: str) -> StepId:
    """A step by id (`contract`) or number (`6`); refused in Spanish otherwise."""
    if value.isdigit() and 1 <= int(value) <= len(STEP_ORDER):
        return STEP_ORDER[int(value) - 1]
    if value in StepId._value2member_map_:
        return StepId(value)
    fail(
        f"Paso desconocido «{value}»: use el número (1 a 13) o el id, p. ej. contract.",
        EXIT_INVALID,
    )


def parse_role(value: str) -> Role:
    """A staff role by id (`provisioning`) or Spanish name (`Aprovisionamiento`)."""
    wanted = value.strip().lower()
    for role in STAFF_ROLES:
        if wanted in (role.value, ROLE_NAMES_ES[role].lower()):
            return role
    choices = ", ".join(role.value for role in STAFF_ROLES)
    fail(f"Rol desconocido «{value}»: use uno de {choices}.", EXIT_INVALID)


def parse_status(value: str) -> str:
    """A sale status by code (`open`) or Spanish label (`abierta`)."""
    for code, label in STATUS_ES.items():
        if value.lower() in (code, label):
            return code
    fail(f"Estado desconocido «{value}»: use open, completed o cancelled.", EXIT_INVALID)
