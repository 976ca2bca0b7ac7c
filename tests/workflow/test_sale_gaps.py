"""PROCESS.md rules no other workflow test asserted: the step 11 call, cancel after closure, mail."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from temporalio.service import RPCError, RPCStatusCode
from temporalio.testing import WorkflowEnvironment

from mnd.domain import actions as a
from mnd.domain.catalog import PRODUCT_WEB
from mnd.domain.roles import Role
from mnd.domain.sale import SaleStatus
from mnd.domain.steps import StepId
from tests import factories as f
from tests.support import Sale, running_worker
from tests.workflow import steps


async def test_content_request_mail_shows_the_product_web(
    skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    """Catalog: product web https://claro.minegocio.digital/ (in the step 4 mail to the client)."""
    async with running_worker(skipping_env.client, tmp_path) as stack:
        sale = await Sale.open(stack, f.open_input("GAP-WEB"))
        await steps.to_client_verification(sale)
        mail = next(
            m for m in await stack.mails("GAP-WEB") if m["X-MND-Template"] == "content_request"
        )
        assert "jorge@laespiga.com.co" in str(mail["To"])
        assert f"Puede conocer el producto en {PRODUCT_WEB}." in mail.get_content()
        await sale.act("cancel_sale", a.CancelSaleInput(actor=steps.C, reason="fin"))
        await sale.handle.result()


async def test_incomplete_calls_do_not_complete_step_11(
    skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    """Step 11: a call completes only with both channels explained and App/Dash/Panel validated."""
    async with running_worker(skipping_env.client, tmp_path) as stack:
        sale = await Sale.open(stack, f.open_input("GAP-CALL"))
        await steps.to_provisioning_call(sale, skipping_env)
        # A reached call with no application checks is refused by the Update validator
        # (rules._check_call), and nothing in the sale changes.
        before = await sale.state()
        no_apps = f.call().model_copy(update={"applications": {}})
        refusal = await sale.refused("record_call", no_apps)
        assert refusal.type == "invalid_payload"
        assert "registre la validación de App, Dash y Panel de Administración" in refusal.message
        after = await sale.state()
        assert after.calls == before.calls == [] and len(after.log) == len(before.log)
        # A reached call with a channel unexplained, or with an application left unchecked, is
        # accepted and recorded, but does not complete the step (MainPath._provisioning_call,
        # sale.call_succeeded): the sale waits for a new call.
        incomplete: list[dict[str, Any]] = [
            {"support_channels_explained": False},
            {"post_sale_channels_explained": False},
            {"applications": {"app": "ok", "dash": "ok"}},
        ]
        for attempt, over in enumerate(incomplete, start=1):
            answer = await sale.act("record_call", f.call().model_copy(update=over))
            assert f"llamada incompleta en el intento {attempt})" in answer.waiting_for, answer
            assert answer.step is StepId.PROVISIONING_CALL
            assert answer.waiting_on == [Role.PRODUCTION]
            assert (await sale.state()).calls[-1].attempt == attempt
        state = await sale.act_to(StepId.WORK_ORDER_CLOSURE, "record_call", f.call())
        assert len(state.calls) == 4
        await sale.act("cancel_sale", a.CancelSaleInput(actor=steps.C, reason="fin"))
        await sale.handle.result()


async def test_cancel_after_cycle_closure_is_refused(
    skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    """Cancellation: only before step 12 completes; a completed sale cannot be cancelled."""
    async with running_worker(skipping_env.client, tmp_path) as stack:
        sale = await Sale.open(stack, f.open_input("GAP-CLOSED"))
        state = await steps.to_work_order_closure(sale, skipping_env)
        await sale.act("confirm_work_order_closure", steps.closure(state))
        summary = await sale.handle.result()
        assert summary.status is SaleStatus.COMPLETED
        before = await sale.state()
        supervisor = f.actor(Role.SUPERVISOR, "sup-1")
        # The workflow has ended: the server refuses the Update (NOT_FOUND) before any
        # validator runs, so rules.check never sees it.
        with pytest.raises(RPCError) as exc:
            await sale.act("cancel_sale", a.CancelSaleInput(actor=supervisor, reason="tarde"))
        assert exc.value.status is RPCStatusCode.NOT_FOUND
        after = await sale.state()
        assert after == before and after.status is SaleStatus.COMPLETED
        assert after.cancellation is None and after.work_order.status == "closed"  # type: ignore[union-attr]
        assert "sale_cancelled" not in await stack.templates_sent("GAP-CLOSED")
        closed = stack.records.work_order("GAP-CLOSED")
        assert closed is not None and closed.status == "closed"
