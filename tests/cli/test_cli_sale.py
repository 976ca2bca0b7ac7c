"""`mnd sale open|show|list` and `mnd inbox` as staff, against the dev server and a worker."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from mnd.demo_data import demo_sale
from mnd.domain.profile import fast_profile
from mnd.domain.steps import StepId
from tests.cli.helpers import Team, amnd, eventually, open_demo

pytestmark = pytest.mark.devserver


async def test_open_as_the_signed_in_consultant_and_refuse_a_duplicate(team: Team) -> None:
    opened = await open_demo(team.other_consultant, "CLI-OPEN-1")
    assert opened.stdout.splitlines()[:2] == [
        "Venta CLI-OPEN-1 abierta por Pedro Díaz (perfil fast).",
        "Paso 2. Selección de plantilla y alcance · espera a: Consultor",
    ]
    shown = await amnd("sale", "show", "CLI-OPEN-1", "--token", team.consultant)
    assert "Pedro Díaz (cons-0099)" in shown.stdout  # the token's member, not the demo's

    again = await amnd(
        "sale", "open", "--demo", "--sale-id", "CLI-OPEN-1", "--token", team.consultant
    )
    assert again.exit_code == 3
    assert again.stderr == (
        "La venta «CLI-OPEN-1» ya fue abierta; no se abre dos veces (la primera no cambió).\n"
    )
    still = await amnd("sale", "show", "CLI-OPEN-1", "--token", team.consultant)
    assert "Pedro Díaz (cons-0099)" in still.stdout


async def test_open_refusals(team: Team, tmp_path: Path) -> None:
    not_consultant = await amnd("sale", "open", "--demo", "--token", team.provisioning)
    assert not_consultant.exit_code == 4
    assert not_consultant.stderr.startswith("Solo un consultor abre ventas")

    data = demo_sale("CLI-BAD-1").model_dump(mode="json", exclude={"profile", "catalog"})
    data["client"]["document_number"] = "900.373.115-4"
    data["client"]["email"] = "sin-arroba"
    bad = tmp_path / "venta.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    invalid = await amnd("sale", "open", str(bad), "--token", team.consultant)
    assert invalid.exit_code == 2 and invalid.stderr.count("\n") == 1
    assert invalid.stderr.startswith("La venta no es válida. client.email: correo electrónico")

    neither = await amnd("sale", "open", "--token", team.consultant)
    assert neither.exit_code == 2 and "o --demo" in neither.stderr


async def test_show_list_and_inbox(team: Team, tmp_path: Path) -> None:
    # A sale from a file whose profile gives step 2 no time at all: overdue in the inbox at once.
    no_time = {StepId.TEMPLATE_SELECTION: timedelta(0)}
    profile = fast_profile().model_copy(update={"step_sla": no_time})
    data = demo_sale("CLI-LATE-1", profile).model_dump(mode="json", exclude={"consultant"})
    sale_file = tmp_path / "venta.json"
    sale_file.write_text(json.dumps(data), encoding="utf-8")
    late = await amnd("sale", "open", str(sale_file), "--token", team.consultant)
    assert late.exit_code == 0, late.stderr
    await open_demo(team.consultant, "CLI-LIST-1")

    shown = await amnd("sale", "show", "CLI-LIST-1", "--token", team.consultant)
    assert shown.exit_code == 0
    for text in (
        "Venta CLI-LIST-1 · Confecciones La Esperanza S.A.S.",
        "2. Selección de plantilla y alcance",
        "Espera a               Consultor",
        "Qué se espera          plantilla y su alcance",
        "Vence (SLA)",
        "NIT 900.373.115-3",
        "Tienda Digital",
    ):
        assert text in shown.stdout, text

    me = ["inbox", "--token", team.consultant]
    inbox = await eventually(me, lambda r: "CLI-LIST-1" in r.stdout and "CLI-LATE-1" in r.stdout)
    rows = [line for line in inbox.stdout.splitlines() if "CLI-L" in line]
    assert [("CLI-LATE-1" in row) for row in rows] == [True, False]  # oldest first
    assert "VENCIDA" in rows[0] and "VENCIDA" not in rows[1]
    assert "2. Selección de plantilla y alcance" in rows[1] and "Consultor" in rows[1]
    others = await amnd("inbox", "--token", team.other_consultant)
    assert "CLI-LIST-1" not in others.stdout  # another consultant's sale is not their work
    provisioning = await amnd("inbox", "--token", team.provisioning)
    assert provisioning.stdout.startswith("Bandeja vacía")

    listed = await amnd("sale", "list", "--token", team.ally, "--waiting-on", "consultor")
    assert "CLI-LIST-1" in listed.stdout and "CLI-LATE-1" in listed.stdout
    for filters in (
        "--step 2 --q list-1",
        "--status abierta --plan tienda_digital --consultant cons-0042 --q CLI-LIST",
    ):
        found = await amnd("sale", "list", "--token", team.ally, *filters.split())
        assert "CLI-LIST-1" in found.stdout and "CLI-LATE-1" not in found.stdout, filters
    none = await amnd("sale", "list", "--token", team.ally, "--step", "contract")
    assert none.stdout == "No hay ventas con esos filtros.\n"
    bad_step = await amnd("sale", "list", "--token", team.ally, "--step", "14")
    assert bad_step.exit_code == 2 and bad_step.stderr.startswith("Paso desconocido «14»")


async def test_show_unknown_sale(team: Team) -> None:
    result = await amnd("sale", "show", "NO-EXISTE-1", "--token", team.consultant)
    assert (result.exit_code, result.stderr) == (5, "No existe la venta «NO-EXISTE-1».\n")


async def test_repair_a_sale_that_replays_changes_nothing(team: Team) -> None:
    await open_demo(team.consultant, "CLI-REPAIR-1")
    not_allowed = await amnd("sale", "repair", "CLI-REPAIR-1", "--token", team.consultant)
    assert not_allowed.exit_code == 4
    assert not_allowed.stderr.startswith("Solo un supervisor o el sistema reparan ventas")
    healthy = await amnd("sale", "repair", "CLI-REPAIR-1", "--token", team.supervisor)
    assert (healthy.exit_code, healthy.stdout) == (
        0,
        "La venta CLI-REPAIR-1 se reproduce bien: no hay nada que reparar.\n",
    )
    unknown = await amnd("sale", "repair", "NO-EXISTE-2", "--token", team.supervisor)
    assert (unknown.exit_code, unknown.stderr) == (5, "No existe la venta «NO-EXISTE-2».\n")
