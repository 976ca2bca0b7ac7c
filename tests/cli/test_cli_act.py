"""`mnd act`: every step of the demo sale with the example payloads, and each kind of refusal."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from mnd.domain.actions import ACTIONS
from mnd.domain.clock import colombian_date
from mnd.domain.sale import workflow_id_for
from tests.cli.helpers import Team, amnd, eventually, open_demo
from tests.tcp_proxy import TcpProxy
from workflows.sale import SaleWorkflow

pytestmark = pytest.mark.devserver
PAYLOADS = Path(__file__).parents[2] / "examples" / "payloads"


async def act(sale_id: str, action: str, token: str, *sets: str) -> tuple[int, str, str]:
    args = ["act", sale_id, action, "--file", str(PAYLOADS / f"{action}.json"), "--token", token]
    for assignment in sets:
        args += ["--set", assignment]
    result = await amnd(*args)
    return result.exit_code, result.stdout, result.stderr


async def test_every_step_with_the_example_payloads(team: Team) -> None:
    """The README's walk-through: each role acts with its token, in the process order."""
    sale = "CLI-WALK-1"
    await open_demo(team.consultant, sale)
    # The RUT's age counts in Colombian days; from 19:00 in Bogotá the UTC date is tomorrow.
    today = colombian_date(datetime.now(UTC)).isoformat()
    moves: list[tuple[str, str, tuple[str, ...], str]] = [
        ("select_template", team.consultant, (), "3. Tipo de comercio"),
        ("confirm_business_type", team.consultant, (), "4. Información del producto"),
        ("submit_content", team.consultant, (), "5. Verificación del cliente en CRM"),
        ("record_crm_lookup", team.consultant, (), "5. Verificación"),  # the 1-day minimum
        ("assign_contract_number", team.provisioning, (), "6. Diligenciamiento del contrato"),
        # Step 6 or, when the contract's 2-second minimum has already run out, step 7: the
        # fast profile's minimums run on the wall clock, so either answer is right.
        ("submit_documents", team.consultant, (f"documents.documents.4.issued_on={today}",), "6|7"),
    ]
    for action, token, sets, expected in moves:
        code, out, err = await act(sale, action, token, *sets)
        if action == "assign_contract_number" and code == 3:  # step 5's minimum still running
            await eventually(
                ["sale", "show", sale, "--token", token], lambda r: "6. Dilig" in r.stdout
            )
            code, out, err = await act(sale, action, token, *sets)
        assert code == 0, (action, err)
        shown_steps = [f"paso {step}" for step in expected.split("|")]
        assert out.startswith("✔ ") and any(s in out for s in shown_steps), (action, out)

    shown = await eventually(
        ["sale", "show", sale, "--token", team.consultant], lambda r: "7. Validación" in r.stdout
    )
    assert "CTO-2026-000123" in shown.stdout and "rut.pdf" in shown.stdout
    assert (await act(sale, "approve_documents", team.commercial_support))[0] == 0
    shown = await eventually(
        ["sale", "show", sale, "--token", team.consultant], lambda r: "8. Formulario" in r.stdout
    )
    found = re.search(r"OT-\d{4}-\d{6}", shown.stdout)
    assert found is not None, shown.stdout
    ot = found.group(0)
    closure = (f"work_order_number={ot}", f"billing_start_date={today}")
    later: list[tuple[str, str, tuple[str, ...], str]] = [
        ("submit_purchase_form", team.consultant, (f"work_order_number={ot}",), "9. Entrega"),
        ("deliver_piece", team.ally, (), "10. Aprobación del cliente"),
        ("approve_product", team.production, (), "11. Llamada de aprovisionamiento"),
        ("record_call", team.production, (), "12. Cierre de OT"),
        ("confirm_work_order_closure", team.provisioning, closure, "venta completada"),
    ]
    for action, token, sets, expected in later:
        code, out, err = await act(sale, action, token, *sets)
        assert code == 0 and expected in out, (action, out, err)

    # A finished sale takes no more actions: exit 3, like a wrong step.
    code, _, err = await act(sale, "record_post_sale_request", team.consultant)
    assert code == 3 and err.startswith("Acción rechazada: La venta CLI-WALK-1 ya está cerrada")

    timeline = await eventually(
        ["report", "timeline", sale], lambda r: "13. Cierre de ciclo" in r.stdout
    )
    assert "aprovisionamiento.demo" in timeline.stdout and "en curso" not in timeline.stdout
    steps = await amnd("report", "steps", "--to", colombian_date(datetime.now(UTC)).isoformat())
    for name in ("7. Validación de documentos", "Mediana", "P90", "Fuera de SLA"):
        assert name in steps.stdout
    outbox = await amnd("outbox", "list", "--sale", sale)
    assert "cycle_closed" in outbox.stdout


def test_one_valid_example_payload_per_action() -> None:
    assert {p.stem for p in PAYLOADS.glob("*.json")} == set(ACTIONS)
    for name, spec in ACTIONS.items():
        data = json.loads((PAYLOADS / f"{name}.json").read_text(encoding="utf-8"))
        role = sorted(spec.roles)[0]
        spec.model_validate({**data, "actor": {"id": "x", "role": role}})


async def test_onyx_creation_reassignment_and_cancellation(team: Team) -> None:
    """The other branches' payloads: client created in ONYX, a supervisor reassigns, cancels."""
    sale = "CLI-BRANCH-1"
    await open_demo(team.consultant, sale)
    for action in ("select_template", "confirm_business_type", "submit_content"):
        assert (await act(sale, action, team.consultant))[0] == 0
    neither = ("in_onyx=false", "in_rr=false")
    code, out, _ = await act(sale, "record_crm_lookup", team.consultant, *neither)
    assert code == 0 and "Minería de Datos" in out
    # One member of the area takes it: the inbox and the sale say who has it.
    code, out, err = await act(sale, "take_sale", team.data_mining)
    assert code == 0 and "Tomada por Persona mineria.demo (Minería de Datos)" in out, err
    inbox = await eventually(
        ["inbox", "--token", team.data_mining], lambda r: "Persona mineria.demo" in r.stdout
    )
    assert "Tomada por" in inbox.stdout
    shown = await amnd("sale", "show", sale, "--token", team.data_mining)
    assert "Tomada por" in shown.stdout
    assert "Persona mineria.demo (Minería de Datos)" in shown.stdout
    code, out, err = await act(sale, "confirm_onyx_creation", team.data_mining)
    assert code == 0, err

    code, out, err = await act(sale, "reassign_consultant", team.supervisor)
    assert code == 0, err
    shown = await amnd("sale", "show", sale, "--token", team.supervisor)
    assert "Carlos Pérez (cons-0077)" in shown.stdout and "ONYX-778899" in shown.stdout
    code, _, err = await act(sale, "cancel_sale", team.consultant)  # no longer the sale's
    assert code == 4, err
    code, out, err = await act(sale, "cancel_sale", team.supervisor)
    assert code == 0 and "venta cancelada" in out, err


async def test_refusals_map_to_exit_codes(team: Team, tmp_path: Path) -> None:
    sale = "CLI-REFUSE-1"
    await open_demo(team.consultant, sale)

    code, _, err = await act(sale, "select_template", team.provisioning)
    assert code == 4 and err == (
        "Acción rechazada: La acción «Seleccionar plantilla» corresponde a: Consultor; "
        "sus roles no la permiten.\n"
    )
    code, _, err = await act(sale, "select_template", team.other_consultant)  # not the sale's
    assert code == 4 and "Solo el consultor asignado (Laura Gómez)" in err

    code, _, err = await act(sale, "submit_documents", team.consultant)
    assert code == 3 and err.startswith(
        "Acción rechazada: La acción «Enviar documentos» corresponde al paso 6. Diligenciamiento "
        "del contrato; la venta está en el paso 2. Selección de plantilla y alcance."
    )

    content = json.loads((PAYLOADS / "submit_content.json").read_text(encoding="utf-8"))
    content["content"]["products"][0]["price_cop"] = "0"
    bad = tmp_path / "contenido.json"
    bad.write_text(json.dumps(content), encoding="utf-8")
    result = await amnd("act", sale, "submit_content", "-f", str(bad), "--token", team.consultant)
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    assert result.stderr.startswith(
        "Acción rechazada: Datos no válidos. content.products[0].price_cop: el precio debe ser "
        "mayor que 0 COP"
    )
    code, _, err = await act(sale, "select_template", team.consultant, "template_id=pos_basico")
    assert code == 2 and "template_id" in err

    code, _, err = await act("NO-EXISTE-9", "select_template", team.consultant)
    assert (code, err) == (5, "No existe la venta «NO-EXISTE-9».\n")

    actor = 'actor={"id": "x", "role": "consultant"}'
    with_actor = await amnd("act", sale, "select_template", "--set", actor, "--token", team.ally)
    assert with_actor.exit_code == 2 and with_actor.stderr.startswith("Quite «actor» del JSON")
    unknown = await amnd("act", sale, "volar", "--token", team.consultant)
    assert unknown.exit_code == 2 and "Acción desconocida: «volar»" in unknown.stderr
    missing = await amnd("act", sale, "select_template", "-f", "nada.json", "--token", team.ally)
    assert (missing.exit_code, missing.stderr) == (2, "No existe el archivo nada.json.\n")

    # Nothing refused changed the sale; the right move from stdin still works.
    stdin = (PAYLOADS / "select_template.json").read_text(encoding="utf-8")
    args = ["act", sale, "select_template", "-f", "-", "--token", team.consultant]
    ok = await amnd(*args, stdin=stdin)
    assert ok.exit_code == 0 and "3. Tipo de comercio" in ok.stdout


# Fault injection, and long: the command retries the lost answer until its bound (10 s) is spent.
@pytest.mark.fault
async def test_a_rerun_with_the_same_idempotency_key_after_a_lost_answer_applies_once(
    team: Team, dev_env: WorkflowEnvironment, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--idempotency-key` makes a rerun of the command the same Update: when the sale took the
    action but the answer never reached the member, running it again answers and changes
    nothing more."""
    sale = "CLI-LOST-1"
    await open_demo(team.consultant, sale)
    key = "plantilla-lost-1"
    args = ["act", sale, "select_template", "--file", str(PAYLOADS / "select_template.json")]
    args += ["--idempotency-key", key, "--token", team.consultant]
    target = dev_env.client.service_client.config.target_host
    host, port = target.rsplit(":", 1)
    proxy = TcpProxy(host, int(port), http2=True)
    proxy.start()
    try:
        # Every answer to this Update is lost, retries included: the command gives up.
        proxy.lose_answers_to(key.encode())
        monkeypatch.setenv("TEMPORAL_ADDRESS", f"127.0.0.1:{proxy.port}")
        lost = await amnd(*args)
    finally:
        monkeypatch.setenv("TEMPORAL_ADDRESS", target)
        proxy.close()
    assert lost.exit_code == 1 and "✔" not in lost.stdout, (lost.stdout, lost.stderr)
    # Told in Spanish that the action may have been applied, and the key that finds out safely.
    assert "la acción pudo quedar aplicada o no" in lost.stderr
    assert f"--idempotency-key {key}" in lost.stderr
    assert proxy.answers_lost >= 1
    handle = team.stack.client.get_workflow_handle(workflow_id_for(sale))
    state = await handle.query(SaleWorkflow.state)
    assert [e.action for e in state.log].count("select_template") == 1  # the sale took it
    again = await amnd(*args)
    assert again.exit_code == 0, again.stderr
    assert again.stdout.startswith("✔ ") and "3. Tipo de comercio" in again.stdout
    state = await handle.query(SaleWorkflow.state)
    assert [e.action for e in state.log].count("select_template") == 1
    await team.stack.settled(sale)
    events = [e for e in team.stack.records.events(sale) if e.kind == "action"]
    assert [e.data.get("action") for e in events].count("select_template") == 1
