"""Step 5 routing: ONYX, RR, and creation in ONYX confirmed by Minería de Datos."""

from __future__ import annotations

from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from mnd.domain.roles import Role
from tests import factories as f
from tests.support import Sale, running_worker
from tests.workflow import steps


@pytest.mark.parametrize(
    ("in_onyx", "in_rr", "route"),
    [
        (True, True, "onyx"),
        (False, True, "rr"),
        (True, False, "onyx"),
        (False, False, "create_in_onyx"),
    ],
)
async def test_crm_route(
    skipping_env: WorkflowEnvironment, tmp_path: Path, in_onyx: bool, in_rr: bool, route: str
) -> None:
    async with running_worker(skipping_env.client, tmp_path) as stack:
        sale_id = f"ROUTE-{int(in_onyx)}{int(in_rr)}"
        sale = await Sale.open(stack, f.open_input(sale_id))
        state = await steps.to_contract(sale, skipping_env, in_onyx=in_onyx, in_rr=in_rr)
        assert state.crm is not None
        assert state.crm.route == route
        assert state.crm.reason  # the decision and its reason are recorded
        sent = await stack.templates_sent(sale_id)
        asked_data_mining = "onyx_creation_request" in sent
        assert asked_data_mining is (route == "create_in_onyx")
        if route == "create_in_onyx":
            assert state.crm.onyx_id == "ONYX-77"
            mail = next(
                m
                for m in await stack.mails(sale_id)
                if m["X-MND-Template"] == "onyx_creation_request"
            )
            assert "mineriadedatos@claro.com.co" in str(mail["To"])
            assert "onyx_created" in sent
        await sale.act("cancel_sale", {"actor": steps.C.model_dump(), "reason": "fin de la prueba"})
        await sale.handle.result()


async def test_onyx_confirmation_only_by_data_mining(
    skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    async with running_worker(skipping_env.client, tmp_path) as stack:
        sale = await Sale.open(stack, f.open_input("ROUTE-ROLE"))
        await steps.to_client_verification(sale)
        answer = await sale.act(
            "record_crm_lookup", {"actor": steps.C.model_dump(), "in_onyx": False, "in_rr": False}
        )
        assert answer.waiting_on == [Role.DATA_MINING], answer
        refusal = await sale.refused(
            "confirm_onyx_creation", {"actor": steps.C.model_dump(), "onyx_id": "X"}
        )
        assert refusal.type == "wrong_role"
        assert "Minería de Datos" in refusal.message
        await sale.act("cancel_sale", {"actor": steps.C.model_dump(), "reason": "fin de la prueba"})
        await sale.handle.result()
