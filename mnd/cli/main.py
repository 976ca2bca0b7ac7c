"""The `mnd` console script: staff tools over the records database."""

from __future__ import annotations

import typer

from mnd.cli import outbox

app = typer.Typer(
    name="mnd",
    help="Herramientas de Mi Negocio Digital para el equipo.",
    no_args_is_help=True,
    # Staff see one Spanish line on an error, never a traceback with local variables.
    pretty_exceptions_show_locals=False,
)
# One sub-app per module under mnd/cli/: sale, act, inbox, staff and report join here.
app.add_typer(outbox.app, name="outbox")

if __name__ == "__main__":
    app()
