"""The client's approval link (step 10): signed, single-use, expiring; it cannot be forged."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from pydantic import BaseModel
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from mnd.db.dialect import utc
from mnd.db.engine import read_session
from mnd.db.models import ApprovalLink

_SALT = "mnd-client-approval"


class LinkRefused(Exception):
    """The link is forged, expired or already used; the message is for the client, in Spanish.

    `reason` (`invalid`, `expired`, `used`) lets an entry point pick its status code.
    """

    def __init__(self, message: str, reason: str = "invalid", used: UsedLink | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.used = used


class UsedLink(BaseModel):
    """What a used link decided and when, so reopening it can say so instead of an error."""

    sale_id: str
    outcome: str | None
    used_at: datetime


class LinkView(BaseModel):
    nonce: str
    sale_id: str
    delivery_round: int
    expires_at: datetime


class ApprovalLinks:
    """Issues links into the delivery email and checks and consumes them on the approval page."""

    def __init__(
        self, sessions: sessionmaker[Session], secret: str, ttl: timedelta, base_url: str
    ) -> None:
        self._sessions = sessions
        self._secret = secret
        self._serializer = URLSafeTimedSerializer(secret, salt=_SALT)
        self._ttl = ttl
        self._base_url = base_url.rstrip("/")

    def issue(self, sale_id: str, delivery_round: int, seed: str) -> str:
        """The link's URL; the nonce derives from `seed` (the message id), so a retry reuses it."""
        nonce = hmac.new(self._secret.encode(), seed.encode(), hashlib.sha256).hexdigest()[:32]
        now = datetime.now(UTC)
        try:
            with self._sessions.begin() as session:
                session.add(
                    ApprovalLink(
                        nonce=nonce,
                        sale_id=sale_id,
                        delivery_round=delivery_round,
                        created_at=now,
                        expires_at=now + self._ttl,
                    )
                )
        except IntegrityError:
            # Issued before (a retry, or a reminder of the same round): same link, and an
            # unused one lives `ttl` from the latest email, so a reminder's link is not stale.
            with self._sessions.begin() as session:
                session.execute(
                    update(ApprovalLink)
                    .where(ApprovalLink.nonce == nonce, ApprovalLink.used_at.is_(None))
                    .values(expires_at=now + self._ttl)
                )
        token = self._serializer.dumps({"n": nonce, "s": sale_id})
        return f"{self._base_url}/aprobacion/{token}"

    def check(self, token: str, now: datetime | None = None) -> LinkView:
        """The link's record if it is genuine, unexpired and unused; `LinkRefused` otherwise."""
        try:
            data = self._serializer.loads(token, max_age=int(self._ttl.total_seconds()))
        except SignatureExpired as exc:
            raise LinkRefused(
                "El enlace de aprobación venció. Solicite uno nuevo a su consultor.", "expired"
            ) from exc
        except BadSignature as exc:
            raise LinkRefused("El enlace de aprobación no es válido.") from exc
        with read_session(self._sessions) as session:  # no write lock for a lookup
            row = session.get(ApprovalLink, str(data.get("n")))
            if row is None or row.sale_id != data.get("s"):
                raise LinkRefused("El enlace de aprobación no es válido.")
            used_at = utc(row.used_at)
            if used_at is not None:
                used = UsedLink(sale_id=row.sale_id, outcome=row.outcome, used_at=used_at)
                raise LinkRefused(
                    "Este enlace ya fue usado; cada enlace sirve una sola vez.", "used", used
                )
            expires = utc(row.expires_at)
            assert expires is not None
            if expires < (now or datetime.now(UTC)):
                raise LinkRefused(
                    "El enlace de aprobación venció. Solicite uno nuevo a su consultor.", "expired"
                )
            return LinkView(
                nonce=row.nonce,
                sale_id=row.sale_id,
                delivery_round=row.delivery_round,
                expires_at=expires,
            )

    def consume(self, nonce: str, outcome: str) -> bool:
        """Marks the link used; False when another request used it first (no double approval)."""
        with self._sessions.begin() as session:
            result = session.execute(
                update(ApprovalLink)
                .where(ApprovalLink.nonce == nonce, ApprovalLink.used_at.is_(None))
                .values(used_at=datetime.now(UTC), outcome=outcome)
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]

    def release(self, nonce: str) -> None:
        """Makes the link usable again when the sale refused the action (nothing was recorded)."""
        with self._sessions.begin() as session:
            session.execute(
                update(ApprovalLink)
                .where(ApprovalLink.nonce == nonce)
                .values(used_at=None, outcome=None)
            )
