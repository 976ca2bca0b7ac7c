"""The sale's audit trail: events queued in order and recorded a batch per activity."""

from __future__ import annotations

from typing import Any

from temporalio import workflow

from workflows.retries import RECORD_TIMEOUT, RETRY

with workflow.unsafe.imports_passed_through():
    from activities.inputs import (
        RecordEventInput,
        RecordEventsInput,
        drop_repeated_projections,
    )
    from activities.records import RecordActivities
    from mnd.domain.projection import project
    from mnd.domain.sale import LogEntry, SaleState


class AuditTrail:
    """Each event is keyed `<sale>:<sequence>`, so a retried batch never writes a row twice."""

    def __init__(self, state: SaleState) -> None:
        self._s = state
        self._events: list[RecordEventInput] = []
        self._seq = 0
        self._closing = False
        # Each event sends the sale's projection only when it changed within its batch (set
        # behind the `lean-records` patch: older sales sent it with every event).
        self.lean = False

    def event(
        self,
        kind: str,
        entry: LogEntry | None = None,
        message: str = "",
        data: dict[str, Any] | None = None,
    ) -> None:
        self._seq += 1
        s = self._s
        self._events.append(
            RecordEventInput(
                event_id=f"{s.sale_id}:{self._seq:05d}",
                sale_id=s.sale_id,
                sequence=self._seq,
                kind=kind,
                step=s.step.value,
                at=workflow.now(),
                actor=entry.actor if entry else None,
                role=entry.role.value if entry and entry.role else None,
                via=entry.via if entry else "system",
                accepted=entry.accepted if entry else True,
                message=entry.message if entry else message,
                data=data or {},
                projection=project(s),
            )
        )

    def close(self) -> None:
        """No event comes after this one: the drain records what is queued and ends."""
        self._closing = True

    async def drain(self) -> None:
        """Records queued events in order, a batch per activity, until the trail is closed."""
        while True:
            await workflow.wait_condition(lambda: bool(self._events) or self._closing)
            if not self._events:
                return
            batch = list(self._events)
            sent = drop_repeated_projections(batch) if self.lean else batch
            await workflow.execute_activity_method(
                RecordActivities.record_events,
                RecordEventsInput(events=sent),
                start_to_close_timeout=RECORD_TIMEOUT,
                retry_policy=RETRY,
                summary=f"Registro de {len(batch)} evento(s)",
            )
            # Events queued while the activity ran stay for the next batch.
            del self._events[: len(batch)]
