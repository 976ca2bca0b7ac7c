"""Reading staff's words back into the sale's codes on the command line: steps, roles, statuses.

What the codes read as (step, role, status names, durations) is shared with the console in
`mnd/labels.py`.
"""

from __future__ import annotations

from mnd.cli.common import EXIT_INVALID, fail
from mnd.domain.roles import ROLE_NAMES_ES, Role
from mnd.domain.steps import STEP_ORDER, StepId
from mnd.labels import STAFF_ROLES, STATUS_ES


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
    codes = ", ".join(STATUS_ES)
    fail(f"Estado desconocido «{value}»: use uno de {codes}.", EXIT_INVALID)
