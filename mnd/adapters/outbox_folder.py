"""An outbox that stores each message as an RFC 5322 `.eml` file, once per message id."""

from __future__ import annotations

from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime, parseaddr
from pathlib import Path

from mnd.adapters.files import safe_name, write_once

DEFAULT_SENDER = "Mi Negocio Digital <no-responder@minegocio.digital>"
STORED = "stored"
DUPLICATE = "duplicate"
_MAX_LINE = 998


class FolderOutbox:
    """Writes `<root>/<sale id>/<message id>.eml`; a file that exists is never written again."""

    def __init__(self, root: Path, sender: str = DEFAULT_SENDER) -> None:
        self._root = root
        self._sender = sender
        _, address = parseaddr(sender)
        if "@" not in address:
            raise ValueError(f"sender has no email address: {sender!r}")
        self._domain = address.rpartition("@")[2]

    def path_for(self, sale_id: str, message_id: str) -> Path:
        """Where the message with this id is (or would be) stored."""
        return self._root / safe_name(sale_id) / f"{safe_name(message_id)}.eml"

    def deliver(
        self,
        message_id: str,
        sale_id: str,
        template: str,
        to: list[str],
        reply_to: list[str],
        subject: str,
        body: str,
    ) -> str:
        """Stores the message unless its id was stored before; returns "stored" or "duplicate"."""
        path = self.path_for(sale_id, message_id)
        # An activity retried after a crash or a timeout lands here again: the first
        # delivery wins and the retry reports a duplicate instead of mailing twice.
        if path.exists():
            return DUPLICATE
        message = self._build(message_id, sale_id, template, to, reply_to, subject, body)
        created = write_once(path, message.as_bytes(policy=policy.SMTP))
        return STORED if created else DUPLICATE

    def _build(
        self,
        message_id: str,
        sale_id: str,
        template: str,
        to: list[str],
        reply_to: list[str],
        subject: str,
        body: str,
    ) -> EmailMessage:
        if not to:
            raise ValueError(f"message {message_id!r} has no recipients")
        message = EmailMessage()
        message["From"] = self._sender
        message["To"] = ", ".join(to)
        if reply_to:
            message["Reply-To"] = ", ".join(reply_to)
        message["Subject"] = subject
        message["Date"] = format_datetime(datetime.now(UTC))
        # safe_name keeps only atext characters, so the id is a valid RFC 5322 msg-id left part.
        message["Message-ID"] = f"<{safe_name(message_id)}@{self._domain}>"
        message["X-MND-Message-Id"] = message_id
        message["X-MND-Template"] = template
        message["X-MND-Sale"] = sale_id
        # 8bit keeps the Spanish text readable in the file; a line over RFC 5322's 998-byte
        # limit (a pasted embed code, say) falls back to the encoder's own choice.
        fits = all(len(line.encode()) <= _MAX_LINE for line in body.splitlines())
        message.set_content(body, charset="utf-8", cte="8bit" if fits else None)
        return message

    def list_messages(self, sale_id: str | None = None) -> list[EmailMessage]:
        """Stored messages (of one sale, or all), oldest first."""
        folder = "*" if sale_id is None else safe_name(sale_id)
        paths = sorted(self._root.glob(f"{folder}/*.eml"), key=lambda p: (p.stat().st_mtime_ns, p))
        return [_parse(p) for p in paths]

    def read(self, message_id: str) -> EmailMessage:
        """The stored message with this id; FileNotFoundError when it was never delivered."""
        found = sorted(self._root.glob(f"*/{safe_name(message_id)}.eml"))
        if not found:
            raise FileNotFoundError(f"no stored message with id {message_id!r} in {self._root}")
        return _parse(found[0])


def _parse(path: Path) -> EmailMessage:
    with path.open("rb") as handle:
        message = BytesParser(policy=policy.default).parse(handle)
    assert isinstance(message, EmailMessage)  # policy.default always builds EmailMessage
    return message
