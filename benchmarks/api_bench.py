"""Round trip of a staff action through the HTTP API against the bare Temporal Update, side by side.

Everything runs against ONE local dev server (in memory) in one invocation: the sale worker in
this process, the API in its own process (`python -m mnd.api`, uvicorn, configured by `MND_*`
variables like a deployment), a few sales parked at step 9 (piece delivery). Then, alternately
on those sales, the same accepted action (`record_post_sale_request` as Producción, which the
sale records without moving):

- bare: `handle.execute_update(...)` from this process's Temporal client;
- API: `POST /api/sales/{id}/actions/record_post_sale_request` over real HTTP (httpx, one
  keep-alive connection), which authenticates the token, resolves the actor, runs the same
  Update from the API's own client and serialises the new state.

    .venv/bin/python -m benchmarks.api_bench                       # 300 samples each
    .venv/bin/python -m benchmarks.api_bench --samples 100 --sales 5

Then, on fresh sales waiting at step 2, an action that moves the sale (`select_template` as
the sale's consultant), timed until the new step is visible to the caller: the bare Update, and
the API call plus, when its answer still shows the old step, `GET /api/sales/{id}` every
`--poll-ms` until the step moved (`--visible 0` skips this part).

Target: p50(API) <= 1.5 x p50(bare).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import httpx
from temporalio.client import Client

from benchmarks.common import start_dev_server
from mnd.auth.staff import StaffDirectory
from mnd.db.engine import open_database, session_factory
from mnd.demo_data import demo_sale
from mnd.domain.action_result import ActionResult
from mnd.domain.parties import Actor
from mnd.domain.profile import ProcessProfile
from mnd.domain.roles import Role
from mnd.domain.sale import workflow_id_for
from mnd.domain.steps import StepId
from mnd.opening import open_sale
from mnd.scenario import TemporalChannel, drive
from mnd.settings import Settings
from mnd.worker_app import build_worker
from workflows.search_attributes import STEP

ACTION = "record_post_sale_request"
ACTOR = Actor(id="prod-1", role=Role.PRODUCTION, name="Producción (bench)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def bench_profile() -> ProcessProfile:
    """The seed profile with no minimum durations, so a sale reaches step 9 in a moment; the
    ally's reminder stays at 30 minutes, so no timer fires while the benchmark runs."""
    zero = timedelta(0)
    return ProcessProfile().model_copy(
        update={
            "name": "bench",
            "client_verification_min": zero,
            "contract_number_min": zero,
            "document_validation_min": zero,
        }
    )


async def park_at_piece_delivery(client: Client, task_queue: str, sale_id: str) -> None:
    """Opens a demo sale and plays every role (the project's scenario driver, bare Updates)
    until it waits on the ally."""
    await open_sale(client, demo_sale(sale_id, bench_profile()), task_queue)
    await drive(
        TemporalChannel(client, sale_id, poll=0.05),
        until=lambda s: s.step is StepId.PIECE_DELIVERY and Role.ALLY in s.waiting_on,
    )


async def start_api(
    settings: Settings, target: str, port: int, log: Path
) -> subprocess.Popen[bytes]:
    """`python -m mnd.api` on `port`, sharing the records database and the task queue."""
    env = {
        **os.environ,
        "TEMPORAL_ADDRESS": target,
        "MND_DATA_DIR": str(settings.data_dir),
        "MND_TASK_QUEUE": settings.task_queue,
        "MND_API_HOST": "127.0.0.1",
        "MND_API_PORT": str(port),
        "MND_DB_AUTO_MIGRATE": "false",
    }
    out = log.open("wb")
    process = subprocess.Popen([sys.executable, "-m", "mnd.api"], env=env, stdout=out, stderr=out)
    async with httpx.AsyncClient() as http:
        for _ in range(300):
            try:
                if (await http.get(f"http://127.0.0.1:{port}/api/health")).status_code == 200:
                    return process
            except httpx.TransportError:
                pass
            if process.poll() is not None:
                break
            await asyncio.sleep(0.1)
    process.kill()
    raise RuntimeError(f"the API did not start; see {log}")


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def measure(
    client: Client,
    http: httpx.AsyncClient,
    token: str,
    sales: list[str],
    n: int,
    tag: str,
    pause: float = 0.0,
) -> tuple[list[float], list[float]]:
    """`n` bare Updates and `n` API calls in pairs, round-robin over the sales (ms).

    The first of each pair alternates: what a call leaves running (the sale's record activity)
    then slows the bare path and the API path equally often. With `pause` (seconds) each call
    starts once that tail is over: one action at a time, as a member at a desk sends them."""
    bare: list[float] = []
    api: list[float] = []
    headers = {"Authorization": f"Bearer {token}"}

    async def via_client(sale_id: str, i: int) -> None:
        handle = client.get_workflow_handle(workflow_id_for(sale_id))
        payload = {"description": f"{tag} {i} (bare)", "actor": ACTOR.model_dump(mode="json")}
        start = time.perf_counter()
        await handle.execute_update(ACTION, payload, result_type=ActionResult)
        bare.append((time.perf_counter() - start) * 1000)

    async def via_api(sale_id: str, i: int) -> None:
        start = time.perf_counter()
        response = await http.post(
            f"/api/sales/{sale_id}/actions/{ACTION}",
            json={"description": f"{tag} {i} (API)"},
            headers=headers,
        )
        response.json()  # a client reads the new state, as the bare path decodes it
        api.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"API answered {response.status_code}: {response.text}")

    for i in range(n):
        sale_id = sales[i % len(sales)]
        first, second = (via_client, via_api) if i % 2 == 0 else (via_api, via_client)
        await first(sale_id, i)
        await asyncio.sleep(pause)
        await second(sale_id, i)
        await asyncio.sleep(pause)
    return bare, api


async def open_at_step_2(client: Client, task_queue: str, sale_ids: list[str]) -> None:
    """Opens the sales and returns once each shows step 2 (`describe`: no workflow task)."""
    handles = [await open_sale(client, demo_sale(s, bench_profile()), task_queue) for s in sale_ids]
    for handle in handles:
        while True:
            described = await handle.describe()
            if described.typed_search_attributes.get(STEP) == StepId.TEMPLATE_SELECTION.value:
                break
            await asyncio.sleep(0.05)


async def measure_visible(
    client: Client, http: httpx.AsyncClient, token: str, task_queue: str, n: int, poll: float
) -> tuple[list[float], list[float], list[int]]:
    """`n` pairs of `select_template` on fresh sales at step 2 (ms until the new step is
    visible): the bare Update, and the API call plus GETs while the answer shows step 2."""
    bare: list[float] = []
    api: list[float] = []
    gets: list[int] = []
    if not n:
        return bare, api, gets
    tag = uuid.uuid4().hex[:6]
    ids = [f"VIS-{tag}-{i:03d}" for i in range(2 * n)]
    await open_at_step_2(client, task_queue, ids)
    headers = {"Authorization": f"Bearer {token}"}
    consultant = demo_sale(ids[0], bench_profile()).consultant
    actor = Actor(id=consultant.id, role=Role.CONSULTANT, name=consultant.name)
    payload = {"template_id": "td_moda", "actor": actor.model_dump(mode="json")}
    moved = StepId.TEMPLATE_SELECTION.value

    async def via_client(sale_id: str) -> None:
        handle = client.get_workflow_handle(workflow_id_for(sale_id))
        start = time.perf_counter()
        await handle.execute_update("select_template", payload, result_type=ActionResult)
        bare.append((time.perf_counter() - start) * 1000)

    async def via_api(sale_id: str) -> None:
        start = time.perf_counter()
        response = await http.post(
            f"/api/sales/{sale_id}/actions/select_template",
            json={"template_id": "td_moda"},
            headers=headers,
        )
        if response.status_code != 200:
            raise RuntimeError(f"API answered {response.status_code}: {response.text}")
        step, count = response.json()["step"], 0
        while step == moved:  # the answer shows the sale before it moved: poll until it did
            await asyncio.sleep(poll)
            count += 1
            step = (await http.get(f"/api/sales/{sale_id}", headers=headers)).json()["step"]
        api.append((time.perf_counter() - start) * 1000)
        gets.append(count)

    for i in range(n):
        first, second = (via_client, via_api) if i % 2 == 0 else (via_api, via_client)
        await first(ids[2 * i])
        await asyncio.sleep(0.05)  # what the action leaves running (records) settles
        await second(ids[2 * i + 1])
        await asyncio.sleep(0.05)
    return bare, api, gets


async def run(args: argparse.Namespace) -> int:
    with tempfile.TemporaryDirectory(prefix="mnd-apibench-") as tmp:
        env = await start_dev_server()
        settings = Settings(data_dir=Path(tmp), task_queue="api-bench")
        engine = open_database(settings.db_url, migrate=True)
        directory = StaffDirectory(session_factory(engine))
        directory.add(
            ACTOR.id, "Producción (bench)", "produccionmno@claro.com.co", [Role.PRODUCTION]
        )
        token = directory.create_token(ACTOR.id, "bench")
        consultant = demo_sale("BENCH-000", bench_profile()).consultant
        directory.add(consultant.id, consultant.name, consultant.email, [Role.CONSULTANT])
        consultant_token = directory.create_token(consultant.id, "bench")
        port = free_port()
        target = env.client.service_client.config.target_host
        api_process = await start_api(settings, target, port, Path(tmp) / "api.log")
        try:
            with ThreadPoolExecutor(settings.activity_threads) as pool:
                async with build_worker(env.client, settings, engine, pool):
                    sales = [f"BENCH-{i:03d}" for i in range(args.sales)]
                    await asyncio.gather(
                        *(park_at_piece_delivery(env.client, settings.task_queue, s) for s in sales)
                    )
                    base = f"http://127.0.0.1:{port}"
                    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
                        await measure(env.client, http, token, sales, args.warmup, "warm-up")
                        bare, api = await measure(
                            env.client, http, token, sales, args.samples, "sample"
                        )
                        quiet = await measure(
                            env.client,
                            http,
                            token,
                            sales,
                            args.samples,
                            "quiet",
                            args.pause_ms / 1000,
                        )
                        visible = await measure_visible(
                            env.client,
                            http,
                            consultant_token,
                            settings.task_queue,
                            args.visible,
                            args.poll_ms / 1000,
                        )
        finally:
            api_process.terminate()
            api_process.wait(timeout=10)
            engine.dispose()
            await env.shutdown()
    print(
        f"Staff action round trip ({ACTION}, {args.samples} samples each, {args.sales} sales at step 9)"
    )
    met = report("back to back", bare, api)
    met &= report(f"{args.pause_ms} ms apart", *quiet)
    if args.visible:
        bare_v, api_v, gets = visible
        print(
            f"\nA staff action until its new step is visible (select_template at step 2, "
            f"{args.visible} fresh sales each; GET every {args.poll_ms} ms while the answer "
            f"shows the old step: {statistics.fmean(gets):.1f} GETs per call)"
        )
        met &= report("one action at a time", bare_v, api_v)
    return 0 if met else 1


def report(title: str, bare: list[float], api: list[float]) -> bool:
    """Prints one table; True when the p50 target is met."""
    print(f"  {title}:")
    print(f"   {'path':<34} {'p50 ms':>7} {'p90 ms':>7} {'p99 ms':>7} {'max ms':>7}")
    for name, values in (
        ("bare Temporal Update (client)", bare),
        ("API (HTTP -> FastAPI -> Update)", api),
    ):
        p50, p90, p99 = pct(values, 0.5), pct(values, 0.9), pct(values, 0.99)
        print(f"   {name:<34} {p50:>7.1f} {p90:>7.1f} {p99:>7.1f} {max(values):>7.1f}")
    # The same p50 as the table prints (statistics.median would average two middle samples).
    ratio = pct(api, 0.5) / pct(bare, 0.5)
    print(
        f"   p50 ratio API/bare: {ratio:.2f} (target <= 1.5: {'met' if ratio <= 1.5 else 'MISSED'})"
    )
    return ratio <= 1.5


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--sales", type=int, default=10)
    parser.add_argument("--pause-ms", type=int, default=50, help="gap between calls, 2nd run")
    parser.add_argument(
        "--visible", type=int, default=60, help="fresh sales per path for the visible-step part"
    )
    parser.add_argument("--poll-ms", type=int, default=20, help="GET interval, visible part")
    return asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
