"""`mnd sale list`: the sales from the records' projection, filtered."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from mnd.cli.common import local_time, records
from mnd.cli.identity import TokenOption, signed_in
from mnd.cli.labels import parse_role, parse_status, parse_step
from mnd.db.engine import read_session
from mnd.db.sale_list import SaleListFilter, list_sales
from mnd.labels import plan_text, roles_text, status_text, step_text


def list_command(
    step: Annotated[str | None, typer.Option("--step", help="Paso: número o id")] = None,
    waiting_on: Annotated[
        str | None, typer.Option("--waiting-on", help="Rol por el que espera")
    ] = None,
    consultant: Annotated[str | None, typer.Option("--consultant", help="Id del consultor")] = None,
    plan: Annotated[
        str | None,
        typer.Option(
            "--plan",
            help="Plan: tienda_digital (Tienda Digital) o posicionamiento (MND Posicionamiento)",
        ),
    ] = None,
    status: Annotated[
        str | None, typer.Option("--status", help="open, completed o cancelled")
    ] = None,
    q: Annotated[
        str | None, typer.Option("--q", help="Busca en venta, cliente, documento y consultor")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=1000, help="Cuántas")] = 50,
    token: TokenOption = None,
) -> None:
    """Lista las ventas, la de actividad más reciente primero."""
    signed_in(token)
    wanted = SaleListFilter(
        step=parse_step(step).value if step else None,
        waiting_on=parse_role(waiting_on).value if waiting_on else None,
        consultant_id=consultant,
        plan_id=plan,
        status=parse_status(status) if status else None,
        q=q,
        limit=limit,
    )
    with records() as sessions, read_session(sessions) as session:
        sales = list_sales(session, wanted)
    if not sales:
        typer.echo("No hay ventas con esos filtros.")
        return
    table = Table(title="Ventas · hora de Colombia")
    for name in ("Venta", "Cliente", "Plan", "Paso", "Espera a", "Consultor", "Estado", "Vence"):
        table.add_column(name, no_wrap=name == "Venta")
    for sale in sales:
        table.add_row(
            sale.sale_id,
            sale.client_name,
            plan_text(sale.plan_id),
            step_text(sale.step),
            roles_text(sale.waiting_on),
            sale.consultant_name,
            status_text(sale.status),
            local_time(sale.due_at),
        )
    Console().print(table)
