"""An action's answer stays under 1 KB whatever text staff typed; the log keeps the text."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mnd.domain.action_result import ANSWER_MAX_BYTES, ELLIPSIS, MESSAGE_MAX_CHARS, ActionResult
from mnd.domain.roles import Role
from mnd.domain.sale import SaleState
from tests import factories as f


def widest_sale() -> SaleState:
    """Every bounded field at its widest: the longest sale id, every role waited on, both dates."""
    inp = f.open_input("S" * 64)
    at = datetime(2026, 11, 30, 21, 40, 12, 123456, tzinfo=UTC)
    return SaleState.opened(inp, at).model_copy(
        update={
            "waiting_on": list(Role),
            "waiting_for": "llamada de aprovisionamiento (llamada incompleta en el intento 99)",
            "min_until": at,
            "due_at": at,
        }
    )


@pytest.mark.parametrize(
    "message",
    [
        "Cancelación solicitada: " + "el cliente desistió " * 250,  # 5,000 characters
        "ñ" * 5000,  # two bytes each
        "😀" * 5000,  # four bytes each
        "\x01" * 5000,  # six bytes each once escaped in JSON
    ],
    ids=["spanish", "two-byte", "four-byte", "escaped"],
)
def test_a_long_message_is_shortened_to_fit(message: str) -> None:
    answer = ActionResult.of(widest_sale(), "request_corrections_and_more", message)
    assert answer.size_bytes() <= ANSWER_MAX_BYTES < 1024
    assert answer.message.endswith(ELLIPSIS)
    assert message.startswith(answer.message.removesuffix(ELLIPSIS))
    assert len(answer.message) <= MESSAGE_MAX_CHARS


def test_a_message_that_fits_is_answered_whole() -> None:
    message = (
        "Asignada a Bruno Díaz (Soporte Comercial) (la tenía Ana Pérez): Ana está de vacaciones"
    )
    assert ActionResult.of(widest_sale(), "assign_sale", message).message == message
    exact = "x" * MESSAGE_MAX_CHARS
    assert ActionResult.of(widest_sale(), "cancel_sale", exact).message == exact
