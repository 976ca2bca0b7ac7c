"""The emailed approval link points where the API listens unless MND_PUBLIC_URL says otherwise."""

from __future__ import annotations

import pytest

from mnd.settings import Settings


def test_public_url_follows_the_api_port(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MND_PUBLIC_URL", raising=False)
    monkeypatch.setenv("MND_API_PORT", "28000")
    assert Settings().public_url == "http://localhost:28000"
    monkeypatch.setenv("MND_API_HOST", "10.1.2.3")
    assert Settings().public_url == "http://10.1.2.3:28000"


def test_an_explicit_public_url_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MND_API_PORT", "28000")
    monkeypatch.setenv("MND_PUBLIC_URL", "https://ventas.claro.com.co")
    assert Settings().public_url == "https://ventas.claro.com.co"
