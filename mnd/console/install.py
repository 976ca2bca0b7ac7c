"""Mounts the console on the API's app: its routes, its static files, and its refusals as pages.

The API answers errors as JSON; under `/consola` the same errors (an unknown sale, Temporal or
the database not answering, a bad query parameter) are Spanish pages a person can read.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import cast

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException
from temporalio.client import RPCTimeoutOrCancelledError
from temporalio.service import RPCError

from mnd.console.routes import inbox, opening, sale, signin, supervisor
from mnd.console.web import PageRefused, SignInRequired, page_refused, sign_in_required
from mnd.domain.messages import spanish_lines
from mnd.services.sales import SaleNotFound

STATIC = Path(__file__).resolve().parent.parent / "static"
Handler = Callable[[Request, Exception], Awaitable[Response]]
_TEMPORAL_DOWN = "El orquestador (Temporal) no respondió; intente de nuevo en unos minutos."
_DATABASE_DOWN = "La base de datos no respondió; intente de nuevo en unos minutos."


def install_console(app: FastAPI) -> None:
    # `opening` before `sale`: /consola/ventas/nueva is not a sale id.
    for module in (signin, inbox, opening, supervisor, sale):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_exception_handler(SignInRequired, sign_in_required)
    app.add_exception_handler(PageRefused, page_refused)
    for error, as_page in _AS_PAGES.items():
        # The API's own handlers are all coroutines (mnd/api/errors.py).
        api_handler = cast(Handler | None, app.exception_handlers.get(error))
        app.add_exception_handler(error, _for_the_console(as_page, api_handler))


def _for_the_console(as_page: Callable[[Exception], PageRefused], api: Handler | None) -> Handler:
    async def handler(request: Request, exc: Exception) -> Response:
        if request.url.path.startswith("/consola") or api is None:
            return await page_refused(request, as_page(exc))
        return await api(request, exc)

    return handler


def _http(exc: Exception) -> PageRefused:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    if status == 404:
        return PageRefused(404, "Página no encontrada", "La dirección no existe en la consola.")
    detail = exc.detail if isinstance(exc, HTTPException) else ""
    return PageRefused(status, "No se pudo atender", str(detail))


def _invalid(exc: Exception) -> PageRefused:
    lines = spanish_lines(exc.errors()) if isinstance(exc, RequestValidationError) else []
    return PageRefused(422, "Datos no válidos", "; ".join(lines))


_AS_PAGES: dict[type[Exception], Callable[[Exception], PageRefused]] = {
    SaleNotFound: lambda exc: PageRefused(404, "Venta no encontrada", str(exc)),
    RPCError: lambda _: PageRefused(503, "Servicio no disponible", _TEMPORAL_DOWN),
    RPCTimeoutOrCancelledError: lambda _: PageRefused(
        503, "Servicio no disponible", _TEMPORAL_DOWN
    ),
    SQLAlchemyError: lambda _: PageRefused(503, "Servicio no disponible", _DATABASE_DOWN),
    RequestValidationError: _invalid,
    HTTPException: _http,
}
