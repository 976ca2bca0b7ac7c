"""Records histories: `python -m tests.histories.record [--suffix _v2] [scenario ...]`.

Runs each scenario of `tests/scenarios.py` on the time-skipping server and writes its history
as `tests/histories/<scenario><suffix>.json`. A history recorded by a released version is never
regenerated: it stands for the sales that version left running. After a `workflow.patched`
change, record the new path under a new suffix and keep the old files.
"""

from __future__ import annotations

import argparse
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


async def record(names: list[str], suffix: str = "") -> None:
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
            (HERE / f"{name}{suffix}.json").write_text(history.to_json())
            print(f"recorded {name}{suffix}: {len(history.events)} events")
    finally:
        await env.shutdown()


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--suffix", default="", help="appended to each file name, e.g. _v2")
    parser.add_argument("scenarios", nargs="*", choices=[*SCENARIOS, []], default=[])
    args = parser.parse_args(argv)
    asyncio.run(record(args.scenarios or list(SCENARIOS), args.suffix))


if __name__ == "__main__":
    main(sys.argv[1:])
