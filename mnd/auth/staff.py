"""Staff members and their personal API tokens (stored hashed, created and revoked by operators)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime

from pydantic import BaseModel
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from mnd.db.engine import read_session
from mnd.db.models import ApiToken, StaffMember
from mnd.domain.roles import Role

TOKEN_PREFIX = "mnd_"


class StaffError(Exception):
    """A staff operation refused, with a Spanish message."""


class Staff(BaseModel):
    id: str
    name: str
    email: str
    roles: list[Role]
    active: bool

    @property
    def is_supervisor(self) -> bool:
        return Role.SUPERVISOR in self.roles

    @property
    def sees_every_sale(self) -> bool:
        """A member who is only a consultant sees their own sales; the areas and supervisors all."""
        return any(role is not Role.CONSULTANT for role in self.roles)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def staff_view(row: StaffMember) -> Staff:
    return Staff(id=row.id, name=row.name, email=row.email, roles=row.roles, active=row.active)


class StaffDirectory:
    """Reads and writes staff and tokens; a token is shown once, at creation."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def add(self, staff_id: str, name: str, email: str, roles: list[Role]) -> Staff:
        if not roles:
            raise StaffError("Indique al menos un rol.")
        row = StaffMember(
            id=staff_id,
            name=name,
            email=email,
            roles=[r.value for r in roles],
            active=True,
            created_at=datetime.now(UTC),
        )
        try:
            with self._sessions.begin() as session:
                session.add(row)
        except IntegrityError as exc:
            raise StaffError(f"Ya existe un miembro del equipo con id «{staff_id}».") from exc
        return staff_view(row)

    def list(self) -> list[Staff]:
        with self._sessions() as session:
            return [
                staff_view(r) for r in session.scalars(select(StaffMember).order_by(StaffMember.id))
            ]

    def get(self, staff_id: str) -> Staff | None:
        with self._sessions() as session:
            row = session.get(StaffMember, staff_id)
            return staff_view(row) if row else None

    def create_token(self, staff_id: str, label: str = "") -> str:
        """A new personal token for an active member; only its hash is stored."""
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        with self._sessions.begin() as session:
            member = session.get(StaffMember, staff_id)
            if member is None or not member.active:
                raise StaffError(f"No existe un miembro activo con id «{staff_id}».")
            session.add(
                ApiToken(
                    staff_id=staff_id,
                    token_hash=hash_token(token),
                    label=label,
                    created_at=datetime.now(UTC),
                )
            )
        return token

    def revoke(self, staff_id: str, deactivate: bool = False) -> int:
        """Revokes every token of the member (and deactivates them if asked); returns how many."""
        now = datetime.now(UTC)
        with self._sessions.begin() as session:
            if session.get(StaffMember, staff_id) is None:
                raise StaffError(f"No existe un miembro del equipo con id «{staff_id}».")
            result = session.execute(
                update(ApiToken)
                .where(ApiToken.staff_id == staff_id, ApiToken.revoked_at.is_(None))
                .values(revoked_at=now)
            )
            if deactivate:
                session.execute(
                    update(StaffMember).where(StaffMember.id == staff_id).values(active=False)
                )
            return int(result.rowcount or 0)  # type: ignore[attr-defined]

    def authenticate(self, token: str) -> Staff | None:
        """The active member owning this unrevoked token, or None."""
        if not token.startswith(TOKEN_PREFIX):
            return None
        # A read session: a plain one begins IMMEDIATE on SQLite, so every request would queue
        # behind the worker's record writes (and hold them up) just to look a token up.
        with read_session(self._sessions) as session:
            row = session.execute(
                select(StaffMember)
                .join(ApiToken, ApiToken.staff_id == StaffMember.id)
                .where(ApiToken.token_hash == hash_token(token), ApiToken.revoked_at.is_(None))
            ).scalar_one_or_none()
            return staff_view(row) if row is not None and row.active else None
