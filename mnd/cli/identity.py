"""Who runs a staff command: the member owning the personal token (`--token` or `MND_TOKEN`)."""

from __future__ import annotations

from typing import Annotated

import typer

from mnd.auth.staff import Staff, StaffDirectory
from mnd.cli.common import fail, records

TokenOption = Annotated[
    str | None,
    typer.Option(
        "--token",
        envvar="MND_TOKEN",
        show_envvar=True,
        show_default=False,
        help="Su token personal (lo crea un operador con `mnd staff add` o `mnd staff token`)",
    ),
]


def signed_in(token: str | None) -> Staff:
    """The active member owning the unrevoked token; ends the command in Spanish otherwise."""
    if not token or not token.strip():
        fail(
            "Falta su token personal: use --token o la variable MND_TOKEN "
            "(un operador lo crea con `mnd staff add` o `mnd staff token`)."
        )
    with records() as sessions:
        member = StaffDirectory(sessions).authenticate(token.strip())
    if member is None:
        fail(
            "El token no es válido, fue revocado o su usuario está inactivo; "
            "pida uno nuevo a un operador (`mnd staff token`)."
        )
    return member
