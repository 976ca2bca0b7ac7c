"""The namespace job of the compose stack and the cluster (deploy/temporal-namespace.sh), run
against the real dev server with the CLI the admin-tools image also ships: it creates the
namespace with its retention and every search attribute, and a second run changes nothing."""

from __future__ import annotations

import asyncio
import os
import subprocess
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from temporalio.api.operatorservice.v1 import ListSearchAttributesRequest
from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest
from temporalio.testing import WorkflowEnvironment

from tests.conftest import server_binary
from workflows.search_attributes import ALL_KEYS

pytestmark = pytest.mark.devserver
SCRIPT = Path(__file__).parents[2] / "deploy" / "temporal-namespace.sh"


def _run(address: str, namespace: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PATH": f"{Path(server_binary('temporal')).parent}{os.pathsep}{os.environ['PATH']}",
        "TEMPORAL_ADDRESS": address,
        "TEMPORAL_NAMESPACE": namespace,
        "NAMESPACE_RETENTION": "7d",
    }
    return subprocess.run(["sh", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=120)


async def test_namespace_job_is_idempotent(dev_env: WorkflowEnvironment) -> None:
    address = dev_env.client.service_client.config.target_host
    namespace = f"setup-{uuid.uuid4().hex[:8]}"
    for _ in range(2):
        done = await asyncio.to_thread(_run, address, namespace)
        assert done.returncode == 0, done.stderr
    described = await dev_env.client.workflow_service.describe_namespace(
        DescribeNamespaceRequest(namespace=namespace)
    )
    retention = described.config.workflow_execution_retention_ttl.ToTimedelta()
    assert retention == timedelta(days=7)
    listed = await dev_env.client.operator_service.list_search_attributes(
        ListSearchAttributesRequest(namespace=namespace)
    )
    assert {key.name for key in ALL_KEYS} <= set(listed.custom_attributes)
