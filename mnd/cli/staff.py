"""`mnd staff`: operators add staff members and issue or revoke their personal tokens."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from pydantic import TypeAdapter, ValidationError
from rich.console import Console
from rich.table import Table

from mnd.auth.sign_in import ConsoleAuth
from mnd.auth.staff import StaffDirectory, StaffError
from mnd.cli.common import EXIT_INVALID, fail, records
from mnd.cli.labels import parse_role
from mnd.domain.fields import Email, NonBlank
from mnd.domain.messages import spanish_errors
from mnd.domain.roles import ROLE_NAMES_ES
from mnd.labels import STAFF_ROLES, roles_text

app = typer.Typer(
    help="Miembros del equipo y sus tokens personales (operadores, en el servidor).",
    no_args_is_help=True,
)

ROLE_HELP = "Rol (repetible), por id o nombre: " + ", ".join(
    f"{role.value} ({ROLE_NAMES_ES[role]})" for role in STAFF_ROLES
)
TOKEN_NOTE = "Guárdelo ahora: no se vuelve a mostrar (en la base solo queda su huella)."


def _checked(field: str, kind: Any, value: str) -> str:
    try:
        return str(TypeAdapter(kind).validate_python(value))
    except ValidationError as exc:
        fail(f"{field}: {spanish_errors(exc)[0].partition(': ')[2]}", EXIT_INVALID)


@app.command("add")
def add(
    staff_id: Annotated[str, typer.Argument(help="Id del miembro, p. ej. cons-0042")],
    name: Annotated[str, typer.Option("--name", help="Nombre completo")],
    email: Annotated[str, typer.Option("--email", help="Correo electrónico")],
    role: Annotated[list[str], typer.Option("--role", help=ROLE_HELP)],
    label: Annotated[str, typer.Option("--label", help="Etiqueta del primer token")] = "inicial",
) -> None:
    """Agrega un miembro del equipo con sus roles e imprime su primer token."""
    roles = list(dict.fromkeys(parse_role(r) for r in role))
    checked_id = _checked("id", NonBlank, staff_id)
    with records() as sessions:
        directory = StaffDirectory(sessions)
        try:
            member = directory.add(
                checked_id,
                _checked("nombre", NonBlank, name),
                _checked("correo", Email, email),
                roles,
            )
            token = directory.create_token(member.id, label)
        except StaffError as exc:
            fail(str(exc))
    typer.echo(f"Miembro «{member.id}» ({member.name}) creado con roles: {roles_text(roles)}.")
    typer.echo(f"Token personal: {token}")
    typer.echo(TOKEN_NOTE)


@app.command("token")
def token(
    staff_id: Annotated[str, typer.Argument(help="Id del miembro")],
    label: Annotated[str, typer.Option("--label", help="Para qué o dónde se usa")] = "",
) -> None:
    """Crea un token personal nuevo para un miembro activo (los anteriores siguen válidos)."""
    with records() as sessions:
        try:
            new_token = StaffDirectory(sessions).create_token(staff_id, label)
        except StaffError as exc:
            fail(str(exc))
    typer.echo(f"Token personal de «{staff_id}»: {new_token}")
    typer.echo(TOKEN_NOTE)


@app.command("list")
def list_staff() -> None:
    """Lista los miembros del equipo, sus roles y si están activos."""
    with records() as sessions:
        members = StaffDirectory(sessions).list()
    if not members:
        typer.echo("No hay miembros del equipo. Agregue uno con `mnd staff add`.")
        return
    table = Table("Id", "Nombre", "Correo", "Roles", "Activo")
    for m in members:
        table.add_row(m.id, m.name, m.email, roles_text(m.roles), "sí" if m.active else "no")
    Console().print(table)


@app.command("revoke")
def revoke(
    staff_id: Annotated[str, typer.Argument(help="Id del miembro")],
    deactivate: Annotated[
        bool, typer.Option("--deactivate", help="Además, desactivar al miembro")
    ] = False,
) -> None:
    """Revoca todos los tokens de un miembro (y lo desactiva con --deactivate)."""
    with records() as sessions:
        try:
            count = StaffDirectory(sessions).revoke(staff_id, deactivate)
        except StaffError as exc:
            fail(str(exc))
    typer.echo(f"Tokens revocados de «{staff_id}»: {count}.")
    if deactivate:
        typer.echo(f"«{staff_id}» quedó inactivo: no puede recibir tokens nuevos.")


@app.command("password")
def password(
    staff_id: Annotated[str, typer.Argument(help="Id del miembro")],
    new_password: Annotated[
        str,
        typer.Option(
            "--password",
            prompt="Contraseña nueva",
            hide_input=True,
            confirmation_prompt="Repítala",
            help="La contraseña de la consola (si falta, se pide sin mostrarla)",
        ),
    ],
) -> None:
    """Fija la contraseña de la consola de un miembro y cierra sus sesiones abiertas."""
    with records() as sessions:
        try:
            ConsoleAuth(sessions).set_password(staff_id, new_password)
        except StaffError as exc:
            fail(str(exc))
    typer.echo(f"Contraseña de «{staff_id}» actualizada; sus sesiones abiertas se cerraron.")
