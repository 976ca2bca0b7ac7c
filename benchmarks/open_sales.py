"""Open sales: a `worker.py` process holding thousands of sales waiting on the consultant.

    .venv/bin/python -m benchmarks.open_sales                       # 10,000 sales
    .venv/bin/python -m benchmarks.open_sales --waiting 50 --samples 5 --workers default  # smoke

The worker's RSS empty, while opening, idle and after the actions; then the latency of a
staff action (`select_template` Update) on random waiting sales, one at a time.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path

from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from benchmarks.common import (
    ROOT,
    cpu_seconds,
    dev_server,
    memory_mb,
    pct,
    records_database,
    run_id,
    save_json,
)
from mnd.demo_data import demo_sale
from mnd.domain import actions as a
from mnd.domain.action_result import ActionResult
from mnd.domain.parties import Actor
from mnd.domain.profile import ProcessProfile, fast_profile
from mnd.domain.roles import Role
from mnd.domain.sale import workflow_id_for


@dataclass
class WaitingResult:
    worker: str
    cache: int
    sales: int
    open_seconds: float
    opens_per_s: float
    worker_cpu_ms_per_open: float
    rss_empty_mb: float  # the worker before any sale
    rss_idle_mb: float
    rss_after_mb: float
    peak_mb: float
    action_samples: int
    action_p50_ms: float
    action_p99_ms: float
    action_max_ms: float
    rss_curve: list[tuple[int, float]]  # (sales opened, RSS MB) while opening


@dataclass
class WaitingWorker:
    label: str
    cache: int | None = None  # None: worker.py as is (MND_WORKFLOW_CACHE_SIZE at its default)
    pyc: bool = False  # let Python write and read .pyc files (under the temp folder)


def spawn_worker(
    env: WorkflowEnvironment, task_queue: str, records_url: str, folder: Path, how: WaitingWorker
) -> tuple[subprocess.Popen[bytes], Path]:
    """`worker.py` as its own process, configured by environment variables (the cache through
    MND_WORKFLOW_CACHE_SIZE)."""
    environ = dict(os.environ)
    if how.pyc:
        environ.pop("PYTHONDONTWRITEBYTECODE", None)
        environ["PYTHONPYCACHEPREFIX"] = str(folder / "pyc")
    environ.update(
        TEMPORAL_ADDRESS=env.client.service_client.config.target_host,
        TEMPORAL_NAMESPACE=env.client.namespace,
        MND_TASK_QUEUE=task_queue,
        MND_DATABASE_URL=records_url,
        MND_DATA_DIR=str(folder),
        MND_METRICS_BIND="",
        MND_DB_AUTO_MIGRATE="false",
        PYTHONPATH=str(ROOT),
    )
    command = [sys.executable, str(ROOT / "worker.py")]
    if how.cache is not None:
        environ["MND_WORKFLOW_CACHE_SIZE"] = str(how.cache)
    log = folder / f"worker-{task_queue}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(command, cwd=ROOT, env=environ, stdout=out, stderr=out)
    deadline = time.monotonic() + 60
    while "Worker escuchando" not in log.read_text(errors="replace"):
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"worker did not start:\n{log.read_text(errors='replace')}")
        time.sleep(0.1)
    return proc, log


async def wait_idle(pid: int, quiet_s: float = 2.0, timeout_s: float = 600) -> None:
    """Until the process used under 5 % of a core for `quiet_s` seconds in a row."""
    deadline = time.monotonic() + timeout_s
    quiet_since, last = time.monotonic(), cpu_seconds(pid)
    while time.monotonic() < deadline:
        await asyncio.sleep(0.5)
        now_cpu = cpu_seconds(pid)
        if now_cpu - last > 0.025:
            quiet_since = time.monotonic()
        last = now_cpu
        if time.monotonic() - quiet_since >= quiet_s:
            return


async def open_many(
    client: Client, ids: list[str], profile: ProcessProfile, task_queue: str
) -> None:
    """Opens the sales, 100 starts in flight."""
    from mnd.opening import open_sale

    gate = asyncio.Semaphore(100)

    async def open_one(sale_id: str) -> None:
        async with gate:
            await open_sale(client, demo_sale(sale_id, profile), task_queue)

    await asyncio.gather(*(open_one(s) for s in ids))


async def watch_memory(
    client: Client, query: str, pid: int, curve: list[tuple[int, float]]
) -> None:
    """Every 2 s: (sales the visibility store shows at step 2, worker RSS MB)."""
    while True:
        await asyncio.sleep(2)
        at_step_2 = (await client.count_workflows(query)).count
        curve.append((at_step_2, memory_mb(pid)["VmRSS"]))


async def waiting_bench(
    env: WorkflowEnvironment,
    records_url: str,
    folder: Path,
    count: int,
    samples: int,
    workers: list[WaitingWorker],
    run_id: str,
) -> list[WaitingResult]:
    from mnd.db.engine import upgrade

    upgrade(records_url)  # the spawned workers do not migrate (MND_DB_AUTO_MIGRATE=false)
    client = env.client
    profile = fast_profile()
    results = []
    for how in workers:
        label, cache = how.label, how.cache
        task_queue = f"bench-waiting-{uuid.uuid4().hex[:6]}"
        proc, log = spawn_worker(env, task_queue, records_url, folder, how)
        try:
            await wait_idle(proc.pid, quiet_s=1.0)
            empty = memory_mb(proc.pid)
            ids = [f"WW-{run_id}-{task_queue[-6:]}-{i:05d}" for i in range(count)]
            started, cpu0 = time.perf_counter(), cpu_seconds(proc.pid)
            query = f'TaskQueue = "{task_queue}" AND MndStep = "template_selection"'
            curve: list[tuple[int, float]] = []
            watcher = asyncio.create_task(watch_memory(client, query, proc.pid, curve))
            await open_many(client, ids, profile, task_queue)
            while (await client.count_workflows(query)).count < count:
                await asyncio.sleep(0.5)
            open_seconds = time.perf_counter() - started
            await wait_idle(proc.pid)
            watcher.cancel()
            open_cpu = cpu_seconds(proc.pid) - cpu0
            idle = memory_mb(proc.pid)
            print(
                f"  {label}: {count} sales open in {open_seconds:.0f} s, "
                f"RSS {idle['VmRSS']:.0f} MB",
                flush=True,
            )
            latencies = []
            c = Actor(id="cons-0042", role=Role.CONSULTANT, name="Laura Gómez")
            payload = a.SelectTemplateInput(actor=c, template_id="td_moda")
            for sale_id in random.Random(2).sample(ids, min(samples, count)):
                handle = client.get_workflow_handle(workflow_id_for(sale_id))
                t0 = time.perf_counter()
                await handle.execute_update("select_template", payload, result_type=ActionResult)
                latencies.append((time.perf_counter() - t0) * 1000)
            await wait_idle(proc.pid, quiet_s=1.0)
            after = memory_mb(proc.pid)
            print(
                f"  {label}: select_template p50 {pct(latencies, 50):.0f} ms, "
                f"p99 {pct(latencies, 99):.0f} ms; RSS after {after['VmRSS']:.0f} MB",
                flush=True,
            )
            results.append(
                WaitingResult(
                    worker=label,
                    cache=1000 if cache is None else cache,
                    sales=count,
                    open_seconds=open_seconds,
                    opens_per_s=count / open_seconds,
                    worker_cpu_ms_per_open=open_cpu * 1000 / count,
                    rss_empty_mb=empty["VmRSS"],
                    rss_idle_mb=idle["VmRSS"],
                    rss_after_mb=after["VmRSS"],
                    peak_mb=after["VmHWM"],
                    action_samples=len(latencies),
                    action_p50_ms=pct(latencies, 50),
                    action_p99_ms=pct(latencies, 99),
                    action_max_ms=max(latencies),
                    rss_curve=[(n, round(mb)) for n, mb in curve[:: max(1, len(curve) // 12)]],
                )
            )
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        # Nothing may keep running on this task queue: the sales stay open, unworked.
    return results


def report(waiting: list[WaitingResult]) -> None:
    if waiting:
        print("\n3. Sales open and waiting on the consultant (worker in its own process)")
        print(
            f"   {'worker':<40} {'sales':>6} {'opens/s':>7} {'CPU/open':>8} "
            f"{'RSS MB: empty':>13} {'open':>5} "
            f"{'after':>6} "
            f"{'peak':>6} {'action p50 ms':>13} {'p99':>6} {'max':>6}"
        )
        for w in waiting:
            print(
                f"   {w.worker:<40} {w.sales:>6} {w.opens_per_s:>7.0f} "
                f"{w.worker_cpu_ms_per_open:>6.1f}ms {w.rss_empty_mb:>13.0f} "
                f"{w.rss_idle_mb:>5.0f} "
                f"{w.rss_after_mb:>6.0f} {w.peak_mb:>6.0f} {w.action_p50_ms:>13.0f} "
                f"{w.action_p99_ms:>6.0f} {w.action_max_ms:>6.0f}"
            )
        for w in waiting:
            curve = ", ".join(f"{n}: {mb:.0f}" for n, mb in w.rss_curve)
            print(f"   {w.worker}: RSS MB while opening (sales at step 2: MB): {curve}")
        print(
            f"   action: select_template Update on {waiting[0].action_samples} random waiting "
            "sales, one at a time; RSS 'open' after all were opened and the worker went idle"
        )
        print("   target: RSS under 300 MB")


async def main_async(args: argparse.Namespace) -> int:
    big = max(args.waiting, 1000)
    known = {
        "default": WaitingWorker("worker.py (default MND_WORKFLOW_CACHE_SIZE)"),
        "cache": WaitingWorker(f"worker.py, max_cached_workflows={big}", big),
        "pyc": WaitingWorker("worker.py, default cache, .pyc on", pyc=True),
    }
    workers = [
        known[name]
        if name in known
        else WaitingWorker(f"worker.py, MND_WORKFLOW_CACHE_SIZE={name[6:]}", int(name[6:]))
        for name in args.workers.split(",")
    ]
    with tempfile.TemporaryDirectory(prefix="mnd-bench-") as tmp:
        folder = Path(tmp)
        with records_database(args.db_url, folder) as records_url:
            async with dev_server() as env:
                waiting = await waiting_bench(
                    env, records_url, folder, args.waiting, args.samples, workers, run_id()
                )
    report(waiting)
    save_json(args.json, {"waiting": [asdict(w) for w in waiting]})
    return 0


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--waiting", type=int, default=10_000, help="sales left open and waiting")
    p.add_argument("--samples", type=int, default=200, help="staff actions timed while they wait")
    p.add_argument(
        "--workers",
        default="default,cache,pyc",
        help="workers holding the waiting sales: default (worker.py as is), cache (a workflow "
        "cache as large as --waiting), cache=N (a cache of N sales), pyc (worker.py with .pyc "
        "files written and read)",
    )
    p.add_argument("--db-url", help="records database (PostgreSQL: a throw-away db is created)")
    p.add_argument("--json", help="also write the raw figures to this file")
    return p.parse_args()


if __name__ == "__main__":
    from mnd.entrypoint import run_main

    run_main(main_async(parse_args()))
