"""Spanish `--help` for the `mnd` CLI: Typer prints its headings and help line in English.

Typer 0.29 keeps the panel titles and the `[default: …]` tags as module settings of
`typer.rich_utils`, meant to be replaced. The help option's text and the `Usage:` prefix come
from its vendored Click with no setting, so those two are set by wrapping the one method that
produces each. `tests/cli/test_cli_help.py` fails if a Typer upgrade moves them.
"""

from __future__ import annotations

from typing import Any

import typer.rich_utils as rich_help
from typer._click.core import Command, Context
from typer._click.formatting import HelpFormatter

HELP_OPTION_TEXT = "Muestra esta ayuda y termina."
USAGE_PREFIX = "Uso: "

_TITLES = {
    "ARGUMENTS_PANEL_TITLE": "Argumentos",
    "OPTIONS_PANEL_TITLE": "Opciones",
    "COMMANDS_PANEL_TITLE": "Comandos",
    "ERRORS_PANEL_TITLE": "Error",
    "ABORTED_TEXT": "Cancelado.",
    "DEFAULT_STRING": "[predeterminado: {}]",
    "ENVVAR_STRING": "[variable de entorno: {}]",
    "REQUIRED_LONG_STRING": "[obligatorio]",
    "DEPRECATED_STRING": "(obsoleto) ",
}


def install() -> None:
    """Makes every `mnd` help page Spanish; safe to call more than once."""
    for name, text in _TITLES.items():
        setattr(rich_help, name, text)
    if getattr(Command.get_help_option, "_spanish", False):
        return
    help_option, write_usage = Command.get_help_option, HelpFormatter.write_usage

    def spanish_help_option(self: Command, ctx: Context) -> Any:
        option = help_option(self, ctx)
        if option is not None:
            option.help = HELP_OPTION_TEXT
        return option

    def spanish_usage(self: HelpFormatter, prog: str, args: str = "", prefix: Any = None) -> None:
        write_usage(self, prog, args, USAGE_PREFIX if prefix is None else prefix)

    spanish_help_option._spanish = True  # type: ignore[attr-defined]
    Command.get_help_option = spanish_help_option  # type: ignore[method-assign]
    HelpFormatter.write_usage = spanish_usage  # type: ignore[method-assign]
