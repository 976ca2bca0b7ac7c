"""The SQL outbox stores each message once and sends it over a real SMTP conversation at most
once per success, on SQLite and on PostgreSQL."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy.orm import Session, sessionmaker

from mnd.adapters.outbox_sql import SqlOutbox
from mnd.mail import SmtpSender, TemporaryDeliveryError, message_id_header
from tests.mail.smtp_server import SmtpServer, free_port

SALE = "MND-2026-000123"
ID = f"{SALE}:delivery_welcome:1"
CLIENT = "marta@laespiga.com.co"
REPLY_TO = ["andres.rojas@claro.com.co", "produccionmno@claro.com.co"]
SUBJECT = "Aprobación de su sitio — Mi Negocio Digital"
BODY = "Hola Marta:\n\nSu página está lista; compártela y apruébela, por favor.\n"
SENDER = "Mi Negocio Digital <no-responder@minegocio.digital>"


def _sender(port: int) -> SmtpSender:
    return SmtpSender("127.0.0.1", port, timeout=5, sender=SENDER)


def _deliver(outbox: SqlOutbox, message_id: str = ID, to: list[str] | None = None) -> str:
    return outbox.deliver(
        message_id, SALE, "delivery_welcome", to or [CLIENT], REPLY_TO, SUBJECT, BODY
    )


def test_deliver_sends_one_message_with_headers(
    sessions: sessionmaker[Session], smtp_server: SmtpServer
) -> None:
    outbox = SqlOutbox(sessions, _sender(smtp_server.port))
    assert _deliver(outbox) == "sent"
    [received] = smtp_server.handler.received
    assert received.mail_from == "no-responder@minegocio.digital"
    assert received.rcpt_tos == [CLIENT]  # Reply-To is a header, never an envelope recipient
    message = received.message
    assert message["From"] == SENDER
    assert message["To"] == CLIENT
    assert message["Reply-To"] == ", ".join(REPLY_TO)
    assert message["Subject"] == SUBJECT
    assert message["Message-ID"] == message_id_header(ID, "minegocio.digital")
    assert message["X-MND-Template"] == "delivery_welcome"
    assert message["X-MND-Sale"] == SALE
    assert message.get_content_charset() == "utf-8"
    # The parser keeps the wire's CRLF line ends when it decodes quoted-printable.
    assert message.get_content().replace("\r\n", "\n") == BODY
    row = outbox.get(ID)
    assert row is not None
    assert (row.status, row.attempts, row.last_error) == ("sent", 1, None)
    assert row.sent_at is not None


def test_same_message_id_is_sent_once(
    sessions: sessionmaker[Session], smtp_server: SmtpServer
) -> None:
    outbox = SqlOutbox(sessions, _sender(smtp_server.port))
    assert _deliver(outbox) == "sent"
    assert _deliver(outbox) == "duplicate"
    assert len(smtp_server.handler.received) == 1
    row = outbox.get(ID)
    assert row is not None and row.attempts == 1


def test_permanent_refusal_marks_failed_and_says_so_again(
    sessions: sessionmaker[Session], smtp_server: SmtpServer
) -> None:
    smtp_server.handler.rcpt_replies[CLIENT] = "550 5.1.1 Mailbox does not exist"
    outbox = SqlOutbox(sessions, _sender(smtp_server.port))
    assert _deliver(outbox) == "failed"
    # A failed message is not sent again, and a retry is told it failed (not "duplicate").
    assert _deliver(outbox) == "failed"
    assert smtp_server.handler.received == []
    row = outbox.get(ID)
    assert row is not None
    assert (row.status, row.attempts) == ("failed", 1)
    assert row.last_error is not None and "550 5.1.1 Mailbox does not exist" in row.last_error


def test_one_refused_recipient_does_not_stop_the_others(
    sessions: sessionmaker[Session], smtp_server: SmtpServer
) -> None:
    smtp_server.handler.rcpt_replies["nadie@claro.com.co"] = "550 5.1.1 No such user"
    outbox = SqlOutbox(sessions, _sender(smtp_server.port))
    assert _deliver(outbox, to=["nadie@claro.com.co", CLIENT]) == "sent"
    [received] = smtp_server.handler.received
    assert received.rcpt_tos == [CLIENT]
    row = outbox.get(ID)
    assert row is not None and row.last_error is not None
    assert "nadie@claro.com.co (550 5.1.1 No such user)" in row.last_error


def test_temporary_refusal_is_retried_by_the_next_attempt(
    sessions: sessionmaker[Session], smtp_server: SmtpServer
) -> None:
    smtp_server.handler.data_replies.append("451 4.3.0 Try again later")
    outbox = SqlOutbox(sessions, _sender(smtp_server.port))
    with pytest.raises(TemporaryDeliveryError, match="451"):
        _deliver(outbox)
    row = outbox.get(ID)
    assert row is not None
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.last_error is not None and "451 4.3.0" in row.last_error
    assert smtp_server.handler.received == []

    assert _deliver(outbox) == "sent"  # what Temporal's retry of the activity does
    row = outbox.get(ID)
    assert row is not None
    assert (row.status, row.attempts, row.last_error) == ("sent", 2, None)
    assert len(smtp_server.handler.received) == 1


def test_closed_port_is_a_temporary_error(sessions: sessionmaker[Session]) -> None:
    outbox = SqlOutbox(sessions, _sender(free_port()))
    with pytest.raises(TemporaryDeliveryError, match="ConnectionRefusedError"):
        _deliver(outbox)
    row = outbox.get(ID)
    assert row is not None and (row.status, row.attempts) == ("pending", 1)


def test_without_smtp_messages_are_stored_only(
    sessions: sessionmaker[Session], smtp_server: SmtpServer
) -> None:
    outbox = SqlOutbox(sessions, None)
    assert _deliver(outbox) == "stored"
    assert _deliver(outbox) == "duplicate"
    # Configuring SMTP later does not send what was stored before (no release of old mail).
    assert _deliver(SqlOutbox(sessions, _sender(smtp_server.port))) == "duplicate"
    assert smtp_server.handler.received == []
    assert [m.message_id for m in outbox.list_messages(status="stored")] == [ID]
    assert outbox.list_messages(sale_id="MND-2026-999999") == []


def test_concurrent_attempts_store_one_row(sessions: sessionmaker[Session]) -> None:
    outbox = SqlOutbox(sessions, None)
    start = threading.Barrier(6)
    results: list[str] = []

    def attempt() -> None:
        start.wait()
        results.append(_deliver(outbox))

    threads = [threading.Thread(target=attempt) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["duplicate"] * 5 + ["stored"]
    assert len(outbox.list_messages()) == 1


def test_list_is_newest_first_with_filters(sessions: sessionmaker[Session]) -> None:
    outbox = SqlOutbox(sessions, None)
    for n in range(3):
        _deliver(outbox, f"{SALE}:m:{n}")
    outbox.deliver("OTRA:m:0", "OTRA", "t", [CLIENT], [], "s", "b")
    assert [m.message_id for m in outbox.list_messages(sale_id=SALE, limit=2)] == [
        f"{SALE}:m:2",
        f"{SALE}:m:1",
    ]
    assert outbox.get("no-such-id") is None


def test_no_recipients_is_refused_before_storing(sessions: sessionmaker[Session]) -> None:
    outbox = SqlOutbox(sessions, None)
    with pytest.raises(ValueError, match="no recipients"):
        outbox.deliver(ID, SALE, "t", [], [], "s", "b")
    assert outbox.list_messages() == []


def test_resend_reopens_only_a_failed_message(
    sessions: sessionmaker[Session], smtp_server: SmtpServer
) -> None:
    smtp_server.handler.rcpt_replies[CLIENT] = "550 5.1.1 Mailbox does not exist"
    outbox = SqlOutbox(sessions, _sender(smtp_server.port))
    assert _deliver(outbox) == "failed"
    # The server unreachable during the resend: the message stays failed, to be resent again.
    unreachable = SqlOutbox(sessions, _sender(free_port()))
    with pytest.raises(TemporaryDeliveryError):
        unreachable.resend(ID)
    row = outbox.get(ID)
    assert row is not None and (row.status, row.attempts) == ("failed", 2)
    # Corrected recipients: sent once; a second resend (or the sale's retried activity) sends
    # nothing more.
    fixed = "marta.ruiz@laespiga.com.co"
    assert outbox.resend(ID, [fixed]) == ("sent", True)
    assert outbox.resend(ID, [fixed]) == ("sent", False)
    assert _deliver(outbox) == "duplicate"
    [received] = smtp_server.handler.received
    assert received.rcpt_tos == [fixed]
    row = outbox.get(ID)
    assert row is not None and (row.status, row.recipients) == ("sent", [fixed])
    with pytest.raises(LookupError):
        outbox.resend("no-existe")


def test_resend_leaves_a_pending_message_to_the_sales_own_retry(
    sessions: sessionmaker[Session], smtp_server: SmtpServer
) -> None:
    smtp_server.handler.data_replies.append("451 4.3.0 Try again later")
    outbox = SqlOutbox(sessions, _sender(smtp_server.port))
    with pytest.raises(TemporaryDeliveryError):
        _deliver(outbox)
    assert outbox.resend(ID) == ("pending", False)
    assert smtp_server.handler.received == []
