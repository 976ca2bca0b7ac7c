"""Taking a sale within an area: two Soporte Comercial members, one mailbox. Whoever has the sale
is the only one who acts for the area; a supervisor reassigns it; the answers come at once; the
log and the records (SQLite and PostgreSQL) say who has it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from temporalio.testing import WorkflowEnvironment

from mnd.domain import actions as a
from mnd.domain.parties import Actor
from mnd.domain.roles import Role
from mnd.domain.sale import SaleStatus
from mnd.domain.steps import StepId
from tests import factories as f
from tests.postgres import fresh_schema, schema_url
from tests.support import Sale, Stack, running_worker
from tests.workflow import steps

ANA = Actor(id="cs-ana", role=Role.COMMERCIAL_SUPPORT, name="Ana Pérez")
BRUNO = Actor(id="cs-bruno", role=Role.COMMERCIAL_SUPPORT, name="Bruno Díaz")
SUPERVISOR = f.actor(Role.SUPERVISOR, "sup-1")
AREA = Role.COMMERCIAL_SUPPORT.value
ASSIGNED = "Asignada a Bruno Díaz (Soporte Comercial) (la tenía Ana Pérez): Ana está de vacaciones"


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest) -> Iterator[dict[str, Any]]:
    """The worker's records database: its own SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield {}
        return
    with fresh_schema() as schema:
        yield {"database_url": schema_url(schema)}


def take(actor: Actor) -> a.TakeSaleInput:
    return a.TakeSaleInput(actor=actor)


def approve(actor: Actor) -> a.ApproveDocumentsInput:
    return a.ApproveDocumentsInput(actor=actor)


async def refused(sale: Sale, action: str, payload: Any, kind: str, *fragments: str) -> None:
    before = await sale.state()
    refusal = await sale.refused(action, payload)
    assert refusal.type == kind, refusal.message
    for fragment in fragments:
        assert fragment in refusal.message, refusal.message
    after = await sale.state()
    assert after.claims == before.claims and len(after.log) == len(before.log)


async def row_claims(stack: Stack, sale_id: str, expected: dict[str, Any]) -> dict[str, Any]:
    """The sale's row claims, once the records have followed the sale (`Stack.settled`)."""
    await stack.settled(sale_id)
    row = stack.records.get_sale(sale_id)
    return {} if row is None else {k: v.model_dump() for k, v in row.claims.items()}


async def test_one_member_has_the_sale_for_the_area(
    skipping_env: WorkflowEnvironment, tmp_path: Path, database: dict[str, Any]
) -> None:
    sale_id = f"CLAIM-{'pg' if database else 'lite'}"
    async with running_worker(skipping_env.client, tmp_path, **database) as stack:
        sale = await Sale.open(stack, f.open_input(sale_id))
        await steps.to_document_validation(sale, skipping_env)

        # Nobody has it yet: any member of the area may take it; another area may not.
        await refused(
            sale,
            "take_sale",
            take(f.actor(Role.PROVISIONING)),
            "wrong_step",
            "no espera a Aprovisionamiento",
        )
        await refused(sale, "release_sale", a.ReleaseSaleInput(actor=ANA), "wrong_step", "Nadie")
        answer = await sale.act("take_sale", take(ANA))
        # It does not move the sale: answered at once, at the same step, waiting on the area.
        assert answer.message == "Tomada por Ana Pérez (Soporte Comercial)"
        assert answer.step is StepId.DOCUMENT_VALIDATION
        assert answer.waiting_on == [Role.COMMERCIAL_SUPPORT]
        assert (await sale.state()).claims == {Role.COMMERCIAL_SUPPORT: ANA}
        await refused(sale, "take_sale", take(ANA), "wrong_step", "Usted ya tiene esta venta")
        await refused(sale, "take_sale", take(BRUNO), "wrong_role", "La venta ya la tomó Ana Pérez")
        await refused(
            sale,
            "approve_documents",
            approve(BRUNO),
            "wrong_role",
            "La venta la tiene Ana Pérez (Soporte Comercial); solo esa persona",
            "supervisor",
        )
        await refused(sale, "release_sale", a.ReleaseSaleInput(actor=BRUNO), "wrong_role", "Ana")
        assert await row_claims(stack, sale_id, {AREA: {"id": ANA.id, "name": "Ana Pérez"}}) == {
            AREA: {"id": ANA.id, "name": "Ana Pérez"}
        }
        inbox = stack.records.inbox(AREA, 100, datetime.now(UTC))
        [item] = [i for i in inbox if i.sale_id == sale_id]
        assert item.claims[AREA].name == "Ana Pérez"

        # A Signal takes the same rule: refused, in the log, nothing else changes.
        await sale.signal("approve_documents", approve(BRUNO))
        state = await sale.wait_for(lambda s: not s.log[-1].accepted)  # a Signal has no answer
        assert "Ana Pérez" in state.log[-1].message and state.current_round is not None
        assert state.current_round.approved is None

        # A supervisor gives it to Bruno: Ana can no longer act for the area, Bruno can.
        assign = a.AssignSaleInput(
            actor=SUPERVISOR,
            role=Role.COMMERCIAL_SUPPORT,
            member=a.AreaMember(id=BRUNO.id, name="Bruno Díaz"),
            reason="Ana está de vacaciones",
        )
        answer = await sale.act("assign_sale", assign)
        assert answer.message == ASSIGNED
        assert answer.step is StepId.DOCUMENT_VALIDATION
        await refused(sale, "assign_sale", assign, "invalid_payload", "ya la tiene Bruno Díaz")
        await refused(
            sale,
            "assign_sale",
            assign.model_copy(update={"role": Role.CONSULTANT}),
            "invalid_payload",
            "role: Consultor no es un área",
        )
        await refused(
            sale,
            "assign_sale",
            {**assign.model_dump(mode="json"), "actor": ANA.model_dump(mode="json")},
            "wrong_role",
            "Supervisor",
        )
        await refused(sale, "approve_documents", approve(ANA), "wrong_role", "la tiene Bruno Díaz")
        assert await row_claims(stack, sale_id, {AREA: {"id": BRUNO.id, "name": "Bruno Díaz"}})
        answer = await sale.act("approve_documents", approve(BRUNO))
        assert answer.message == "Documentos aprobados (ronda 1)"

        # Bruno releases it; it cannot be taken while the sale does not wait on the area.
        answer = await sale.act("release_sale", a.ReleaseSaleInput(actor=BRUNO))
        assert answer.message == "Liberada por Bruno Díaz (Soporte Comercial)"
        assert answer.waiting_on == []  # the validation's 2-day minimum
        await refused(sale, "take_sale", take(ANA), "wrong_step", "no espera a Soporte Comercial")
        state = await sale.state()
        assert state.claims == {}
        assert await row_claims(stack, sale_id, {}) == {}

        taken = [(e.action, e.actor, e.message) for e in state.log if e.accepted]
        claims = [t for t in taken if t[0] in {"take_sale", "assign_sale", "release_sale"}]
        assert claims == [
            ("take_sale", ANA.id, "Tomada por Ana Pérez (Soporte Comercial)"),
            ("assign_sale", SUPERVISOR.id, ASSIGNED),
            ("release_sale", BRUNO.id, "Liberada por Bruno Díaz (Soporte Comercial)"),
        ]
        recorded = await recorded_actions(stack, sale_id, 4)
        assert recorded == ["take_sale", "assign_sale", "approve_documents", "release_sale"]

        # Leaves no timer behind on the module's server for the next database's run.
        await sale.act("cancel_sale", a.CancelSaleInput(actor=SUPERVISOR, reason="fin"))
        assert (await sale.handle.result()).status is SaleStatus.CANCELLED


async def recorded_actions(stack: Stack, sale_id: str, count: int) -> list[str]:
    """The accepted actions of the records' event trail since the documents were submitted."""
    await stack.settled(sale_id)
    found = [
        str(e.data.get("action"))
        for e in stack.records.events(sale_id)
        if e.kind == "action" and e.accepted and e.role != Role.CONSULTANT.value
    ]
    return [name for name in found if name != "assign_contract_number"]
