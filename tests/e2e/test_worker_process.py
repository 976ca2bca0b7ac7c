"""`worker.py` as operations run it: Prometheus metrics, log lines naming the sale, clean SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from mnd.demo import drive_sale
from mnd.demo_data import demo_sale
from mnd.opening import open_sale
from tests.factories import quick_profile
from tests.tcp_proxy import free_port

pytestmark = pytest.mark.devserver
ROOT = Path(__file__).parents[2]


async def test_worker_process_metrics_logs_and_shutdown(
    dev_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    metrics = f"127.0.0.1:{free_port()}"
    env = {
        **os.environ,
        "TEMPORAL_ADDRESS": dev_env.client.service_client.config.target_host,
        "MND_TASK_QUEUE": "tq-worker-process",
        "MND_DATA_DIR": str(tmp_path),
        "MND_METRICS_BIND": metrics,
    }
    log = (tmp_path / "worker.log").open("w+")
    worker = subprocess.Popen(
        [sys.executable, "worker.py"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        inp = demo_sale("PROC-1", quick_profile())
        await open_sale(dev_env.client, inp, "tq-worker-process")
        summary = await drive_sale(
            dev_env.client,
            "PROC-1",
            on_step=lambda r: None,
            poll_interval=0.1,
            timeout=timedelta(seconds=60),
        )
        assert summary.status == "completed"
        body = await asyncio.to_thread(
            lambda: urllib.request.urlopen(f"http://{metrics}/metrics", timeout=5).read().decode()
        )
        assert (
            "temporal_workflow_completed" in body and "temporal_activity_execution_latency" in body
        )
        worker.send_signal(signal.SIGTERM)
        assert await asyncio.to_thread(worker.wait, 30) == 0
        log.seek(0)
        output = log.read()
        assert "sale-PROC-1" in output  # the SDK's log context names the sale's workflow
        assert "Worker detenido." in output
    finally:
        if worker.poll() is None:
            worker.kill()
        log.close()
