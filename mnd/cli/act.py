"""`mnd act`: the signed-in member takes an action on a sale (through `SaleService`)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated, Any

import typer

from mnd.cli.common import EXIT_INVALID, fail, settings
from mnd.cli.identity import TokenOption, signed_in
from mnd.cli.labels import role_text, roles_text, step_text
from mnd.cli.payload import apply_sets, read_json
from mnd.cli.temporal import refused, sale_service
from mnd.domain.actions import ACTIONS
from mnd.domain.errors import ActionRefused
from mnd.domain.parties import Actor
from mnd.domain.sale import SaleState
from mnd.services.sales import SaleService, actor_for
from mnd.settings import Settings

# How long `act` waits for the sale to move after an accepted action, and how often it looks.
SETTLE_SECONDS = 1.5
SETTLE_POLL = 0.1
ACTION_HELP = "Acción: " + ", ".join(ACTIONS)


def act(
    sale_id: Annotated[str, typer.Argument(help="Id de la venta")],
    action: Annotated[str, typer.Argument(help=ACTION_HELP, show_default=False)],
    file: Annotated[
        Path | None,
        typer.Option("--file", "-f", help="JSON con los datos de la acción, sin actor (- = stdin)"),
    ] = None,
    assignments: Annotated[
        list[str] | None,
        typer.Option(
            "--set", help="campo=valor sobre el JSON (repetible), p. ej. contract_number=CT-1"
        ),
    ] = None,
    token: TokenOption = None,
) -> None:
    """Realiza una acción sobre una venta como el miembro del token; imprime el paso nuevo.

    Salida: 0 aceptada, 2 datos no válidos, 3 otro paso o venta cerrada, 4 rol, 5 sin venta.
    """
    member = signed_in(token)
    payload = apply_sets(read_json(file, "los datos de la acción"), assignments or [])
    if "actor" in payload:
        fail("Quite «actor» del JSON: quien actúa es el miembro de su token.", EXIT_INVALID)
    try:
        actor = actor_for(member.id, member.roles, action, member.name)
    except ActionRefused as exc:
        refused(exc)
    state = asyncio.run(_act(settings(), sale_id, action, payload, actor))
    label = ACTIONS[action].label_es
    typer.echo(f"✔ {label}: aceptada, como {member.name} ({role_text(actor.role.value)}).")
    typer.echo(describe(state))


async def _act(
    config: Settings, sale_id: str, action: str, payload: dict[str, Any], actor: Actor
) -> SaleState:
    async with sale_service(config, f"Enviando «{ACTIONS[action].label_es}»…") as service:
        accepted = await service.act(sale_id, action, payload, actor)
        return await _settled(service, accepted)


async def _settled(service: SaleService, accepted: SaleState) -> SaleState:
    """The state once the sale's main path has reacted to the action (or `SETTLE_SECONDS`).

    The Update returns the state as the handler recorded it; the workflow's main path moves to
    the next step (or starts a minimum timer) on its next task, a moment later.
    """
    before = _position(accepted)
    state = accepted
    for _ in range(int(SETTLE_SECONDS / SETTLE_POLL)):
        await asyncio.sleep(SETTLE_POLL)
        state = await service.state(accepted.sale_id)
        if _position(state) != before:
            break
    return state


def _position(state: SaleState) -> tuple[object, ...]:
    return (state.status, state.step, tuple(state.waiting_on), state.waiting_for, len(state.steps))


def describe(state: SaleState) -> str:
    """Where the sale stands now, in one line: step, who it waits on, and what for."""
    if state.status != "open":
        return f"Venta {state.sale_id}: {state.waiting_for or state.status.value}."
    waiting = roles_text((r.value for r in state.waiting_on), "nadie")
    what = f" ({state.waiting_for})" if state.waiting_for else ""
    return f"Venta {state.sale_id}: paso {step_text(state.step.value)} · espera a: {waiting}{what}."
