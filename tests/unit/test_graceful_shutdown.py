"""The processes stop within the bounds the deployments are checked against: the worker passes
`GRACEFUL_SHUTDOWN` to the SDK and the API passes `GRACEFUL_SHUTDOWN_SECONDS` to uvicorn. The
manifests' side is in test_kubernetes.py and test_compose.py; here, that the constants they
read are the ones the processes use."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import pytest
import uvicorn
from temporalio.client import Client

import mnd.api.__main__ as api_main
import mnd.worker_app as worker_app
from mnd.db.engine import make_engine
from mnd.settings import Settings


def test_worker_gives_activities_the_graceful_shutdown(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    options: dict[str, Any] = {}
    # The SDK's Worker needs a connected client; its options are what this test is about.
    monkeypatch.setattr(worker_app, "Worker", lambda client, **kwargs: options.update(kwargs))
    engine = make_engine(f"sqlite:///{tmp_path / 'mnd.sqlite3'}")
    try:
        worker_app.build_worker(cast(Client, object()), Settings(data_dir=tmp_path), engine)
    finally:
        engine.dispose()
    assert options["graceful_shutdown_timeout"] == worker_app.GRACEFUL_SHUTDOWN


def test_api_bounds_its_shutdown(monkeypatch: pytest.MonkeyPatch) -> None:
    options: dict[str, Any] = {}
    monkeypatch.setattr(api_main, "create_app", lambda settings: "app")
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: options.update(kwargs))
    api_main.main()
    # Unset, uvicorn waits for every open connection however long it lasts, and the kubelet's
    # SIGKILL, not the app, decides what is cut.
    assert options["timeout_graceful_shutdown"] == api_main.GRACEFUL_SHUTDOWN_SECONDS
