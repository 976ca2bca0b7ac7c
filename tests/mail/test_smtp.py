"""SmtpSender against real SMTP servers: TLS, login, and which failures are permanent."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from mnd.mail import PermanentDeliveryError, SmtpSender, TemporaryDeliveryError
from mnd.mail.smtp import Security
from mnd.settings import Settings
from tests.mail.smtp_server import (
    PASSWORD,
    USERNAME,
    SmtpServer,
    check_login,
    running_server,
    server_context,
)

TO = "marta@laespiga.com.co"


def _send(sender: SmtpSender, to: list[str] | None = None) -> list[str]:
    return sender.send("M-1:welcome:1", "M-1", "delivery_welcome", to or [TO], [], "Asunto", "Hola")


def _sender(port: int, security: Security = "none", **kwargs: object) -> SmtpSender:
    return SmtpSender("127.0.0.1", port, security, timeout=5, **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def trusted(certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    # The sender uses ssl.create_default_context(), which OpenSSL points at SSL_CERT_FILE:
    # the same knob trusts a private CA in production, so the test needs no injected context.
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))


@pytest.fixture
def starttls_server(certificate: tuple[Path, Path]) -> Iterator[SmtpServer]:
    tls = {"tls_context": server_context(*certificate), "require_starttls": True}
    with running_server(**tls, authenticator=check_login) as server:
        yield server


@pytest.mark.usefixtures("trusted")
def test_starttls_with_login(starttls_server: SmtpServer) -> None:
    sender = _sender(starttls_server.port, "starttls", username=USERNAME, password=PASSWORD)
    assert _send(sender) == []
    [received] = starttls_server.handler.received
    assert (received.tls, received.authenticated, received.rcpt_tos) == (True, True, [TO])


@pytest.mark.usefixtures("trusted")
def test_ssl(certificate: tuple[Path, Path]) -> None:
    with running_server(ssl_context=server_context(*certificate)) as server:
        assert _send(_sender(server.port, "ssl")) == []
        assert [r.tls for r in server.handler.received] == [True]


def test_untrusted_certificate_is_temporary(
    starttls_server: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    with pytest.raises(TemporaryDeliveryError, match="CERTIFICATE_VERIFY_FAILED"):
        _send(_sender(starttls_server.port, "starttls"))
    assert starttls_server.handler.received == []


def test_starttls_never_falls_back_to_clear_text(smtp_server: SmtpServer) -> None:
    with pytest.raises(TemporaryDeliveryError, match="STARTTLS"):
        _send(_sender(smtp_server.port, "starttls"))
    assert smtp_server.handler.received == []


@pytest.mark.usefixtures("trusted")
def test_wrong_password_is_retried_not_failed(starttls_server: SmtpServer) -> None:
    # A configuration fault: every message would fail alike, so they wait for the fix instead.
    sender = _sender(starttls_server.port, "starttls", username=USERNAME, password="otra")
    with pytest.raises(TemporaryDeliveryError, match="535"):
        _send(sender)


@pytest.mark.parametrize(
    ("replies", "error"),
    [
        ({"a@x.co": "550 5.1.1 unknown", "b@x.co": "553 5.1.3 bad"}, PermanentDeliveryError),
        ({"a@x.co": "550 5.1.1 unknown", "b@x.co": "450 4.2.1 busy"}, TemporaryDeliveryError),
    ],
)
def test_all_recipients_refused(
    smtp_server: SmtpServer, replies: dict[str, str], error: type[Exception]
) -> None:
    smtp_server.handler.rcpt_replies.update(replies)
    with pytest.raises(error, match="all recipients refused: a@x.co"):
        _send(_sender(smtp_server.port), to=["a@x.co", "b@x.co"])


@pytest.mark.parametrize(
    ("reply", "error"),
    [("554 5.7.1 Rejected as spam", PermanentDeliveryError), ("452 4.3.1", TemporaryDeliveryError)],
)
def test_data_reply_decides(smtp_server: SmtpServer, reply: str, error: type[Exception]) -> None:
    smtp_server.handler.data_replies.append(reply)
    with pytest.raises(error, match=reply.split()[0]):
        _send(_sender(smtp_server.port))


def test_silent_server_times_out_as_temporary() -> None:
    with socket.create_server(("127.0.0.1", 0)) as silent:  # accepts, never greets
        sender = SmtpSender("127.0.0.1", silent.getsockname()[1], timeout=0.3)
        with pytest.raises(TemporaryDeliveryError, match="timed out"):
            _send(sender)


def test_dropped_connection_is_temporary() -> None:
    with socket.create_server(("127.0.0.1", 0)) as listener:

        def hang_up() -> None:
            connection, _ = listener.accept()
            connection.close()

        thread = threading.Thread(target=hang_up)
        thread.start()
        with pytest.raises(TemporaryDeliveryError, match="SMTPServerDisconnected"):
            _send(SmtpSender("127.0.0.1", listener.getsockname()[1], timeout=5))
        thread.join()


def test_from_settings() -> None:
    assert SmtpSender.from_settings(Settings(smtp_host=None)) is None
    assert isinstance(SmtpSender.from_settings(Settings(smtp_host="smtp.claro.co")), SmtpSender)
    with pytest.raises(ValueError, match="no email address"):
        SmtpSender("h", 25, sender="Sin dirección")
