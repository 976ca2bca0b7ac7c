"""`mnd dev` as a newcomer runs it: the whole stack, demo staff tokens, a sale opened with one,
and that sale terminated from the dev UI leaving the inboxes by itself."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
import time
import urllib.request
from pathlib import Path

import httpx
import pytest
from temporalio.client import Client

from tests.cli.helpers import amnd, eventually
from tests.e2e.processes import ManagedProcess
from tests.tcp_proxy import free_port

pytestmark = pytest.mark.devserver


async def wait_for_text(process: ManagedProcess, text: str, timeout: float = 90) -> str:
    deadline = time.monotonic() + timeout
    while text not in (output := process.log_text()):
        if not process.alive or time.monotonic() > deadline:
            raise AssertionError(f"«{text}» never printed:\n{process.log_tail()}")
        await asyncio.sleep(0.2)
    return output


async def test_dev_stack_prints_tokens_that_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ports = {name: free_port() for name in ("MND_DEV_SERVER_PORT", "MND_UI_PORT", "MND_API_PORT")}
    env = {**os.environ, "MND_DATA_DIR": str(tmp_path), **{k: str(v) for k, v in ports.items()}}
    # The stack's reconciliation sweep, every 0.2 s here instead of 5 min.
    env["MND_RECONCILE_EVERY_SECONDS"] = "0.2"
    env.pop("MND_TOKEN", None)
    argv = [sys.executable, "-m", "mnd.cli.main", "dev", "--no-demo", "--in-memory"]
    stack = ManagedProcess("mnd dev", argv, tmp_path / "dev.log", env=env)
    stack.start()
    try:
        output = await wait_for_text(stack, "Ctrl-C para detener")
        assert f"UI: http://localhost:{ports['MND_UI_PORT']}/namespaces/default" in output
        docs = f"http://localhost:{ports['MND_API_PORT']}/docs"
        assert docs in output
        with urllib.request.urlopen(docs, timeout=10) as response:  # noqa: S310 (localhost)
            assert response.status == 200
        found = re.search(r"Consultor \(cons-0042\): (mnd_\S+)", output)
        assert found is not None, output
        for role in ("Aprovisionamiento", "Soporte Comercial", "Producción MND", "Aliado"):
            assert re.search(rf"{role} \([\w.]+\): mnd_\S+", output), role

        # The console: its URL and one account per role, whose password signs in.
        console = f"http://localhost:{ports['MND_API_PORT']}/consola"
        assert f"Consola del equipo: {console}" in output
        account = re.search(r"Soporte Comercial: usuario (\S+) · contraseña (\S+)", output)
        assert account is not None, output
        async with httpx.AsyncClient(base_url=console) as http:
            page = await http.get("/entrar")
            token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
            assert token is not None
            form = {"usuario": account[1], "clave": account[2], "csrf_token": token[1]}
            assert (await http.post("/entrar", data=form)).status_code == 303
            inbox = await http.get("/bandeja")
            assert inbox.status_code == 200 and "Soporte Comercial" in inbox.text

        monkeypatch.setenv("MND_DATA_DIR", str(tmp_path))
        monkeypatch.setenv("TEMPORAL_ADDRESS", f"localhost:{ports['MND_DEV_SERVER_PORT']}")
        opened = await amnd("sale", "open", "--demo", "--profile", "fast", "--token", found[1])
        assert opened.exit_code == 0, opened.stderr
        assert "espera a: Consultor" in opened.stdout
        sale_id = re.search(r"Venta (\S+) abierta", opened.stdout)
        assert sale_id is not None, opened.stdout

        # Terminated from the dev UI (write actions on): the stack's own sweep closes its
        # records, so it leaves the consultant's inbox with nobody running a command.
        own_inbox = ["inbox", "--token", found[1]]
        await eventually(own_inbox, lambda r: sale_id[1] in r.stdout)
        server = await Client.connect(f"localhost:{ports['MND_DEV_SERVER_PORT']}")
        await server.get_workflow_handle(f"sale-{sale_id[1]}").terminate("desde la UI")
        terminated = ["sale", "list", "--status", "terminated", "--token", found[1]]
        await eventually(terminated, lambda r: sale_id[1] in r.stdout)
        assert sale_id[1] not in (await amnd(*own_inbox)).stdout

        stack.kill(signal.SIGINT, wait=30)
        assert stack.proc is not None and stack.proc.returncode == 0, stack.log_tail()
        assert "Stack detenido." in stack.log_text()
    finally:
        stack.kill()
