"""Settings that would run but do harm are refused at start, in Spanish, naming the variable."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from mnd.domain.roles import DEFAULT_MAILBOXES, Role
from mnd.settings import MIN_SECRET_CHARS, Settings


@pytest.mark.parametrize("secret", ["", "   ", "s3cr3t", "k" * (MIN_SECRET_CHARS - 1)])
def test_a_short_secret_is_refused_outside_development(secret: str) -> None:
    with pytest.raises(ValidationError, match="MND_SECRET_KEY debe tener al menos 32"):
        Settings(environment="production", secret_key=secret)


def test_a_long_enough_secret_is_taken_and_development_keeps_its_placeholder() -> None:
    secret = "k" * MIN_SECRET_CHARS
    assert Settings(environment="production", secret_key=secret).secret_key == secret
    assert Settings(environment="development").secret_key


@pytest.mark.parametrize("value", [",", " , ,", ";"])
def test_a_mailbox_without_an_address_is_refused(
    value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MND_MAILBOX_ALLY", value)
    with pytest.raises(ValidationError, match="mailbox_ally") as refused:
        Settings()
    assert "correo electrónico" in str(refused.value)


def test_an_empty_mailbox_variable_keeps_the_seed_mailbox(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MND_MAILBOX_ALLY", "  ")
    assert Settings().mailboxes()[Role.ALLY] == list(DEFAULT_MAILBOXES[Role.ALLY])
    monkeypatch.setenv("MND_MAILBOX_ALLY", "aliado@example.co, ,otro@example.co")
    assert Settings().mailboxes()[Role.ALLY] == ["aliado@example.co", "otro@example.co"]
