"""The signed-in member's inbox, and the step report over a period."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query

from mnd.api.deps import ClockDep, CurrentStaff, SessionDep
from mnd.api.errors import REFUSALS
from mnd.db.queries import InboxItem, inbox
from mnd.domain.clock import COLOMBIA
from mnd.domain.roles import Role
from mnd.reports import StepStats, step_report

router = APIRouter(prefix="/api", tags=["Bandeja y reportes"])


@router.get("/inbox", summary="Mi bandeja", responses={401: REFUSALS[401]})
def my_inbox(
    member: CurrentStaff,
    session: SessionDep,
    now: ClockDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[InboxItem]:
    """Lo que espera por sus roles, lo más antiguo primero, con vencimiento y si está vencido."""
    items: list[InboxItem] = []
    for role in member.roles:
        # Only the sale's consultant acts as consultant, so another's sale is not this one's work.
        own = role is Role.CONSULTANT and not member.is_supervisor
        items += inbox(session, role.value, limit, now, member.id if own else None)
    items.sort(key=lambda item: (item.since, item.sale_id))
    return items[:limit]


@router.get(
    "/reports/steps",
    summary="Reporte de duración por paso",
    responses={401: REFUSALS[401], 422: REFUSALS[422]},
)
def steps_report(
    member: CurrentStaff,
    session: SessionDep,
    start: Annotated[
        datetime, Query(description="Inicio (ISO 8601, incluido; sin zona: Colombia)")
    ],
    end: Annotated[datetime, Query(description="Fin (ISO 8601, excluido; sin zona: Colombia)")],
) -> list[StepStats]:
    """Por paso, las pasadas completadas en el periodo: cantidad, mediana, p90 e incumplimientos."""
    # Staff write local dates; a time without an offset is Colombian time.
    start, end = (t if t.tzinfo else t.replace(tzinfo=COLOMBIA) for t in (start, end))
    if end <= start:
        raise HTTPException(422, ["end: debe ser posterior a start"])
    return step_report(session, start, end)
