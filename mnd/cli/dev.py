"""`mnd dev` (`make run`): the dev stack of `mnd.devstack`, up until Ctrl-C."""

from __future__ import annotations

from typing import Annotated

import typer

from mnd.cli.common import settings
from mnd.devstack import dev_settings, run_stack
from mnd.entrypoint import run_main


def dev(
    demo: Annotated[
        bool, typer.Option("--demo/--no-demo", help="Llevar una venta de demostración al final")
    ] = True,
    in_memory: Annotated[
        bool, typer.Option("--in-memory", help="No guardar el estado de Temporal en disco")
    ] = False,
) -> None:
    """Stack local: Temporal (con UI), worker, API HTTP y miembros de demostración con token."""
    run_main(run_stack(dev_settings(settings()), demo=demo, stay_up=True, in_memory=in_memory))
