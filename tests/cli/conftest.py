"""Fixtures of the CLI tests: `mnd` run as staff run it, on a records file and a real stack."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio
from temporalio.testing import WorkflowEnvironment

from tests.cli.helpers import Team, add_member
from tests.support import running_worker


@pytest.fixture
def records_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The CLI's settings point at a fresh records file under `tmp_path`."""
    monkeypatch.setenv("MND_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("MND_DATABASE_URL", raising=False)
    monkeypatch.setenv("MND_DB_AUTO_MIGRATE", "true")
    monkeypatch.delenv("MND_TOKEN", raising=False)
    monkeypatch.setenv("COLUMNS", "250")  # rich would wrap the tables at 80 columns
    yield tmp_path


@pytest_asyncio.fixture
async def team(
    dev_env: WorkflowEnvironment, records_env: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Team]:
    """The worker on the dev server, sharing the CLI's records file, and the team.

    The dev server, not the time-skipping one: its clock is the wall clock, which the CLI
    compares due dates with (the session's time-skipping server may be days ahead by now).
    """
    async with running_worker(dev_env.client, records_env) as stack:
        monkeypatch.setenv("MND_TASK_QUEUE", stack.task_queue)
        target = dev_env.client.service_client.config.target_host
        monkeypatch.setenv("TEMPORAL_ADDRESS", target)
        yield Team(
            stack=stack,
            consultant=add_member("cons-0042", "consultant", name="Laura Gómez"),
            other_consultant=add_member("cons-0099", "consultant", name="Pedro Díaz"),
            data_mining=add_member("mineria.demo", "data_mining"),
            provisioning=add_member("aprovisionamiento.demo", "provisioning"),
            commercial_support=add_member("soporte.demo", "commercial_support"),
            production=add_member("produccion.demo", "production"),
            ally=add_member("aliado.demo", "ally"),
            supervisor=add_member("supervisor.demo", "supervisor"),
        )
