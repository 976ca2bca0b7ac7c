"""Where the sale's main path stands, so that an accepted action answers after the sale reacted.

The main path waits only through `Progress.block` (a staff action, a minimum-duration timer)
and says when it is about to wait on an activity (`settle`). An Update handler that applied an
action asks `taken_in`: if the action wakes the main path, the answer waits until the path
has moved and blocked again (the step moved, a minimum started, or the sale waits on someone
new); if not, it answers at once. Everything here is deterministic workflow state.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from temporalio import workflow

Ready = Callable[[], bool]


class Progress:
    """Counts accepted actions and the ones the main path had taken in when it last blocked."""

    def __init__(self, answers_after_reaction: bool) -> None:
        # False on sales recorded before this behaviour existed: their Updates completed in
        # the handler's own step, and replay must see the commands in that order.
        self._answers_after_reaction = answers_after_reaction
        self._accepted = 0
        self._reacted = 0
        self._wake: Ready | None = None

    async def block(
        self, ready: Ready, timeout: timedelta | None = None, summary: str | None = None
    ) -> bool:
        """The main path waits for `ready()`, at most `timeout`; True when it became ready."""
        if self._answers_after_reaction and ready():
            # Not a wait: the path goes on at once, and a pending answer must not be taken
            # from the state it is about to change. (Old sales yielded here: keep them so.)
            return True
        self.settle()
        self._wake = ready
        try:
            if timeout is None:
                await workflow.wait_condition(ready)
                return True
            try:
                await workflow.wait_condition(ready, timeout=timeout, timeout_summary=summary)
            except TimeoutError:
                return False
            return True
        finally:
            self._wake = None

    def settle(self) -> None:
        """The main path has taken in every action accepted so far (it is about to wait)."""
        self._reacted = self._accepted

    @property
    def answers_after_reaction(self) -> bool:
        return self._answers_after_reaction

    def accept(self) -> int:
        """An action was applied (a signal's, or an Update's); returns its sequence number."""
        self._accepted += 1
        return self._accepted

    async def taken_in(self, wait: bool) -> None:
        """After an Update's action was applied: returns once the main path reacted to it."""
        seq = self.accept()
        wake = self._wake
        if not (wait and self._answers_after_reaction) or wake is None or not wake():
            return  # the main path does not move on this action: the sale is as it is now
        await workflow.wait_condition(lambda: self._reacted >= seq)


async def elapsed(done: Ready, duration: timedelta, label: str) -> bool:
    """A background timer (reminders): sleeps `duration` unless `done()` first; True if it ran out."""
    if duration <= timedelta(0):
        return not done()
    try:
        await workflow.wait_condition(done, timeout=duration, timeout_summary=label)
    except TimeoutError:
        return True
    return False
