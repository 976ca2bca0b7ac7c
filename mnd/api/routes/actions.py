"""One route per staff action, generated from `ACTIONS`: the token's member acts in the role the
action accepts, and the sale's Update answers once the sale has reacted (`ActionResult`), or
refuses with its Spanish reason. An `Idempotency-Key` header makes a retried request the same
Update: applied once, answered with the first answer.

No `from __future__ import annotations` here: FastAPI reads each generated endpoint's body type
from its annotations, which must be the real (per-action) model, not a string.
"""

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, cast

from fastapi import APIRouter, Depends, Header, HTTPException, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from mnd.api.bodies import action_body
from mnd.api.deps import ContextDep, CurrentStaff, SaleIdPath, SaleServiceDep
from mnd.api.errors import REFUSALS
from mnd.api.files import file_refs, resolve_file_refs
from mnd.domain.action_result import ActionResult
from mnd.domain.actions import ACTIONS, ActionInput, roles_es
from mnd.domain.parties import Actor
from mnd.domain.roles import Role
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


IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=200,
        description="Clave del cliente: un reintento con la misma clave se aplica una sola vez "
        "y responde lo mismo que la primera vez",
    ),
]


def _description(spec: type[ActionInput]) -> str:
    when = f"en el paso {step_label(spec.step)}" if spec.step else "en cualquier paso abierto"
    return (
        f"{spec.label_es}: la realiza {roles_es(spec.roles)}, {when}. Responde cuando la venta "
        "ya reaccionó: paso, a quién espera, qué espera, mínimo y vencimiento."
    )


def _add_route(spec: type[ActionInput]) -> None:
    body_model = action_body(spec)
    actor_dependency = _actor_dependency(spec.name)

    async def act(
        sale_id: SaleIdPath,
        body: body_model,  # type: ignore[valid-type]
        actor: Annotated[Actor, Depends(actor_dependency)],
        ctx: ContextDep,
        service: SaleServiceDep,
        idempotency_key: IdempotencyKey = None,
    ) -> Response:
        payload = await _with_uploads(cast(BaseModel, body).model_dump(mode="json"), ctx)
        # Scoped to the member and the action: another member's key never collides.
        update_id = f"{actor.id}:{spec.name}:{idempotency_key}" if idempotency_key else None
        # Forwarded as the workflow's own JSON (response_model documents it).
        answer = await service.act_json(sale_id, spec.name, payload, actor, update_id)
        return Response(answer, media_type="application/json")

    router.add_api_route(
        f"/{{sale_id}}/actions/{spec.name}",
        act,
        methods=["POST"],
        name=spec.name,
        operation_id=f"action_{spec.name}",
        summary=spec.label_es,
        description=_description(spec),
        response_model=ActionResult,
        response_description="La acción registrada y la venta tras ella",
        responses=REFUSALS,
    )


for _spec in ACTIONS.values():
    _add_route(_spec)
