"""The stage of the SDK query fault: a workflow whose worker is killed while its activity runs.

Shared by `tests/e2e/test_sdk_query_fault.py` (the settled read, deterministic) and
`tests/diagnostics/sdk_query_fault.py` (the bare query racing another client's Update, which
depends on timing and so is a diagnostic, not a test).
"""

from __future__ import annotations

import asyncio
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from temporalio.client import Client, WorkflowHandle
from temporalio.worker import Replayer, UnsandboxedWorkflowRunner

from tests.e2e.processes import ManagedProcess, ProcessSet
from tests.e2e.query_fault_app import READY_LINE, QueryFaultWorkflow


class Stack:
    """Worker processes of `tests.e2e.query_fault_app` on a fresh task queue of one server."""

    def __init__(self, client: Client, tmp_path: Path, processes: ProcessSet) -> None:
        self.client = client
        self.address = client.service_client.config.target_host
        self.task_queue = f"query-fault-{uuid.uuid4().hex[:8]}"
        self.tmp_path, self.processes = tmp_path, processes

    def worker(self, name: str, kind: str) -> ManagedProcess:
        argv = [sys.executable, "-m", "tests.e2e.query_fault_app", self.address]
        process = ManagedProcess(
            name, [*argv, self.task_queue, kind], self.tmp_path / f"{name}.log"
        )
        self.processes.add(process)
        process.start()
        return process

    async def ready(self, process: ManagedProcess, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while READY_LINE not in process.log_text():
            assert process.alive, process.log_tail()
            assert time.monotonic() < deadline, process.log_tail()
            await asyncio.sleep(0.05)

    async def start_and_kill_holder(self) -> WorkflowHandle[QueryFaultWorkflow, str]:
        """A workflow running its activity, and the worker that held it killed (SIGKILL)."""
        await self.ready(self.worker("activities", "activities"))
        holder = self.worker("holder", "workflows")
        await self.ready(holder)
        handle = await self.client.start_workflow(
            QueryFaultWorkflow.run, id=f"wf-{self.task_queue}", task_queue=self.task_queue
        )
        await handle.execute_update(QueryFaultWorkflow.submit)
        holder.kill()
        return handle

    async def replay_failure(self, handle: WorkflowHandle[Any, str]) -> str | None:
        """Waits for the workflow's result; the replay failure of its history, or None."""
        assert await handle.result() == "done"
        replayer = Replayer(
            workflows=[QueryFaultWorkflow], workflow_runner=UnsandboxedWorkflowRunner()
        )
        history = await handle.fetch_history()
        result = await replayer.replay_workflow(history, raise_on_replay_failure=False)
        return None if result.replay_failure is None else str(result.replay_failure)
