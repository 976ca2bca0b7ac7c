"""End to end on the real dev server (`temporal` CLI): the demo sale, list filters, the starter."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from mnd import starter_app
from mnd.demo import drive_sale
from mnd.demo_data import demo_sale
from mnd.domain.profile import fast_profile
from mnd.domain.sale import SaleStatus
from mnd.domain.steps import STEP_ORDER, StepId
from mnd.opening import open_sale
from tests.factories import quick_profile
from tests.support import running_worker
from workflows import search_attributes as sa

pytestmark = pytest.mark.devserver


async def list_ids(client: Client, query: str, expected: set[str]) -> set[str]:
    """Visibility is eventually consistent: poll until the expected ids show up (or time out)."""
    found: set[str] = set()
    for _ in range(100):
        found = {wf.id async for wf in client.list_workflows(query)}
        if expected <= found:
            return found
        await asyncio.sleep(0.1)
    return found


async def test_demo_sale_completes_on_fast_profile(
    dev_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    async with running_worker(dev_env.client, tmp_path) as stack:
        inp = demo_sale("E2E-DEMO-1", fast_profile())
        await open_sale(stack.client, inp, stack.task_queue)
        seen: list[str] = []
        summary = await drive_sale(
            stack.client,
            inp.sale_id,
            on_step=lambda r: seen.append(r.step.value),
            poll_interval=0.1,
            timeout=timedelta(seconds=60),
        )
        assert summary.status is SaleStatus.COMPLETED
        assert seen == [s.value for s in STEP_ORDER]
        record = next(s for s in summary.steps if s.step is StepId.DOCUMENT_VALIDATION)
        assert (
            record.duration_seconds is not None and record.duration_seconds >= 3
        )  # fast minimum held
        assert (await stack.templates_sent("E2E-DEMO-1"))[-2:] == [
            "cycle_closed",
            "client_closure_notice",
        ]


async def test_search_attributes_filter_sales(dev_env: WorkflowEnvironment, tmp_path: Path) -> None:
    client = dev_env.client
    async with running_worker(client, tmp_path) as stack:
        a = demo_sale("E2E-SA-1", quick_profile())
        b = demo_sale("E2E-SA-2", quick_profile())
        b.plan_id = "posicionamiento"
        for inp in (a, b):
            await open_sale(client, inp, stack.task_queue)
        ids = {"sale-E2E-SA-1", "sale-E2E-SA-2"}
        waiting = await list_ids(
            client,
            "MndStep = 'template_selection' AND MndWaitingOn = 'consultant' AND MndStatus = 'open'",
            ids,
        )
        assert ids <= waiting
        only_b = await list_ids(
            client,
            "MndPlan = 'posicionamiento' AND MndClientDocument = '900.373.115-3'",
            {"sale-E2E-SA-2"},
        )
        assert "sale-E2E-SA-2" in only_b and "sale-E2E-SA-1" not in only_b
        consultant = a.consultant.id
        mine = await list_ids(
            client, f"MndConsultant = '{consultant}' AND MndDueDate > '2000-01-01T00:00:00Z'", ids
        )
        assert ids <= mine
        summary = await drive_sale(
            client,
            "E2E-SA-1",
            on_step=lambda r: None,
            poll_interval=0.1,
            timeout=timedelta(seconds=60),
        )
        routed = await list_ids(
            client, "MndCrmRoute = 'onyx' AND MndStatus = 'completed'", {"sale-E2E-SA-1"}
        )
        assert summary.status is SaleStatus.COMPLETED and "sale-E2E-SA-1" in routed
        handle = client.get_workflow_handle("sale-E2E-SA-2")
        description = await handle.describe()
        summary_line = await description.static_summary()
        assert summary_line and "E2E-SA-2" in summary_line
        await handle.terminate("fin de la prueba")


async def test_an_opened_sale_carries_its_search_attributes_from_the_start(
    dev_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    """`open_sale` gives them at the start: the first task upserts only what moved since."""
    client = dev_env.client
    async with running_worker(client, tmp_path) as stack:
        inp = demo_sale("E2E-SA-3", fast_profile())
        handle = await open_sale(client, inp, stack.task_queue)
        started = (await handle.describe()).typed_search_attributes
        assert started.get(sa.CONSULTANT) == inp.consultant.id
        assert started.get(sa.PLAN) == inp.plan_id and started.get(sa.STATUS) == "open"
        found = await list_ids(client, "MndStep = 'template_selection'", {handle.id})
        assert handle.id in found
        history = await handle.fetch_history()
        upserted = [
            set(
                e.upsert_workflow_search_attributes_event_attributes.search_attributes.indexed_fields
            )
            for e in history.events
            if e.HasField("upsert_workflow_search_attributes_event_attributes")
        ]
        # Unchanged since the start, so never upserted (they were all in the first upsert).
        constant = {sa.CONSULTANT.name, sa.PLAN.name, sa.CLIENT_DOCUMENT.name, sa.STATUS.name}
        assert upserted and not any(keys & constant for keys in upserted)
        await handle.terminate("fin de la prueba")


async def test_starter_refuses_a_second_open(
    dev_env: WorkflowEnvironment,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with running_worker(dev_env.client, tmp_path) as stack:
        monkeypatch.setenv("MND_TASK_QUEUE", stack.task_queue)
        args = ["--demo", "--sale-id", "E2E-DUP-1", "--profile", "fast"]
        assert await starter_app.main(args, client=stack.client) == 0
        assert await starter_app.main(args, client=stack.client) == 3
        err = capsys.readouterr().err
        assert "E2E-DUP-1" in err and "ya" in err
        await stack.client.get_workflow_handle("sale-E2E-DUP-1").terminate("fin de la prueba")
