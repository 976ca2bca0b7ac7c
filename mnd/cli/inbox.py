"""`mnd inbox`: the sales waiting on the signed-in member's roles, longest-waiting first."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from mnd.auth.staff import Staff
from mnd.cli.common import local_time, records
from mnd.cli.identity import TokenOption, signed_in
from mnd.db.engine import read_session
from mnd.db.queries import InboxItem, inbox
from mnd.domain.roles import Role
from mnd.labels import role_text, roles_text, step_text


def my_inbox(member: Staff, limit: int, now: datetime) -> list[InboxItem]:
    """Every sale waiting on one of the member's roles; as consultant, only their own sales."""
    items: list[InboxItem] = []
    with records() as sessions, read_session(sessions) as session:
        for role in member.roles:
            # Only the sale's consultant acts as consultant (PROCESS.md), so others' sales
            # waiting on "consultant" are not this member's work.
            mine = member.id if role is Role.CONSULTANT else None
            items += inbox(session, role.value, limit, now, consultant_id=mine)
    items.sort(key=lambda item: (item.since, item.sale_id))
    return items[:limit]


def _due(item: InboxItem) -> Text:
    if item.due_at is None:
        return Text("—")
    if item.overdue:
        return Text(f"{local_time(item.due_at)} VENCIDA", style="bold red")
    return Text(local_time(item.due_at))


def _taken(item: InboxItem) -> str:
    """Who in the row's area has the sale; "—" while nobody took it."""
    claim = item.claims.get(item.role)
    return claim.name if claim else "—"


def show_inbox(
    token: TokenOption = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Cuántas, como máximo")] = 50,
) -> None:
    """Lo que espera por sus roles, lo más antiguo primero, con su vencimiento."""
    member = signed_in(token)
    items = my_inbox(member, limit, datetime.now(UTC))
    who = f"{member.name} ({roles_text(member.roles)})"
    if not items:
        typer.echo(f"Bandeja vacía: ninguna venta espera por {who}.")
        return
    table = Table(title=f"Bandeja de {who} · hora de Colombia")
    columns = ("Venta", "Paso", "Rol", "Cliente", "Consultor", "Tomada por", "Desde", "Vence")
    for name in columns:
        table.add_column(name, no_wrap=name == "Venta")
    for item in items:
        table.add_row(
            item.sale_id,
            step_text(item.step),
            role_text(item.role),
            item.client_name,
            item.consultant_name,
            _taken(item),
            local_time(item.since),
            _due(item),
        )
    Console().print(table)
    overdue = sum(item.overdue for item in items)
    if overdue:
        Console().print(f"[bold red]{overdue} vencida(s)[/bold red] de {len(items)}.")
