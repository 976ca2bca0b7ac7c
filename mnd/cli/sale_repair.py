"""`mnd sale repair`: a supervisor brings back a sale whose history no longer replays."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from mnd.cli.common import EXIT_ROLE, fail, settings
from mnd.cli.identity import TokenOption, signed_in
from mnd.cli.temporal import sale_service
from mnd.domain.roles import Role
from mnd.labels import roles_text
from mnd.services.repair import Repair, RepairImpossible, repair_sale
from mnd.settings import Settings

ALLOWED = (Role.SUPERVISOR, Role.SYSTEM)


def repair_command(
    sale_id: Annotated[str, typer.Argument(help="Id de la venta")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Solo diagnosticar; no reiniciar nada")
    ] = False,
    token: TokenOption = None,
) -> None:
    """Repara una venta cuya historia ya no se reproduce (TMPRL1100): la reinicia en la tarea
    que falla; lo que vuelve a ejecutar no escribe ni envía nada dos veces."""
    member = signed_in(token)
    if not set(member.roles) & set(ALLOWED):
        fail(
            f"Solo un supervisor o el sistema reparan ventas; los roles de {member.name} son: "
            f"{roles_text(member.roles)}.",
            EXIT_ROLE,
        )
    repair = asyncio.run(_repair(settings(), sale_id, dry_run))
    diagnosis = repair.diagnosis
    if diagnosis.replay_failure is None:
        typer.echo(f"La venta {sale_id} se reproduce bien: no hay nada que reparar.")
        return
    typer.echo(f"La historia de la venta {sale_id} no se reproduce: {diagnosis.replay_failure}")
    if repair.new_run_id is None:
        typer.echo(f"Se reiniciaría en el evento {diagnosis.reset_to_event} (--dry-run).")
        return
    typer.echo(
        f"Venta reiniciada en el evento {diagnosis.reset_to_event}: la nueva ejecución es "
        f"{repair.new_run_id} y sigue sola."
    )


async def _repair(config: Settings, sale_id: str, dry_run: bool) -> Repair:
    async with sale_service(config, f"Revisando la historia de la venta {sale_id}…") as service:
        try:
            return await repair_sale(service.client, sale_id, dry_run=dry_run)
        except RepairImpossible as exc:
            fail(str(exc))
