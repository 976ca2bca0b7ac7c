"""What the sale page shows, computed from the sale's state and its records (no HTTP here)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from mnd.auth.staff import Staff
from mnd.db.dialect import utc
from mnd.db.models import Message
from mnd.domain.actions import ACTIONS, ActionInput
from mnd.domain.documents import DOCUMENT_NAMES_ES
from mnd.domain.errors import ActionRefused, RefusalKind
from mnd.domain.roles import Role
from mnd.domain.sale import SaleState, SaleStatus
from mnd.domain.steps import STEP_ORDER, StepId, step_label

FILE_REF_PREFIX = "file:"
OUTBOX_STATUS_ES = {
    "stored": "guardado (sin servidor de correo)",
    "pending": "pendiente",
    "sending": "enviando",
    "sent": "enviado",
    "failed": "fallido",
}


@dataclass(frozen=True)
class TimelineStep:
    label: str
    state: str  # done, current, ahead
    started_at: datetime | None
    ended_at: datetime | None
    rounds: int


@dataclass(frozen=True)
class DocumentLink:
    name: str
    file_name: str
    file_id: str | None
    content_type: str
    issued_on: object


@dataclass(frozen=True)
class SentEmail:
    subject: str
    recipients: str
    status: str
    at: datetime | None
    body: str


def timeline(state: SaleState) -> list[TimelineStep]:
    """The 13 steps: done, the current one, and those ahead (a cancelled sale has no current)."""
    records: dict[StepId, list[tuple[datetime, datetime | None]]] = {}
    for record in state.steps:
        records.setdefault(record.step, []).append((record.started_at, record.ended_at))
    current = STEP_ORDER.index(state.step)
    out = []
    for i, step in enumerate(STEP_ORDER):
        passes = records.get(step, [])
        if state.status is SaleStatus.OPEN and i == current:
            kind = "current"
        elif passes and all(end is not None for _, end in passes):
            kind = "done"
        else:
            kind = "ahead"
        out.append(
            TimelineStep(
                label=step_label(step),
                state=kind,
                started_at=passes[0][0] if passes else None,
                ended_at=passes[-1][1] if passes else None,
                rounds=len(passes),
            )
        )
    return out


def documents(state: SaleState) -> list[DocumentLink]:
    if state.documents is None:
        return []
    out = []
    for doc in state.documents.documents:
        ref = doc.storage_ref or ""
        out.append(
            DocumentLink(
                name=DOCUMENT_NAMES_ES[doc.kind],
                file_name=doc.file_name,
                file_id=ref.removeprefix(FILE_REF_PREFIX)
                if ref.startswith(FILE_REF_PREFIX)
                else None,
                content_type=doc.content_type,
                issued_on=doc.issued_on,
            )
        )
    return out


def sent_emails(session: Session, sale_id: str) -> list[SentEmail]:
    rows = session.scalars(
        select(Message).where(Message.sale_id == sale_id).order_by(Message.created_at, Message.id)
    )
    return [
        SentEmail(
            subject=row.subject,
            recipients=", ".join(row.recipients),
            status=OUTBOX_STATUS_ES.get(row.status, row.status),
            at=utc(row.sent_at or row.created_at),
            body=row.body,
        )
        for row in rows
    ]


def may_see(member: Staff, state: SaleState) -> bool:
    """A member who is only a consultant sees their own sales; the areas and supervisors all."""
    return member.sees_every_sale or state.consultant.id == member.id


def actions_now(member: Staff, state: SaleState, now: datetime) -> list[type[ActionInput]]:
    """The actions this member's roles may take on the sale now (the page offers their forms).

    Role, the consultant's own sale and the step are checked here; an action's own rule that
    only looks at the sale (post-sale requests from step 9 on) is asked with an empty payload,
    and the rest of its rules answer when the form is sent.
    """
    if state.status is not SaleStatus.OPEN:
        return []
    usable = []
    for cls in ACTIONS.values():
        # Only the sale's own consultant acts as its consultant.
        roles = [
            role
            for role in member.roles
            if role in cls.roles
            and (role is not Role.CONSULTANT or state.consultant.id == member.id)
        ]
        if not roles:
            continue
        if cls.step is not None and cls.step is not state.step:
            continue
        if _not_now(cls, state, now):
            continue
        usable.append(cls)
    return usable


def _not_now(cls: type[ActionInput], state: SaleState, now: datetime) -> bool:
    try:
        # No payload: only a rule that looks at the sale alone can answer.
        cast(Any, cls).model_construct().check(state, now)
    except ActionRefused as refused:
        return refused.kind is RefusalKind.WRONG_STEP
    except Exception:  # the rule needs the payload: the form will tell
        return False
    return False
