"""An outbox in the records database: every message stored once, then sent over SMTP."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

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
        row = Message(
            message_id=message_id,
            sale_id=sale_id,
            template=template,
            recipients=to,
            reply_to=reply_to,
            subject=subject,
            body=body,
            status=STORED if self._sender is None else PENDING,
            attempts=0,
            created_at=datetime.now(UTC),
        )
        created = self._insert(row)
        if self._sender is None:
            return STORED if created else DUPLICATE
        # A retried activity (after a timeout, a crash or a 4xx) lands here again: only a
        # pending row is sent, so a message the server accepted is never sent a second time.
        outgoing = self._claim(message_id)
        if isinstance(outgoing, str):
            # Settled before. A refused message answers `failed` again, so a retried activity
            # reports the same permanent failure instead of a success; nothing is sent.
            return FAILED if outgoing == FAILED else DUPLICATE
        try:
            refused = self._sender.send(*outgoing)
        except PermanentDeliveryError as exc:
            # The row says why; the activity makes it a non-retryable failure (an alert on the
            # sale), and the sale goes on without this message.
            self._settle(message_id, FAILED, exc.reason)
            return FAILED
        except TemporaryDeliveryError as exc:
            self._settle(message_id, PENDING, exc.reason)
            raise  # a plain exception: Temporal retries the activity with its backoff
        # At-least-once window: a crash (or a lost database) after the server accepted the
        # message and before this commit leaves the row pending, and the retry sends it again.
        # Both copies carry the same Message-ID (derived from the message id), so receivers
        # can drop the second. Concurrent attempts of one activity (a start-to-close timeout
        # while the first still runs) share the same window.
        self._settle(message_id, SENT, "; ".join(refused) or None, sent_at=datetime.now(UTC))
        return SENT

    def _insert(self, row: Message) -> bool:
        """Inserts the row unless its message id exists; True when this call inserted it."""
        with self._sessions() as session:
            if self._exists(session, row.message_id):
                return False
            session.add(row)
            try:
                session.commit()
            except IntegrityError:
                # Another attempt inserted the same id between our read and our write.
                session.rollback()
                if self._exists(session, row.message_id):
                    return False
                raise
        return True

    @staticmethod
    def _exists(session: Session, message_id: str) -> bool:
        found = session.scalar(select(Message.id).where(Message.message_id == message_id))
        return found is not None

    def _claim(self, message_id: str) -> _Outgoing | str:
        """Counts an attempt (committed before sending) on a pending row; the row's status when
        it is settled already."""
        with self._sessions() as session:
            query = select(Message).where(Message.message_id == message_id).with_for_update()
            row = session.scalars(query).one()
            if row.status != PENDING:
                return row.status
            outgoing: _Outgoing = (
                row.message_id,
                row.sale_id,
                row.template,
                list(row.recipients),
                list(row.reply_to),
                row.subject,
                row.body,
            )
            row.attempts += 1
            session.commit()
        return outgoing

    def _settle(
        self, message_id: str, status: str, error: str | None, sent_at: datetime | None = None
    ) -> None:
        with self._sessions() as session:
            session.execute(
                update(Message)
                .where(Message.message_id == message_id)
                .values(status=status, last_error=error, sent_at=sent_at)
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
