"""Cancellation: engaged areas notified, an issued OT voided, the workflow ends cancelled."""

from __future__ import annotations

from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from mnd.domain import actions as a
from mnd.domain.action_result import MESSAGE_MAX_CHARS
from mnd.domain.roles import DEFAULT_MAILBOXES, Role
from mnd.domain.sale import SaleStatus
from mnd.domain.steps import StepId
from tests import factories as f
from tests.support import Sale, running_worker
from tests.workflow import steps


@pytest.mark.parametrize(
    ("reach", "engaged", "ot_voided"),
    [
        ("to_client_verification", {Role.CONSULTANT, Role.CLIENT}, False),
        (
            "to_document_validation",
            {Role.CONSULTANT, Role.CLIENT, Role.PROVISIONING, Role.COMMERCIAL_SUPPORT},
            False,
        ),
        (
            "to_piece_delivery",
            {
                Role.CONSULTANT,
                Role.CLIENT,
                Role.PROVISIONING,
                Role.COMMERCIAL_SUPPORT,
                Role.PRODUCTION,
                Role.ALLY,
            },
            True,
        ),
    ],
)
async def test_cancel_notifies_engaged_areas(
    skipping_env: WorkflowEnvironment,
    tmp_path: Path,
    reach: str,
    engaged: set[Role],
    ot_voided: bool,
) -> None:
    async with running_worker(skipping_env.client, tmp_path) as stack:
        sale_id = f"CANCEL-{reach}"
        sale = await Sale.open(stack, f.open_input(sale_id))
        mover = getattr(steps, reach)
        await (mover(sale) if reach == "to_client_verification" else mover(sale, skipping_env))
        supervisor = f.actor(Role.SUPERVISOR, "sup-1")
        answer = await sale.act(
            "cancel_sale", a.CancelSaleInput(actor=supervisor, reason="El cliente desistió")
        )
        # The answer comes once the main path reacted: the sale is already cancelled.
        assert answer.status is SaleStatus.CANCELLED and answer.waiting_on == []
        summary = await sale.handle.result()
        assert summary.status is SaleStatus.CANCELLED
        assert summary.cancellation_reason == "El cliente desistió"
        final = await sale.state()
        assert set(final.cancellation.notified_roles) == engaged  # type: ignore[union-attr]
        mail = next(
            m for m in await stack.mails(sale_id) if m["X-MND-Template"] == "sale_cancelled"
        )
        to = str(mail["To"])
        for role in engaged - {Role.CONSULTANT, Role.CLIENT}:
            assert DEFAULT_MAILBOXES[role][0] in to
        assert "laura.gomez@claro.com.co" in to and "jorge@laespiga.com.co" in to
        assert "El cliente desistió" in mail.get_content()
        if ot_voided:
            assert summary.work_order_status == "voided"
            voided = stack.records.work_order(sale_id)
            assert voided is not None and voided.status == "voided"
        else:
            assert summary.work_order_number is None


async def test_cancel_refused_for_other_consultant_and_after_closure(
    skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    async with running_worker(skipping_env.client, tmp_path) as stack:
        sale = await Sale.open(stack, f.open_input("CANCEL-REFUSED"))
        other = f.actor(Role.CONSULTANT, "c-999")
        refusal = await sale.refused("cancel_sale", a.CancelSaleInput(actor=other, reason="x"))
        assert refusal.type == "wrong_role" and "Laura Gómez" in refusal.message
        refusal = await sale.refused(
            "cancel_sale", a.CancelSaleInput(actor=f.actor(Role.PRODUCTION), reason="x")
        )
        assert refusal.type == "wrong_role"
        state = await sale.state()
        assert state.step is StepId.TEMPLATE_SELECTION and state.cancellation is None
        await sale.act("cancel_sale", a.CancelSaleInput(actor=steps.C, reason="prueba"))
        await sale.handle.result()


async def test_a_long_reason_is_answered_short_and_kept_whole(
    skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    """The answer is stored in the sale's history with every Update: it repeats a shortened
    message, while the log, the summary and the record keep the reason as typed."""
    reason = ("El cliente desistió porque la sucursal cerró; " * 110).strip()  # 5,000+ characters
    assert len(reason) > 5000
    async with running_worker(skipping_env.client, tmp_path) as stack:
        sale = await Sale.open(stack, f.open_input("CANCEL-LONG"))
        answer = await sale.act("cancel_sale", a.CancelSaleInput(actor=steps.C, reason=reason))
        assert answer.status is SaleStatus.CANCELLED
        assert answer.message.endswith("…") and len(answer.message) <= MESSAGE_MAX_CHARS
        assert f"Cancelación solicitada: {reason}".startswith(answer.message.removesuffix("…"))
        summary = await sale.handle.result()
        history = await sale.handle.fetch_history()
        [stored] = [
            e.workflow_execution_update_completed_event_attributes.outcome.success.payloads[0]
            for e in history.events
            if e.HasField("workflow_execution_update_completed_event_attributes")
        ]
        assert len(stored.data) < 1024, len(stored.data)
        assert summary.cancellation_reason == reason
        entry = next(e for e in (await sale.state()).log if e.action == "cancel_sale")
        assert entry.message == f"Cancelación solicitada: {reason}"
        await stack.settled("CANCEL-LONG")
        [event] = [
            e for e in stack.records.events("CANCEL-LONG") if e.data.get("action") == "cancel_sale"
        ]
        assert event.message == entry.message and event.data["payload"]["reason"] == reason
