"""The supervisor's pages: every sale with filters, the step report, the outbox."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select

from mnd.api.deps import SessionDep
from mnd.console.sale_page import OUTBOX_STATUS_ES
from mnd.console.web import Member, NowDep, PageRefused, render
from mnd.db.dialect import utc
from mnd.db.models import Message
from mnd.db.sale_list import SaleListFilter, list_sales
from mnd.domain.clock import COLOMBIA, colombian_date
from mnd.domain.roles import ROLE_NAMES_ES, Role
from mnd.domain.steps import STEP_ORDER, step_label
from mnd.labels import STATUS_ES, duration_text
from mnd.reports import step_report

router = APIRouter(prefix="/consola", include_in_schema=False)
PAGE = 100


def _supervisor(member: Member) -> None:
    if not member.staff.is_supervisor:
        raise PageRefused(
            403, "Solo supervisores", "Esta página es del supervisor; su rol no permite verla."
        )


def _blank(value: str | None) -> str | None:
    return value.strip() or None if value else None


@router.get("/ventas")
def all_sales(
    request: Request,
    member: Member,
    session: SessionDep,
    now: NowDep,
    paso: str | None = None,
    espera: str | None = None,
    consultor: str | None = None,
    plan: str | None = None,
    estado: str | None = None,
    vencidas: bool = False,
    q: str | None = None,
) -> Response:
    _supervisor(member)
    wanted = SaleListFilter(
        step=_blank(paso),
        waiting_on=_blank(espera),
        consultant_id=_blank(consultor),
        plan_id=_blank(plan),
        status=_blank(estado),
        q=_blank(q),
        due_before=now if vencidas else None,
        limit=PAGE,
    )
    views = list_sales(session, wanted)
    return render(
        request,
        "sales.html",
        sales=views,
        wanted=wanted,
        overdue_only=vencidas,
        steps=[(s.value, step_label(s)) for s in STEP_ORDER],
        roles=[
            (r.value, ROLE_NAMES_ES[r]) for r in Role if r not in (Role.SYSTEM, Role.SUPERVISOR)
        ],
        statuses=list(STATUS_ES.items()),
        now=now,
    )


@router.get("/reporte")
def report(
    request: Request,
    member: Member,
    session: SessionDep,
    now: NowDep,
    desde: date | None = None,
    hasta: date | None = None,
) -> Response:
    _supervisor(member)
    today = colombian_date(now)
    first, last = desde or today - timedelta(days=30), hasta or today
    if last < first:
        raise PageRefused(422, "Periodo no válido", "La fecha final es anterior a la inicial.")
    # Colombian days: from the first day's midnight in Bogotá to the end of the last one.
    start = datetime.combine(first, time(), COLOMBIA)
    end = datetime.combine(last + timedelta(days=1), time(), COLOMBIA)
    stats = step_report(session, start, end)
    longest = max((s.p90_seconds for s in stats), default=0.0) or 1.0
    rows = [
        {
            "label": step_label(next(x for x in STEP_ORDER if x.value == s.step)),
            "count": s.count,
            "median": duration_text(s.median_seconds),
            "p90": duration_text(s.p90_seconds),
            "breaches": s.sla_breaches,
            "median_pct": round(100 * s.median_seconds / longest, 1),
            "p90_pct": round(100 * s.p90_seconds / longest, 1),
        }
        for s in stats
    ]
    return render(request, "report.html", rows=rows, first=first, last=last)


@router.get("/correos")
def outbox(
    request: Request, member: Member, session: SessionDep, estado: str | None = None
) -> Response:
    _supervisor(member)
    query = select(Message).order_by(Message.created_at.desc(), Message.id.desc()).limit(PAGE)
    if estado in OUTBOX_STATUS_ES:
        query = query.where(Message.status == estado)
    messages = [
        {
            "sale_id": m.sale_id,
            "subject": m.subject,
            "recipients": ", ".join(m.recipients),
            "status": OUTBOX_STATUS_ES.get(m.status, m.status),
            "failed": m.status == "failed",
            "attempts": m.attempts,
            "error": m.last_error,
            "at": utc(m.sent_at or m.created_at),
        }
        for m in session.scalars(query)
    ]
    return render(
        request,
        "outbox.html",
        messages=messages,
        statuses=list(OUTBOX_STATUS_ES.items()),
        estado=estado,
    )
