"""A whole sale with SMTP configured: what a real SMTP server received, step by step.

Recipients per message as PROCESS.md assigns them, subjects in Spanish, the seed's delivery
email filled in, and a permanently refused address that does not stop the sale.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from temporalio.testing import WorkflowEnvironment

from mnd.domain import actions as a
from mnd.domain.roles import CLIENT_APPROVAL_MAILBOXES, Role
from mnd.domain.sale import SaleStatus
from mnd.domain.steps import StepId
from tests import factories as f
from tests.mail.smtp_server import SmtpServer
from tests.scenarios import happy_path
from tests.support import Sale, running_worker, without_hanging
from tests.tcp_proxy import TcpProxy

CLIENT, CONSULTANT = "jorge@laespiga.com.co", "laura.gomez@claro.com.co"
PROVISIONING, SUPPORT = "soportemno@claro.com.co", "validacion.co@claro.com.co"
PRODUCTION, ALLY = "produccionmno@claro.com.co", "aliado@minegocio.digital"

# Every message of a sale on the happy path (ONYX and RR), in order, with its recipients.
EXPECTED = [
    ("content_request", [CLIENT]),
    ("contract_number_request", [PROVISIONING]),
    ("documents_for_validation", [SUPPORT]),
    ("work_order_issued", [CONSULTANT]),
    ("work_order_to_production", [PRODUCTION]),
    ("production_order", [ALLY]),
    ("delivery_welcome", [CLIENT]),
    ("product_approved", [PRODUCTION, CONSULTANT]),
    ("work_order_closure_request", [PROVISIONING]),
    ("cycle_closed", [CONSULTANT]),
    ("client_closure_notice", [CLIENT]),
]


async def received_all(smtp: SmtpServer, count: int) -> None:
    for _ in range(200):
        if len(smtp.handler.received) >= count:
            return
        await asyncio.sleep(0.05)


async def test_sale_mail_reaches_each_area(
    skipping_env: WorkflowEnvironment, tmp_path: Path, smtp_server: SmtpServer
) -> None:
    smtp = {"smtp_host": smtp_server.host, "smtp_port": smtp_server.port}
    public = {"public_url": "https://mnd.test"}
    async with running_worker(skipping_env.client, tmp_path, **smtp, **public) as stack:
        sale = await Sale.open(stack, f.open_input("MAIL-1"))
        await happy_path(sale, skipping_env)
        await received_all(smtp_server, len(EXPECTED))
        got = [(str(r.message["X-MND-Template"]), r.rcpt_tos) for r in smtp_server.handler.received]
        assert got == EXPECTED
        # Staff emails link the sale's page in the console (Soporte Comercial's, the form too);
        # the client's never do.
        page = "https://mnd.test/consola/ventas/MAIL-1"
        for received in smtp_server.handler.received:
            body = received.message.get_content().replace("\r\n", "\n")
            if CLIENT in received.rcpt_tos:
                assert "/consola/" not in body, received.message["X-MND-Template"]
            else:
                assert f"Ver la venta en la consola: {page}\n" in body
            if received.message["X-MND-Template"] == "documents_for_validation":
                assert f"{page}#validacion\n" in body
        subjects = {
            str(r.message["X-MND-Template"]): str(r.message["Subject"])
            for r in smtp_server.handler.received
        }
        assert subjects["delivery_welcome"] == "Bienvenido a Mi Negocio Digital"
        welcome = next(
            r.message
            for r in smtp_server.handler.received
            if r.message["X-MND-Template"] == "delivery_welcome"
        )
        body = welcome.get_content()
        assert "ha finalizado su plan Tienda Digital" in body
        assert "https://laespiga.minegocio.digital/" in body
        for address in [CONSULTANT, *CLIENT_APPROVAL_MAILBOXES]:
            assert address in body
        assert "/aprobacion/" in body  # the client's single-use approval link
        assert CONSULTANT in str(welcome["Reply-To"]) and PRODUCTION in str(welcome["Reply-To"])
        statuses = {m.status for m in stack.outbox.list_messages(sale_id="MAIL-1", limit=100)}
        assert statuses == {"sent"}


async def test_refused_address_marks_the_message_failed_and_the_sale_goes_on(
    skipping_env: WorkflowEnvironment, tmp_path: Path, smtp_server: SmtpServer
) -> None:
    smtp_server.handler.rcpt_replies[CLIENT] = "550 5.1.1 mailbox unavailable"
    smtp = {"smtp_host": smtp_server.host, "smtp_port": smtp_server.port}
    async with running_worker(skipping_env.client, tmp_path, **smtp) as stack:
        sale = await Sale.open(stack, f.open_input("MAIL-2"))
        await happy_path(sale, skipping_env)  # completes although the client's mail bounces
        messages = {m.template: m for m in stack.outbox.list_messages(sale_id="MAIL-2", limit=100)}
        assert messages["content_request"].status == "failed"
        assert "550" in (messages["content_request"].last_error or "")
        assert messages["contract_number_request"].status == "sent"
        # Each refused message is an alert on the sale (no retry would deliver it).
        alerts = [a.message for a in (await sale.state()).alerts]
        refused = [t for t, m in messages.items() if m.status == "failed"]
        assert len(alerts) == len(refused) == 3  # the client's three emails
        for template, alert in zip(sorted(refused), sorted(alerts), strict=True):
            assert alert.startswith(f"No se pudo enviar el correo «{template}»: el servidor")


async def test_temporary_failure_is_retried_then_sent_once(
    skipping_env: WorkflowEnvironment, tmp_path: Path, smtp_server: SmtpServer
) -> None:
    smtp_server.handler.data_replies.extend(
        ["451 4.3.0 try again later", "451 4.3.0 try again later"]
    )
    smtp = {"smtp_host": smtp_server.host, "smtp_port": smtp_server.port}
    async with running_worker(skipping_env.client, tmp_path, **smtp) as stack:
        sale = await Sale.open(stack, f.open_input("MAIL-3"))
        await happy_path(sale, skipping_env)
        await received_all(smtp_server, len(EXPECTED))
        templates = [str(r.message["X-MND-Template"]) for r in smtp_server.handler.received]
        assert templates.count("content_request") == 1
        first = next(
            m
            for m in stack.outbox.list_messages(sale_id="MAIL-3", limit=100)
            if m.template == "content_request"
        )
        assert first.status == "sent" and first.attempts == 3


@contextmanager
def mail_server_down(smtp_server: SmtpServer) -> Iterator[tuple[TcpProxy, dict[str, Any]]]:
    """The worker's SMTP settings through a proxy that refuses connections until `start()`."""
    proxy = TcpProxy(smtp_server.host, smtp_server.port)
    proxy.start()
    proxy.cut()
    try:
        yield proxy, {"smtp_host": "127.0.0.1", "smtp_port": proxy.port}
    finally:
        proxy.close()


async def test_actions_are_answered_at_once_while_the_mail_server_is_down(
    skipping_env: WorkflowEnvironment, tmp_path: Path, smtp_server: SmtpServer
) -> None:
    """An answer never waits on an email: it is queued and follows when the server is back."""
    with mail_server_down(smtp_server) as (proxy, smtp):
        async with running_worker(skipping_env.client, tmp_path, **smtp) as stack:
            sale = await Sale.open(stack, f.open_input("MAIL-DOWN"))
            C = f.actor(Role.CONSULTANT)
            # Each answer is awaited with a hang guard: one that waited on the mail server
            # would fail the test instead of hanging it.
            await without_hanging(
                sale.act("select_template", a.SelectTemplateInput(actor=C, template_id="td_moda")),
                "select_template",
            )
            # Entering step 4 queues the content request to the client; it cannot go out.
            await without_hanging(
                sale.act(
                    "confirm_business_type",
                    a.ConfirmBusinessTypeInput(actor=C, business_type="restaurante"),
                ),
                "confirm_business_type",
            )
            answer = await without_hanging(
                sale.act("submit_content", a.SubmitContentInput(actor=C, content=f.content())),
                "submit_content",
            )
            assert answer.step is StepId.CLIENT_VERIFICATION and answer.waiting_on, answer
            state = await sale.state()
            assert state.emails_pending == 1 and state.notifications_sent == 0
            assert smtp_server.handler.received == []
            proxy.start()
            await received_all(smtp_server, 1)
            got = [str(r.message["X-MND-Template"]) for r in smtp_server.handler.received]
            assert got == ["content_request"]
            await stack.settled("MAIL-DOWN")
            assert (await sale.state()).emails_pending == 0
            await sale.act("cancel_sale", {"actor": C.model_dump(), "reason": "fin"})
            await sale.handle.result()


async def cancel_handled(sale: Sale) -> None:
    """Waits until a workflow task completed after the run's cancel request (it was seen)."""
    requested = "workflow_execution_cancel_requested_event_attributes"
    for _ in range(300):
        kinds = [e.WhichOneof("attributes") for e in (await sale.handle.fetch_history()).events]
        if requested in kinds:
            after = kinds[kinds.index(requested) :]
            if "workflow_task_completed_event_attributes" in after:
                return
        await asyncio.sleep(0.05)
    raise AssertionError("the cancel request was never handled")


async def test_a_cancel_from_temporal_while_the_sale_closes_changes_nothing(
    skipping_env: WorkflowEnvironment, tmp_path: Path, smtp_server: SmtpServer
) -> None:
    """Staff cancelled; the cancellation email waits for the mail server; an operator then
    cancels the run from Temporal. The sale still closes as itself and its email goes out."""
    with mail_server_down(smtp_server) as (proxy, smtp):
        async with running_worker(skipping_env.client, tmp_path, **smtp) as stack:
            sale = await Sale.open(stack, f.open_input("MAIL-CLOSING"))
            C = f.actor(Role.CONSULTANT)
            answer = await without_hanging(
                sale.act("cancel_sale", {"actor": C.model_dump(), "reason": "fin"}), "cancel_sale"
            )
            assert answer.status is SaleStatus.CANCELLED
            assert (await sale.state()).emails_pending == 1  # sale_cancelled, held by SMTP
            await sale.handle.cancel()
            await cancel_handled(sale)
            proxy.start()
            summary = await sale.handle.result()  # completed, not CANCELED
            assert summary.status is SaleStatus.CANCELLED
            assert summary.cancellation_reason == "fin"
            await received_all(smtp_server, 1)
            got = [str(r.message["X-MND-Template"]) for r in smtp_server.handler.received]
            assert got == ["sale_cancelled"]
