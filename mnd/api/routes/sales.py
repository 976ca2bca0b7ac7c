"""Opening a sale, reading it (whole state from the workflow), listing and its timeline."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel, Field, ValidationError

from mnd.api.bodies import OpenSaleRequest
from mnd.api.deps import (
    ContextDep,
    CurrentStaff,
    SaleIdPath,
    SaleServiceDep,
    SessionDep,
    ensure_visible,
    sees_all_sales,
)
from mnd.api.errors import REFUSALS, Problem
from mnd.auth.staff import Staff
from mnd.db.queries import SaleView, get_sale
from mnd.db.sale_list import SaleListFilter, list_sales
from mnd.domain.messages import spanish_errors
from mnd.domain.parties import Consultant
from mnd.domain.roles import Role
from mnd.domain.sale import OpenSaleInput, SaleState, SaleStatus
from mnd.domain.steps import StepId
from mnd.opening import new_sale_id
from mnd.reports import StepSpan, sale_timeline
from mnd.services.sales import SaleNotFound
from mnd.settings import Settings

router = APIRouter(prefix="/api/sales", tags=["Ventas"])
OPENERS = frozenset({Role.CONSULTANT, Role.SUPERVISOR})


def opening_input(body: OpenSaleRequest, member: Staff, settings: Settings) -> OpenSaleInput:
    """The workflow's input: a consultant opens only in their own name."""
    if not OPENERS & set(member.roles):
        raise HTTPException(403, "Solo un consultor o un supervisor abre ventas.")
    consultant = body.consultant
    if not member.is_supervisor and consultant is not None and consultant.id != member.id:
        raise HTTPException(
            403, f"Un consultor abre ventas solo a su nombre (consultant.id «{member.id}»)."
        )
    try:
        if consultant is None:
            if Role.CONSULTANT not in member.roles:
                raise HTTPException(422, ["consultant: es obligatorio cuando abre un supervisor"])
            consultant = Consultant(id=member.id, name=member.name, email=member.email)
        return OpenSaleInput(
            sale_id=body.sale_id or new_sale_id(),
            consultant=consultant,
            client=body.client,
            plan_id=body.plan_id,
            profile=settings.process_profile(body.profile),
        )
    except ValidationError as exc:
        raise HTTPException(422, spanish_errors(exc)) from exc


@router.post(
    "",
    status_code=201,
    responses={k: v for k, v in REFUSALS.items() if k != 404},
    summary="Abrir una venta",
)
async def open_sale(
    body: OpenSaleRequest, member: CurrentStaff, ctx: ContextDep, service: SaleServiceDep
) -> SaleState:
    """Abre una venta (paso 1); un identificador ya usado se rechaza con 409 y la primera venta no cambia."""
    return await service.open(opening_input(body, member, ctx.settings))


class SaleFilters(BaseModel):
    """Filtros del listado; todos opcionales."""

    step: StepId | None = Field(default=None, description="Paso actual")
    waiting_on: Role | None = Field(default=None, description="Rol por el que espera")
    consultant: str | None = Field(default=None, description="Id del consultor")
    plan: str | None = Field(default=None, description="Id del plan")
    status: SaleStatus | None = Field(
        default=None, description="open, completed, cancelled o terminated"
    )
    q: str | None = Field(default=None, description="Texto en el nombre o documento del cliente")
    limit: int = Field(default=50, ge=1, le=500)
    offset: int = Field(default=0, ge=0)


@router.get("", summary="Listar ventas", responses={401: REFUSALS[401], 422: REFUSALS[422]})
def list_all(
    member: CurrentStaff, session: SessionDep, filters: Annotated[SaleFilters, Query()]
) -> list[SaleView]:
    """Ventas según los registros, con filtros; un consultor ve solo las suyas."""
    consultant = filters.consultant
    if not sees_all_sales(member):
        if consultant not in (None, member.id):
            return []  # another consultant's sales: none of them are visible to this member
        consultant = member.id
    wanted = SaleListFilter(
        step=filters.step.value if filters.step else None,
        waiting_on=filters.waiting_on.value if filters.waiting_on else None,
        consultant_id=consultant,
        plan_id=filters.plan,
        status=filters.status.value if filters.status else None,
        q=filters.q,
        limit=filters.limit,
        offset=filters.offset,
    )
    return list_sales(session, wanted)


@router.get(
    "/{sale_id}",
    summary="Consultar una venta",
    responses={k: v for k, v in REFUSALS.items() if k in (401, 403, 404)},
)
async def read_sale(
    sale_id: SaleIdPath, member: CurrentStaff, service: SaleServiceDep
) -> SaleState:
    """El estado completo de la venta según su flujo: paso, por quién espera, plazos, historial."""
    state = await service.state(sale_id)
    ensure_visible(member, state.consultant.id)
    return state


@router.get(
    "/{sale_id}/timeline",
    summary="Línea de tiempo de una venta",
    responses={403: {"model": Problem}, 404: {"model": Problem}},
)
def timeline(sale_id: SaleIdPath, member: CurrentStaff, session: SessionDep) -> list[StepSpan]:
    """Cada paso de la venta con inicio, fin, duración y quién actuó, según los registros."""
    row = get_sale(session, sale_id)
    if row is None:
        raise SaleNotFound(sale_id)
    ensure_visible(member, row.consultant_id)
    return sale_timeline(session, sale_id)
