"""Signals (as the Temporal UI sends them) and the reminder timers that never block the path."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from temporalio.client import WorkflowExecutionStatus
from temporalio.testing import WorkflowEnvironment

from mnd.domain.roles import Role
from mnd.domain.steps import StepId
from tests import factories as f
from tests.support import Sale, running_worker
from tests.workflow import steps

C = steps.C.model_dump()


async def test_signals_accepted_and_refused(
    skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    async with running_worker(skipping_env.client, tmp_path) as stack:
        sale = await Sale.open(stack, f.open_input("SIGNAL-1"))
        await sale.signal("select_template", {"actor": C, "template_id": "no_existe"})
        await sale.signal(
            "select_template", {"actor": {"id": "x", "role": "ally"}, "template_id": "td_moda"}
        )
        await sale.signal("select_template", "esto no es un objeto")  # type: ignore[arg-type]
        state = await sale.wait_for(lambda s: len(s.log) >= 3)  # a Signal has no answer
        refused = [e for e in state.log if not e.accepted]
        assert len(refused) == 3 and all(e.via == "signal" for e in refused)
        assert "no pertenece al plan" in refused[0].message
        assert "[wrong_role]" in refused[1].message
        assert "[invalid_payload]" in refused[2].message
        assert state.step is StepId.TEMPLATE_SELECTION and state.template_id is None
        description = await sale.handle.describe()
        assert description.status is WorkflowExecutionStatus.RUNNING
        await sale.signal("select_template", {"actor": C, "template_id": "td_moda"})
        state = await sale.wait_step(StepId.BUSINESS_TYPE)  # a Signal has no answer
        assert state.log[-1].accepted and state.log[-1].via == "signal"
        records = stack.records
        # Events reach the records through an activity, a moment after the state changes.
        await sale.wait_for(
            lambda s: [e.kind for e in records.events("SIGNAL-1")].count("action") >= 1
        )
        assert [e.kind for e in records.events("SIGNAL-1")].count("action_refused") == 3
        await sale.act("cancel_sale", {"actor": C, "reason": "fin"})
        await sale.handle.result()


async def test_ally_reminder_then_escalation(
    skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    env = skipping_env
    async with running_worker(env.client, tmp_path) as stack:
        sale = await Sale.open(stack, f.open_input("REMIND-ALLY"))
        await steps.to_piece_delivery(sale, env)
        assert "delivery_reminder" not in await stack.templates_sent("REMIND-ALLY")
        await env.sleep(timedelta(minutes=31))
        # The reminder's timer fires on the test clock and its email follows: nothing answers.
        await sale.wait_for(
            lambda s: "delivery_reminder" in stack.templates_sent_now("REMIND-ALLY")
        )
        assert "delivery_escalation" not in await stack.templates_sent("REMIND-ALLY")
        await env.sleep(timedelta(hours=4))
        await sale.wait_for(  # the escalation's timer, as above
            lambda s: "delivery_escalation" in stack.templates_sent_now("REMIND-ALLY")
        )
        escalation = next(
            m
            for m in await stack.mails("REMIND-ALLY")
            if m["X-MND-Template"] == "delivery_escalation"
        )
        assert "produccionmno@claro.com.co" in str(escalation["To"])
        state = await sale.state()
        assert state.step is StepId.PIECE_DELIVERY  # reminders never move the sale
        await sale.act_to(StepId.CLIENT_APPROVAL, "deliver_piece", steps.delivery())
        await sale.act("cancel_sale", {"actor": C, "reason": "fin"})
        await sale.handle.result()


async def test_client_reminders_and_escalation(
    skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    env = skipping_env
    async with running_worker(env.client, tmp_path) as stack:
        sale = await Sale.open(stack, f.open_input("REMIND-CLIENT"))
        await steps.to_client_approval(sale, env)
        for day in range(1, 4):
            await env.sleep(timedelta(days=1, minutes=1))
            # The daily reminder's timer fires on the test clock and its email follows.
            await sale.wait_for(
                lambda s, n=day: (  # type: ignore[misc]
                    stack.templates_sent_now("REMIND-CLIENT").count("approval_reminder") >= n
                )
            )
        await sale.wait_for(  # the 3-day escalation's timer, passed by the last sleep
            lambda s: "approval_escalation" in stack.templates_sent_now("REMIND-CLIENT")
        )
        escalation = next(
            m
            for m in await stack.mails("REMIND-CLIENT")
            if m["X-MND-Template"] == "approval_escalation"
        )
        assert "laura.gomez@claro.com.co" in str(escalation["To"])
        await sale.act_to(
            StepId.PROVISIONING_CALL,
            "approve_product",
            {"actor": f.actor(Role.CLIENT).model_dump()},
        )
        sent = (await stack.templates_sent("REMIND-CLIENT")).count("approval_reminder")
        await env.sleep(timedelta(days=3))
        assert (await stack.templates_sent("REMIND-CLIENT")).count("approval_reminder") == sent
        await sale.act("cancel_sale", {"actor": C, "reason": "fin"})
        await sale.handle.result()
