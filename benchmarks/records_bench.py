"""Times the records' read paths on a realistic volume: the inbox of a role and the step report.

Loads N synthetic sales (about 30 step events each, bulk inserts) into a throw-away SQLite file
and/or a throw-away PostgreSQL database, then prints median and p95 latencies.

    .venv/bin/python -m benchmarks.records_bench --sales 100000 --db both
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert, make_url, text

from mnd.adapters.records_sql import SqlRecords
from mnd.db.engine import make_engine, read_session, session_factory, upgrade
from mnd.db.models import Sale, SaleWait, StepEvent
from mnd.reports import step_report

NOW = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)
# Step, roles it waits on, SLA in hours (roughly the seed's), typical duration in hours.
Step = tuple[str, tuple[str, ...], float, float]
STEPS: list[Step] = [
    ("web_access", (), 1, 0.01),
    ("template_selection", ("consultant",), 24, 6),
    ("business_type", ("consultant",), 24, 4),
    ("product_information", ("consultant", "client"), 72, 30),
    ("client_verification", ("consultant", "data_mining"), 48, 26),
    ("contract", ("provisioning", "consultant"), 48, 30),
    ("document_validation", ("commercial_support",), 72, 50),
    ("purchase_form", ("consultant",), 24, 8),
    ("piece_delivery", ("ally",), 120, 80),
    ("client_approval", ("client", "production"), 72, 30),
    ("provisioning_call", ("provisioning",), 24, 10),
    ("work_order_closure", ("production",), 48, 20),
    ("cycle_closure", ("consultant",), 24, 6),
]
ROLES = sorted({role for _, roles, _, _ in STEPS for role in roles})
CHUNK = 1000  # rows per insert batch (events: 20 times that)


Row = dict[str, Any]


def _sale(i: int, rng: random.Random) -> tuple[Row, list[Row], list[Row]]:
    """One sale: its row, its events and its waits. Sales older than 45 days are finished."""
    sale_id = f"B-{i:07d}"
    opened = NOW - timedelta(days=rng.uniform(0, 365))
    finished = opened < NOW - timedelta(days=45)
    reached = len(STEPS) if finished else rng.randint(1, len(STEPS))
    events, at = _walk(sale_id, opened, STEPS[:reached], finished, rng)
    step, roles, sla, _ = STEPS[reached - 1]
    due = None if finished else at + timedelta(hours=sla)
    waits = (
        []
        if finished
        else [{"sale_id": sale_id, "role": r, "since": at, "due_at": due} for r in roles]
    )
    sale: Row = {"sale_id": sale_id, "workflow_id": f"sale-{sale_id}", "step": step}
    sale |= {"status": "completed" if finished else "open", "due_at": due, "min_until": None}
    sale |= {"consultant_id": f"c-{i % 400}", "consultant_name": "Consultor"}
    sale |= {"client_name": f"Cliente {i}", "client_document": f"900{i:07d}"}
    sale |= {"plan_id": "posicionamiento", "crm_route": "onyx", "contract_number": None}
    sale |= {"work_order_number": None, "opened_at": opened, "updated_at": at}
    return sale | {"last_sequence": len(events)}, events, waits


def _walk(
    sale_id: str, at: datetime, steps: list[Step], finished: bool, rng: random.Random
) -> tuple[list[Row], datetime]:
    """The events of the steps walked (the last one left open unless finished); its start."""
    events: list[Row] = []

    def add(kind: str, step: str, at: datetime, **extra: Any) -> None:
        seq = len(events) + 1
        row = {"event_id": f"{sale_id}:{seq:05d}", "sale_id": sale_id, "sequence": seq}
        row |= {"kind": kind, "step": step, "at": at, "actor": None, "role": None}
        events.append(row | {"via": "system", "accepted": True, "message": "", "data": {}} | extra)

    add("sale_opened", "web_access", at)
    for n, (step, roles, sla, typical) in enumerate(steps, start=1):
        add("step_started", step, at)
        hours = rng.lognormvariate(0, 0.6) * typical
        if roles and rng.random() < 0.25:
            action = {"action": "bench", "payload": {}}
            add("action", step, at + timedelta(hours=hours / 2), actor=f"{roles[0]}-1", data=action)
        if n == len(steps) and not finished:
            return events, at  # the step the sale waits in now
        at += timedelta(hours=hours)
        add("step_completed", step, at, data={"seconds": hours * 3600, "sla_breached": hours > sla})
    add("sale_completed", steps[-1][0], at)
    return events, at


def load(engine: Engine, sales: int) -> tuple[int, float]:
    """Bulk-inserts the synthetic sales (same seed for every database); events and seconds.

    Events go in chronological order, as a live system appends them: a date range then sits in
    neighbouring pages, which is what the report's range scan meets in production."""
    rng, started = random.Random(7), time.perf_counter()
    generated = [_sale(i, rng) for i in range(sales)]
    events = sorted((e for _, es, _ in generated for e in es), key=lambda e: e["at"])
    with engine.begin() as conn:
        for first in range(0, sales, CHUNK):
            conn.execute(insert(Sale), [s for s, _, _ in generated[first : first + CHUNK]])
        for first in range(0, len(events), CHUNK * 20):
            conn.execute(insert(StepEvent), events[first : first + CHUNK * 20])
        waits = [w for _, _, ws in generated for w in ws]
        for first in range(0, len(waits), CHUNK * 20):
            conn.execute(insert(SaleWait), waits[first : first + CHUNK * 20])
    # Planner statistics and hint bits, as autovacuum would leave them.
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
            # Flush the load's dirty pages now, not while the queries are being timed.
            conn.execute(text("CHECKPOINT"))
    else:
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    return len(events), time.perf_counter() - started


def _time(runs: int, call: Callable[[int], object]) -> tuple[float, float]:
    samples = []
    for run in range(runs):
        started = time.perf_counter()
        call(run)
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), statistics.quantiles(samples, n=20)[18]


def measure(engine: Engine, runs: int) -> list[tuple[str, int, float, float]]:
    """(query, runs, median ms, p95 ms) for the inbox and the step report."""
    sessions = session_factory(engine)
    records = SqlRecords(sessions)

    def report(days: int) -> Callable[[int], object]:
        def run(_: int) -> object:
            with read_session(sessions) as session:
                return step_report(session, NOW - timedelta(days=days), NOW)

        return run

    records.inbox(ROLES[0], 50, NOW)  # warm the pool and the caches once
    return [
        (
            "inbox, first 50",
            runs,
            *_time(runs, lambda r: records.inbox(ROLES[r % len(ROLES)], 50, NOW)),
        ),
        (
            "inbox, whole list",
            runs // 4,
            *_time(runs // 4, lambda r: records.inbox(ROLES[r % len(ROLES)], 100_000, NOW)),
        ),
        ("step report, 30 days", 20, *_time(20, report(30))),
        ("step report, 365 days", 5, *_time(5, report(365))),
    ]


def databases(which: str, postgres_url: str) -> Iterator[tuple[str, str]]:
    """(name, url) of each throw-away database; dropped or deleted after use."""
    if which in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as folder:
            yield "SQLite", f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
    if which in ("postgres", "both"):
        name = f"mnd_bench_{uuid.uuid4().hex[:8]}"
        admin = make_engine(postgres_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield "PostgreSQL", make_url(postgres_url).set(database=name).render_as_string(False)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sales", type=int, default=100_000)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--runs", type=int, default=200, help="inbox queries per database")
    parser.add_argument(
        "--postgres-url",
        default="postgresql+psycopg://postgres@127.0.0.1:5432/test",
        help="a database to connect to while creating and dropping the benchmark's own",
    )
    args = parser.parse_args()
    results = []
    for name, url in databases(args.db, args.postgres_url):
        upgrade(url)
        engine = make_engine(url)
        try:
            events, seconds = load(engine, args.sales)
            print(f"{name}: loaded {args.sales} sales, {events} events in {seconds:.0f} s")
            results += [(name, *row) for row in measure(engine, args.runs)]
        finally:
            engine.dispose()
    print(f"\n{'database':<11} {'query':<22} {'runs':>5} {'median ms':>10} {'p95 ms':>9}")
    for name, query, runs, median, p95 in results:
        print(f"{name:<11} {query:<22} {runs:>5} {median:>10.2f} {p95:>9.2f}")


if __name__ == "__main__":
    main()
