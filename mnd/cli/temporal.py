"""The Temporal side of the staff commands: the connection, the sale service, refusals."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import NoReturn

from rich.console import Console
from temporalio.envconfig import ClientConfig
from temporalio.service import RPCError

from mnd.cli.common import EXIT_CONFLICT, EXIT_INVALID, EXIT_NOT_FOUND, EXIT_ROLE, fail
from mnd.domain.errors import ActionRefused, RefusalKind
from mnd.services.sales import SaleNotFound, SaleService
from mnd.settings import Settings
from mnd.temporal_client import connect

EXIT_CODES = {
    RefusalKind.INVALID_PAYLOAD: EXIT_INVALID,
    RefusalKind.WRONG_STEP: EXIT_CONFLICT,
    RefusalKind.CLOSED: EXIT_CONFLICT,
    RefusalKind.WRONG_ROLE: EXIT_ROLE,
}


def refused(exc: ActionRefused) -> NoReturn:
    """A refused action: its Spanish message and the exit code of its kind."""
    fail(f"Acción rechazada: {exc.message}", EXIT_CODES[exc.kind])


def _target(config: Settings) -> str:
    loaded = ClientConfig.load_client_connect_config()
    return str(loaded.get("target_host") or f"localhost:{config.dev_server_port}")


@asynccontextmanager
async def sale_service(config: Settings, waiting: str) -> AsyncIterator[SaleService]:
    """A connected `SaleService`; a spinner on stderr says `waiting` while the block runs.

    Temporal's errors end the command with one Spanish line: unknown sale (exit 5), refused
    action (2, 3 or 4), no connection or another server error (1).
    """
    try:
        client = await connect(config)
    except RuntimeError as exc:  # the SDK's "Failed client connect: ..."
        fail(
            f"No se pudo conectar con Temporal en {_target(config)}: revise que esté activo y "
            f"la variable TEMPORAL_ADDRESS. Detalle: {str(exc).splitlines()[0]}"
        )
    try:
        with Console(stderr=True).status(waiting):
            yield SaleService(client, config.task_queue)
    except SaleNotFound as exc:
        fail(str(exc), EXIT_NOT_FOUND)
    except ActionRefused as exc:
        refused(exc)
    except RPCError as exc:
        fail(f"Temporal respondió con un error: {exc.message}")
