"""`mnd outbox`: the messages the sales sent (or keep), as staff and support read them."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from mnd.adapters.outbox_sql import SENT, STATUSES, SqlOutbox
from mnd.cli.common import fail, local_time, records, settings
from mnd.db.models import Message
from mnd.domain.fields import AddressListError, address_list
from mnd.mail.errors import TemporaryDeliveryError
from mnd.mail.message import message_id_header, sender_domain
from mnd.mail.smtp import SmtpSender

app = typer.Typer(
    help="Mensajes del outbox: enviados, pendientes, fallidos o guardados.", no_args_is_help=True
)

COLUMNS = ("Id", "Venta", "Plantilla", "Destinatarios", "Estado", "Intentos", "Creado", "Enviado")
LABELS = {"stored": "guardado", "pending": "pendiente", "sent": "enviado", "failed": "fallido"}


def _status_code(value: str | None) -> str | None:
    # Staff read the Spanish labels in the table, so either the label or the code filters.
    if value is None or value in STATUSES:
        return value
    for code, label in LABELS.items():
        if value.lower() == label:
            return code
    fail(
        f"Estado desconocido «{value}»: use {', '.join(STATUSES)} (o {', '.join(LABELS.values())})."
    )


@app.command("list")
def list_messages(
    sale: Annotated[str | None, typer.Option("--sale", help="Solo los de esta venta")] = None,
    status: Annotated[
        str | None, typer.Option("--status", help="stored, pending, sent o failed")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Cuántos, los más recientes")] = 50,
) -> None:
    """Lista los mensajes, los más recientes primero."""
    code = _status_code(status)
    with records() as sessions:
        messages = SqlOutbox(sessions, None).list_messages(sale, code, limit)
    if not messages:
        typer.echo("No hay mensajes.")
        return
    table = Table()
    for name in COLUMNS:
        # Nothing is cut with "…": staff copy the id into `outbox show`, so it never wraps.
        is_id = name == "Id"
        width = max(len(m.message_id) for m in messages) if is_id else None
        table.add_column(name, overflow="fold", no_wrap=is_id, min_width=width)
    for m in messages:
        table.add_row(
            m.message_id,
            m.sale_id,
            m.template,
            ", ".join(m.recipients),
            LABELS.get(m.status, m.status),
            str(m.attempts),
            local_time(m.created_at),
            local_time(m.sent_at),
        )
    Console().print(table)


@app.command("show")
def show(message_id: Annotated[str, typer.Argument(help="Id del mensaje")]) -> None:
    """Muestra un mensaje: encabezados, estado de entrega y el texto completo."""
    with records() as sessions:
        message = SqlOutbox(sessions, None).get(message_id)
    if message is None:
        fail(f"No existe el mensaje «{message_id}».")
    typer.echo(_headers(message, settings().mail_sender))
    typer.echo("")
    typer.echo(message.body)


@app.command("resend")
def resend(
    message_id: Annotated[str, typer.Argument(help="Id del mensaje fallido")],
    to: Annotated[
        str | None,
        typer.Option(
            "--to", help="Destinatarios corregidos, separados por comas; si falta, los mismos"
        ),
    ] = None,
) -> None:
    """Reenvía un mensaje que el servidor rechazó (fallido), una vez corregida la causa.

    Solo un mensaje fallido se reenvía: si ya fue enviado, o está pendiente (el orquestador lo
    reintenta), no se envía de nuevo.
    """
    recipients = _addresses(to) if to is not None else None
    config = settings()
    sender = SmtpSender.from_settings(config)
    if sender is None:
        fail("No hay servidor de correo configurado (MND_SMTP_HOST): el mensaje no se reenvía.")
    with records() as sessions:
        outbox = SqlOutbox(sessions, sender)
        try:
            status, resent = outbox.resend(message_id, recipients)
        except LookupError:
            fail(f"No existe el mensaje «{message_id}».")
        except TemporaryDeliveryError as exc:
            fail(
                f"El servidor de correo no respondió ({exc.reason}); el mensaje sigue fallido: "
                "vuelva a intentarlo."
            )
    label = LABELS.get(status, status)
    if not resent:
        fail(f"El mensaje {message_id} no está fallido ({label}): no se reenvía.")
    if status == SENT:
        typer.echo(f"Mensaje {message_id} reenviado: {label}.")
    else:
        fail(f"El servidor volvió a rechazar el mensaje {message_id}; vea «mnd outbox show».")


def _addresses(value: str) -> list[str]:
    try:
        return address_list(value)
    except AddressListError as exc:
        if exc.address is None:
            fail("Indique al menos un destinatario en --to.")
        fail(f"Correo electrónico no válido en --to: «{exc.address}».")


def _headers(m: Message, sender: str) -> str:
    lines = [
        ("Message-ID", message_id_header(m.message_id, sender_domain(sender))),
        ("De", sender),
        ("Para", ", ".join(m.recipients)),
        ("Responder a", ", ".join(m.reply_to) or "—"),
        ("Asunto", m.subject),
        ("Venta", m.sale_id),
        ("Plantilla", m.template),
        ("Estado", LABELS.get(m.status, m.status)),
        ("Intentos", str(m.attempts)),
        ("Último error", m.last_error or "—"),
        ("Creado", local_time(m.created_at)),
        ("Enviado", local_time(m.sent_at)),
    ]
    return "\n".join(f"{name}: {value}" for name, value in lines)
