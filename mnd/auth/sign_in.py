"""Console sign-in: Argon2 passwords, server-side sessions with a CSRF token, throttled failures.

Why passwords and server-side sessions: a one-time link by email depends on the mail server
being up and on the mailbox being the member's own (an area's mailbox is shared by several
people), while a password is personal. Sessions live in the records database, not in a signed
cookie, so signing out or deactivating a member ends them at once. The cookie carries a random
token; the table keeps only its SHA-256 (a leaked table opens no session).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from mnd.auth.staff import Staff, StaffError, staff_view
from mnd.db.dialect import utc
from mnd.db.engine import read_session
from mnd.db.models import ConsoleSession, SignInFailure, StaffMember

MIN_PASSWORD_LENGTH = 10
# Five wrong passwords in fifteen minutes lock the login for the rest of the window: slow enough
# against guessing, short enough that a member who mistyped is not locked out for the day.
MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
# last_seen_at is written at most once a minute: a page view is otherwise a pure read.
_TOUCH_EVERY = timedelta(minutes=1)

_hasher = PasswordHasher()
# Verified against when the login does not exist, so a wrong login costs as long as a wrong
# password and the answer time does not tell which logins exist.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class SignInRefused(Exception):
    """A sign-in refused, with the Spanish message the page shows."""


@dataclass(frozen=True)
class SignedIn:
    """A live session: who, the CSRF token its forms carry, and the cookie's token."""

    staff: Staff
    csrf_token: str
    token: str
    expires_at: datetime


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ConsoleAuth:
    """Passwords, sessions and failed attempts, over the records database."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        idle: timedelta = timedelta(minutes=60),
        max_age: timedelta = timedelta(hours=12),
    ) -> None:
        self._sessions = sessions
        self._idle = idle
        self._max_age = max_age

    def set_password(self, staff_id: str, password: str) -> None:
        if len(password) < MIN_PASSWORD_LENGTH:
            raise StaffError(f"La contraseña debe tener al menos {MIN_PASSWORD_LENGTH} caracteres.")
        hashed = _hasher.hash(password)
        with self._sessions.begin() as session:
            member = session.get(StaffMember, staff_id)
            if member is None:
                raise StaffError(f"No existe un miembro del equipo con id «{staff_id}».")
            member.password_hash = hashed
            # A new password ends every open session of the member.
            session.execute(
                update(ConsoleSession)
                .where(ConsoleSession.staff_id == staff_id, ConsoleSession.ended_at.is_(None))
                .values(ended_at=datetime.now(UTC))
            )

    def sign_in(self, login: str, password: str, now: datetime) -> SignedIn:
        """A new session for the active member whose id or email is `login`."""
        login = login.strip().lower()
        if not login or not password:
            raise SignInRefused("Escriba su usuario y su contraseña.")
        refusal: str | None = None
        with self._sessions.begin() as session:
            since = now - FAILURE_WINDOW
            failures = session.scalar(
                select(func.count())
                .select_from(SignInFailure)
                .where(SignInFailure.login == login, SignInFailure.at > since)
            )
            member = session.scalars(
                select(StaffMember).where(
                    or_(func.lower(StaffMember.id) == login, func.lower(StaffMember.email) == login)
                )
            ).first()
            if (failures or 0) >= MAX_FAILURES:
                refusal = (
                    "Demasiados intentos fallidos con este usuario. Espere 15 minutos y vuelva "
                    "a intentarlo, o pida a un supervisor que restablezca su contraseña."
                )
            elif not self._verify(member, password) or member is None:
                # Recorded in this transaction, which commits: the refusal is raised after it.
                session.add(SignInFailure(login=login, at=now))
                refusal = "Usuario o contraseña incorrectos."
            else:
                session.execute(delete(SignInFailure).where(SignInFailure.login == login))
                if member.password_hash and _hasher.check_needs_rehash(member.password_hash):
                    member.password_hash = _hasher.hash(password)
                token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
                expires = now + self._max_age
                session.add(
                    ConsoleSession(
                        token_hash=_digest(token),
                        staff_id=member.id,
                        csrf_token=csrf,
                        created_at=now,
                        last_seen_at=now,
                        expires_at=expires,
                    )
                )
                live = SignedIn(staff_view(member), csrf, token, expires)
        if refusal is not None:
            raise SignInRefused(refusal)
        return live

    @staticmethod
    def _verify(member: StaffMember | None, password: str) -> bool:
        usable = member is not None and member.active and member.password_hash
        try:
            _hasher.verify(member.password_hash if usable else _DUMMY_HASH, password)  # type: ignore[union-attr,arg-type]
        except (VerificationError, InvalidHashError):
            return False
        return bool(usable)

    def session(self, token: str, now: datetime) -> SignedIn | None:
        """The live session of this cookie token, or None (unknown, ended, idle or too old)."""
        digest = _digest(token)
        with read_session(self._sessions) as session:
            row = session.execute(
                select(ConsoleSession, StaffMember)
                .join(StaffMember, StaffMember.id == ConsoleSession.staff_id)
                .where(ConsoleSession.token_hash == digest, ConsoleSession.ended_at.is_(None))
            ).first()
            if row is None:
                return None
            live, member = row
            last_seen, expires = utc(live.last_seen_at), utc(live.expires_at)
            if not member.active or now >= expires or now - last_seen >= self._idle:
                return None
            view = SignedIn(staff_view(member), live.csrf_token, token, expires)
        if now - last_seen >= _TOUCH_EVERY:
            with self._sessions.begin() as session:
                session.execute(
                    update(ConsoleSession)
                    .where(ConsoleSession.token_hash == digest)
                    .values(last_seen_at=now)
                )
        return view

    def sign_out(self, token: str, now: datetime) -> None:
        with self._sessions.begin() as session:
            session.execute(
                update(ConsoleSession)
                .where(ConsoleSession.token_hash == _digest(token))
                .values(ended_at=now)
            )
