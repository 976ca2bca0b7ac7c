"""How refusals become HTTP answers: one status per refusal kind, the Spanish message in `detail`."""

from __future__ import annotations

import logging
from typing import Any, cast

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from pydantic_core import ErrorDetails
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException
from temporalio.client import RPCTimeoutOrCancelledError
from temporalio.service import RPCError

from mnd.domain.errors import ActionRefused, RefusalKind
from mnd.domain.messages import spanish_lines
from mnd.services.sales import SaleAlreadyExists, SaleNotFound

log = logging.getLogger(__name__)

STATUS_BY_KIND: dict[RefusalKind, int] = {
    RefusalKind.INVALID_PAYLOAD: 422,
    RefusalKind.WRONG_ROLE: 403,
    RefusalKind.WRONG_STEP: 409,
    RefusalKind.CLOSED: 409,
}
# Starlette's own English details (unknown path, wrong method...), for a Spanish API.
_SPANISH_DEFAULTS = {
    "Not Found": "Recurso no encontrado.",
    "Method Not Allowed": "Método no permitido en esta ruta.",
    "Not authenticated": "Falta el token: envíe el encabezado «Authorization: Bearer mnd_...».",
}
_REQUEST_PARTS = {"body", "query", "path", "header", "cookie"}


class Problem(BaseModel):
    """Una negativa: el motivo en español y, si la dio la venta, su tipo."""

    detail: str
    kind: RefusalKind | None = None


class InvalidRequest(BaseModel):
    """Datos no válidos: una línea «campo: mensaje» por error."""

    detail: list[str]


def request_errors(errors: Any) -> list[str]:
    """FastAPI's request errors as `campo: mensaje` lines, without the `body.` prefix."""
    cleaned = []
    for error in errors:
        loc = tuple(error.get("loc", ()))
        loc = loc[1:] if loc and loc[0] in _REQUEST_PARTS else loc
        if error.get("type") == "json_invalid":
            loc = ()  # the position of a decoding error is no field
        cleaned.append({**error, "loc": loc})
    return spanish_lines(cast(list[ErrorDetails], cleaned))


async def _invalid_request(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return JSONResponse({"detail": request_errors(exc.errors())}, status_code=422)


async def _refused(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ActionRefused)
    body = Problem(detail=exc.message, kind=exc.kind).model_dump(mode="json")
    return JSONResponse(body, status_code=STATUS_BY_KIND[exc.kind])


async def _not_found(_: Request, exc: Exception) -> JSONResponse:
    return JSONResponse({"detail": str(exc)}, status_code=404)


async def _duplicate(_: Request, exc: Exception) -> JSONResponse:
    return JSONResponse({"detail": str(exc)}, status_code=409)


async def _http(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    detail = _SPANISH_DEFAULTS.get(str(exc.detail), exc.detail)
    return JSONResponse({"detail": detail}, status_code=exc.status_code, headers=exc.headers)


async def _temporal_down(_: Request, exc: Exception) -> JSONResponse:
    log.warning("Temporal call failed: %s", exc)
    return JSONResponse(
        {"detail": "El orquestador (Temporal) no respondió; intente de nuevo en unos minutos."},
        status_code=503,
    )


async def _database_down(_: Request, exc: Exception) -> JSONResponse:
    log.warning("Database call failed: %s", exc)
    return JSONResponse(
        {"detail": "La base de datos no respondió; intente de nuevo en unos minutos."},
        status_code=503,
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(ActionRefused, _refused)
    app.add_exception_handler(SaleNotFound, _not_found)
    app.add_exception_handler(SaleAlreadyExists, _duplicate)
    app.add_exception_handler(HTTPException, _http)
    app.add_exception_handler(RPCError, _temporal_down)
    # Not an RPCError: what an Update call raises when its connection was recycled or timed out,
    # once `mnd/temporal_retry.py` has spent its bound. The same outage for the caller.
    app.add_exception_handler(RPCTimeoutOrCancelledError, _temporal_down)
    app.add_exception_handler(SQLAlchemyError, _database_down)


# Documented answers of the routes that act on a sale (the OpenAPI page lists them).
REFUSALS: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "Falta el token o no es válido"},
    403: {"model": Problem, "description": "Su rol no permite la acción, o la venta no es suya"},
    404: {"model": Problem, "description": "La venta no existe"},
    409: {"model": Problem, "description": "La venta no está en el paso de la acción, o ya cerró"},
    422: {
        # Refused by the request's shape: one line per field; by the sale's rules: one message.
        "model": InvalidRequest | Problem,
        "description": "Datos no válidos (mensajes en español)",
    },
}
