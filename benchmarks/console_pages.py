"""Server time of the console's pages with many open sales in the records (issue: the inbox and
the sale page at 10,000 open sales on PostgreSQL, goal p50 under 50 ms), and the first load's
bytes.

One invocation: a records database (a throw-away PostgreSQL database on `--db-url`'s server, or
SQLite without it) seeded with `--sales` open sales spread over the areas and 50 consultants
(rows as the records activity writes them), a dev server in memory with the real worker, one
real sale opened for the sale page (its state comes from the workflow's query), and the app in
this process behind httpx's ASGI transport, so the time measured is the server's own (no
network). Each page is requested `--samples` times, signed in as the member who reads it.

    .venv/bin/python -m benchmarks.console_pages                    # PostgreSQL, 10,000 sales
    .venv/bin/python -m benchmarks.console_pages --db-url "" --sales 2000   # SQLite
"""

from __future__ import annotations

import argparse
import asyncio
import re
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine, insert

from benchmarks.common import bench_profile, pct, records_database, save_json, start_dev_server
from mnd.api import create_app
from mnd.auth.sign_in import ConsoleAuth
from mnd.auth.staff import StaffDirectory
from mnd.db.engine import open_database, session_factory
from mnd.db.models import Sale, SaleWait
from mnd.demo_data import demo_sale
from mnd.domain.parties import Consultant
from mnd.domain.roles import AREA_ROLES, Role
from mnd.domain.steps import StepId
from mnd.opening import open_sale
from mnd.settings import Settings
from mnd.worker_app import build_worker

PASSWORD = "clave-de-benchmark"
DEFAULT_DB = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
CONSULTANT = Consultant(id="bench.consultor", name="Laura Gómez", email="laura@claro.com.co")
# Where a waiting sale stands, by the role it waits on (a plausible spread of the steps).
_STEP_OF = {
    Role.CONSULTANT: StepId.CONTRACT,
    Role.DATA_MINING: StepId.CLIENT_VERIFICATION,
    Role.PROVISIONING: StepId.WORK_ORDER_CLOSURE,
    Role.COMMERCIAL_SUPPORT: StepId.DOCUMENT_VALIDATION,
    Role.PRODUCTION: StepId.PROVISIONING_CALL,
    Role.ALLY: StepId.PIECE_DELIVERY,
}


def seed(engine: Engine, count: int) -> None:
    """`count` open sales, each waiting on one role; a fifth of them overdue."""
    now = datetime.now(UTC)
    roles = [Role.CONSULTANT, *sorted(AREA_ROLES)]
    sales: list[dict[str, Any]] = []
    waits: list[dict[str, Any]] = []
    for i in range(count):
        role = roles[i % len(roles)]
        consultant = CONSULTANT.id if i % 50 == 0 else f"cons-{i % 50:02d}"
        since = now - timedelta(hours=i % 200)
        due = since + timedelta(days=1 if i % 5 else -1)
        sale_id = f"MND-2026-{i:06d}"
        sales.append(
            {
                "sale_id": sale_id,
                "workflow_id": f"sale-{sale_id}",
                "status": "open",
                "step": _STEP_OF[role].value,
                "consultant_id": consultant,
                "consultant_name": f"Consultor {i % 50}",
                "client_name": f"Cliente {i} S.A.S.",
                "client_document": f"900.{i:03d}.{i % 997:03d}-{i % 10}",
                "plan_id": "tienda_digital" if i % 3 else "posicionamiento",
                "crm_route": None,
                "contract_number": None,
                "work_order_number": None,
                "due_at": due,
                "min_until": None,
                "opened_at": since,
                "updated_at": since,
                "last_sequence": 1,
                "claims": {},
            }
        )
        waits.append({"sale_id": sale_id, "role": role.value, "since": since, "due_at": due})
    with engine.begin() as conn:
        for start in range(0, count, 2000):
            conn.execute(insert(Sale), sales[start : start + 2000])
            conn.execute(insert(SaleWait), waits[start : start + 2000])


async def sign_in(http: httpx.AsyncClient, member: str) -> None:
    page = await http.get("/consola/entrar")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    answer = await http.post(
        "/consola/entrar", data={"usuario": member, "clave": PASSWORD, "csrf_token": token[1]}
    )
    assert answer.status_code == 303, answer.text


async def timed(http: httpx.AsyncClient, path: str, samples: int) -> dict[str, float]:
    times = []
    for _ in range(samples):
        start = time.perf_counter()
        answer = await http.get(path)
        times.append((time.perf_counter() - start) * 1000)
        assert answer.status_code == 200, (path, answer.status_code)
    return {"p50_ms": pct(times, 50), "p99_ms": pct(times, 99), "bytes": len(answer.content)}


async def run(args: argparse.Namespace) -> dict[str, Any]:
    figures: dict[str, Any] = {"sales": args.sales, "samples": args.samples}
    with tempfile.TemporaryDirectory() as tmp, records_database(args.db_url, Path(tmp)) as url:
        settings = Settings(
            data_dir=Path(tmp), task_queue=f"console-bench-{uuid.uuid4().hex[:6]}", database_url=url
        )
        figures["database"] = url.split(":", 1)[0]
        engine = open_database(url, migrate=True)
        seed(engine, args.sales)
        sessions = session_factory(engine)
        directory, auth = StaffDirectory(sessions), ConsoleAuth(sessions)
        for member, role in (
            (CONSULTANT.id, Role.CONSULTANT),
            ("bench.soporte", Role.COMMERCIAL_SUPPORT),
            ("bench.super", Role.SUPERVISOR),
        ):
            directory.add(member, member, f"{member}@claro.com.co", [role])
            auth.set_password(member, PASSWORD)
        env = await start_dev_server()
        try:
            with ThreadPoolExecutor(max_workers=4) as pool:
                async with build_worker(env.client, settings, engine, pool):
                    real = demo_sale("MND-2026-BENCH1", bench_profile()).model_copy(
                        update={"consultant": CONSULTANT}
                    )
                    await open_sale(env.client, real, settings.task_queue)
                    figures["pages"] = await measure(settings, env.client, real.sale_id, args)
        finally:
            await env.shutdown()
            engine.dispose()
    return figures


async def measure(settings: Settings, client: Any, sale_id: str, args: argparse.Namespace) -> Any:
    app = create_app(settings, client=client)
    pages: dict[str, Any] = {}
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        for member, label, path in (
            ("bench.soporte", "inbox, Soporte Comercial", "/consola/bandeja"),
            (CONSULTANT.id, "inbox, consultant", "/consola/bandeja"),
            (CONSULTANT.id, "sale page", f"/consola/ventas/{sale_id}"),
            ("bench.super", "all sales, supervisor", "/consola/ventas"),
            ("bench.super", "all sales, overdue only", "/consola/ventas?vencidas=true"),
        ):
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
                await sign_in(http, member)
                await http.get(path)  # warm: templates compiled, connections open
                pages[label] = await timed(http, path, args.samples)
    return pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sales", type=int, default=10_000)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--db-url", default=DEFAULT_DB, help="PostgreSQL server; empty: SQLite")
    parser.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args()
    figures = asyncio.run(run(args))
    print(f"{figures['sales']:,} open sales on {figures['database']}, {args.samples} samples each")
    print(f"{'page':32} {'p50 ms':>8} {'p99 ms':>8} {'bytes':>8}")
    for label, row in figures["pages"].items():
        print(f"{label:32} {row['p50_ms']:8.1f} {row['p99_ms']:8.1f} {row['bytes']:8,}")
    save_json(args.json, figures)


if __name__ == "__main__":
    main()
