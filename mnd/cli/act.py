"""`mnd act`: the signed-in member takes an action on a sale (through `SaleService`)."""

from __future__ import annotations

import asyncio
import secrets
from pathlib import Path
from typing import Annotated, Any

import typer
from temporalio.client import WorkflowUpdateRPCTimeoutOrCancelledError
from temporalio.service import RPCError

from mnd.cli.common import EXIT_INVALID, fail, settings
from mnd.cli.identity import TokenOption, signed_in
from mnd.cli.payload import apply_sets, read_json
from mnd.cli.temporal import refused, sale_service
from mnd.domain.action_result import ActionResult
from mnd.domain.actions import ACTIONS
from mnd.domain.clock import COLOMBIA
from mnd.domain.errors import ActionRefused
from mnd.domain.parties import Actor
from mnd.domain.sale import SaleState
from mnd.labels import role_text, roles_text, step_text
from mnd.services.sales import actor_for
from mnd.settings import Settings
from mnd.temporal_retry import is_transient

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
    idempotency_key: Annotated[
        str | None,
        typer.Option(
            "--idempotency-key",
            help="Clave propia: repetir el comando con la misma clave no aplica la acción dos veces",
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
    # Always a key: when the answer is lost, the message below names it, and a rerun with it
    # answers without applying the action a second time.
    key = idempotency_key or secrets.token_urlsafe(8)
    update_id = f"{member.id}:{action}:{key}"
    answer = asyncio.run(_act(settings(), sale_id, action, payload, actor, update_id, key))
    label = ACTIONS[action].label_es
    typer.echo(f"✔ {label}: aceptada, como {member.name} ({role_text(actor.role.value)}).")
    typer.echo(f"  {answer.message}")
    typer.echo(describe(answer))


async def _act(
    config: Settings,
    sale_id: str,
    action: str,
    payload: dict[str, Any],
    actor: Actor,
    update_id: str,
    key: str,
) -> ActionResult:
    # The answer comes once the sale has reacted: nothing to poll afterwards.
    async with sale_service(config, f"Enviando «{ACTIONS[action].label_es}»…") as service:
        try:
            return await service.act(sale_id, action, payload, actor, update_id)
        except (RPCError, WorkflowUpdateRPCTimeoutOrCancelledError) as exc:
            if not is_transient(exc, deadline_safe=True):
                raise
            # Retried within its bound and still no answer: the sale may have taken it or not.
            fail(
                "Temporal no respondió a tiempo: la acción pudo quedar aplicada o no. Repita el "
                f"comando con --idempotency-key {key}; si ya se aplicó, responde lo mismo sin "
                "aplicarla de nuevo."
            )


def describe(state: SaleState | ActionResult) -> str:
    """Where the sale stands now, in one line: step, who it waits on, and what for."""
    if state.status != "open":
        return f"Venta {state.sale_id}: {state.waiting_for or state.status.label_es}."
    waiting = roles_text((r.value for r in state.waiting_on), "nadie")
    what = f" ({state.waiting_for})" if state.waiting_for else ""
    line = f"Venta {state.sale_id}: paso {step_text(state.step.value)} · espera a: {waiting}{what}."
    if state.min_until and not state.waiting_on:
        line += (
            f" Mínimo hasta {state.min_until.astimezone(COLOMBIA):%Y-%m-%d %H:%M} (hora Colombia)."
        )
    return line
