"""The records database goes down mid-sale: activities fail and retry, the sale waits and loses
nothing, and the step completes once the database is back."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from mnd.domain import actions as a
from mnd.domain.profile import fast_profile
from mnd.domain.roles import Role
from mnd.domain.steps import StepId
from tests import factories as f
from tests.postgres import fresh_schema, schema_url
from tests.support import Sale, running_worker, without_hanging
from tests.tcp_proxy import TcpProxy

pytestmark = [pytest.mark.devserver, pytest.mark.fault]


@pytest.fixture
def postgres_schema() -> Iterator[str]:
    """A fresh schema on the test PostgreSQL (needed here: no SQLite server to take down)."""
    with fresh_schema() as schema:
        yield schema


async def test_sale_waits_for_the_database_and_loses_nothing(
    dev_env: WorkflowEnvironment, tmp_path: Path, postgres_schema: str
) -> None:
    proxy = TcpProxy("127.0.0.1", 5432)
    proxy.start()
    through_proxy = f"postgresql+psycopg://postgres@127.0.0.1:{proxy.port}/test"
    url = schema_url(postgres_schema, through_proxy) + "&connect_timeout=2"
    try:
        await _run_sale_through_outage(dev_env, tmp_path, url, proxy)
    finally:
        proxy.close()


async def _run_sale_through_outage(
    dev_env: WorkflowEnvironment, tmp_path: Path, url: str, proxy: TcpProxy
) -> None:
    async with running_worker(dev_env.client, tmp_path, database_url=url) as stack:
        sale = await Sale.open(stack, f.open_input("DOWN-1", profile=fast_profile()))
        C = f.actor(Role.CONSULTANT)
        await sale.act_to(
            StepId.BUSINESS_TYPE,
            "select_template",
            a.SelectTemplateInput(actor=C, template_id="td_moda"),
        )
        proxy.cut()
        # Each answer during the outage is awaited with a hang guard: one that waited on the
        # records or the email would fail the test instead of hanging it.
        answer = await without_hanging(
            sale.act(
                "confirm_business_type",
                a.ConfirmBusinessTypeInput(actor=C, business_type="restaurante"),
            ),
            "confirm_business_type",
        )
        # Answered at once with the database down: records and emails follow, later.
        assert answer.step is StepId.PRODUCT_INFORMATION and answer.waiting_on == [Role.CONSULTANT]
        # The content request email cannot be stored: the activity fails and is retried.
        for _ in range(100):
            described = await sale.handle.describe()
            pending = [
                p
                for p in described.raw_description.pending_activities
                if p.activity_type.name == "send_email"
            ]
            if pending and pending[0].attempt >= 2:
                break
            await asyncio.sleep(0.1)
        assert pending and pending[0].attempt >= 2, "send_email was not retried"
        failure = pending[0].last_failure
        if failure.message == "Failure exceeds size limit.":  # the server trimmed it (traceback)
            failure = failure.cause
        # The database's own error, not any other.
        assert failure.application_failure_info.type == "OperationalError", failure
        assert "connect" in failure.message.lower(), failure.message
        state = await sale.state()
        assert state.step is StepId.PRODUCT_INFORMATION and state.notifications_sent == 0
        # The next action too: the sale moves on while its email and records wait.
        answer = await without_hanging(
            sale.act("submit_content", a.SubmitContentInput(actor=C, content=f.content())),
            "submit_content",
        )
        assert answer.step is StepId.CLIENT_VERIFICATION, answer
        assert (await sale.state()).emails_pending == 1
        proxy.start()
        # The email's activity retries on its own schedule once the database is back.
        await sale.wait_for(lambda s: s.notifications_sent == 1, timeout=30)
        assert stack.templates_sent_now("DOWN-1") == [
            "content_request"
        ]  # stored once, not per retry
        # Every event reaches the records once the queue drains, in order and without gaps.
        for _ in range(100):
            events = stack.records.events("DOWN-1")
            if any(e.kind == "step_started" and e.step == "client_verification" for e in events):
                break
            await asyncio.sleep(0.1)
        sequences = [e.sequence for e in events]
        assert sequences == list(range(1, len(sequences) + 1))
        row = stack.records.get_sale("DOWN-1")
        assert row is not None and row.step == "client_verification"
        await sale.act("cancel_sale", {"actor": C.model_dump(), "reason": "fin"})
        await sale.handle.result()
