"""Which activity failures no retry can fix, and how they reach the sale.

Temporal retries an activity forever (`workflows/retries.py`) unless it raises a non-retryable
`ApplicationError`. That is right for a database or a mail server that is down, and wrong for a
missing template, a malformed address or a work order that does not exist: those would retry
every minute for ever and nobody would be told. They raise `permanent(...)` instead; the workflow
catches the `ActivityError`, shows the message as an alert on the sale and goes on. The message
is in Spanish because staff read it there.
"""

from __future__ import annotations

from enum import StrEnum

from temporalio.exceptions import ApplicationError


class FailureKind(StrEnum):
    """The `type` of a permanent failure: short, stable, for logs and tests (not for staff)."""

    UNKNOWN_TEMPLATE = "unknown_template"
    TEMPLATE_ERROR = "template_error"
    NO_MAILBOX = "no_mailbox"
    INVALID_ADDRESS = "invalid_address"
    NO_RECIPIENTS = "no_recipients"
    MAIL_REFUSED = "mail_refused"
    WORK_ORDER_NOT_FOUND = "work_order_not_found"
    WORK_ORDER_MISMATCH = "work_order_mismatch"


def permanent(message: str, kind: FailureKind) -> ApplicationError:
    """The error to raise for a failure that a retry cannot fix: Temporal stops retrying."""
    return ApplicationError(message, type=kind.value, non_retryable=True)
