"""Route dependencies: the running context, a read session, the signed-in member, the services."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Annotated, cast

from fastapi import Depends, HTTPException, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from mnd.api.context import ApiContext
from mnd.auth.staff import Staff
from mnd.db.engine import read_session
from mnd.domain.roles import Role
from mnd.domain.sale import SALE_ID_PATTERN
from mnd.services.sales import SaleNotFound, SaleService


# Dependencies without I/O are `async def`: a plain `def` would cost a thread-pool hop each.
async def get_context(request: Request) -> ApiContext:
    return cast(ApiContext, request.app.state.context)


ContextDep = Annotated[ApiContext, Depends(get_context)]


def get_session(ctx: ContextDep) -> Iterator[Session]:
    # Read-only: the routes only query; writes go through components that own a transaction.
    with read_session(ctx.sessions) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]

_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="TokenPersonal",
    description="Token personal del equipo: `Authorization: Bearer mnd_...` (lo crea `mnd staff`).",
)
_CHALLENGE = {"WWW-Authenticate": "Bearer"}


def current_staff(
    ctx: ContextDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Staff:
    if credentials is None:
        raise HTTPException(
            401, "Falta el token: envíe el encabezado «Authorization: Bearer mnd_...».", _CHALLENGE
        )
    member = ctx.staff.authenticate(credentials.credentials)
    if member is None:
        raise HTTPException(401, "Token no válido, revocado o de un miembro inactivo.", _CHALLENGE)
    return member


CurrentStaff = Annotated[Staff, Depends(current_staff)]


async def sale_service(ctx: ContextDep) -> SaleService:
    return SaleService(ctx.client, ctx.settings.task_queue)


SaleServiceDep = Annotated[SaleService, Depends(sale_service)]


async def now() -> datetime:
    """The API's clock; tests on the time-skipping server override it with the server's time."""
    return datetime.now(UTC)


ClockDep = Annotated[datetime, Depends(now)]


async def sale_id_path(
    sale_id: Annotated[str, Path(description="Identificador de la venta, p. ej. MND-2026-000123")],
) -> str:
    # An id that cannot exist never reaches Temporal (it would only fail there, less clearly).
    if not SALE_ID_PATTERN.match(sale_id):
        raise SaleNotFound(sale_id)
    return sale_id


SaleIdPath = Annotated[str, Depends(sale_id_path)]


def sees_all_sales(member: Staff) -> bool:
    """A member who is only a consultant sees their own sales; supervisors and the areas see all."""
    return member.is_supervisor or any(role is not Role.CONSULTANT for role in member.roles)


def ensure_visible(member: Staff, consultant_id: str) -> None:
    if not sees_all_sales(member) and consultant_id != member.id:
        raise HTTPException(403, "Solo puede consultar sus propias ventas.")
