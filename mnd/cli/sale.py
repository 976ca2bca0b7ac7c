"""`mnd sale`: open a sale as the signed-in consultant, show one, list them."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, cast

import typer
from pydantic import ValidationError
from rich.console import Console

from mnd.auth.staff import Staff
from mnd.cli.common import EXIT_CONFLICT, EXIT_INVALID, EXIT_ROLE, fail, settings
from mnd.cli.identity import TokenOption, signed_in
from mnd.cli.payload import read_json
from mnd.cli.sale_list import list_command
from mnd.cli.sale_panel import sale_view
from mnd.cli.sale_repair import repair_command
from mnd.cli.temporal import sale_service
from mnd.demo_data import demo_sale
from mnd.domain.messages import spanish_summary
from mnd.domain.roles import Role
from mnd.domain.sale import NewSaleInput, OpenSaleInput, SaleState
from mnd.labels import roles_text, step_text
from mnd.opening import new_sale_id
from mnd.services.sales import SaleAlreadyExists
from mnd.settings import ProfileName, Settings

app = typer.Typer(help="Ventas: abrir, ver y listar.", no_args_is_help=True)
app.command("list")(list_command)
app.command("repair")(repair_command)


def _consultant(member: Staff) -> dict[str, str]:
    if Role.CONSULTANT not in member.roles:
        fail(
            f"Solo un consultor abre ventas; los roles de {member.name} son: "
            f"{roles_text(member.roles)}.",
            EXIT_ROLE,
        )
    return {"id": member.id, "name": member.name, "email": member.email}


def build_sale(
    member: Staff,
    config: Settings,
    file: Path | None,
    demo: bool,
    sale_id: str | None,
    profile: ProfileName | None,
) -> OpenSaleInput:
    """The sale to open, with the signed-in member as its consultant; exit 2 when invalid."""
    consultant = _consultant(member)
    if demo == (file is not None):
        fail("Indique un archivo JSON con la venta o --demo (uno de los dos).", EXIT_INVALID)
    data: dict[str, Any]
    if demo:
        data = demo_sale("demo").model_dump(
            mode="json", exclude={"profile", "catalog", "consultant"}
        )
    else:
        data = read_json(file, "los datos de la venta")
    named = data.get("consultant")
    if isinstance(named, dict) and named.get("id") not in (None, member.id):
        fail(
            f"El archivo nombra al consultor «{named.get('id')}»: la venta la abre quien firma "
            f"({member.id}); quite «consultant» del archivo.",
            EXIT_INVALID,
        )
    data["consultant"] = consultant
    data["sale_id"] = sale_id or (None if demo else data.get("sale_id")) or new_sale_id()
    # The flag (or MND_PROFILE) wins over the file only when the file names no profile.
    if profile is not None or "profile" not in data:
        data["profile"] = config.process_profile(profile).model_dump(mode="json")
    try:
        return NewSaleInput.model_validate(data)
    except ValidationError as exc:
        fields = spanish_summary(exc).removeprefix("Datos no válidos. ")
        fail(f"La venta no es válida. {fields}", EXIT_INVALID)


@app.command("open")
def open_sale(
    file: Annotated[
        Path | None, typer.Argument(help="JSON con los datos de la venta (OpenSaleInput)")
    ] = None,
    demo: Annotated[bool, typer.Option("--demo", help="Usar los datos de demostración")] = False,
    sale_id: Annotated[
        str | None, typer.Option("--sale-id", help="Id de la venta (si falta, se genera)")
    ] = None,
    profile: Annotated[
        str | None, typer.Option("--profile", help="Perfil de tiempos: seed (días) o fast")
    ] = None,
    token: TokenOption = None,
) -> None:
    """Abre una venta (paso 1) como el consultor que firma con su token."""
    if profile not in (None, "seed", "fast"):
        fail(f"Perfil desconocido «{profile}»: use seed o fast.", EXIT_INVALID)
    member = signed_in(token)
    config = settings()
    inp = build_sale(member, config, file, demo, sale_id, cast(ProfileName | None, profile))
    state = asyncio.run(_open(config, inp))
    typer.echo(f"Venta {inp.sale_id} abierta por {member.name} (perfil {inp.profile.name}).")
    typer.echo(_where(state))
    typer.echo(f"Siga la venta con: mnd sale show {inp.sale_id}")


async def _open(config: Settings, inp: OpenSaleInput) -> SaleState:
    async with sale_service(config, f"Abriendo la venta {inp.sale_id}…") as service:
        try:
            return await service.open(inp)
        except SaleAlreadyExists as exc:
            fail(str(exc), EXIT_CONFLICT)


def _where(state: SaleState) -> str:
    waiting = roles_text((r.value for r in state.waiting_on), "nadie por ahora")
    return f"Paso {step_text(state.step.value)} · espera a: {waiting}"


@app.command("show")
def show(
    sale_id: Annotated[str, typer.Argument(help="Id de la venta")],
    log: Annotated[int, typer.Option("--log", min=0, help="Entradas del registro a mostrar")] = 8,
    token: TokenOption = None,
) -> None:
    """Muestra una venta: paso, a quién espera, vencimientos, números, documentos y registro."""
    signed_in(token)
    config = settings()
    state = asyncio.run(_state(config, sale_id))
    Console().print(sale_view(state, datetime.now(UTC), log))


async def _state(config: Settings, sale_id: str) -> SaleState:
    async with sale_service(config, f"Consultando la venta {sale_id}…") as service:
        return await service.state(sale_id)
