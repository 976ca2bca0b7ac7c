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
