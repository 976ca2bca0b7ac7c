"""The SQL records follow the workflow: inboxes per role, the audit trail, the outbox."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from temporalio.testing import WorkflowEnvironment

from mnd.domain import actions as a
from mnd.domain.roles import Role
from tests import factories as f
from tests.support import Sale, Stack, running_worker
from tests.workflow import steps


async def inbox_ids(stack: Stack, role: Role, expected: set[str]) -> set[str]:
    """Records arrive through an activity a moment after the state changes: poll briefly."""
    found: set[str] = set()
    for _ in range(100):
        found = {i.sale_id for i in stack.records.inbox(role.value, 100, datetime.now(UTC))}
        if found == expected:
            break
        await asyncio.sleep(0.05)
    return found


async def test_inboxes_follow_who_the_sale_waits_on(
    skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    async with running_worker(skipping_env.client, tmp_path) as stack:
        sale = await Sale.open(stack, f.open_input("REC-1"))
        assert await inbox_ids(stack, Role.CONSULTANT, {"REC-1"}) == {"REC-1"}
        await steps.to_contract(sale, skipping_env)
        assert await inbox_ids(stack, Role.PROVISIONING, {"REC-1"}) == {"REC-1"}
        await sale.act(
            "assign_contract_number",
            a.AssignContractNumberInput(actor=f.actor(Role.PROVISIONING), contract_number="CT-7"),
        )
        # Mid-step change: only the consultant's documents are missing now.
        assert await inbox_ids(stack, Role.PROVISIONING, set()) == set()
        assert await inbox_ids(stack, Role.CONSULTANT, {"REC-1"}) == {"REC-1"}
        row = stack.records.get_sale("REC-1")
        assert row is not None and row.step == "contract" and row.crm_route == "onyx"
        await sale.act("cancel_sale", {"actor": steps.C.model_dump(), "reason": "fin"})
        await sale.handle.result()
        assert await inbox_ids(stack, Role.CONSULTANT, set()) == set()
        kinds = [e.kind for e in stack.records.events("REC-1")]
        # The cancellation's email follows it (emails never hold up the sale).
        assert kinds[0] == "step_started" and "sale_cancelled" in kinds
        assert set(kinds[kinds.index("sale_cancelled") + 1 :]) <= {"notification"}
        assert "waiting_changed" in kinds
        sequences = [e.sequence for e in stack.records.events("REC-1")]
        assert sequences == list(range(1, len(sequences) + 1))
