"""Runs an entry point's `main()` coroutine and exits with its code."""

from __future__ import annotations

import asyncio
import os
import sys
import traceback
from collections.abc import Coroutine
from typing import Any, NoReturn


def run_main(main: Coroutine[Any, Any, int]) -> NoReturn:
    """`asyncio.run(main)`, then exit at once with its code, skipping interpreter teardown.

    The Temporal core's Rust threads can touch the GIL while CPython finalizes and abort the
    process (SIGABRT, "PyGILState_Release ... must be current", sdk-python#300); seen here on
    about one run in three with the dev server's UI. Everything is shut down cleanly before
    `main` returns, so leaving through `os._exit` loses nothing and keeps the exit code true.
    """
    try:
        code = asyncio.run(main)
    except KeyboardInterrupt:
        code = 130
    except Exception:
        traceback.print_exc()
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
