"""Sign-in and sign-out of the console."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from mnd.api.deps import ContextDep
from mnd.auth.sign_in import SignInRefused
from mnd.console.web import (
    SESSION_COOKIE,
    SIGN_IN_COOKIE,
    NowDep,
    PostingMember,
    render,
    secure_cookies,
    see_other,
)

router = APIRouter(prefix="/consola", include_in_schema=False)


def _safe_next(target: str | None) -> str:
    # Only a console path: never an absolute URL (an open redirect after sign-in).
    if target and target.startswith("/consola") and not target.startswith("//"):
        return target
    return "/consola"


def _form(request: Request, ctx: ContextDep, status: int = 200, **data: object) -> Response:
    token = secrets.token_urlsafe(32)
    response = render(request, "signin.html", status, csrf_token=token, **data)
    response.set_cookie(
        SIGN_IN_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=secure_cookies(ctx),
        path="/consola/entrar",
    )
    return response


@router.get("/entrar")
def sign_in_page(request: Request, ctx: ContextDep, siguiente: str | None = None) -> Response:
    return _form(request, ctx, siguiente=_safe_next(siguiente))


@router.post("/entrar")
async def sign_in(
    request: Request,
    ctx: ContextDep,
    now: NowDep,
    usuario: Annotated[str, Form()] = "",
    clave: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
    siguiente: Annotated[str, Form()] = "",
) -> Response:
    back = _safe_next(siguiente)
    cookie = request.cookies.get(SIGN_IN_COOKIE, "")
    if not cookie or not secrets.compare_digest(cookie, csrf_token):
        return _form(
            request,
            ctx,
            403,
            siguiente=back,
            usuario=usuario,
            error="El formulario venció. Escriba de nuevo su usuario y contraseña.",
        )
    try:
        live = await run_in_threadpool(ctx.console.sign_in, usuario, clave, now)
    except SignInRefused as refused:
        return _form(request, ctx, 401, siguiente=back, usuario=usuario, error=str(refused))
    response = see_other(back)
    response.set_cookie(
        SESSION_COOKIE,
        live.token,
        httponly=True,
        samesite="lax",  # a link from an email must arrive signed in
        secure=secure_cookies(ctx),
        path="/",
        max_age=ctx.settings.console_session_max_hours * 3600,
    )
    response.delete_cookie(SIGN_IN_COOKIE, path="/consola/entrar")
    return response


@router.post("/salir")
async def sign_out(member: PostingMember, ctx: ContextDep, now: NowDep) -> Response:
    await run_in_threadpool(ctx.console.sign_out, member.token, now)
    response = see_other("/consola/entrar?salida=1")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
