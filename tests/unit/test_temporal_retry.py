"""Which Temporal errors are retried (transient) and which reach the caller at once."""

from __future__ import annotations

import asyncio
import logging

import pytest
from temporalio.client import WorkflowQueryFailedError, WorkflowUpdateRPCTimeoutOrCancelledError
from temporalio.service import RPCError, RPCStatusCode

from mnd.temporal_retry import RetryBound, is_transient, retry_transient


def rpc(status: RPCStatusCode, message: str) -> RPCError:
    return RPCError(message, status, b"")


def update_error(cause: BaseException) -> WorkflowUpdateRPCTimeoutOrCancelledError:
    """As the SDK raises it: `raise WorkflowUpdateRPCTimeoutOrCancelledError() from cause`."""
    try:
        raise WorkflowUpdateRPCTimeoutOrCancelledError() from cause
    except WorkflowUpdateRPCTimeoutOrCancelledError as exc:
        return exc


# What a recycled or broken connection gave through tests/tcp_proxy.py, and an outage.
TRANSIENT = [
    rpc(RPCStatusCode.CANCELLED, "operation was canceled"),
    rpc(RPCStatusCode.CANCELLED, "context canceled"),
    rpc(RPCStatusCode.UNAVAILABLE, "error trying to connect: tcp connect error"),
    rpc(RPCStatusCode.UNKNOWN, "transport error"),
    update_error(rpc(RPCStatusCode.CANCELLED, "context canceled")),
]
# Answers of the server, or the caller's own cancellation: a retry cannot change them.
PERMANENT = [
    rpc(RPCStatusCode.NOT_FOUND, "workflow not found for ID: sale-X"),
    rpc(RPCStatusCode.INVALID_ARGUMENT, "update id too long"),
    rpc(RPCStatusCode.UNKNOWN, "unexpected error in the history service"),
    rpc(RPCStatusCode.FAILED_PRECONDITION, "workflow execution already completed"),
    rpc(RPCStatusCode.RESOURCE_EXHAUSTED, "namespace rate limit exceeded"),
    update_error(asyncio.CancelledError()),
    WorkflowQueryFailedError("TMPRL1100 nondeterminism"),
    ValueError("not a Temporal error"),
]


@pytest.mark.parametrize("exc", TRANSIENT, ids=repr)
def test_transient_errors_are_retried(exc: BaseException) -> None:
    assert is_transient(exc)


@pytest.mark.parametrize("exc", PERMANENT, ids=repr)
def test_permanent_errors_are_not(exc: BaseException) -> None:
    assert not is_transient(exc, deadline_safe=True)


def test_a_timeout_is_retried_only_where_safe() -> None:
    timeout = rpc(RPCStatusCode.DEADLINE_EXCEEDED, "deadline exceeded")
    assert not is_transient(timeout)
    assert is_transient(timeout, deadline_safe=True)
    update_timeout = update_error(timeout)
    assert not is_transient(update_timeout)
    assert is_transient(update_timeout, deadline_safe=True)


class Flaky:
    """Fails with the given errors, in order, then answers."""

    def __init__(self, *errors: BaseException) -> None:
        self.errors, self.calls = list(errors), 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "ok"


FAST = RetryBound(attempts=4, total_seconds=5, first_backoff=0.001, max_backoff=0.002)


async def test_transient_errors_are_retried_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    call = Flaky(TRANSIENT[0], TRANSIENT[4])
    with caplog.at_level(logging.WARNING, logger="mnd.temporal_retry"):
        assert await retry_transient(call, "query state sale-1", bound=FAST) == "ok"
    assert call.calls == 3
    assert [r.getMessage().split(" (")[0] for r in caplog.records] == [
        "Temporal call query state sale-1 failed"
    ] * 2
    assert "CANCELLED: context canceled" in caplog.records[1].getMessage()


async def test_a_permanent_error_is_raised_at_once() -> None:
    call = Flaky(PERMANENT[0])
    with pytest.raises(RPCError) as raised:
        await retry_transient(call, "describe", bound=FAST)
    assert raised.value.status == RPCStatusCode.NOT_FOUND and call.calls == 1


async def test_retries_stop_at_the_bound() -> None:
    call = Flaky(*[rpc(RPCStatusCode.UNAVAILABLE, "down")] * 10)
    with pytest.raises(RPCError):
        await retry_transient(call, "describe", bound=FAST)
    assert call.calls == FAST.attempts
    # A total time shorter than the first backoff allows no retry at all.
    call = Flaky(*[rpc(RPCStatusCode.UNAVAILABLE, "down")] * 10)
    with pytest.raises(RPCError):
        await retry_transient(call, "describe", bound=RetryBound(total_seconds=0.01))
    assert call.calls == 1
