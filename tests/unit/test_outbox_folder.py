"""The folder outbox stores each message once, as a readable RFC 5322 file."""

from __future__ import annotations

from pathlib import Path

import pytest

from activities.inputs import Recipient, SendEmailInput
from activities.notifications import NotificationActivities, Outbox
from mnd.adapters import FolderOutbox
from mnd.domain.roles import Role
from mnd.notify import JinjaRenderer, NoMailboxError, StaticDirectory

SALE = "MND-2026-000123"


def _deliver(outbox: Outbox, message_id: str = f"{SALE}:welcome:1", body: str = "Hola") -> str:
    return outbox.deliver(
        message_id,
        SALE,
        "delivery_welcome",
        ["marta@laespiga.com.co"],
        ["andres.rojas@claro.com.co", "produccionmno@claro.com.co"],
        "Bienvenido a Mi Negocio Digital",
        body,
    )


def test_deliver_writes_one_eml_with_headers(tmp_path: Path) -> None:
    outbox = FolderOutbox(tmp_path)
    assert _deliver(outbox, body="Aprobación del producto: compártela\n") == "stored"
    files = list((tmp_path / SALE).glob("*.eml"))
    assert len(files) == 1
    message = outbox.read(f"{SALE}:welcome:1")
    assert message["From"] == "Mi Negocio Digital <no-responder@minegocio.digital>"
    assert message["To"] == "marta@laespiga.com.co"
    assert message["Reply-To"] == "andres.rojas@claro.com.co, produccionmno@claro.com.co"
    assert message["Subject"] == "Bienvenido a Mi Negocio Digital"
    assert message["Message-ID"] == f"<{SALE}%3Awelcome%3A1@minegocio.digital>"
    assert message["X-MND-Template"] == "delivery_welcome"
    assert message["X-MND-Sale"] == SALE
    assert message.get_content() == "Aprobación del producto: compártela\n"
    assert files[0].read_bytes().count(b"\r\n") > 5  # RFC 5322 line endings


def test_second_delivery_is_a_duplicate(tmp_path: Path) -> None:
    outbox = FolderOutbox(tmp_path)
    assert _deliver(outbox, body="primero") == "stored"
    assert _deliver(outbox, body="segundo") == "duplicate"
    assert [m.get_content() for m in outbox.list_messages(SALE)] == ["primero\n"]
    assert not list(tmp_path.rglob("*.tmp"))


def test_ids_differing_in_punctuation_are_distinct(tmp_path: Path) -> None:
    outbox = FolderOutbox(tmp_path)
    assert _deliver(outbox, "a:b") == "stored"
    assert _deliver(outbox, "a_b") == "stored"
    assert _deliver(outbox, "../a") == "stored"
    assert len(outbox.list_messages()) == 3
    assert {p.parent for p in tmp_path.rglob("*.eml")} == {tmp_path / SALE}


def test_custom_sender_and_missing_message(tmp_path: Path) -> None:
    outbox = FolderOutbox(tmp_path, sender="MND Pruebas <mnd@pruebas.example>")
    _deliver(outbox, "m1")
    assert outbox.read("m1")["Message-ID"] == "<m1@pruebas.example>"
    assert outbox.list_messages("otra-venta") == []
    with pytest.raises(FileNotFoundError):
        outbox.read("nunca-enviado")


def test_send_email_activity_delivers_once(tmp_path: Path) -> None:
    outbox = FolderOutbox(tmp_path)
    activities = NotificationActivities(JinjaRenderer(), StaticDirectory(), outbox)
    inp = SendEmailInput(
        message_id=f"{SALE}:onyx_created:1",
        sale_id=SALE,
        template="onyx_created",
        to=[Recipient(role=Role.CONSULTANT, email="andres.rojas@claro.com.co")],
        reply_to=[Recipient(role=Role.DATA_MINING)],
        context={
            "consultant_name": "Andrés Rojas",
            "client_name": "Panadería La Espiga S.A.S.",
            "client_document": "NIT 900.373.115-3",
            "onyx_id": "ONYX-1",
            "step_label": "5. Verificación del cliente en CRM",
        },
    )
    first, second = activities.send_email(inp), activities.send_email(inp)
    assert (first.status, second.status) == ("stored", "duplicate")
    assert first.recipients == ["andres.rojas@claro.com.co"]
    message = outbox.read(inp.message_id)
    assert message["Reply-To"] == "mineriadedatos@claro.com.co"
    assert "ONYX-1" in message.get_content()


def test_directory_defaults_and_missing_role() -> None:
    directory = StaticDirectory()
    assert directory.mailboxes(Role.PROVISIONING) == ["soportemno@claro.com.co"]
    with pytest.raises(NoMailboxError, match="consultant"):
        directory.mailboxes(Role.CONSULTANT)
    custom = StaticDirectory({Role.ALLY: ["aliado@agencia.example"], Role.SUPERVISOR: []})
    assert custom.mailboxes(Role.ALLY) == ["aliado@agencia.example"]
    with pytest.raises(NoMailboxError):
        custom.mailboxes(Role.SUPERVISOR)


def test_long_lines_stay_within_rfc_5322(tmp_path: Path) -> None:
    outbox = FolderOutbox(tmp_path)
    body = "Código embed: " + "x" * 1500 + "\n"
    _deliver(outbox, "long", body=body)
    raw = next(tmp_path.rglob("*.eml")).read_bytes()
    assert max(len(line) for line in raw.split(b"\r\n")) <= 998
    assert outbox.read("long").get_content() == body


def test_spanish_body_is_readable_in_the_file(tmp_path: Path) -> None:
    _deliver(FolderOutbox(tmp_path), body="Aprobación del producto\n")
    raw = next(tmp_path.rglob("*.eml")).read_bytes()
    assert "Aprobación del producto".encode() in raw
