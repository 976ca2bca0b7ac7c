"""What a browser downloads the first time it opens the console's inbox, and from where.

Starts nothing but a browser (Debian's Chromium; `MND_CHROMIUM` names another): point it at a
console that runs (`make run` serves one on :8000) and a member who may sign in. It signs in
through the form, then loads the inbox in a fresh context that has only the session cookie (an
empty cache, as on a first visit), and reports each response's body size (HTML, CSS, JS,
favicon) and the origins the page asked.

    .venv/bin/python -m benchmarks.console_first_load http://127.0.0.1:8000 laura.gomez
    (the password from MND_CONSOLE_PASSWORD, or asked)
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from playwright.async_api import Browser, Response, async_playwright
from playwright.async_api import Error as PlaywrightError

INBOX = "/consola/bandeja"


@dataclass(frozen=True)
class Resource:
    url: str
    content_type: str
    size: int  # the response body, in bytes


@dataclass(frozen=True)
class FirstLoad:
    resources: list[Resource]
    origins: list[str]  # every origin a request went to, in order of first use

    @property
    def total(self) -> int:
        return sum(resource.size for resource in self.resources)

    def report(self) -> str:
        lines = [
            f"Primera carga de {INBOX}: {self.total} bytes en {len(self.resources)} respuestas"
        ]
        lines += [
            f"  {r.size:>7}  {r.content_type or '?':<28} {urlsplit(r.url).path}"
            for r in self.resources
        ]
        lines.append("Orígenes: " + ", ".join(self.origins))
        return "\n".join(lines)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.netloc else parts.scheme + ":"


async def first_load(browser: Browser, base_url: str, user: str, password: str) -> FirstLoad:
    """Signs `user` in, then loads the inbox once with an empty cache and measures it."""
    base_url = base_url.rstrip("/")
    signing = await browser.new_context(base_url=base_url)
    try:
        page = await signing.new_page()
        await page.goto("/consola/entrar")
        await page.get_by_label("Usuario o correo").fill(user)
        await page.get_by_label("Contraseña").fill(password)
        await page.get_by_role("button", name="Entrar").click()
        await page.wait_for_url(f"{base_url}{INBOX}")
        state = await signing.storage_state()
    finally:
        await signing.close()
    fresh = await browser.new_context(base_url=base_url, storage_state=state)
    try:
        origins: list[str] = []
        responses: list[Response] = []
        fresh.on("request", lambda r: origins.append(_origin(r.url)))
        fresh.on("response", lambda r: responses.append(r))
        page = await fresh.new_page()
        await page.goto(INBOX, wait_until="networkidle")
        resources = [
            Resource(r.url, r.headers.get("content-type", ""), len(await r.body()))
            for r in responses
        ]
    finally:
        await fresh.close()
    return FirstLoad(resources, list(dict.fromkeys(origins)))


def chromium() -> str:
    found = os.environ.get("MND_CHROMIUM") or shutil.which("chromium")
    if not found or not Path(found).is_file():
        sys.exit("Chromium no encontrado: apt-get install -y chromium (o MND_CHROMIUM=<ruta>)")
    return found


async def _run(executable: str, url: str, user: str, password: str) -> FirstLoad:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=executable)
        try:
            return await first_load(browser, url, user, password)
        finally:
            await browser.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("url", help="la consola en marcha, p. ej. http://127.0.0.1:8000")
    parser.add_argument("user", help="usuario o correo de un miembro del equipo")
    args = parser.parse_args(argv)
    executable = chromium()
    password = os.environ.get("MND_CONSOLE_PASSWORD") or getpass.getpass("Contraseña: ")
    try:
        loaded = asyncio.run(_run(executable, args.url, args.user, password))
    except PlaywrightError as failed:
        print(f"No se pudo medir la primera carga: {failed.message.splitlines()[0]}")
        return 1
    print(loaded.report())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
