"""What an accepted action answers: the sale as it stands once the workflow has reacted.

Small on purpose (under 1 KB, `ANSWER_MAX_BYTES`): every Update result is stored in the sale's
history, and the message is the only field staff can make long (a cancellation's reason, a
correction's comments, a description). The answer repeats a shortened message; the sale's log
and its records keep the whole text.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from mnd.domain.roles import Role
from mnd.domain.sale import SaleState, SaleStatus
from mnd.domain.steps import StepId

# The answer as the converter stores it (JSON, UTF-8), below 1 KB with room to spare.
ANSWER_MAX_BYTES = 1000
# Longer messages are cut here: every message the workflow writes itself is under 100.
MESSAGE_MAX_CHARS = 240
ELLIPSIS = "…"


def shorten(message: str, limit: int) -> str:
    """`message` cut to `limit` characters, the last one an ellipsis when it was cut."""
    if len(message) <= limit:
        return message
    return message[: max(limit - 1, 0)].rstrip() + ELLIPSIS


class ActionResult(BaseModel):
    sale_id: str
    action: str
    accepted: bool = True
    message: str
    status: SaleStatus
    step: StepId
    waiting_on: list[Role]
    waiting_for: str
    min_until: datetime | None = None
    due_at: datetime | None = None

    def size_bytes(self) -> int:
        return len(self.model_dump_json().encode())

    @classmethod
    def of(cls, sale: SaleState, action: str, message: str) -> ActionResult:
        answer = cls(
            sale_id=sale.sale_id,
            action=action,
            message=shorten(message, MESSAGE_MAX_CHARS),
            status=sale.status,
            step=sale.step,
            waiting_on=list(sale.waiting_on),
            waiting_for=sale.waiting_for,
            min_until=sale.min_until,
            due_at=sale.due_at,
        )
        # Characters are not bytes: accented letters and emoji take 2-4 bytes in UTF-8 and
        # control characters 6 once escaped in JSON, so a message of few characters may still
        # be too big. Halve it until the answer fits; every other field is bounded.
        limit = MESSAGE_MAX_CHARS
        while answer.size_bytes() > ANSWER_MAX_BYTES and limit > 1:
            limit //= 2
            answer.message = shorten(message, limit)
        return answer
