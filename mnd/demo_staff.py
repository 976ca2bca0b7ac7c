"""The demo staff of the dev stack: one member per role, each with a fresh token and console
password printed once."""

from __future__ import annotations

import secrets

from pydantic import BaseModel
from sqlalchemy.orm import Session, sessionmaker

from mnd.auth.sign_in import ConsoleAuth
from mnd.auth.staff import StaffDirectory, StaffError
from mnd.demo_data import DEMO_STAFF, demo_sale
from mnd.domain.roles import ROLE_NAMES_ES, Role


class DemoMember(BaseModel):
    role: Role
    staff_id: str
    name: str
    token: str | None  # None: the member exists but is inactive
    password: str | None = None  # the console password set for this run


def _demo_people() -> list[tuple[Role, str, str, str]]:
    consultant = demo_sale("demo").consultant  # the demo sale's own consultant
    people = [(Role.CONSULTANT, consultant.id, consultant.name, consultant.email)]
    staff = {**DEMO_STAFF, Role.SUPERVISOR: "supervisor.demo"}
    for role, staff_id in staff.items():
        domain = "minegocio.digital" if role is Role.ALLY else "claro.com.co"
        people.append((role, staff_id, f"{ROLE_NAMES_ES[role]} (demo)", f"{staff_id}@{domain}"))
    return people


def ensure_demo_staff(sessions: sessionmaker[Session]) -> list[DemoMember]:
    """Adds the demo members that are missing, issues each a new token (older ones stay) and
    sets a new console password (the previous run's stops working)."""
    directory = StaffDirectory(sessions)
    console = ConsoleAuth(sessions)
    members = []
    for role, staff_id, name, email in _demo_people():
        existing = directory.get(staff_id)
        if existing is None:
            existing = directory.add(staff_id, name, email, [role])
        try:
            token: str | None = directory.create_token(staff_id, "mnd dev")
            new_password = secrets.token_urlsafe(9)
            console.set_password(staff_id, new_password)
            password: str | None = new_password
        except StaffError:
            token = password = None
        members.append(
            DemoMember(
                role=role, staff_id=staff_id, name=existing.name, token=token, password=password
            )
        )
    return members
