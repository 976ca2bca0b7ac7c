"""Connects entry points to Temporal with the project's data converter."""

from __future__ import annotations

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.envconfig import ClientConfig
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig

from mnd.settings import Settings


def metrics_runtime(bind_address: str) -> Runtime:
    """A Temporal runtime exporting the SDK's metrics on a Prometheus endpoint (`/metrics`)."""
    return Runtime(telemetry=TelemetryConfig(metrics=PrometheusConfig(bind_address=bind_address)))


async def connect(settings: Settings, runtime: Runtime | None = None) -> Client:
    """Client from TEMPORAL_* variables and TOML profiles; the local dev server by default."""
    # With nothing configured the loader returns {}: fall back to the dev server we start.
    config = ClientConfig.load_client_connect_config()
    config.setdefault("target_host", f"localhost:{settings.dev_server_port}")
    return await Client.connect(**config, data_converter=pydantic_data_converter, runtime=runtime)
