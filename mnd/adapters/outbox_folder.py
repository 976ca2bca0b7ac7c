"""An outbox that stores each message as an RFC 5322 `.eml` file, once per message id."""

from __future__ import annotations

from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

from mnd.adapters.files import safe_name, write_once
from mnd.mail.message import DEFAULT_SENDER, build_message, sender_domain

STORED = "stored"
DUPLICATE = "duplicate"


class FolderOutbox:
    """Writes `<root>/<sale id>/<message id>.eml`; a file that exists is never written again."""

    def __init__(self, root: Path, sender: str = DEFAULT_SENDER) -> None:
        self._root = root
        sender_domain(sender)  # refuses a sender without an address now, not at the first mail
        self._sender = sender

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
        message = build_message(
            self._sender, message_id, sale_id, template, to, reply_to, subject, body
        )
        created = write_once(path, message.as_bytes(policy=policy.SMTP))
        return STORED if created else DUPLICATE

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
