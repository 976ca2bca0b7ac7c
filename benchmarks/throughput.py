"""Throughput: the sale against the bare workflow and against the sale with no-op activities.

    .venv/bin/python -m benchmarks.throughput                 # 100 sales per variant, 50 at once
    .venv/bin/python -m benchmarks.throughput --sales 6 --concurrency 3 --warmup 0   # smoke

One dev server, one in-process worker per variant (`build_worker`'s options); the variants
take turns. The driver acts on each Update's answer (`ActionResult`); it polls `describe`
only where no answer shows the sale ready. Reported: sales/s, latency, CPU per sale here and
in the server (net of those describes), and the shape of sampled histories (KB, bytes of
Update results). README.md has the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from temporalio.client import Client, WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from benchmarks.bare import SHAPE_HEADER, Shape, history_shape, mean_shape, recorded_history
from benchmarks.common import (
    HAPPY_PATH,
    bench_profile,
    cpu_seconds,
    dev_server,
    pct,
    records_database,
    run_id,
    save_json,
    server_pid,
)
from benchmarks.sales import DriveStats, Variant, calibrate, make_variants
from mnd.demo_data import demo_sale


@dataclass
class ThroughputResult:
    name: str
    label: str
    sales: int
    concurrency: int
    seconds: float
    sales_per_s: float
    latency_p50_s: float
    latency_p95_s: float
    bench_cpu_ms_per_sale: float  # worker + driver (this process)
    server_cpu_ms_per_sale: float  # dev server process
    describes_per_sale: float
    polls_cpu_ms_per_sale: float  # CPU of those describes (measured per call), here + server
    refused_per_sale: float
    queries_per_sale: float
    refused_by_action: dict[str, int]
    described_for: dict[str, int]
    shape: Shape = field(default_factory=Shape)


@dataclass
class _Totals:
    sales: int = 0
    seconds: float = 0
    cpu: float = 0
    server_cpu: float = 0
    latencies: list[float] = field(default_factory=list)
    handles: list[WorkflowHandle[Any, Any]] = field(default_factory=list)
    stats: DriveStats = field(default_factory=DriveStats)


async def run_sales(
    client: Client, variant: Variant, task_queue: str, count: int, concurrency: int, t: _Totals
) -> None:
    """`count` sales, `concurrency` at a time; adds wall time, latencies and handles to `t`."""
    gate = asyncio.Semaphore(concurrency)

    async def one(i: int) -> None:
        async with gate:
            started = time.perf_counter()
            t.handles.append(await variant.start_and_drive(client, task_queue, i, t.stats))
            t.latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(count)))
    t.seconds += time.perf_counter() - started
    t.sales += count


async def describe_cost(
    client: Client, server: int | None, calls: int = 300
) -> tuple[float, float]:
    """CPU ms of one `describe` (here, in the server): a sale nobody works, described `calls` times."""
    from mnd.opening import open_sale

    inp = demo_sale(f"WB-describe-{uuid.uuid4().hex[:8]}", bench_profile())
    handle = await open_sale(client, inp, f"bench-no-worker-{uuid.uuid4().hex[:6]}")
    await handle.describe()
    cpu0, srv0 = time.process_time(), cpu_seconds(server) if server else 0.0
    for _ in range(calls):
        await handle.describe()
    here = (time.process_time() - cpu0) * 1000 / calls
    there = ((cpu_seconds(server) if server else 0.0) - srv0) * 1000 / calls
    await handle.terminate("benchmark")
    return here, there


async def throughput(
    env: WorkflowEnvironment,
    variants: list[Variant],
    sales: int,
    concurrency: int,
    warmup: int,
    rounds: int,
    shape_samples: int,
) -> list[ThroughputResult]:
    """Each variant runs `sales` sales in `rounds` rounds, the variants taking turns (in a
    rotating order), so a burst of load from elsewhere on the machine hits them alike."""
    client = env.client
    server = server_pid()
    totals = {v.name: _Totals() for v in variants}
    poll_here, poll_server = await describe_cost(client, server)
    print(f"  a describe costs {poll_here:.2f} ms CPU here + {poll_server:.2f} ms in the server")
    for r in range(rounds):
        count = sales // rounds + (1 if r < sales % rounds else 0)
        shift = r % len(variants)
        for variant in variants[shift:] + variants[:shift]:
            t = totals[variant.name]
            task_queue = f"bench-{variant.name}-{uuid.uuid4().hex[:6]}"
            async with variant.make_worker(client, task_queue):
                if r == 0 and warmup:
                    await run_sales(client, variant, task_queue, warmup, concurrency, _Totals())
                cpu0, srv0 = time.process_time(), cpu_seconds(server) if server else 0.0
                await run_sales(client, variant, task_queue, count, concurrency, t)
                t.cpu += time.process_time() - cpu0
                t.server_cpu += (cpu_seconds(server) if server else 0.0) - srv0
            print(
                f"  round {r + 1}/{rounds} {variant.label}: {count} sales, "
                f"{t.sales / t.seconds:.2f} sales/s so far; load average {os.getloadavg()[0]:.1f}",
                flush=True,
            )
    results = []
    for variant in variants:
        t = totals[variant.name]
        sample = random.Random(1).sample(t.handles, min(shape_samples, len(t.handles)))
        shapes = [history_shape(await h.fetch_history())[0] for h in sample]
        results.append(
            ThroughputResult(
                name=variant.name,
                label=variant.label,
                sales=t.sales,
                concurrency=concurrency,
                seconds=t.seconds,
                sales_per_s=t.sales / t.seconds,
                latency_p50_s=pct(t.latencies, 50),
                latency_p95_s=pct(t.latencies, 95),
                bench_cpu_ms_per_sale=t.cpu * 1000 / t.sales,
                server_cpu_ms_per_sale=t.server_cpu * 1000 / t.sales,
                describes_per_sale=t.stats.describes / t.sales,
                polls_cpu_ms_per_sale=t.stats.describes / t.sales * (poll_here + poll_server),
                refused_per_sale=t.stats.refused / t.sales,
                queries_per_sale=t.stats.queries / t.sales,
                refused_by_action=t.stats.refused_by_action,
                described_for=t.stats.described_for,
                shape=mean_shape(shapes),
            )
        )
    return results


def report(
    args: argparse.Namespace, recorded: Shape, measured: Shape, tput: list[ThroughputResult]
) -> None:
    print("\n" + "=" * 100)
    print("command: " + " ".join([Path(sys.executable).name, *sys.argv]))
    print(f"records: {args.db_url or 'SQLite (temp dir)'}; cores: {os.cpu_count()}")
    if tput:
        print("\n1. Throughput (same dev server, in-process worker)")
        print(f"   {'history shape':<34} {SHAPE_HEADER}")
        if recorded:
            print(f"   {'recorded happy_path.json':<34} {recorded.row()}")
        if measured:
            print(f"   {'benchmark sale (calibration)':<34} {measured.row()}")
        for r in tput:
            print(f"   {r.label + ' (sampled)':<34} {r.shape.row()}")
        print(
            f"\n   {'variant':<28} {'sales':>5} {'sales/s':>8} {'x bare':>6} {'p50 s':>6} "
            f"| {'CPU ms/sale: here':>17} {'server':>6} {'total':>6} {'polls':>6} "
            f"{'net':>6} {'x bare':>6} | {'describes':>9} {'refused':>7}"
        )
        bare = next((r for r in tput if r.name == "bare"), None)

        def net(r: ThroughputResult) -> float:
            return r.bench_cpu_ms_per_sale + r.server_cpu_ms_per_sale - r.polls_cpu_ms_per_sale

        for r in tput:
            total = r.bench_cpu_ms_per_sale + r.server_cpu_ms_per_sale
            ratio = bare.sales_per_s / r.sales_per_s if bare else float("nan")
            cpu_ratio = net(r) / net(bare) if bare else float("nan")
            print(
                f"   {r.label:<28} {r.sales:>5} {r.sales_per_s:>8.2f} {ratio:>6.2f} "
                f"{r.latency_p50_s:>6.1f} | {r.bench_cpu_ms_per_sale:>17.0f} "
                f"{r.server_cpu_ms_per_sale:>6.0f} {total:>6.0f} {r.polls_cpu_ms_per_sale:>6.0f} "
                f"{net(r):>6.0f} {cpu_ratio:>6.2f} | {r.describes_per_sale:>9.1f} "
                f"{r.refused_per_sale:>7.1f}"
            )
        print(
            f"   {tput[0].concurrency} sales driven at once; 'here' is this process (worker and "
            "driver), 'polls' the CPU of the driver's describe calls, 'net' = total - polls"
        )
        for r in tput:
            if r.refused_by_action:
                print(f"   {r.label}: Updates refused as early, by action: {r.refused_by_action}")
            if r.described_for:
                print(f"   {r.label}: describes before, by action: {r.described_for}")
        full = next((r for r in tput if r.name == "full"), None)
        noop = next((r for r in tput if r.name == "noop"), None)
        if full and noop:
            wall = 1 / full.sales_per_s - 1 / noop.sales_per_s
            cpu = net(full) - net(noop)
            print(
                f"   real activities (full - no-op): {wall * 1000:.0f} ms of wall time per sale "
                f"({wall * full.sales_per_s:.0%} of the full sale's), {cpu:.0f} ms of CPU "
                f"({cpu / net(full):.0%})"
            )
        print("   target: full sale at most 1.5x the bare cost, no-op activities at most 1.2x")


async def main_async(args: argparse.Namespace) -> int:
    with tempfile.TemporaryDirectory(prefix="mnd-bench-") as tmp:
        folder = Path(tmp)
        with records_database(args.db_url, folder) as records_url:
            async with dev_server() as env:
                bare_plan = history_shape(recorded_history(HAPPY_PATH))[1]
                variants = make_variants(
                    records_url, folder, run_id(), bare_plan, args.activity_threads
                )
                calibration = await calibrate(
                    env, variants, bare_plan, args.bare_shape == "measured"
                )
                selected = [v for v in variants if v.name in args.variants.split(",")]
                tput = await throughput(
                    env,
                    selected,
                    args.sales,
                    args.concurrency,
                    args.warmup,
                    args.rounds,
                    args.shape_samples,
                )
    report(args, calibration.recorded, calibration.measured, tput)
    save_json(
        args.json,
        {
            "recorded_shape": asdict(calibration.recorded),
            "measured_shape": asdict(calibration.measured),
            "throughput": [asdict(r) for r in tput],
        },
    )
    return 0


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sales", type=int, default=100, help="sales per variant")
    p.add_argument("--concurrency", type=int, default=50, help="sales driven at once")
    p.add_argument("--warmup", type=int, default=5, help="untimed sales per variant first")
    p.add_argument("--rounds", type=int, default=1, help="variants take turns this many times")
    p.add_argument("--variants", default="bare,full,noop", help="variants to run")
    p.add_argument(
        "--bare-shape",
        choices=["measured", "recorded"],
        default="measured",
        help="the bare workflow mirrors a sale of this run (default) or happy_path.json",
    )
    p.add_argument("--shape-samples", type=int, default=5, help="histories read per variant")
    p.add_argument("--activity-threads", type=int, default=8, help="MND_ACTIVITY_THREADS")
    p.add_argument("--db-url", help="records database (PostgreSQL: a throw-away db is created)")
    p.add_argument("--json", help="also write the raw figures to this file")
    return p.parse_args()


if __name__ == "__main__":
    from mnd.entrypoint import run_main

    run_main(main_async(parse_args()))
