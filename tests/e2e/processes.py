"""Real processes for the crash tests: the `temporal` dev server and `worker.py`, each in its own
process group, started, killed (SIGKILL) and restarted by the test, and never left behind.

Every process is started through a tiny launcher that sets PR_SET_PDEATHSIG (Linux) before it
execs the real program: if the test process itself dies hard (SIGKILL, a CI timeout), the kernel
kills the children too. The normal path is `ProcessSet.close()` from a fixture finalizer, which
kills each whole process group.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping
from datetime import timedelta
from pathlib import Path
from typing import IO

from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import ListSearchAttributesRequest
from temporalio.client import Client
from temporalio.common import SearchAttributeKey
from temporalio.contrib.pydantic import pydantic_data_converter

from tests.support import HANG_GUARD

PROJECT_ROOT = Path(__file__).resolve().parents[2]

# Sets "kill me when my parent dies" and execs argv[1:]; stays a no-op where prctl is missing.
_LAUNCHER = (
    "import ctypes, os, sys\n"
    "try:\n"
    "    ctypes.CDLL(None, use_errno=True).prctl(1, 9)  # PR_SET_PDEATHSIG, SIGKILL\n"
    "except (AttributeError, OSError):\n"
    "    pass\n"
    "os.execvp(sys.argv[1], sys.argv[1:])\n"
)

# The CLI's `--search-attribute Name=Type` spelling of each indexed value type.
_CLI_TYPES = {
    IndexedValueType.INDEXED_VALUE_TYPE_TEXT: "Text",
    IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD: "Keyword",
    IndexedValueType.INDEXED_VALUE_TYPE_INT: "Int",
    IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE: "Double",
    IndexedValueType.INDEXED_VALUE_TYPE_BOOL: "Bool",
    IndexedValueType.INDEXED_VALUE_TYPE_DATETIME: "Datetime",
    IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST: "KeywordList",
}


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now (the OS's choice)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def port_open(host: str, port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex((host, port)) == 0


async def wait_for_port(host: str, port: int, timeout: float = HANG_GUARD) -> None:
    """Returns once something accepts TCP connections on host:port; TimeoutError otherwise."""
    deadline = time.monotonic() + timeout
    while not port_open(host, port):
        if time.monotonic() > deadline:
            raise TimeoutError(f"nothing listens on {host}:{port} after {timeout} s")
        await asyncio.sleep(0.05)


def search_attribute_flags(keys: Iterable[SearchAttributeKey]) -> list[str]:  # type: ignore[type-arg]
    """`--search-attribute Name=Type` for each key, as `temporal server start-dev` takes them."""
    flags: list[str] = []
    for key in keys:
        flags += [
            "--search-attribute",
            f"{key.name}={_CLI_TYPES[IndexedValueType.ValueType(key.indexed_value_type)]}",
        ]
    return flags


class ManagedProcess:
    """One program in its own process group, with its output appended to a log file."""

    START_MARK = "\n=== start #"

    def __init__(
        self,
        name: str,
        argv: list[str],
        log_path: Path,
        env: Mapping[str, str] | None = None,
        cwd: Path = PROJECT_ROOT,
    ) -> None:
        self.name, self.argv, self.log_path, self.env, self.cwd = name, argv, log_path, env, cwd
        self.proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self.starts = 0
        self.kills = 0

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def start(self) -> None:
        if self.alive:
            raise RuntimeError(f"{self.name} already running (pid {self.pid})")
        self._close_log()
        self._log = open(self.log_path, "ab")  # noqa: SIM115 (closed by stop/kill)
        self.starts += 1
        self._log.write(f"{self.START_MARK}{self.starts}: {' '.join(self.argv)}\n".encode())
        self._log.flush()
        self.proc = subprocess.Popen(
            [sys.executable, "-c", _LAUNCHER, *self.argv],
            cwd=self.cwd,
            env=dict(self.env) if self.env is not None else None,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: killpg reaches its children too
        )

    def kill(self, sig: signal.Signals = signal.SIGKILL, wait: float = 10.0) -> None:
        """Sends `sig` to the whole process group and reaps the process (SIGKILL if it lingers)."""
        proc = self.proc
        if proc is None:
            return
        if proc.poll() is None:
            if sig is signal.SIGKILL:
                self.kills += 1
            _signal_group(proc.pid, sig)
            try:
                proc.wait(timeout=wait)
            except subprocess.TimeoutExpired:
                _signal_group(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        # Children that outlived the leader (none expected) go with the group.
        _signal_group(proc.pid, signal.SIGKILL)
        self._close_log()

    def stop(self) -> None:
        """SIGTERM (a graceful stop), then SIGKILL after 10 s."""
        self.kill(signal.SIGTERM)

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def _close_log(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None


def _signal_group(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)


class DevServer(ManagedProcess):
    """`temporal server start-dev` on a fixed port with its state in `db_file`, so a restart
    (same port, same file) brings every workflow back."""

    def __init__(
        self,
        binary: str,
        db_file: Path,
        log_path: Path,
        search_attributes: Iterable[SearchAttributeKey],  # type: ignore[type-arg]
        port: int | None = None,
    ) -> None:
        self.host, self.port = "127.0.0.1", port or free_port()
        search_attributes = list(search_attributes)
        self.search_attribute_names = {key.name for key in search_attributes}
        argv = [
            binary,
            "server",
            "start-dev",
            "--ip",
            self.host,
            "--port",
            str(self.port),
            "--headless",
            "--db-filename",
            str(db_file),
            "--log-level",
            "warn",
            *search_attribute_flags(search_attributes),
        ]
        super().__init__("temporal", argv, log_path)

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    async def wait_ready(self, timeout: float = 30.0) -> None:
        """Waits until the frontend answers and the default namespace lists our attributes."""
        deadline = time.monotonic() + timeout
        await wait_for_port(self.host, self.port, timeout)
        last: Exception | None = None
        while time.monotonic() < deadline:
            if not self.alive:
                raise RuntimeError(f"dev server exited:\n{self.log_tail()}")
            try:
                client = await connect(self.address)
                listed = await client.operator_service.list_search_attributes(
                    ListSearchAttributesRequest(namespace=client.namespace),
                    timeout=timedelta(seconds=2),
                )
                missing = self.search_attribute_names - set(listed.custom_attributes)
                if not missing:
                    return
                last = RuntimeError(f"search attributes not registered yet: {sorted(missing)}")
            except Exception as exc:  # not up yet: any RPC or connect failure
                last = exc
            await asyncio.sleep(0.1)
        raise TimeoutError(f"dev server {self.address} not ready: {last}\n{self.log_tail()}")


class WorkerProcess(ManagedProcess):
    """`python worker.py` with the current environment plus `overrides` (None removes one)."""

    READY_LINE = "Worker escuchando"

    def __init__(self, name: str, log_path: Path, overrides: Mapping[str, str | None]) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        for key, value in overrides.items():
            if value is None:
                env.pop(key, None)
            else:
                env[key] = value
        super().__init__(name, [sys.executable, "worker.py"], log_path, env=env)

    @property
    def ready(self) -> bool:
        """Alive, and its latest start reached the "listening" line (the log keeps them all)."""
        latest = self.log_text().rsplit(self.START_MARK, 1)[-1]
        return self.alive and self.READY_LINE in latest

    async def wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while not self.ready:
            if not self.alive:
                raise RuntimeError(f"{self.name} exited:\n{self.log_tail()}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.name} not ready after {timeout} s:\n{self.log_tail()}")
            await asyncio.sleep(0.1)


class ProcessSet:
    """Every process a test started; `close()` kills them all (fixture finalizer)."""

    def __init__(self) -> None:
        self.processes: list[ManagedProcess] = []

    def add(self, process: ManagedProcess) -> ManagedProcess:
        self.processes.append(process)
        return process

    def close(self) -> None:
        # Workers first, so they do not spend the server's last breath retrying polls.
        for process in sorted(self.processes, key=lambda p: isinstance(p, DevServer)):
            with contextlib.suppress(Exception):
                process.kill(signal.SIGKILL, wait=5)


async def connect(address: str) -> Client:
    return await Client.connect(address, data_converter=pydantic_data_converter)
