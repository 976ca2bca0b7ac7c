"""Liveness of what the API depends on: the records database and Temporal."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text
from temporalio.api.workflowservice.v1 import GetSystemInfoRequest

from mnd.api.context import ApiContext
from mnd.api.deps import ContextDep

router = APIRouter(prefix="/api", tags=["Salud"])
_TIMEOUT = timedelta(seconds=3)


class Health(BaseModel):
    """Estado de cada dependencia: «ok» o el error."""

    database: str
    temporal: str


def _database(ctx: ApiContext) -> str:
    try:
        with ctx.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:  # any failure is the answer, not an error of this route
        return f"error: {type(exc).__name__}"
    return "ok"


async def _temporal(ctx: ApiContext) -> str:
    try:
        # GetSystemInfo is served by the dev server, the cloud and the time-skipping test server
        # alike; the gRPC health service is not.
        await ctx.client.workflow_service.get_system_info(GetSystemInfoRequest(), timeout=_TIMEOUT)
    except Exception as exc:
        return f"error: {type(exc).__name__}"
    return "ok"


@router.get(
    "/health",
    summary="Salud del servicio",
    response_model=Health,
    responses={503: {"model": Health}},
)
async def health(ctx: ContextDep) -> JSONResponse:
    """200 si la base de datos y Temporal responden; 503 indicando cuál falló."""
    database, temporal = await asyncio.gather(run_in_threadpool(_database, ctx), _temporal(ctx))
    body = Health(database=database, temporal=temporal)
    status = 200 if database == temporal == "ok" else 503
    return JSONResponse(body.model_dump(), status_code=status)
