"""Replay: `Replayer.replay_workflow` on the committed histories and on this run's sales.

    .venv/bin/python -m benchmarks.replay                 # 60 replays per history
    .venv/bin/python -m benchmarks.replay --replays 3     # smoke

The happy path and the largest committed history with the project's sandbox (as the replay
tests do); then, to see where the time goes, a bare workflow of the same shape, a sale
waiting at step 2 (the fixed cost of an instance), the happy path without the sandbox, with
the workflow's helper modules passed through, and with `.pyc` files.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer, UnsandboxedWorkflowRunner

from benchmarks.bare import history_shape, recorded_history
from benchmarks.common import (
    HAPPY_PATH,
    HISTORIES,
    dev_server,
    pct,
    records_database,
    run_id,
    save_json,
)
from benchmarks.sales import calibrate, make_variants
from workflows.sale import SaleWorkflow
from workflows.sandbox import sale_workflow_runner


@dataclass
class ReplayResult:
    history: str
    runner: str
    events: int
    kb: float
    replays: int
    median_ms: float
    p95_ms: float
    cpu_median_ms: float  # CPU of this process (all threads) per replay


async def time_replays(
    name: str, text_json: str, workflow_cls: type, runner: Any, runner_name: str, replays: int
) -> ReplayResult:
    """`replay_workflow` once per replay (a fresh history object each time, parsed untimed)."""
    replayer = Replayer(
        workflows=[workflow_cls],
        data_converter=pydantic_data_converter,
        workflow_runner=runner,
    )
    samples, cpu = [], []
    history = WorkflowHistory.from_json(f"wf-{name}", text_json)
    for i in range(replays + 2):  # two untimed warm-ups (imports, schema builds)
        history = WorkflowHistory.from_json(f"wf-{name}-{i}", text_json)
        cpu0, started = time.process_time(), time.perf_counter()
        result = await replayer.replay_workflow(history, raise_on_replay_failure=False)
        elapsed = (time.perf_counter() - started) * 1000
        if result.replay_failure is not None:
            raise RuntimeError(f"{name} failed to replay: {result.replay_failure}")
        if i >= 2:
            samples.append(elapsed)
            cpu.append((time.process_time() - cpu0) * 1000)
    return ReplayResult(
        history=name,
        runner=runner_name,
        events=len(history.events),
        kb=len(text_json) / 1024,
        replays=replays,
        median_ms=statistics.median(samples),
        p95_ms=pct(samples, 95),
        cpu_median_ms=statistics.median(cpu),
    )


@contextmanager
def bytecode_cache(folder: Path) -> Iterator[None]:
    """Lets imports write and read .pyc files under `folder` (PYTHONDONTWRITEBYTECODE=1 here
    makes every sandboxed workflow instance compile its workflow modules from source)."""
    saved = sys.dont_write_bytecode, sys.pycache_prefix
    sys.dont_write_bytecode, sys.pycache_prefix = False, str(folder)
    try:
        yield
    finally:
        sys.dont_write_bytecode, sys.pycache_prefix = saved


async def replay_bench(
    replays: int, folder: Path, extra: dict[str, tuple[str, type]]
) -> list[ReplayResult]:
    """The recorded happy path and the largest recorded history with the project's sandbox
    (what the replay tests do), then the same happy path with other runners and the histories
    of this run (`extra`: name -> (history JSON, workflow class)) to see where the time goes."""
    files = sorted(HISTORIES.glob("*.json"), key=lambda p: p.stat().st_size)
    newest_happy = sorted(HISTORIES.glob("happy_path_v*.json"))
    chosen = list(dict.fromkeys([HAPPY_PATH, *newest_happy[-1:], files[-1]]))
    plan: list[tuple[str, str, type, Callable[[], Any], str]] = []
    for path in chosen:
        plan.append((path.stem, path.read_text(), SaleWorkflow, sale_workflow_runner, "sandbox"))
    for name, (text_json, cls) in extra.items():
        plan.append((name, text_json, cls, sale_workflow_runner, "sandbox"))
    happy = HAPPY_PATH.read_text()
    plan += [
        (HAPPY_PATH.stem, happy, SaleWorkflow, UnsandboxedWorkflowRunner, "no sandbox"),
    ]
    waiting = extra.get("sale at step 2")
    if waiting:
        plan.append(
            ("sale at step 2", waiting[0], SaleWorkflow, UnsandboxedWorkflowRunner, "no sandbox")
        )
    results = []
    for name, text_json, cls, runner, runner_name in plan:
        results.append(await time_replays(name, text_json, cls, runner(), runner_name, replays))
        print(f"  {name} ({runner_name}): median {results[-1].median_ms:.1f} ms", flush=True)
    with bytecode_cache(folder / "pyc"):
        for name, text_json, cls in [(HAPPY_PATH.stem, happy, SaleWorkflow)] + (
            [("sale at step 2", waiting[0], SaleWorkflow)] if waiting else []
        ):
            results.append(
                await time_replays(
                    name, text_json, cls, sale_workflow_runner(), "sandbox+pyc", replays
                )
            )
            print(f"  {name} (sandbox+pyc): median {results[-1].median_ms:.1f} ms", flush=True)
    return results


def report(replays: list[ReplayResult]) -> None:
    if replays:
        print("\n2. Replay (Replayer.replay_workflow, one call per replay)")
        print(
            f"   {'history':<28} {'runner':<12} {'events':>6} {'KB':>5} {'runs':>5} "
            f"{'median ms':>9} {'p95 ms':>7} {'CPU ms':>7}"
        )
        for r in replays:
            print(
                f"   {r.history:<28} {r.runner:<12} {r.events:>6} {r.kb:>5.0f} {r.replays:>5} "
                f"{r.median_ms:>9.1f} {r.p95_ms:>7.1f} {r.cpu_median_ms:>7.1f}"
            )
        print(
            "   sandbox: workflows/sandbox.py as is (the workflow's helper modules passed through); "
            "+pyc: with .pyc files (this environment sets PYTHONDONTWRITEBYTECODE=1)"
            if os.environ.get("PYTHONDONTWRITEBYTECODE")
            else "   sandbox: workflows/sandbox.py as is (the workflow's helper modules passed "
            "through); +pyc: .pyc cache"
        )
        print("   target: under 25 ms median")


async def main_async(args: argparse.Namespace) -> int:
    """One full sale, one bare workflow and a sale at step 2 run first: their histories are
    replayed beside the committed ones."""
    with tempfile.TemporaryDirectory(prefix="mnd-bench-") as tmp:
        folder = Path(tmp)
        with records_database(args.db_url, folder) as records_url:
            async with dev_server() as env:
                bare_plan = history_shape(recorded_history(HAPPY_PATH))[1]
                variants = make_variants(records_url, folder, run_id(), bare_plan, 8)
                calibration = await calibrate(env, variants, bare_plan, mirror=True)
            replays = await replay_bench(args.replays, folder, calibration.samples)
    report(replays)
    save_json(args.json, {"replay": [asdict(r) for r in replays]})
    return 0


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--replays", type=int, default=60, help="replays per history")
    p.add_argument("--db-url", help="records database of the sales run first")
    p.add_argument("--json", help="also write the raw figures to this file")
    return p.parse_args()


if __name__ == "__main__":
    from mnd.entrypoint import run_main

    run_main(main_async(parse_args()))
