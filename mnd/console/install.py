"""The staff console: server-rendered Spanish pages over the same services as the API.

`install_console(app)` adds its routes, its static files and the handlers that turn a missing
session into the sign-in page and a refusal into a Spanish page.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from mnd.console.routes import inbox, opening, sale, signin, supervisor
from mnd.console.web import PageRefused, SignInRequired, page_refused, sign_in_required

STATIC = Path(__file__).resolve().parent.parent / "static"


def install_console(app: FastAPI) -> None:
    # `opening` before `sale`: /consola/ventas/nueva is not a sale id.
    for module in (signin, inbox, opening, supervisor, sale):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_exception_handler(SignInRequired, sign_in_required)
    app.add_exception_handler(PageRefused, page_refused)
