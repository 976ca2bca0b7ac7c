"""Regenerates the committed histories: `python -m tests.histories.record [scenario ...]`.

Runs each scenario of `tests/scenarios.py` on the time-skipping server and writes its history
as `tests/histories/<scenario>.json`. Only re-record a history on purpose: the replay tests
exist to catch a change that would break the sales already running with the old code.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from tests.conftest import register_search_attributes, server_binary
from tests.factories import open_input
from tests.scenarios import SCENARIOS
from tests.support import Sale, running_worker

HERE = Path(__file__).parent


async def record(names: list[str]) -> None:
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=server_binary("temporal-test-server"),
        data_converter=pydantic_data_converter,
    )
    await register_search_attributes(env)
    try:
        for name in names:
            with tempfile.TemporaryDirectory() as root:
                async with running_worker(env.client, Path(root)) as stack:
                    sale = await Sale.open(stack, open_input(f"HIST-{name}"))
                    await SCENARIOS[name](sale, env)
                    history = await sale.handle.fetch_history()
            (HERE / f"{name}.json").write_text(history.to_json())
            print(f"recorded {name}: {len(history.events)} events")
    finally:
        await env.shutdown()


if __name__ == "__main__":
    asyncio.run(record(sys.argv[1:] or list(SCENARIOS)))
