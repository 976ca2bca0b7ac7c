"""Reports: a sale's timeline and the per-step durations, from a known set of events."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from mnd.adapters.records_sql import SqlRecords
from mnd.reports import StepStats, sale_timeline, step_report
from tests.db.events import T0, event


def _pass(
    records: SqlRecords, sale_id: str, seq: int, step: str, seconds: float, breached: bool
) -> int:
    """Records one completed pass through `step` starting at minute `seq`; the next sequence."""
    start = T0 + timedelta(minutes=seq)
    records.record_event(event(sale_id, seq, step=step, at=start))
    end = start + timedelta(seconds=seconds)
    data = {"seconds": seconds, "sla_breached": breached}
    records.record_event(event(sale_id, seq + 1, "step_completed", step=step, at=end, data=data))
    return seq + 2


def test_step_report_gives_count_median_p90_and_breaches(
    records: SqlRecords, sessions: sessionmaker[Session]
) -> None:
    for n in range(10):  # contract: 10, 20, ..., 100 seconds; the three slowest breached
        _pass(records, f"S-{n}", 1, "contract", 10.0 * (n + 1), breached=n >= 7)
    seq = _pass(records, "S-0", 3, "document_validation", 100.0, breached=False)
    _pass(records, "S-0", seq, "document_validation", 300.0, breached=True)
    # Completed a day later: outside the period.
    _pass(records, "S-late", 60 * 24, "contract", 5000.0, breached=True)
    with sessions() as session:
        report = step_report(session, T0, T0 + timedelta(hours=1))
    assert report == [
        StepStats(step="contract", count=10, median_seconds=55, p90_seconds=91, sla_breaches=3),
        StepStats(
            step="document_validation",
            count=2,
            median_seconds=200,
            p90_seconds=280,
            sla_breaches=1,
        ),
    ]
    with sessions() as session:
        only = step_report(session, T0, T0 + timedelta(hours=1), steps=["document_validation"])
        assert only == report[1:]
        assert step_report(session, T0 + timedelta(days=2), T0 + timedelta(days=3)) == []
        [single] = step_report(session, T0 + timedelta(hours=2), T0 + timedelta(days=3))
    assert (single.count, single.median_seconds, single.p90_seconds) == (1, 5000, 5000)


def test_sale_timeline_lists_rounds_and_actors(
    records: SqlRecords, sessions: sessionmaker[Session]
) -> None:
    steps = [
        ("step_started", "contract", None),
        ("action", "contract", "provisioning-1"),
        ("action", "contract", "c-1"),
        ("step_completed", "contract", None),
        ("step_started", "document_validation", None),
        ("action", "document_validation", "commercial_support-1"),
        ("step_completed", "document_validation", None),
        ("step_started", "contract", None),
        ("action", "contract", "c-1"),
        ("action", "contract", "c-1"),
        ("step_completed", "contract", None),
        ("step_started", "document_validation", None),
    ]
    for seq, (kind, step, actor) in enumerate(steps, start=1):
        records.record_event(event("S-1", seq, kind, step=step, actor=actor))
    with sessions() as session:
        timeline = sale_timeline(session, "S-1")
    assert [(s.step, s.round, s.actors) for s in timeline] == [
        ("contract", 1, ["provisioning-1", "c-1"]),
        ("document_validation", 1, ["commercial_support-1"]),
        ("contract", 2, ["c-1"]),
        ("document_validation", 2, []),
    ]
    first, last = timeline[0], timeline[-1]
    assert first.started_at == T0 + timedelta(minutes=1)
    assert first.ended_at == T0 + timedelta(minutes=4) and first.duration_seconds == 180
    assert last.ended_at is None and last.duration_seconds is None
