"""The RFC 5322 message of a notification: what the SMTP server receives and the CLI shows."""

from __future__ import annotations

import string
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

DEFAULT_SENDER = "Mi Negocio Digital <no-responder@minegocio.digital>"
_MAX_LINE = 998
_ATEXT = frozenset(string.ascii_letters + string.digits + "-_")


def sender_domain(sender: str) -> str:
    """The domain of the sender's address; ValueError when the sender has no address."""
    _, address = parseaddr(sender)
    if "@" not in address:
        raise ValueError(f"sender has no email address: {sender!r}")
    return address.rpartition("@")[2]


def message_id_header(message_id: str, domain: str) -> str:
    """The Message-ID header for an outbox id: the same id always yields the same header."""
    if not message_id:
        raise ValueError("an empty message id")
    # Percent-encoding is injective and keeps only atext, so two ids never share a header and
    # a receiver can de-duplicate a message delivered twice by a retried activity.
    left = "".join(
        c if c in _ATEXT else "".join(f"%{b:02X}" for b in c.encode()) for c in message_id
    )
    return f"<{left}@{domain}>"


def build_message(
    sender: str,
    message_id: str,
    sale_id: str,
    template: str,
    to: list[str],
    reply_to: list[str],
    subject: str,
    body: str,
    cte: str | None = "8bit",
) -> EmailMessage:
    """The message with its headers and UTF-8 text body; `cte=None` lets the encoder choose."""
    if not to:
        raise ValueError(f"message {message_id!r} has no recipients")
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(to)
    if reply_to:
        message["Reply-To"] = ", ".join(reply_to)
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = message_id_header(message_id, sender_domain(sender))
    message["X-MND-Message-Id"] = message_id
    message["X-MND-Template"] = template
    message["X-MND-Sale"] = sale_id
    # 8bit keeps the Spanish text readable; a line over RFC 5322's 998-byte limit (a pasted
    # embed code, say) cannot travel as 8bit, so the encoder picks a safe encoding instead.
    if cte == "8bit" and any(len(line.encode()) > _MAX_LINE for line in body.splitlines()):
        cte = None
    message.set_content(body, charset="utf-8", cte=cte)
    return message
