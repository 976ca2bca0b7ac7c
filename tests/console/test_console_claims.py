"""Two Soporte Comercial analysts and a supervisor in the console: take, refuse, reassign."""

from __future__ import annotations

import re

from mnd.domain.roles import Role
from mnd.domain.sale import SaleState
from mnd.domain.steps import StepId
from mnd.scenario import TemporalChannel, drive
from tests.console.conftest import Console, signed_in
from tests.console.test_console_pages import act, open_sale


def _at_validation(state: SaleState) -> bool:
    return state.step is StepId.DOCUMENT_VALIDATION and Role.COMMERCIAL_SUPPORT in state.waiting_on


def _error_of(html: str) -> str:
    found = re.search(r'<div class="notice error" role="alert"><ul><li>([^<]+)</li>', html)
    assert found, html[:2000]
    return found[1]


async def test_one_analyst_takes_the_other_is_refused_the_supervisor_reassigns(
    console: Console,
) -> None:
    async with signed_in(console, "laura.gomez") as laura:
        _, sale_id = await open_sale(laura)
    # Steps 2 to 6 as the autopilot plays them: this test is about step 7.
    await drive(TemporalChannel(console.stack.client, sale_id, poll=0.1), until=_at_validation)

    async with (
        signed_in(console, "carla.soto") as carla,
        signed_in(console, "jorge.lara") as jorge,
        signed_in(console, "sofia.vargas") as sofia,
    ):
        taken = await act(carla, sale_id, "take_sale", {})
        assert taken.status_code == 303, taken.text
        page = await jorge.get(f"/consola/ventas/{sale_id}")  # the workflow's state: at once
        assert "Tomada por" in page.text and "Carla Soto (Soporte Comercial)" in page.text
        # The inbox reads the records, which follow the answer: once the sale has settled.
        await console.stack.settled(sale_id)
        inbox = await jorge.get("/consola/bandeja")
        assert sale_id in inbox.text and "Tomada por Carla Soto" in inbox.text

        refused = await act(jorge, sale_id, "approve_documents", {"notes": "Todo en orden"})
        assert refused.status_code == 403
        assert "la tiene Carla Soto" in _error_of(refused.text)

        assigned = await act(
            sofia,
            sale_id,
            "assign_sale",
            {
                "role": "commercial_support",
                "member.id": "jorge.lara",
                "member.name": "Jorge Lara",
                "reason": "Carla está de vacaciones",
            },
        )
        assert assigned.status_code == 303, assigned.text
        # The page Carla left open now refuses her: the check is in the Update's validator.
        late = await act(carla, sale_id, "approve_documents", {})
        assert late.status_code == 403 and "la tiene Jorge Lara" in _error_of(late.text)
        approved = await act(jorge, sale_id, "approve_documents", {"notes": "Todo en orden"})
        assert approved.status_code == 303, approved.text

        page = await sofia.get(f"/consola/ventas/{sale_id}")
        for line in ("Tomada por Carla Soto", "Asignada a Jorge Lara", "Documentos aprobados"):
            assert line in page.text, line
