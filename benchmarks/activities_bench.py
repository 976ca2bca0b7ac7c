"""The real activities of a recorded sale, on their own: CPU per sale and where it goes.

    .venv/bin/python -m benchmarks.activities_bench                      # 20 sales, SQLite
    .venv/bin/python -m benchmarks.activities_bench --db-url postgresql+psycopg://postgres@127.0.0.1:5432/test
    .venv/bin/python -m benchmarks.activities_bench --profile 30         # and cProfile's top 30

Reads the inputs of every activity a recorded sale scheduled (`tests/histories/happy_path_v5.json`
by default: 21 `record_events` batches of 56 events, 11 emails, its OT) and calls the activities
as the worker wires them (`mnd.worker_app.build_activities`: SQL records, SQL outbox, Jinja2
templates; no SMTP), in the history's order, one sale after another, each under a new sale id,
on a throw-away SQLite file or PostgreSQL database. No Temporal server and no workflow: this is
the part of the throughput benchmark's "full sale - no-op activities" spent in the activities'
own code. Reported: CPU ms per sale by activity (and per recorded event), SQL statements per
sale (an executemany counts once), and with `--profile N` the top N functions by own time and
by cumulative time.
"""

from __future__ import annotations

import argparse
import base64
import cProfile
import io
import json
import pstats
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Engine, event

from activities.inputs import (
    IssueWorkOrderInput,
    RecordEventsInput,
    SendEmailInput,
    VoidWorkOrderInput,
)
from benchmarks.common import HISTORIES, records_database, run_id, save_json

_INPUTS: dict[str, type[BaseModel]] = {
    "record_events": RecordEventsInput,
    "send_email": SendEmailInput,
    "issue_work_order": IssueWorkOrderInput,
    "void_work_order": VoidWorkOrderInput,
}


@dataclass
class ActivityFigures:
    name: str
    calls_per_sale: float
    cpu_ms_per_sale: float
    cpu_ms_per_call: float
    statements_per_sale: float


def scheduled(history: Path) -> tuple[str, list[tuple[str, str]]]:
    """The sale id of the recorded sale and (activity, input JSON) of each scheduled activity."""
    events = json.loads(history.read_text())["events"]
    found = []
    for e in events:
        attrs = e.get("activityTaskScheduledEventAttributes")
        if attrs:
            payload = attrs["input"]["payloads"][0]["data"]
            found.append((attrs["activityType"]["name"], base64.b64decode(payload).decode()))
    started = events[0]["workflowExecutionStartedEventAttributes"]
    sale_input = json.loads(base64.b64decode(started["input"]["payloads"][0]["data"]))
    return sale_input["sale_id"], found


def activities(url: str, folder: Path, engine: Engine) -> dict[str, Callable[[Any], Any]]:
    from mnd.settings import Settings
    from mnd.worker_app import build_activities

    settings = Settings(
        data_dir=folder, task_queue="bench", database_url=url, metrics_bind="", smtp_host=None
    )
    return {fn.__name__: fn for fn in build_activities(settings, engine)}


def run(
    engine: Engine,
    calls: dict[str, Callable[[Any], Any]],
    recorded_id: str,
    inputs: list[tuple[str, str]],
    sales: int,
    prefix: str,
    profiler: cProfile.Profile | None = None,
) -> tuple[dict[str, float], Counter[str], Counter[str]]:
    """Replays the inputs `sales` times under new sale ids: CPU seconds, calls and statements
    by activity name."""
    cpu: dict[str, float] = {}
    count: Counter[str] = Counter()
    statements: Counter[str] = Counter()
    current = [""]

    def counted(*_: Any) -> None:
        statements[current[0]] += 1

    event.listen(engine, "before_cursor_execute", counted)
    try:
        for n in range(sales):
            sale_id = f"{prefix}-{n:05d}"
            # Decoded before the clock starts: the worker's data converter does this, not the
            # activity.
            decoded = [
                (name, _INPUTS[name].model_validate_json(text.replace(recorded_id, sale_id)))
                for name, text in inputs
            ]
            for name, inp in decoded:
                current[0] = name
                if profiler:
                    profiler.enable()
                started = time.process_time()
                calls[name](inp)
                cpu[name] = cpu.get(name, 0.0) + time.process_time() - started
                if profiler:
                    profiler.disable()
                count[name] += 1
    finally:
        event.remove(engine, "before_cursor_execute", counted)
    return cpu, count, statements


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sales", type=int, default=20, help="measured sales")
    parser.add_argument("--warmup", type=int, default=3, help="untimed sales first")
    parser.add_argument(
        "--history", default=str(HISTORIES / "happy_path_v5.json"), help="recorded history"
    )
    parser.add_argument("--db-url", help="records database (PostgreSQL: a throw-away db)")
    parser.add_argument("--profile", type=int, default=0, help="print cProfile's top N")
    parser.add_argument("--json", help="also write the raw figures to this file")
    args = parser.parse_args()

    from mnd.db.engine import open_database

    recorded_id, inputs = scheduled(Path(args.history))
    events_per_sale = sum(
        len(RecordEventsInput.model_validate_json(text).events)
        for name, text in inputs
        if name == "record_events"
    )
    with (
        tempfile.TemporaryDirectory(prefix="mnd-bench-") as tmp,
        records_database(args.db_url, Path(tmp)) as url,
    ):
        engine = open_database(url, migrate=True)
        try:
            calls = activities(url, Path(tmp), engine)
            prefix = f"AB-{run_id()}"
            run(engine, calls, recorded_id, inputs, args.warmup, f"{prefix}-w")
            profiler = cProfile.Profile() if args.profile else None
            cpu, count, statements = run(
                engine, calls, recorded_id, inputs, args.sales, f"{prefix}-m", profiler
            )
        finally:
            engine.dispose()

    figures = [
        ActivityFigures(
            name=name,
            calls_per_sale=count[name] / args.sales,
            cpu_ms_per_sale=cpu[name] * 1000 / args.sales,
            cpu_ms_per_call=cpu[name] * 1000 / count[name],
            statements_per_sale=statements[name] / args.sales,
        )
        for name in sorted(count, key=lambda n: -cpu[n])
    ]
    total = sum(f.cpu_ms_per_sale for f in figures)
    print(f"records: {args.db_url or 'SQLite (temp dir)'}; history: {Path(args.history).name}")
    print(f"{args.sales} sales measured after {args.warmup} untimed; {events_per_sale} events/sale")
    print(f"\n{'activity':<18} {'calls':>6} {'CPU ms/sale':>12} {'ms/call':>8} {'SQL/sale':>9}")
    for f in figures:
        print(
            f"{f.name:<18} {f.calls_per_sale:>6.0f} {f.cpu_ms_per_sale:>12.1f} "
            f"{f.cpu_ms_per_call:>8.2f} {f.statements_per_sale:>9.0f}"
        )
    print(f"{'total':<18} {sum(f.calls_per_sale for f in figures):>6.0f} {total:>12.1f}")
    record = next((f for f in figures if f.name == "record_events"), None)
    if record:
        print(f"record_events per event: {record.cpu_ms_per_sale / events_per_sale:.2f} ms CPU")
    if profiler:
        for order in ("tottime", "cumulative"):
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(args.profile)
            print(f"\ncProfile, by {order}:\n" + out.getvalue().split("\n\n", 2)[-1])
    save_json(
        args.json,
        {"events_per_sale": events_per_sale, "activities": [asdict(f) for f in figures]},
    )


if __name__ == "__main__":
    main()
