"""The `mnd` console script: staff tools over Temporal and the records database."""

from __future__ import annotations

import typer

from mnd.cli import dev, help_es, inbox, outbox, report, sale, staff
from mnd.cli.act import act

# Before any help page is built: Typer's own words (Usage, Options, --help) in Spanish.
help_es.install()

app = typer.Typer(
    name="mnd",
    help="Herramientas de Mi Negocio Digital para el equipo.",
    no_args_is_help=True,
    # Staff see one Spanish line on an error, never a traceback with local variables.
    pretty_exceptions_show_locals=False,
)
# One sub-app (or command) per module under mnd/cli/. `sale`, `act` and `inbox` run as the
# member owning the token (--token or MND_TOKEN); `staff`, `outbox`, `report` and `dev` are
# operator commands, run where the records database is.
app.add_typer(sale.app, name="sale")
app.command("act")(act)
app.command("inbox")(inbox.show_inbox)
app.add_typer(staff.app, name="staff")
app.add_typer(outbox.app, name="outbox")
app.add_typer(report.app, name="report")
app.command("dev")(dev.dev)

if __name__ == "__main__":
    app()
