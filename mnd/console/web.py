"""The console's plumbing: its templates, the signed-in member, CSRF, and refusals as pages.

A page request without a live session is sent to sign-in (and back afterwards); every POST
carries the session's CSRF token in a hidden field, compared in constant time. Refusals are
Spanish pages with the right status (403 wrong role, 404 unknown sale, ...), never JSON.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from mnd.api.deps import ContextDep
from mnd.auth.sign_in import SignedIn
from mnd.domain.clock import colombian_time, spanish_date, spanish_datetime
from mnd.labels import plan_text, role_text, roles_text, status_text, step_text

SESSION_COOKIE = "mnd_sesion"
SIGN_IN_COOKIE = "mnd_entrada"  # the sign-in form's CSRF token (double submit: no session yet)
TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "console"


def _when(value: datetime | None) -> str:
    return colombian_time(value).removesuffix(" (hora Colombia)") if value else "—"


pages = Jinja2Templates(directory=TEMPLATES)
pages.env.filters.update(
    when=_when,
    when_long=lambda v: spanish_datetime(v) if v else "—",
    day=lambda v: spanish_date(v) if v else "—",
    step=step_text,
    role=role_text,
    roles=roles_text,
    plan=plan_text,
    status=status_text,
)


class SignInRequired(Exception):
    """No live session: the page answers with a redirect to sign-in."""

    def __init__(self, back_to: str) -> None:
        super().__init__(back_to)
        self.back_to = back_to


class PageRefused(Exception):
    """A refusal shown as a Spanish page with its HTTP status."""

    def __init__(self, status: int, title: str, message: str) -> None:
        super().__init__(message)
        self.status, self.title, self.message = status, title, message


def secure_cookies(ctx: ContextDep) -> bool:
    # Outside development the console is served over HTTPS (behind the company's proxy).
    return ctx.settings.environment != "development"


async def console_now() -> datetime:
    return datetime.now(UTC)


NowDep = Annotated[datetime, Depends(console_now)]


def signed_in(request: Request, ctx: ContextDep, now: NowDep) -> SignedIn:
    token = request.cookies.get(SESSION_COOKIE)
    live = ctx.console.session(token, now) if token else None
    if live is None:
        back = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise SignInRequired(back)
    request.state.member = live
    return live


Member = Annotated[SignedIn, Depends(signed_in)]


async def checked_csrf(request: Request, member: Member) -> SignedIn:
    """The member, once the form's CSRF token matches the session's."""
    form = await request.form()  # Starlette caches it: the route reads the same form
    sent = form.get("csrf_token")
    if not isinstance(sent, str) or not secrets.compare_digest(sent, member.csrf_token):
        raise PageRefused(
            403,
            "Formulario vencido",
            "El formulario no trae su código de seguridad o ya no es válido. Vuelva a abrir "
            "la página e inténtelo de nuevo.",
        )
    return member


PostingMember = Annotated[SignedIn, Depends(checked_csrf)]


def render(request: Request, name: str, status: int = 200, **data: Any) -> HTMLResponse:
    member: SignedIn | None = getattr(request.state, "member", None)
    return pages.TemplateResponse(
        request, name, {"member": member, "path": request.url.path, **data}, status_code=status
    )


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


async def sign_in_required(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SignInRequired)
    return see_other(f"/consola/entrar?siguiente={quote(exc.back_to, safe='/')}")


async def page_refused(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PageRefused)
    return render(request, "error.html", exc.status, title=exc.title, message=exc.message)
