"""The sale worker: runs `SaleWorkflow` and its activities on the `mnd-sales` task queue.

The worker itself is built in `mnd/worker_app.py`; this is its process entry point.
"""

from __future__ import annotations

import logging

from mnd.entrypoint import run_main
from mnd.settings import get_settings
from mnd.worker_app import run_worker


async def main() -> int:
    """Runs the worker with the settings of the environment until SIGINT/SIGTERM."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    return await run_worker(get_settings())


if __name__ == "__main__":
    run_main(main())
