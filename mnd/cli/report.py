"""`mnd report`: step durations over a period and one sale's timeline, from the audit trail."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from mnd.cli.common import EXIT_INVALID, EXIT_NOT_FOUND, fail, local_time, records
from mnd.db.engine import read_session
from mnd.domain.clock import COLOMBIA
from mnd.labels import duration_text, step_text
from mnd.reports import sale_timeline, step_report

app = typer.Typer(help="Reportes de tiempos por paso y línea de tiempo de una venta.")

DEFAULT_DAYS = 30


def _day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"{option}: fecha no válida «{value}»; use AAAA-MM-DD.", EXIT_INVALID)


@app.command("steps")
def steps(
    start: Annotated[
        str | None, typer.Option("--from", help="Primer día (AAAA-MM-DD, hora de Colombia)")
    ] = None,
    end: Annotated[
        str | None, typer.Option("--to", help="Último día, incluido (por defecto hoy)")
    ] = None,
) -> None:
    """Mediana, p90 e incumplimientos de SLA de cada paso terminado en el periodo."""
    last = _day(end, "--to") or datetime.now(COLOMBIA).date()
    first = _day(start, "--from") or last - timedelta(days=DEFAULT_DAYS)
    if first > last:
        fail(f"--from ({first}) es posterior a --to ({last}).", EXIT_INVALID)
    # Whole Colombian days: from midnight of the first to midnight after the last.
    since = datetime.combine(first, time(), COLOMBIA)
    until = datetime.combine(last + timedelta(days=1), time(), COLOMBIA)
    with records() as sessions, read_session(sessions) as session:
        stats = step_report(session, since, until)
    if not stats:
        typer.echo(f"No hay pasos terminados entre el {first} y el {last}.")
        return
    table = Table(title=f"Tiempos por paso, del {first} al {last} (hora de Colombia)")
    for name in ("Paso", "Pasadas", "Mediana", "P90", "Fuera de SLA"):
        table.add_column(name, justify="left" if name == "Paso" else "right")
    for s in stats:
        breaches = f"[red]{s.sla_breaches}[/red]" if s.sla_breaches else "0"
        table.add_row(
            step_text(s.step),
            str(s.count),
            duration_text(s.median_seconds),
            duration_text(s.p90_seconds),
            breaches,
        )
    Console().print(table)


@app.command("timeline")
def timeline(sale_id: Annotated[str, typer.Argument(help="Id de la venta")]) -> None:
    """Los pasos de una venta en orden: inicio, fin, duración, SLA y quién actuó."""
    with records() as sessions, read_session(sessions) as session:
        spans = sale_timeline(session, sale_id)
    if not spans:
        fail(f"No hay registros de la venta «{sale_id}».", EXIT_NOT_FOUND)
    table = Table(title=f"Línea de tiempo de la venta {sale_id} (hora de Colombia)")
    for name in ("Paso", "Ronda", "Inicio", "Fin", "Duración", "SLA", "Actuaron"):
        table.add_column(name)
    for span in spans:
        sla = {None: "—", True: "[red]incumplido[/red]", False: "cumplido"}[span.sla_breached]
        table.add_row(
            step_text(span.step),
            str(span.round),
            local_time(span.started_at),
            local_time(span.ended_at) if span.ended_at else "en curso",
            duration_text(span.duration_seconds),
            sla,
            ", ".join(span.actors) or "—",
        )
    Console().print(table)
