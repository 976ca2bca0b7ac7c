"""Which of the workflow's changes a sale runs: each asked with `workflow.patched`, or all of
them at once.

Each `workflow.patched` call of a new sale records a marker and, through the SDK, upserts the
`TemporalChangeVersion` search attribute: one visibility write in the server per change, the
costliest event of a sale for it (benchmarks/README.md). A sale started now takes every change
below under one marker, `CURRENT`. A sale started before it has no such marker and is asked
each change as it was when it ran, so every committed history replays as recorded.

A change made after `CURRENT` is asked with its own `workflow.patched`, never through `taken`:
a sale with the `CURRENT` marker may predate it. A later consolidation adds it to a new marker.
"""

from __future__ import annotations

from temporalio import workflow

CURRENT = "changes-through-lean-records"
FOLDED = frozenset(
    {
        "client-closure-notice",
        "waiting-changed-events",
        "answers-after-reaction",
        "colombian-dates",
        "text-limits",
        "lean-records",
    }
)


class Changes:
    """Asked once, at the start of the sale's first task, before any change it folds."""

    def __init__(self) -> None:
        self._all = workflow.patched(CURRENT)

    def taken(self, change: str) -> bool:
        """True when this sale runs `change`'s new path."""
        assert change in FOLDED, f"{change} is not folded into {CURRENT}: ask workflow.patched"
        return self._all or workflow.patched(change)
