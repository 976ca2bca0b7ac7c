"""My inbox: the sales waiting on me or my area, overdue first, with filters and search."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from mnd.api.deps import SessionDep
from mnd.console.web import Member, NowDep, render, see_other
from mnd.db.queries import InboxItem, inbox
from mnd.db.sale_list import SaleListFilter, sale_conditions
from mnd.domain.roles import Role
from mnd.domain.steps import STEP_ORDER, step_label

router = APIRouter(prefix="/consola", include_in_schema=False)
INBOX_LIMIT = 200


def _blank(value: str | None) -> str | None:
    return value.strip() or None if value else None


@router.get("")
def home() -> Response:
    return see_other("/consola/bandeja")


@router.get("/bandeja")
def my_inbox(
    request: Request,
    member: Member,
    session: SessionDep,
    now: NowDep,
    paso: str | None = None,
    plan: str | None = None,
    consultor: str | None = None,
    q: str | None = None,
) -> Response:
    wanted = SaleListFilter(
        step=_blank(paso), plan_id=_blank(plan), consultant_id=_blank(consultor), q=_blank(q)
    )
    conditions = sale_conditions(wanted)
    staff = member.staff
    items: list[InboxItem] = []
    for role in staff.roles:
        if role is Role.SUPERVISOR:
            continue  # a supervisor's work is the whole list (Ventas), not an inbox
        # Only the sale's consultant acts as consultant: another's sale is not this one's work.
        own = staff.id if role is Role.CONSULTANT else None
        items += inbox(session, role.value, INBOX_LIMIT, now, own, conditions)
    items.sort(key=lambda item: (not item.overdue, item.since, item.sale_id))
    return render(
        request,
        "inbox.html",
        items=items[:INBOX_LIMIT],
        overdue=sum(item.overdue for item in items),
        steps=[(step.value, step_label(step)) for step in STEP_ORDER],
        wanted=wanted,
        now=now,
    )
