"""One route per staff action, generated from `ACTIONS`: the token's member acts in the role the
action accepts, and the sale's Update answers (new state, or a refusal with its Spanish reason).

No `from __future__ import annotations` here: FastAPI reads each generated endpoint's body type
from its annotations, which must be the real (per-action) model, not a string.
"""

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, cast

from fastapi import APIRouter, Depends, HTTPException, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from mnd.api.bodies import action_body
from mnd.api.deps import ContextDep, CurrentStaff, SaleIdPath, SaleServiceDep
from mnd.api.errors import REFUSALS
from mnd.api.files import file_refs, resolve_file_refs
from mnd.domain.actions import ACTIONS, ActionSpec
from mnd.domain.parties import Actor
from mnd.domain.roles import ROLE_NAMES_ES, Role
from mnd.domain.sale import SaleState
from mnd.domain.steps import step_label
from mnd.services.sales import actor_for

router = APIRouter(prefix="/api/sales", tags=["Acciones"])


def _actor_dependency(action: str) -> Callable[[CurrentStaff], Awaitable[Actor]]:
    async def actor(member: CurrentStaff) -> Actor:
        # Resolved before the body is validated: a wrong role is a 403 whatever the payload.
        # A supervisor acts as supervisor when the action allows it (cancelling another
        # consultant's sale), not as the consultant the workflow would then refuse.
        roles = sorted(member.roles, key=lambda role: role is not Role.SUPERVISOR)
        return actor_for(member.id, roles, action, member.name)

    return actor


async def _with_uploads(payload: dict[str, Any], ctx: ContextDep) -> dict[str, Any]:
    """Fills `file:<id>` references from the uploads; an unknown id is a 422."""
    ids = file_refs(payload)
    if not ids:
        return payload
    found = await run_in_threadpool(ctx.files.get_many, ids)
    errors = resolve_file_refs(payload, found)
    if errors:
        raise HTTPException(422, errors)
    return payload


def _description(spec: ActionSpec) -> str:
    roles = ", ".join(sorted(ROLE_NAMES_ES[role] for role in spec.roles))
    when = f"en el paso {step_label(spec.step)}" if spec.step else "en cualquier paso abierto"
    return f"{spec.label_es}: la realiza {roles}, {when}. Responde el nuevo estado de la venta."


def _add_route(spec: ActionSpec) -> None:
    body_model = action_body(spec)
    actor_dependency = _actor_dependency(spec.name)

    async def act(
        sale_id: SaleIdPath,
        body: body_model,  # type: ignore[valid-type]
        actor: Annotated[Actor, Depends(actor_dependency)],
        ctx: ContextDep,
        service: SaleServiceDep,
    ) -> Response:
        payload = await _with_uploads(cast(BaseModel, body).model_dump(mode="json"), ctx)
        # The state is forwarded as the workflow's own JSON (response_model documents it).
        state = await service.act_json(sale_id, spec.name, payload, actor)
        return Response(state, media_type="application/json")

    router.add_api_route(
        f"/{{sale_id}}/actions/{spec.name}",
        act,
        methods=["POST"],
        name=spec.name,
        operation_id=f"action_{spec.name}",
        summary=spec.label_es,
        description=_description(spec),
        response_model=SaleState,
        response_description="El nuevo estado de la venta",
        responses=REFUSALS,
    )


for _spec in ACTIONS.values():
    _add_route(_spec)
