"""How the CLI tests run `mnd`, and the moves they make on a sale."""

from __future__ import annotations

import asyncio
import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass

from typer.testing import CliRunner, Result

from mnd.cli.main import app
from tests.support import HANG_GUARD, Stack

TOKEN = re.compile(r"mnd_[A-Za-z0-9_-]+")


def mnd(*args: str, stdin: str | None = None) -> Result:
    """Runs `mnd ARGS` in this thread; an unexpected exception fails the test with its traceback."""
    result = CliRunner().invoke(app, list(args), input=stdin)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def sh(line: str) -> Result:
    """`mnd` with the arguments of a shell line: `sh("staff add x --role ally")`."""
    return mnd(*shlex.split(line))


async def amnd(*args: str, stdin: str | None = None) -> Result:
    """`mnd` from a thread: its commands call asyncio.run, while this loop hosts the worker."""
    return await asyncio.to_thread(mnd, *args, stdin=stdin)


def add_member(staff_id: str, *roles: str, name: str | None = None) -> str:
    """`mnd staff add` with the given roles; returns the printed token."""
    args = ["staff", "add", staff_id, "--name", name or f"Persona {staff_id}"]
    args += ["--email", f"{staff_id}@claro.com.co"]
    result = mnd(*args, *(arg for role in roles for arg in ("--role", role)))
    assert result.exit_code == 0, result.stderr
    found = TOKEN.search(result.stdout)
    assert found, result.stdout
    return found.group(0)


@dataclass
class Team:
    """The stack the CLI talks to and one token per member of the sale's team."""

    stack: Stack
    consultant: str  # the demo sale's consultant once it opens as this member
    other_consultant: str
    data_mining: str
    provisioning: str
    commercial_support: str
    production: str
    ally: str
    supervisor: str


async def open_demo(token: str, sale_id: str) -> Result:
    result = await amnd(
        "sale", "open", "--demo", "--profile", "fast", "--sale-id", sale_id, "--token", token
    )
    assert result.exit_code == 0, result.stderr
    return result


async def eventually(
    args: list[str], ready: Callable[[Result], bool], timeout: float = HANG_GUARD
) -> Result:
    """Runs `mnd ARGS` until `ready(result)`: the records projection follows the sale shortly."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = await amnd(*args)
        if ready(result):
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"mnd {' '.join(args)}:\n{result.stdout}{result.stderr}")
        await asyncio.sleep(0.2)
