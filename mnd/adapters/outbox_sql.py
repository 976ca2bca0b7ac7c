"""An outbox in the records database: every message stored once, then sent over SMTP."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import cache
from typing import Any, cast

from sqlalchemy import Insert, String, Table, Update, bindparam, select, update
from sqlalchemy.orm import Session

from mnd.db.dialect import dialect_insert
from mnd.db.models import Message
from mnd.mail.errors import PermanentDeliveryError, TemporaryDeliveryError
from mnd.mail.smtp import SmtpSender

STORED = "stored"  # kept in the table only: no SMTP server is configured
PENDING = "pending"  # to be sent; a temporary failure leaves it here for the next attempt
SENT = "sent"
FAILED = "failed"  # the server refused it for good (5xx); the sale shows an alert, goes on
DUPLICATE = "duplicate"
STATUSES = (STORED, PENDING, SENT, FAILED)

_Outgoing = tuple[str, str, str, list[str], list[str], str, str]
_MESSAGES = cast(Table, Message.__table__)
_BY_ID = _MESSAGES.c.message_id == bindparam("key_message_id", type_=String)
# A pending message's attempt counted (committed before sending), and what to send.
_CLAIM = (
    update(_MESSAGES)
    .where(_BY_ID, _MESSAGES.c.status == PENDING)
    .values(attempts=_MESSAGES.c.attempts + 1)
    .returning(
        _MESSAGES.c.message_id,
        _MESSAGES.c.sale_id,
        _MESSAGES.c.template,
        _MESSAGES.c.recipients,
        _MESSAGES.c.reply_to,
        _MESSAGES.c.subject,
        _MESSAGES.c.body,
    )
)
_STATUS = select(_MESSAGES.c.status).where(_BY_ID)
# A refused message made pending again, for an operator's resend; only a failed row moves.
_REOPEN: Update = (
    update(_MESSAGES)
    .where(_BY_ID, _MESSAGES.c.status == FAILED)
    .values(status=PENDING, last_error=None)
)
_SETTLE: Update = update(_MESSAGES).where(_BY_ID)


@cache
def _insert_once(dialect: str) -> Insert:
    """Inserts the message unless its id is stored (then nothing); returns the new row's id."""
    return (
        dialect_insert(dialect, _MESSAGES)
        .on_conflict_do_nothing(index_elements=["message_id"])
        .returning(_MESSAGES.c.id)
    )


class SqlOutbox:
    """Implements `Outbox` on the `messages` table; sends through `sender` when there is one."""

    def __init__(self, sessions: Callable[[], Session], sender: SmtpSender | None) -> None:
        self._sessions = sessions
        self._sender = sender

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
        """Stores the message and sends it unless that id was settled before; returns the status
        (`failed`, each time, for a message the server refused for good).

        Raises `TemporaryDeliveryError` (retryable) when the server is unreachable or defers.
        """
        if not to:
            raise ValueError(f"message {message_id!r} has no recipients")
        row = {
            "message_id": message_id,
            "sale_id": sale_id,
            "template": template,
            "recipients": to,
            "reply_to": reply_to,
            "subject": subject,
            "body": body,
            "status": STORED if self._sender is None else PENDING,
            "attempts": 0,
            "created_at": datetime.now(UTC),
        }
        created = self._insert(row)
        if self._sender is None:
            return STORED if created else DUPLICATE
        # A retried activity (after a timeout, a crash or a 4xx) lands here again: only a
        # pending row is sent, so a message the server accepted is never sent a second time.
        status, claimed = self._send_pending(message_id)
        if not claimed:
            # Settled before. A refused message answers `failed` again, so a retried activity
            # reports the same permanent failure instead of a success; nothing is sent.
            return FAILED if status == FAILED else DUPLICATE
        return status

    def resend(self, message_id: str, recipients: list[str] | None = None) -> tuple[str, bool]:
        """Sends again a message the server refused for good (`failed`), to `recipients` when
        given (a mailbox corrected meanwhile), else to the same ones; returns its status and
        whether it was sent again (False: it was not failed, and nothing was sent).

        Only a failed row is reopened, in one statement, so two resends at once (or a resend
        run twice) send it once; a message of any other status is left alone (a pending one is
        the sale's own activity's to retry) and its status returned. Raises `LookupError` for
        an unknown id; `TemporaryDeliveryError` when the server is unreachable, leaving the
        message failed, to be resent again.
        """
        if self._sender is None:
            raise ValueError("no SMTP server is configured (MND_SMTP_HOST)")
        with self._sessions() as session:
            connection = session.connection()
            values: dict[str, Any] = {"key_message_id": message_id}
            statement = _REOPEN.values(recipients=recipients) if recipients else _REOPEN
            reopened = connection.execute(statement, values).rowcount
            status = connection.execute(_STATUS, values).scalar_one_or_none()
            session.commit()
        if status is None:
            raise LookupError(message_id)
        if not reopened:
            return str(status), False
        try:
            return self._send_pending(message_id)[0], True
        except TemporaryDeliveryError as exc:
            self._settle(message_id, FAILED, exc.reason)
            raise

    def _send_pending(self, message_id: str) -> tuple[str, bool]:
        """Claims the row if pending and sends it: (the status it settled in, True); or (its
        status, False) when it was settled already and nothing was sent."""
        outgoing = self._claim(message_id)
        if isinstance(outgoing, str):
            return outgoing, False
        assert self._sender is not None  # only rows of an outbox with a sender are pending
        try:
            refused = self._sender.send(*outgoing)
        except PermanentDeliveryError as exc:
            # The row says why; the activity makes it a non-retryable failure (an alert on the
            # sale), and the sale goes on without this message.
            self._settle(message_id, FAILED, exc.reason)
            return FAILED, True
        except TemporaryDeliveryError as exc:
            self._settle(message_id, PENDING, exc.reason)
            raise  # a plain exception: Temporal retries the activity with its backoff
        # At-least-once window: a crash (or a lost database) after the server accepted the
        # message and before this commit leaves the row pending, and the retry sends it again.
        # Both copies carry the same Message-ID (derived from the message id), so receivers
        # can drop the second. Concurrent attempts of one activity (a start-to-close timeout
        # while the first still runs) share the same window.
        self._settle(message_id, SENT, "; ".join(refused) or None, sent_at=datetime.now(UTC))
        return SENT, True

    def _insert(self, row: dict[str, Any]) -> bool:
        """Inserts the row unless its message id exists; True when this call inserted it.

        One statement: a concurrent attempt inserting the same id waits for the other's commit
        (PostgreSQL) or its turn to write (SQLite), then inserts nothing."""
        with self._sessions() as session:
            connection = session.connection()
            inserted = connection.execute(_insert_once(connection.dialect.name), row).first()
            session.commit()
        return inserted is not None

    def _claim(self, message_id: str) -> _Outgoing | str:
        """Counts an attempt (committed before sending) on a pending row; the row's status when
        it is settled already."""
        with self._sessions() as session:
            connection = session.connection()
            claimed = connection.execute(_CLAIM, {"key_message_id": message_id}).first()
            if claimed is None:
                status: str = connection.execute(
                    _STATUS, {"key_message_id": message_id}
                ).scalar_one()
                return status
            session.commit()
        m_id, sale_id, template, recipients, reply_to, subject, body = claimed
        return m_id, sale_id, template, list(recipients), list(reply_to), subject, body

    def _settle(
        self, message_id: str, status: str, error: str | None, sent_at: datetime | None = None
    ) -> None:
        with self._sessions() as session:
            session.connection().execute(
                _SETTLE,
                {
                    "key_message_id": message_id,
                    "status": status,
                    "last_error": error,
                    "sent_at": sent_at,
                },
            )
            session.commit()

    def get(self, message_id: str) -> Message | None:
        """The stored message with this id, or None."""
        with self._sessions() as session:
            return session.scalar(select(Message).where(Message.message_id == message_id))

    def list_messages(
        self, sale_id: str | None = None, status: str | None = None, limit: int = 50
    ) -> list[Message]:
        """Stored messages, newest first, optionally of one sale and one status."""
        query = select(Message).order_by(Message.created_at.desc(), Message.id.desc())
        if sale_id is not None:
            query = query.where(Message.sale_id == sale_id)
        if status is not None:
            query = query.where(Message.status == status)
        with self._sessions() as session:
            return list(session.scalars(query.limit(limit)))
