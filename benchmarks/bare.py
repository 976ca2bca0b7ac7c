"""The bare workflow (the Temporal skeleton of a sale with nothing of the sale in it), no-op
activities under the sale's names, and the shape of a history, which the bare workflow mirrors.
"""

from __future__ import annotations

# The workflow defined here runs in the sandbox, which re-executes this module per workflow
# instance: every import is passed through, so that re-execution costs what the sale's own
# workflow modules cost (definitions only), not a fresh import of SQLAlchemy and friends.
from temporalio import activity, workflow

with workflow.unsafe.imports_passed_through():
    import asyncio
    import contextlib
    import statistics
    from dataclasses import asdict, dataclass
    from datetime import timedelta
    from pathlib import Path
    from typing import Any

    from pydantic import BaseModel
    from temporalio.api.enums.v1 import EventType
    from temporalio.client import WorkflowHistory

    from activities.inputs import (
        EmailResult,
        IssueWorkOrderInput,
        RecordEventsInput,
        SendEmailInput,
        VoidWorkOrderInput,
        WorkOrderResult,
    )

# ---------------------------------------------------------------------------------------------
# The bare workflow: the Temporal skeleton of a sale with nothing of the sale in it.
# ---------------------------------------------------------------------------------------------


class Segment(BaseModel):
    """What a sale does between two Updates (segment 0: before the first one)."""

    record: int = 0  # record_events activities (a background chain, as the sale's drain loop)
    main: int = 0  # other activities (emails, OT), one after the other on the main path
    fired: int = 0  # timers that run out (minimum durations)
    cancelled: int = 0  # timers cancelled by the next Update (reminders, escalations)


class BarePlan(BaseModel):
    segments: list[Segment]
    timer_ms: int = 1


@activity.defn(name="bare_activity")
def bare_activity(n: int) -> int:
    return n + 1


@workflow.defn
class BareWorkflow:
    """Waits for Updates one by one and runs the plan's activities and timers after each.

    As the sale's Updates do, an Update answers once the main path has taken it in (it was
    waiting for it and went on), in the same workflow task."""

    @workflow.init
    def __init__(self, plan: BarePlan) -> None:
        self._received = 0
        self._taken_in = 0
        self._records = 0
        self._closing = False

    @workflow.update
    async def act(self, n: int) -> int:
        self._received += 1
        seq = self._received
        await workflow.wait_condition(lambda: self._taken_in >= seq)
        return seq

    @workflow.run
    async def run(self, plan: BarePlan) -> int:
        drain = asyncio.create_task(self._drain())
        background: list[asyncio.Task[None]] = []
        last = len(plan.segments) - 1
        for k, seg in enumerate(plan.segments):
            if k:
                await workflow.wait_condition(lambda k=k: self._received >= k)  # type: ignore[misc]
                self._taken_in = k
            self._records += seg.record
            if k < last:
                background += [
                    asyncio.create_task(self._until_next(k)) for _ in range(seg.cancelled)
                ]
            for i in range(seg.main):
                await workflow.execute_activity(
                    bare_activity, i, start_to_close_timeout=timedelta(seconds=30)
                )
            for _ in range(seg.fired):
                await workflow.sleep(timedelta(milliseconds=plan.timer_ms))
        await asyncio.gather(*background)
        self._closing = True
        await drain
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self._received

    async def _drain(self) -> None:
        while True:
            await workflow.wait_condition(lambda: self._records > 0 or self._closing)
            if not self._records:
                return
            self._records -= 1
            await workflow.execute_activity(
                bare_activity, self._records, start_to_close_timeout=timedelta(seconds=30)
            )

    async def _until_next(self, k: int) -> None:
        with contextlib.suppress(TimeoutError):
            await workflow.wait_condition(lambda: self._received > k, timeout=timedelta(hours=1))


# ---------------------------------------------------------------------------------------------
# No-op activities under the sale's activity names (same inputs and results, no work).
# ---------------------------------------------------------------------------------------------


@activity.defn(name="send_email")
def noop_send_email(inp: SendEmailInput) -> EmailResult:
    return EmailResult(message_id=inp.message_id, status="stored", recipients=[], subject="")


@activity.defn(name="record_events")
def noop_record_events(batch: RecordEventsInput) -> int:
    return len(batch.events)


@activity.defn(name="issue_work_order")
def noop_issue_work_order(inp: IssueWorkOrderInput) -> WorkOrderResult:
    return WorkOrderResult(number=f"OT-{inp.sale_id}", sale_id=inp.sale_id, status="issued")


@activity.defn(name="void_work_order")
def noop_void_work_order(inp: VoidWorkOrderInput) -> WorkOrderResult:
    return WorkOrderResult(number=inp.number, sale_id=inp.sale_id, status="voided")


NOOP_ACTIVITIES = [noop_send_email, noop_record_events, noop_issue_work_order, noop_void_work_order]

# ---------------------------------------------------------------------------------------------
# History shapes
# ---------------------------------------------------------------------------------------------

_E = EventType
_UPDATE_ACCEPTED = _E.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED


@dataclass
class Shape:
    """What one workflow history holds (means when several are averaged)."""

    events: float = 0
    kb: float = 0
    updates: float = 0
    activities: float = 0
    record_events: float = 0
    timers: float = 0
    timers_fired: float = 0
    workflow_tasks: float = 0
    upserts: float = 0
    update_result_kb: float = 0
    activity_input_kb: float = 0

    def row(self) -> str:
        return (
            f"{self.events:6.0f} {self.kb:7.0f} {self.workflow_tasks:5.0f} {self.updates:5.0f} "
            f"{self.activities:5.0f} ({self.record_events:2.0f}) {self.timers:4.0f} "
            f"({self.timers_fired:.0f}) {self.upserts:5.0f} {self.update_result_kb:8.0f} "
            f"{self.activity_input_kb:8.0f}"
        )


SHAPE_HEADER = (
    f"{'events':>6} {'KB':>7} {'WFTs':>5} {'upd':>5} {'acts':>5} (rec) {'tmrs':>4} (fired) "
    f"{'upsert':>5} {'updResKB':>8} {'actInKB':>8}"
)


def _payloads_size(payloads: Any) -> int:
    return sum(len(p.data) for p in payloads.payloads) if payloads else 0


def history_shape(history: WorkflowHistory) -> tuple[Shape, BarePlan]:
    """Counts a history's events and derives the bare workflow's plan from it."""
    shape = Shape(events=len(history.events), kb=len(history.to_json()) / 1024)
    segments = [Segment()]
    started_in: dict[str, Segment] = {}
    for ev in history.events:
        t = ev.event_type
        seg = segments[-1]
        if t == _UPDATE_ACCEPTED:
            shape.updates += 1
            segments.append(Segment())
        elif t == _E.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED:
            outcome = ev.workflow_execution_update_completed_event_attributes.outcome
            shape.update_result_kb += _payloads_size(outcome.success) / 1024
        elif t == _E.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            attrs = ev.activity_task_scheduled_event_attributes
            shape.activities += 1
            shape.activity_input_kb += _payloads_size(attrs.input) / 1024
            if attrs.activity_type.name == "record_events":
                shape.record_events += 1
                seg.record += 1
            else:
                seg.main += 1
        elif t == _E.EVENT_TYPE_TIMER_STARTED:
            shape.timers += 1
            started_in[ev.timer_started_event_attributes.timer_id] = seg
        elif t == _E.EVENT_TYPE_TIMER_FIRED:
            shape.timers_fired += 1
            started_in[ev.timer_fired_event_attributes.timer_id].fired += 1
        elif t == _E.EVENT_TYPE_TIMER_CANCELED:
            started_in[ev.timer_canceled_event_attributes.timer_id].cancelled += 1
        elif t == _E.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
            shape.workflow_tasks += 1
        elif t == _E.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
            shape.upserts += 1
    return shape, BarePlan(segments=segments)


def mean_shape(shapes: list[Shape]) -> Shape:
    if not shapes:
        return Shape()
    names = list(asdict(shapes[0]))
    return Shape(**{n: statistics.fmean(getattr(s, n) for s in shapes) for n in names})


def recorded_history(path: Path) -> WorkflowHistory:
    return WorkflowHistory.from_json(f"sale-{path.stem}", path.read_text())
