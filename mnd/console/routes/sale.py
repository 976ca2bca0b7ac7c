"""The sale page, its action forms, and the documents' preview and download."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import ValidationError

from mnd.api.deps import ContextDep, SaleIdPath, SaleServiceDep, SessionDep
from mnd.api.errors import STATUS_BY_KIND
from mnd.api.files import UploadPurpose, UploadRefused, check_upload, clean_name
from mnd.auth.sign_in import SignedIn
from mnd.console.forms import (
    ActionForm,
    FormField,
    UploadProblem,
    UploadsRefused,
    build_form,
    fields_of,
    place_errors,
    read_form,
    refusal_lines,
)
from mnd.console.sale_page import actions_now, documents, may_see, sent_emails, timeline
from mnd.console.web import Member, NowDep, PageRefused, PostingMember, render, see_other
from mnd.domain.actions import ACTIONS
from mnd.domain.errors import ActionRefused
from mnd.domain.messages import spanish_errors
from mnd.domain.roles import Role
from mnd.domain.sale import SaleState
from mnd.services.sales import SaleNotFound, SaleService, actor_for

router = APIRouter(prefix="/consola", include_in_schema=False)
_OTHER_DONE = {"open_sale": "Abrir venta"}


async def _state(service: SaleService, sale_id: str, member: SignedIn) -> SaleState:
    try:
        state = await service.state(sale_id)
    except SaleNotFound as missing:
        raise PageRefused(404, "Venta no encontrada", str(missing)) from missing
    if not may_see(member.staff, state):
        raise PageRefused(403, "Sin acceso", "Solo puede consultar sus propias ventas.")
    return state


def _page(
    request: Request,
    session: SessionDep,
    state: SaleState,
    member: SignedIn,
    now: datetime,
    status: int = 200,
    failed: ActionForm | None = None,
) -> Response:
    forms = [
        failed if failed is not None and failed.name == cls.name else build_form(cls, state)
        for cls in actions_now(member.staff, state, now)
    ]
    done = request.query_params.get("hecho")
    return render(
        request,
        "sale.html",
        status,
        sale=state,
        steps=timeline(state),
        documents=documents(state),
        emails=sent_emails(session, state.sale_id),
        forms=forms,
        failed=failed,
        done=ACTIONS[done].label_es if done in ACTIONS else _OTHER_DONE.get(done or ""),
        attempt=uuid.uuid4().hex,
        now=now,
    )


@router.get("/ventas/{sale_id}")
async def sale_page(
    request: Request,
    sale_id: SaleIdPath,
    member: Member,
    session: SessionDep,
    service: SaleServiceDep,
    now: NowDep,
) -> Response:
    state = await _state(service, sale_id, member)
    return _page(request, session, state, member, now)


@router.post("/ventas/{sale_id}/acciones/{action}")
async def act(
    request: Request,
    sale_id: SaleIdPath,
    action: str,
    member: PostingMember,
    ctx: ContextDep,
    session: SessionDep,
    service: SaleServiceDep,
    now: NowDep,
) -> Response:
    cls = ACTIONS.get(action)
    if cls is None:
        raise PageRefused(404, "Acción desconocida", f"No existe la acción «{action}».")
    staff = member.staff
    try:
        # A supervisor acts as supervisor when the action allows it (as the API does).
        roles = sorted(staff.roles, key=lambda role: role is not Role.SUPERVISOR)
        actor = actor_for(staff.id, roles, action, staff.name)
    except ActionRefused as refused:
        raise PageRefused(403, "Acción no permitida", refused.message) from refused
    state = await _state(service, sale_id, member)
    form = build_form(cls, state)
    data = await request.form()

    async def store(path: str, upload: Any) -> dict[str, Any]:
        return await _store_upload(ctx, path, upload, staff.id, form)

    try:
        payload = await read_form(form, data, store)
        cls.model_validate({**payload, "actor": actor.model_dump(mode="json")})
    except UploadsRefused as refused:
        place_errors(form, refused.lines())
        return _page(request, session, state, member, now, 422, form)
    except ValidationError as invalid:
        place_errors(
            form, [line for line in spanish_errors(invalid) if not line.startswith("actor")]
        )
        return _page(request, session, state, member, now, 422, form)
    attempt = data.get("intento")
    # The form's attempt id makes a double click (or a resent form) one Update, applied once.
    update_id = f"{staff.id}:{action}:{attempt}" if isinstance(attempt, str) and attempt else None
    try:
        await service.act(sale_id, action, payload, actor, update_id)
    except ActionRefused as refused:
        place_errors(form, refusal_lines(refused.message))
        fresh = await _state(service, sale_id, member)
        return _page(request, session, fresh, member, now, STATUS_BY_KIND[refused.kind], form)
    return see_other(f"/consola/ventas/{sale_id}?hecho={action}#resultado")


async def _store_upload(
    ctx: ContextDep, path: str, upload: Any, staff_id: str, form: ActionForm
) -> dict[str, Any]:
    field = next(f for f in _file_fields(form) if f.path == path)
    purpose = (
        UploadPurpose.PRODUCT_IMAGE if field.accept == "image/jpeg" else UploadPurpose.DOCUMENT
    )
    limit = ctx.settings.max_upload_bytes
    data = await upload.read(limit + 1)
    if len(data) > limit:
        raise UploadProblem(path, f"el archivo supera el tamaño máximo de {limit / 1048576:.1f} MB")
    try:
        content_type = check_upload(data, upload.filename or "", upload.content_type or "", purpose)
    except UploadRefused as refused:
        raise UploadProblem(path, refused.message) from refused
    saved = await run_in_threadpool(
        ctx.files.save, data, clean_name(upload.filename, content_type), content_type, staff_id
    )
    ref: dict[str, Any] = {
        "file_name": saved.file_name,
        "content_type": saved.content_type,
        "storage_ref": f"file:{saved.id}",
    }
    if purpose is UploadPurpose.DOCUMENT:
        ref |= {"sha256": saved.sha256, "size_bytes": saved.size_bytes}
    return ref


def _file_fields(form: ActionForm) -> list[FormField]:
    return [f for f in fields_of(form.items) if f.widget == "file"]


@router.get("/archivos/{file_id}")
async def download(file_id: str, member: Member, ctx: ContextDep, ver: bool = False) -> Response:
    found = await run_in_threadpool(ctx.files.read, file_id, member.staff)
    if found is None:
        raise PageRefused(404, "Archivo no encontrado", "El archivo no existe o fue retirado.")
    view, data = found
    disposition = "inline" if ver else "attachment"
    return Response(
        data,
        media_type=view.content_type,
        headers={
            "Content-Disposition": f"{disposition}; filename*=UTF-8''{_quoted(view.file_name)}",
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, max-age=300",
        },
    )


def _quoted(name: str) -> str:
    return quote(name, safe="")
