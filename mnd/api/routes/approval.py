"""The client's approval pages (step 10), reached from the emailed single-use link; no staff token.

A link is checked (signature, expiry, use, delivery round), consumed atomically, and only then
acted on; when the sale refuses the action nothing was recorded, so the link is released. The
Update's id comes from the link's nonce: a decision sent again with the same link (after an
answer was lost) is applied once, and the page shows the decision that was recorded.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from mnd.api.deps import ContextDep, SaleServiceDep
from mnd.api.errors import STATUS_BY_KIND
from mnd.auth.approval import LinkRefused, LinkView, UsedLink
from mnd.domain.clock import spanish_datetime
from mnd.domain.errors import ActionRefused
from mnd.domain.parties import Actor
from mnd.domain.roles import Role
from mnd.domain.sale import SaleState
from mnd.domain.steps import StepId
from mnd.services.sales import SaleNotFound, SaleService

router = APIRouter(prefix="/aprobacion", include_in_schema=False)
_LINK_STATUS = {"invalid": 404, "expired": 410, "used": 409}


class PageRefusal(Exception):
    """Ends a page request with a Spanish message page."""

    def __init__(
        self,
        status: int,
        message: str,
        state: SaleState | None = None,
        used: UsedLink | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.message, self.state, self.used = status, message, state, used


def _page(request: Request, ctx: ContextDep, name: str, status: int, **data: Any) -> HTMLResponse:
    return ctx.pages.TemplateResponse(request, name, data, status_code=status)


def _message(
    request: Request,
    ctx: ContextDep,
    status: int,
    title: str,
    message: str,
    state: SaleState | None,
    tone: str | None = None,
) -> HTMLResponse:
    """A message page; `tone` (ok, info, error) follows the status unless given."""
    delivery = state.delivery if state else None
    return _page(
        request,
        ctx,
        "message.html",
        status,
        title=title,
        message=message,
        tone=tone or ("ok" if status < 400 else "error"),
        product_url=delivery.product_url if delivery else None,
        consultant_name=state.consultant.name if state else None,
        consultant_email=state.consultant.email if state else None,
    )


async def _decided(
    request: Request, ctx: ContextDep, service: SaleService, used: UsedLink
) -> HTMLResponse:
    """A used link (a refresh after deciding, or the email opened again): what and when."""
    try:
        state: SaleState | None = await service.state(used.sale_id)
    except SaleNotFound:
        state = None
    what = _DECIDED.get(used.outcome or "", "Su respuesta quedó registrada")
    message = f"{what} el {spanish_datetime(used.used_at)}. Este enlace ya fue usado."
    return _message(request, ctx, 200, "Su decisión quedó registrada", message, state, "ok")


async def _open_link(
    ctx: ContextDep, service: SaleService, token: str
) -> tuple[LinkView, SaleState]:
    try:
        link = await run_in_threadpool(ctx.links.check, token)
    except LinkRefused as refused:
        status = _LINK_STATUS.get(refused.reason, 400)
        raise PageRefusal(status, str(refused), used=refused.used) from refused
    try:
        state = await service.state(link.sale_id)
    except SaleNotFound as exc:
        raise PageRefusal(404, "El enlace de aprobación no es válido.") from exc
    if link.delivery_round != state.delivery_round:
        raise PageRefusal(
            410,
            "Este enlace corresponde a una entrega anterior; use el del correo más reciente.",
            state,
        )
    return link, state


@router.get("/{token}", response_class=HTMLResponse, name="approval_page")
async def approval_page(
    request: Request, token: str, ctx: ContextDep, service: SaleServiceDep
) -> HTMLResponse:
    """Página del cliente: ver su producto y aprobarlo o pedir correcciones."""
    try:
        _, state = await _open_link(ctx, service, token)
    except PageRefusal as refusal:
        if refusal.used is not None:
            return await _decided(request, ctx, service, refusal.used)
        return _message(
            request, ctx, refusal.status, "Enlace no disponible", refusal.message, refusal.state
        )
    if state.step is not StepId.CLIENT_APPROVAL or state.delivery is None:
        # Not an error: the approval was recorded another way (by Producción, say).
        message = "Esta entrega ya no espera su aprobación. Gracias."
        return _message(request, ctx, 200, "Nada pendiente", message, state, "info")
    return _approval_form(request, ctx, token, state, status=200)


def _approval_form(
    request: Request, ctx: ContextDep, token: str, state: SaleState, status: int, error: str = ""
) -> HTMLResponse:
    plan = state.catalog.plan(state.plan_id)
    return _page(
        request,
        ctx,
        "approval.html",
        status,
        sale_id=state.sale_id,
        contact_name=state.client.contact_name,
        plan_name=plan.name if plan else state.plan_id,
        product_url=state.delivery.product_url if state.delivery else "",
        approve_url=request.app.url_path_for("approve", token=token),
        corrections_url=request.app.url_path_for("request_corrections", token=token),
        error=error,
    )


async def _decide(
    request: Request,
    ctx: ContextDep,
    service: SaleService,
    token: str,
    action: str,
    payload: dict[str, Any],
) -> Response:
    try:
        link, state = await _open_link(ctx, service, token)
    except PageRefusal as refusal:
        if refusal.used is not None:
            return _see_result(request, token)  # the form sent again: show what was decided
        return _message(
            request, ctx, refusal.status, "Enlace no disponible", refusal.message, refusal.state
        )
    # Consumed before acting, atomically: two clicks (or two tabs) cannot both decide; the
    # second one is shown what the first decided.
    if not await run_in_threadpool(ctx.links.consume, link.nonce, action):
        return _see_result(request, token)
    client = state.client
    actor = Actor(
        id=f"cliente:{client.document_number}", role=Role.CLIENT, name=client.contact_name
    )
    try:
        answer = await service.act(
            link.sale_id, action, payload, actor, update_id=f"approval:{link.nonce}"
        )
    except ActionRefused as refused:
        await run_in_threadpool(ctx.links.release, link.nonce)
        return _message(
            request, ctx, STATUS_BY_KIND[refused.kind], "No se registró", refused.message, state
        )
    except BaseException:
        # Temporal unreachable for longer than the service retries: the client may try again,
        # and the same nonce makes that retry the same Update, applied once.
        await run_in_threadpool(ctx.links.release, link.nonce)
        raise
    del answer  # recorded; the page after the redirect reads the decision from the link
    return _see_result(request, token)


def _see_result(request: Request, token: str) -> Response:
    """Post/redirect/get: the result is a GET page, so a refresh never sends the form again."""
    url = request.app.url_path_for("approval_page", token=token)
    return RedirectResponse(url, status_code=303)


_DECIDED = {
    "approve_product": "Usted aprobó su producto; pronto lo llamaremos para activarlo. Lo registramos",
    "request_corrections": (
        "Usted solicitó correcciones; le enviaremos una nueva entrega para aprobar. Lo registramos"
    ),
}


@router.post("/{token}/aprobar", response_class=HTMLResponse, name="approve")
async def approve(
    request: Request,
    token: str,
    ctx: ContextDep,
    service: SaleServiceDep,
    comment: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """El cliente aprueba su producto."""
    payload = {"comment": comment.strip() or None}
    return await _decide(request, ctx, service, token, "approve_product", payload)


@router.post("/{token}/correcciones", response_class=HTMLResponse, name="request_corrections")
async def request_corrections(
    request: Request,
    token: str,
    ctx: ContextDep,
    service: SaleServiceDep,
    comments: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    """El cliente pide correcciones, con sus comentarios (obligatorios)."""
    if not comments.strip():
        try:
            _, state = await _open_link(ctx, service, token)
        except PageRefusal as refusal:
            return _message(
                request, ctx, refusal.status, "Enlace no disponible", refusal.message, refusal.state
            )
        error = "Escriba las correcciones que necesita."
        return _approval_form(request, ctx, token, state, status=422, error=error)
    return await _decide(
        request, ctx, service, token, "request_corrections", {"comments": comments.strip()}
    )
