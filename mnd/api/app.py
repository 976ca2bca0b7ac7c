"""The staff API and the client's approval pages: `create_app()` builds a FastAPI app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline
from temporalio.client import Client

from mnd.api.context import api_context
from mnd.api.errors import install_error_handlers
from mnd.api.routes import actions, approval, files, health, inbox, sales
from mnd.console.install import install_console
from mnd.settings import Settings, get_settings

DESCRIPTION = """
API del equipo para la venta **Mi Negocio Digital**: abrir ventas, consultarlas, actuar sobre
ellas (cada acción es una ruta), la bandeja de cada rol, reportes y carga de archivos.

Autenticación: token personal en el encabezado `Authorization: Bearer mnd_...`.
Las negativas responden con el motivo en español en `detail`: 401 sin token, 403 rol no
permitido, 404 venta inexistente, 409 paso equivocado o venta cerrada, 422 datos no válidos.
"""


def create_app(settings: Settings | None = None, client: Client | None = None) -> FastAPI:
    """The app; its lifespan connects Temporal (unless `client` is given) and the database."""
    config = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with api_context(config, client) as context:
            app.state.context = context
            yield

    # Swagger UI and ReDoc from the package, not a CDN: /docs works on a closed company network.
    app = FastAPIOffline(
        title="Mi Negocio Digital — API del equipo",
        version="1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    install_error_handlers(app)
    for module in (sales, actions, inbox, files, health, approval):
        app.include_router(module.router)
    install_console(app)
    return app
