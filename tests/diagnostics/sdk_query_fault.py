"""Stages the SDK query fault behind `mnd.reading`, and repairs what it strands (not a test).

`make diagnose-sdk-fault` (or `python -m tests.diagnostics.sdk_query_fault --rounds 5`). On a
dev server of its own, each round kills the worker holding a three-line workflow while its
activity runs, sends a bare query (no worker holds the workflow), then, while that query waits,
an Update from another client, and only then starts a fresh worker. With temporalio 1.35 the
fresh worker rebuilds the workflow including the pending activity result, and the Update is
recorded after the commands that result produced: the history no longer replays (TMPRL1100).
The round then repairs it as `mnd sale repair` does (`reset_point`, `reset_to`) and checks that
the new run completes and replays.

The race is staged with fixed pauses, so on a busy machine it can go another way: a round
without the fault proves nothing. Exit code 1 when a repair failed; 0 otherwise. A run where no
round reproduces the fault on an idle machine suggests an SDK release fixed it, and
`mnd.reading` may be simplified.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from mnd.services.repair import reset_point, reset_to
from tests.conftest import server_binary
from tests.e2e.processes import ProcessSet
from tests.e2e.query_fault_app import ACTIVITY_SECONDS, QueryFaultWorkflow
from tests.e2e.query_fault_stack import Stack


async def query_meets_an_update(
    stack: Stack, handle: WorkflowHandle[QueryFaultWorkflow, str]
) -> bool:
    """A bare query sent while no worker holds the workflow, then another client's Update while
    the query still waits; a fresh worker answers both. The query's answer."""
    query = asyncio.ensure_future(handle.query(QueryFaultWorkflow.approved_yet))
    # The activity completes; its workflow task waits on the dead worker's sticky queue.
    await asyncio.sleep(0.5 + ACTIVITY_SECONDS + 1.0)
    update = asyncio.ensure_future(handle.execute_update(QueryFaultWorkflow.approve))
    await asyncio.sleep(0.5)
    stack.worker("fresh", "workflows")
    await update
    return await query


async def one_round(env: WorkflowEnvironment, folder: Path) -> tuple[bool, str | None]:
    """(whether the fault occurred, the repaired run's replay failure or None)."""
    processes = ProcessSet()
    try:
        stack = Stack(env.client, folder, processes)
        handle = await stack.start_and_kill_holder()
        await query_meets_an_update(stack, handle)
        failure = await stack.replay_failure(handle)
        if failure is None:
            return False, None
        history = await handle.fetch_history()
        new_run = await reset_to(
            stack.client, handle.id, history.run_id, reset_point(history, failure), "diagnóstico"
        )
        repaired = stack.client.get_workflow_handle(handle.id, run_id=new_run, result_type=str)
        return True, await stack.replay_failure(repaired)
    finally:
        processes.close()


async def main(rounds: int) -> int:
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=server_binary("temporal"), ui=False
    )
    faults = broken = 0
    try:
        for n in range(1, rounds + 1):
            with tempfile.TemporaryDirectory() as folder:
                fault, repaired_failure = await one_round(env, Path(folder))
            faults += fault
            broken += repaired_failure is not None
            verdict = "no fault (the race went another way)"
            if fault:
                verdict = "fault; repaired run replays"
                if repaired_failure is not None:
                    verdict = f"fault; REPAIR FAILED: {repaired_failure[:300]}"
            print(f"round {n}: {verdict}", flush=True)
    finally:
        await env.shutdown()
    print(f"SDK query fault reproduced in {faults} of {rounds} rounds; failed repairs: {broken}")
    return 1 if broken else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    sys.exit(asyncio.run(main(parser.parse_args().rounds)))
