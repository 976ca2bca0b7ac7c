"""`mnd outbox list` and `mnd outbox show` against a SQLite file, as staff would run them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from mnd.adapters.outbox_sql import SqlOutbox
from mnd.cli.main import app
from mnd.mail import SmtpSender
from tests.mail.databases import sqlite_sessions
from tests.mail.smtp_server import SmtpServer

SALE = "MND-2026-000123"


@pytest.fixture
def records(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[sessionmaker[Session]]:
    path = tmp_path / "mnd.sqlite3"
    monkeypatch.setenv("MND_DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.setenv("MND_DB_AUTO_MIGRATE", "true")  # what staff get: the CLI migrates first
    monkeypatch.setenv("COLUMNS", "250")  # rich would wrap the table at 80 columns
    yield from sqlite_sessions(path)


def _invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_list_shows_stored_and_sent_messages(
    records: sessionmaker[Session], smtp_server: SmtpServer
) -> None:
    SqlOutbox(records, None).deliver(
        f"{SALE}:content_request:1", SALE, "content_request", ["marta@laespiga.com.co"], [],
        "Material para su página", "Hola",
    )  # fmt: skip
    sender = SmtpSender("127.0.0.1", smtp_server.port, timeout=5)
    SqlOutbox(records, sender).deliver(
        "OTRA:welcome:1", "OTRA", "delivery_welcome", ["a@b.co", "c@d.co"], [], "Bienvenido", "Hola"
    )
    code, out, _ = _invoke("outbox", "list")
    assert code == 0
    lines = out.splitlines()
    [stored] = [line for line in lines if f"{SALE}:content_request:1" in line]
    assert (
        "content_request" in stored and "guardado" in stored and "marta@laespiga.com.co" in stored
    )
    [sent] = [line for line in lines if "OTRA:welcome:1" in line]
    assert "enviado" in sent and "a@b.co, c@d.co" in sent
    assert lines.index(sent) < lines.index(stored)  # newest first

    code, out, _ = _invoke("outbox", "list", "--sale", SALE, "--status", "stored")
    assert code == 0 and f"{SALE}:content_request:1" in out and "OTRA" not in out
    code, out, _ = _invoke("outbox", "list", "--status", "fallido", "--limit", "5")
    assert (code, out) == (0, "No hay mensajes.\n")


def test_show_prints_headers_and_body(records: sessionmaker[Session]) -> None:
    body = "Hola Marta:\n\nSu página está lista.\nLínea final"
    SqlOutbox(records, None).deliver(
        f"{SALE}:welcome:1", SALE, "delivery_welcome", ["marta@laespiga.com.co"],
        ["andres.rojas@claro.com.co"], "Bienvenido a Mi Negocio Digital", body,
    )  # fmt: skip
    code, out, _ = _invoke("outbox", "show", f"{SALE}:welcome:1")
    assert code == 0
    assert f"Message-ID: <{SALE}%3Awelcome%3A1@minegocio.digital>" in out
    assert "Para: marta@laespiga.com.co" in out
    assert "Responder a: andres.rojas@claro.com.co" in out
    assert "Asunto: Bienvenido a Mi Negocio Digital" in out
    assert "Estado: guardado" in out
    assert out.endswith(f"\n\n{body}\n")


@pytest.mark.usefixtures("records")
def test_unknown_message_is_one_spanish_line() -> None:
    assert _invoke("outbox", "show", "no-existe") == (1, "", "No existe el mensaje «no-existe».\n")


@pytest.mark.usefixtures("records")
def test_unknown_status_is_refused() -> None:
    code, _, err = _invoke("outbox", "list", "--status", "perdido")
    assert code == 1 and err.startswith("Estado desconocido «perdido»")


def test_unreadable_database_is_one_spanish_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MND_DATABASE_URL", f"sqlite:///{tmp_path}/no/existe.sqlite3")
    monkeypatch.setenv("MND_DB_AUTO_MIGRATE", "false")
    code, _, err = _invoke("outbox", "list")
    assert code == 1
    assert err.startswith("No se pudo leer la base de datos «sqlite:///") and err.count("\n") == 1


def test_resend_a_refused_message_once_to_corrected_recipients(
    records: sessionmaker[Session], smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    refused = "aliado@no-existe.co"
    smtp_server.handler.rcpt_replies[refused] = "550 5.1.1 Buzón inexistente"
    sender = SmtpSender("127.0.0.1", smtp_server.port, timeout=5)
    message_id = f"{SALE}:production_order:1"
    status = SqlOutbox(records, sender).deliver(
        message_id, SALE, "production_order", [refused], [], "Orden de producción", "Hola"
    )
    assert status == "failed" and smtp_server.handler.received == []

    assert _invoke("outbox", "resend", message_id) == (
        1, "", "No hay servidor de correo configurado (MND_SMTP_HOST): el mensaje no se reenvía.\n"
    )  # fmt: skip
    monkeypatch.setenv("MND_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("MND_SMTP_PORT", str(smtp_server.port))
    # The same recipient: refused again, and still failed for a later resend.
    code, _, err = _invoke("outbox", "resend", message_id)
    assert code == 1 and err.startswith(f"El servidor volvió a rechazar el mensaje {message_id}")
    code, _, err = _invoke("outbox", "resend", message_id, "--to", "no-es-correo")
    assert (code, err) == (1, "Correo electrónico no válido en --to: «no-es-correo».\n")

    fixed = "aliado@minegocio.digital"
    assert _invoke("outbox", "resend", message_id, "--to", fixed) == (
        0, f"Mensaje {message_id} reenviado: enviado.\n", ""
    )  # fmt: skip
    [received] = smtp_server.handler.received
    assert received.rcpt_tos == [fixed] and received.message["Subject"] == "Orden de producción"
    # Run again (a double click, a second operator): nothing is sent twice.
    code, _, err = _invoke("outbox", "resend", message_id, "--to", fixed)
    assert (code, err) == (
        1,
        f"El mensaje {message_id} no está fallido (enviado): no se reenvía.\n",
    )
    assert len(smtp_server.handler.received) == 1
    code, out, _ = _invoke("outbox", "show", message_id)
    assert code == 0 and f"Para: {fixed}" in out and "Estado: enviado" in out
    assert _invoke("outbox", "resend", "no-existe")[2] == "No existe el mensaje «no-existe».\n"
