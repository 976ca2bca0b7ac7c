"""`mnd dev`: the local stack in one process, as `python -m mnd.devstack run`, plus the HTTP API
(uvicorn) and one demo staff member per role, whose tokens are printed once."""

from __future__ import annotations

import asyncio
import importlib
import sys
from collections.abc import AsyncIterator, Callable, Generator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager, contextmanager
from typing import Annotated, Any

import typer
import uvicorn

from mnd.cli.common import settings
from mnd.cli.dev_staff import DemoMember, ensure_demo_staff
from mnd.db.engine import open_database, session_factory
from mnd.devstack import port_in_use, run_demo_sale, start_server, ui_url
from mnd.domain.roles import ROLE_NAMES_ES, Role
from mnd.domain.sale import SaleStatus
from mnd.entrypoint import run_main
from mnd.settings import Settings
from mnd.worker_app import build_worker, stop_on_signals

AppFactory = Callable[..., Any]


def api_factory() -> AppFactory | None:
    """`mnd.api.create_app`, or None while the API package is not there."""
    try:
        module = importlib.import_module("mnd.api")
    except ImportError:
        return None
    factory: AppFactory | None = getattr(module, "create_app", None)
    return factory


class _EmbeddedServer(uvicorn.Server):
    @contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        # The stack owns SIGINT/SIGTERM (stop_on_signals) and stops uvicorn itself.
        yield


@asynccontextmanager
async def serving_api(app: Any | None, config: Settings) -> AsyncIterator[str | None]:
    """Runs the API on settings.api_host:api_port while the block runs; yields its base URL."""
    if app is None:
        yield None
        return
    uv = uvicorn.Config(app, host=config.api_host, port=config.api_port, log_level="warning")
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


def print_tokens(members: list[DemoMember]) -> None:
    # Plain lines, never a table: a narrow terminal must not cut a token.
    print("\nMiembros de demostración y sus tokens (se muestran una sola vez):")
    for m in members:
        print(f"  {ROLE_NAMES_ES[m.role]} ({m.staff_id}): {m.token or '(inactivo: sin token)'}")
    consultant = next((m.token for m in members if m.role is Role.CONSULTANT), None)
    print(f"\nPara actuar como consultor:  export MND_TOKEN={consultant}")
    print("Luego:  mnd sale open --demo --profile fast   ·   mnd inbox   ·   mnd act --help")


def print_urls(config: Settings, api_url: str | None) -> None:
    print(f"Temporal: localhost:{config.dev_server_port} · UI: {ui_url(config)}")
    if api_url is None:
        # TODO(issue 4): mnd.api (the HTTP API) is not there yet; `mnd dev` serves it once it is.
        print("API HTTP: no disponible (falta el paquete mnd.api).")
    else:
        print(f"API HTTP: {api_url} · documentación: {api_url}/docs")
    print(f"Worker en la cola «{config.task_queue}»; datos en {config.data_dir}/")


async def run_stack(config: Settings, demo: bool, in_memory: bool) -> int:
    """Starts everything, runs the demo sale if asked, and stops on Ctrl-C or SIGTERM."""
    create_app = api_factory()
    ports = [config.dev_server_port, config.ui_port] + ([config.api_port] if create_app else [])
    busy = [p for p in ports if port_in_use(p)]
    if busy:
        print(
            f"Puerto en uso: {', '.join(map(str, busy))} (¿otro stack activo?). Deténgalo, o "
            "cambie MND_DEV_SERVER_PORT, MND_UI_PORT y MND_API_PORT.",
            file=sys.stderr,
        )
        return 1
    stop = asyncio.Event()
    stop_on_signals(stop)
    config.data_dir.mkdir(parents=True, exist_ok=True)
    engine = open_database(config.db_url, migrate=config.db_auto_migrate)
    members = ensure_demo_staff(session_factory(engine))
    env = await start_server(config, in_memory)
    # The API shares the dev server's client, whatever TEMPORAL_ADDRESS says.
    app = None if create_app is None else create_app(config, client=env.client)
    code = 0
    try:
        with ThreadPoolExecutor(config.activity_threads, "mnd-activity") as executor:
            async with (
                build_worker(env.client, config, engine, executor),
                serving_api(app, config) as api_url,
            ):
                print_urls(config, api_url)
                if demo:
                    code = await _demo_unless_stopped(env.client, config, stop)
                if code == 0:
                    print_tokens(members)
                    print(f"\nStack activo en {ui_url(config)} · Ctrl-C para detener.")
                    await stop.wait()
    finally:
        await env.shutdown()
        engine.dispose()
    print(f"Stack detenido. Registros y mensajes en {config.db_url}")
    return code


async def _demo_unless_stopped(client: Any, config: Settings, stop: asyncio.Event) -> int:
    demo_task = asyncio.ensure_future(run_demo_sale(client, config))
    stopping = asyncio.ensure_future(stop.wait())
    await asyncio.wait({demo_task, stopping}, return_when=asyncio.FIRST_COMPLETED)
    stopping.cancel()
    if not demo_task.done():
        demo_task.cancel()
        return 130
    return 0 if demo_task.result().status is SaleStatus.COMPLETED else 1


def dev(
    demo: Annotated[
        bool, typer.Option("--demo/--no-demo", help="Llevar una venta de demostración al final")
    ] = True,
    in_memory: Annotated[
        bool, typer.Option("--in-memory", help="No guardar el estado de Temporal en disco")
    ] = False,
) -> None:
    """Stack local: Temporal (con UI), worker, API HTTP y miembros de demostración con token."""
    config = settings()
    run_main(run_stack(config, demo, in_memory))
