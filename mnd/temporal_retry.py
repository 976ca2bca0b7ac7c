"""Retries a Temporal client call on transient errors only, within a bound, logging each retry.

Why: the server closes every client connection after `frontend.keepAliveMaxConnectionAge`
(5 min, ±10 %). A call racing that close fails with CANCELLED ("operation was canceled" from the
client's transport, "context canceled" from the server), and a call that meets the broken
connection with UNKNOWN "transport error" or UNAVAILABLE. The SDK retries some of these for some
calls, not CANCELLED, and an Update hit by one raises `WorkflowUpdateRPCTimeoutOrCancelledError`.
None of them is something a person can fix, so the staff tools retry them here. An Update is
only retried with the update id of its first attempt, so the server, which deduplicates Updates
by id, applies it once even when only its answer was lost (`SaleService._update`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from temporalio.client import WorkflowUpdateRPCTimeoutOrCancelledError
from temporalio.service import RPCError, RPCStatusCode

log = logging.getLogger(__name__)
T = TypeVar("T")

# What the client's transport reports when the connection broke under the call (measured with
# temporalio 1.35 through a proxy that drops the connection; see tests/tcp_proxy.py).
_BROKEN_CONNECTION = ("transport error", "operation was canceled", "connection reset")


@dataclass(frozen=True)
class RetryBound:
    """How long to keep trying: attempts in all, total seconds, and the backoff between them."""

    attempts: int = 6
    total_seconds: float = 10.0
    first_backoff: float = 0.05
    max_backoff: float = 1.0


DEFAULT_BOUND = RetryBound()


def is_transient(exc: BaseException, deadline_safe: bool = False) -> bool:
    """True for an error a retry of the same call can clear: a recycled or broken connection, an
    unavailable server, and (when `deadline_safe`: a read, an Update with a fixed id) a timeout.
    Never the caller's own cancellation, and never an answer from the server (not found,
    invalid, failed, refused)."""
    if isinstance(exc, WorkflowUpdateRPCTimeoutOrCancelledError):
        cause = exc.__cause__
        if isinstance(cause, asyncio.CancelledError):
            return False  # our own task was cancelled (a client that went away)
        if isinstance(cause, RPCError) and cause.status == RPCStatusCode.DEADLINE_EXCEEDED:
            return deadline_safe
        return True
    if not isinstance(exc, RPCError):
        return False
    if exc.status in (RPCStatusCode.UNAVAILABLE, RPCStatusCode.CANCELLED):
        return True
    if exc.status == RPCStatusCode.DEADLINE_EXCEEDED:
        return deadline_safe
    if exc.status == RPCStatusCode.UNKNOWN:
        return any(text in exc.message.lower() for text in _BROKEN_CONNECTION)
    return False


async def retry_transient(
    call: Callable[[], Awaitable[T]],
    what: str,
    deadline_safe: bool = False,
    bound: RetryBound = DEFAULT_BOUND,
) -> T:
    """`await call()`, called again on a transient error (`is_transient`) until it succeeds, the
    error is not transient, or `bound` is spent; then the last error is raised. `what` names the
    call in the log."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + bound.total_seconds
    backoff = bound.first_backoff
    for attempt in range(1, bound.attempts + 1):
        try:
            return await call()
        except (RPCError, WorkflowUpdateRPCTimeoutOrCancelledError) as exc:
            task = asyncio.current_task()
            if task is not None and task.cancelling():
                raise  # being cancelled: never retried
            last = attempt == bound.attempts or loop.time() + backoff > deadline
            if last or not is_transient(exc, deadline_safe):
                raise
            log.warning(
                "Temporal call %s failed (attempt %d of %d: %s); retrying in %.2f s",
                what,
                attempt,
                bound.attempts,
                _describe(exc),
                backoff,
            )
        await asyncio.sleep(backoff)
        backoff = min(backoff * 2, bound.max_backoff)
    raise AssertionError("unreachable")  # the last attempt returns or raises


def _describe(exc: BaseException) -> str:
    cause = exc.__cause__ if isinstance(exc, WorkflowUpdateRPCTimeoutOrCancelledError) else exc
    if isinstance(cause, RPCError):
        return f"{cause.status.name}: {cause.message}"
    return str(exc)
