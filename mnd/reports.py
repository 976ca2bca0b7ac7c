"""Reports from the audit trail: one sale's timeline, and step durations over a period."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from mnd.db.dialect import utc
from mnd.db.models import StepEvent
from mnd.domain.steps import STEP_ORDER


class StepSpan(BaseModel):
    """One pass through a step (a step re-entered after a rejection is a new round)."""

    step: str
    round: int
    started_at: datetime
    ended_at: datetime | None
    duration_seconds: float | None
    sla_breached: bool | None
    actors: list[str]


class StepStats(BaseModel):
    """Durations of a step's passes completed in the period."""

    step: str
    count: int
    median_seconds: float
    p90_seconds: float
    sla_breaches: int


def sale_timeline(session: Session, sale_id: str) -> list[StepSpan]:
    """The sale's steps in order, with who acted in each, from its step events."""
    rows = session.scalars(
        select(StepEvent).where(StepEvent.sale_id == sale_id).order_by(StepEvent.sequence)
    ).all()
    spans: list[StepSpan] = []
    current: dict[str, StepSpan] = {}  # the open pass of each step
    for row in rows:
        if row.kind == "step_started":
            rounds = sum(s.step == row.step for s in spans)
            current[row.step] = StepSpan(
                step=row.step,
                round=rounds + 1,
                started_at=utc(row.at),
                ended_at=None,
                duration_seconds=None,
                sla_breached=None,
                actors=[],
            )
            spans.append(current[row.step])
        elif row.kind == "step_completed" and row.step in current:
            _close(current.pop(row.step), row)
        elif row.kind == "action" and row.accepted and row.actor and row.step in current:
            actors = current[row.step].actors
            actors.extend([row.actor] if row.actor not in actors else [])
    return spans


def _close(span: StepSpan, completed: StepEvent) -> None:
    span.ended_at = utc(completed.at)
    # The workflow's own measure, when it sent one; else the distance between the events.
    seconds = completed.data.get("seconds")
    elapsed = (span.ended_at - span.started_at).total_seconds()
    span.duration_seconds = elapsed if seconds is None else float(seconds)
    span.sla_breached = bool(completed.data.get("sla_breached"))


def step_report(
    session: Session, start: datetime, end: datetime, steps: Sequence[str] | None = None
) -> list[StepStats]:
    """Per step, the passes completed in [start, end): count, median and p90 duration, breaches.

    `steps` defaults to every step of the process, in process order. Naming the steps lets the
    (kind, step, at) index bound the scan to the period; without them it reads the whole table.
    The p90 interpolates linearly between ranks (as PostgreSQL's percentile_cont(0.9) does).
    """
    wanted = list(steps) if steps is not None else [s.value for s in STEP_ORDER]
    seconds = StepEvent.data["seconds"].as_float()
    breached = StepEvent.data["sla_breached"].as_boolean()
    rows = session.execute(
        select(StepEvent.step, seconds, breached).where(
            StepEvent.kind == "step_completed",
            StepEvent.step.in_(wanted),
            StepEvent.at >= utc(start),
            StepEvent.at < utc(end),
        )
    )
    durations: dict[str, list[float]] = {step: [] for step in wanted}
    breaches: dict[str, int] = dict.fromkeys(wanted, 0)
    for step, duration, was_breached in rows:
        durations[step].append(float(duration or 0.0))
        breaches[step] += bool(was_breached)
    return [
        StepStats(
            step=step,
            count=len(values),
            median_seconds=statistics.median(values),
            p90_seconds=_p90(values),
            sla_breaches=breaches[step],
        )
        for step, values in durations.items()
        if values
    ]


def _p90(values: list[float]) -> float:
    if len(values) == 1:
        return values[0]  # statistics.quantiles needs two points
    return statistics.quantiles(values, n=10, method="inclusive")[-1]
