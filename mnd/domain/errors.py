"""Domain errors: each carries a Spanish message meant for staff."""

from __future__ import annotations

from enum import StrEnum


class RefusalKind(StrEnum):
    """Why an action was refused; entry points map these to HTTP codes and exit codes."""

    INVALID_PAYLOAD = "invalid_payload"
    WRONG_ROLE = "wrong_role"
    WRONG_STEP = "wrong_step"
    CLOSED = "sale_closed"


class ActionRefused(Exception):
    """A staff action that the sale refuses; nothing in the sale changes."""

    def __init__(self, kind: RefusalKind, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
