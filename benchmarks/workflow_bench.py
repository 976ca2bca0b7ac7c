"""Measures the sale workflow on one dev server: throughput against a bare workflow, replay time,
and a worker holding thousands of open sales.

Everything runs in ONE invocation against ONE local dev server (in memory), so the figures are
side by side:

1. Throughput. N sales (50 driven at once) of `SaleWorkflow` on the fast profile with every
   minimum duration at 0, driven by Updates in the happy-path order, against `BareWorkflow`
   (defined here): the same number of Updates, activities and timers with trivial payloads and
   activities. Also the sale with no-op activities under the same names, to split the cost of
   the real activities (SQL, rendering) from the workflow's own.
2. Replay. `Replayer` with the project's sandbox on the committed histories (happy path and the
   largest), one `replay_workflow` call per replay, as the replay tests do.
3. Open sales. 10,000 sales left waiting on the consultant (step 2) on a worker in its own
   process (`worker.py`, configured by environment variables); its resident memory and the
   latency of a staff action (the `select_template` Update) on random waiting sales, with the
   SDK's default workflow cache and with a cache as large as the number of sales.

    .venv/bin/python benchmarks/workflow_bench.py                        # full sizes, ~15 min
    .venv/bin/python benchmarks/workflow_bench.py --sales 20 --waiting 500 --replays 10   # quick
    .venv/bin/python benchmarks/workflow_bench.py --db-url postgresql+psycopg://postgres@127.0.0.1:5432/test

With `--db-url` pointing at PostgreSQL the benchmark creates a throw-away database on that
server (dropped at the end); by default the records are a SQLite file in a temporary folder.
"""

from __future__ import annotations

# The workflow defined here runs in the sandbox, which re-executes this module per workflow
# instance: every import is passed through, so that re-execution costs what the sale's own
# workflow modules cost (definitions only), not a fresh import of SQLAlchemy and friends.
from temporalio import activity, workflow

with workflow.unsafe.imports_passed_through():
    import argparse
    import asyncio
    import contextlib
    import json
    import os
    import random
    import signal
    import statistics
    import subprocess
    import sys
    import tempfile
    import time
    import uuid
    from collections.abc import Awaitable, Callable, Iterator
    from concurrent.futures import ThreadPoolExecutor
    from contextlib import contextmanager
    from dataclasses import asdict, dataclass, field
    from datetime import UTC, datetime, timedelta
    from pathlib import Path
    from typing import Any

    from pydantic import BaseModel
    from sqlalchemy import make_url, text
    from temporalio.api.enums.v1 import EventType
    from temporalio.client import (
        Client,
        WorkflowHandle,
        WorkflowHistory,
        WorkflowUpdateFailedError,
    )
    from temporalio.contrib.pydantic import pydantic_data_converter
    from temporalio.exceptions import ApplicationError
    from temporalio.testing import WorkflowEnvironment
    from temporalio.worker import Replayer, UnsandboxedWorkflowRunner, Worker
    from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

    from activities.inputs import (
        EmailResult,
        IssueWorkOrderInput,
        RecordEventsInput,
        SendEmailInput,
        VoidWorkOrderInput,
        WorkOrderResult,
    )
    from mnd.demo_data import DEMO_STAFF, demo_content, demo_documents, demo_sale
    from mnd.domain import actions as a
    from mnd.domain.catalog import DELIVERED_APPLICATIONS
    from mnd.domain.errors import RefusalKind
    from mnd.domain.parties import Actor
    from mnd.domain.profile import ProcessProfile, fast_profile
    from mnd.domain.roles import Role
    from mnd.domain.sale import OpenSaleInput, SaleState, WorkOrder, workflow_id_for
    from mnd.settings import Settings
    from workflows import search_attributes as sa
    from workflows.sale import SaleWorkflow
    from workflows.sandbox import PASSED_THROUGH, sale_workflow_runner
    from workflows.search_attributes import ALL_KEYS

ROOT = Path(__file__).parents[1]
HISTORIES = ROOT / "tests" / "histories"
HAPPY_PATH = HISTORIES / "happy_path.json"

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
    """Waits for Updates one by one and runs the plan's activities and timers after each."""

    @workflow.init
    def __init__(self, plan: BarePlan) -> None:
        self._received = 0
        self._records = 0
        self._closing = False

    @workflow.update
    def act(self, n: int) -> int:
        self._received += 1
        return self._received

    @workflow.run
    async def run(self, plan: BarePlan) -> int:
        drain = asyncio.create_task(self._drain())
        background: list[asyncio.Task[None]] = []
        last = len(plan.segments) - 1
        for k, seg in enumerate(plan.segments):
            if k:
                await workflow.wait_condition(lambda k=k: self._received >= k)  # type: ignore[misc]
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


# ---------------------------------------------------------------------------------------------
# Processes: CPU and memory from /proc (no psutil needed)
# ---------------------------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process (all its threads), from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def memory_mb(pid: int) -> dict[str, float]:
    """VmRSS and VmHWM (peak RSS) of a process in MB, from /proc/<pid>/status."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = int(value.split()[0]) / 1024
    return found


def server_pid() -> int | None:
    """The dev server started by this process (a child named temporal*)."""
    me = os.getpid()
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            stat = (proc / "stat").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == me and name.startswith("temporal"):
            return int(proc.name)
    return None


def pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


# ---------------------------------------------------------------------------------------------
# Records database
# ---------------------------------------------------------------------------------------------


@contextmanager
def records_database(db_url: str | None, folder: Path) -> Iterator[str]:
    """The records URL: a SQLite file in `folder`, or a throw-away database on `db_url`'s server."""
    if not db_url:
        yield f"sqlite:///{folder / 'mnd.sqlite3'}"
        return
    if make_url(db_url).get_backend_name() != "postgresql":
        yield db_url
        return
    from mnd.db.engine import make_engine

    name = f"mnd_wfbench_{uuid.uuid4().hex[:8]}"
    admin = make_engine(db_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(db_url).set(database=name).render_as_string(False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


# ---------------------------------------------------------------------------------------------
# 1. Throughput
# ---------------------------------------------------------------------------------------------


def bench_profile() -> ProcessProfile:
    """The fast profile with every minimum at 0 (no minimum timer is ever started).

    Reminders and escalations stay long (an hour): as in the recorded happy path their timers
    start and are cancelled when the ally delivers and the client approves. At 0 they would
    fire at once and add reminder emails the happy path does not send."""
    hour = timedelta(hours=1)
    return fast_profile().model_copy(
        update={
            "name": "bench",
            "client_verification_min": timedelta(0),
            "contract_number_min": timedelta(0),
            "document_validation_min": timedelta(0),
            "ally_delivery_estimate": hour,
            "ally_delivery_escalation": 2 * hour,
            "client_approval_reminder_every": hour,
            "client_approval_escalation": 2 * hour,
        }
    )


HAPPY_SEQUENCE = [
    "select_template",
    "confirm_business_type",
    "submit_content",
    "record_crm_lookup",
    "assign_contract_number",
    "submit_documents",
    "approve_documents",
    "submit_purchase_form",
    "deliver_piece",
    "approve_product",
    "record_call",
    "confirm_work_order_closure",
]
_NEEDS_OT = {"submit_purchase_form", "confirm_work_order_closure"}


def happy_payload(name: str, inp: OpenSaleInput, ot: WorkOrder | None) -> a.ActionInput:
    """The payload `mnd.autopilot.next_action` sends for `name` on the happy path."""
    c = Actor(id=inp.consultant.id, role=Role.CONSULTANT, name=inp.consultant.name)

    def staff(role: Role) -> Actor:
        return Actor(id=DEMO_STAFF[role], role=role)

    slug = inp.sale_id.lower()
    match name:
        case "select_template":
            return a.SelectTemplateInput(actor=c, template_id="td_moda")
        case "confirm_business_type":
            return a.ConfirmBusinessTypeInput(actor=c, business_type="tienda_ropa")
        case "submit_content":
            return a.SubmitContentInput(actor=c, content=demo_content())
        case "record_crm_lookup":
            return a.RecordCrmLookupInput(actor=c, in_onyx=True, in_rr=True)
        case "assign_contract_number":
            return a.AssignContractNumberInput(
                actor=staff(Role.PROVISIONING), contract_number=f"CTO-{inp.sale_id}"
            )
        case "submit_documents":
            return a.SubmitDocumentsInput(actor=c, documents=demo_documents())
        case "approve_documents":
            return a.ApproveDocumentsInput(actor=staff(Role.COMMERCIAL_SUPPORT))
        case "submit_purchase_form":
            assert ot is not None
            return a.SubmitPurchaseFormInput(
                actor=c,
                plan_id=inp.plan_id,
                template_id="td_moda",
                business_type="tienda_ropa",
                product_count=len(demo_content().products),
                work_order_number=ot.number,
            )
        case "deliver_piece":
            return a.DeliverPieceInput.model_validate(
                {
                    "actor": staff(Role.ALLY).model_dump(),
                    "product_url": f"https://claro.minegocio.digital/tiendas/{slug}",
                    "delivery_piece_url": f"https://claro.minegocio.digital/piezas/{slug}/entrega.pdf",
                    "support_channels_piece_url": f"https://claro.minegocio.digital/piezas/{slug}/soporte.pdf",
                }
            )
        case "approve_product":
            client = inp.client
            return a.ApproveProductInput(
                actor=Actor(id=client.email, role=Role.CLIENT, name=client.contact_name)
            )
        case "record_call":
            return a.RecordCallInput(
                actor=staff(Role.PRODUCTION),
                reached=True,
                support_channels_explained=True,
                post_sale_channels_explained=True,
                applications=dict.fromkeys(DELIVERED_APPLICATIONS, a.ApplicationCheck.OK),
            )
        case "confirm_work_order_closure":
            assert ot is not None
            return a.ConfirmWorkOrderClosureInput(
                actor=staff(Role.PROVISIONING),
                work_order_number=ot.number,
                billing_start_date=ot.issued_at.date(),
            )
    raise ValueError(name)


@dataclass
class DriveStats:
    describes: int = 0  # describe calls (server only) while the sale runs a step's activities
    refused: int = 0  # Updates refused as early anyway (`wrong_step`): retried
    queries: int = 0  # `state` queries (only to learn the OT number)
    refused_by_action: dict[str, int] = field(default_factory=dict)
    expected_wait: dict[str, float] = field(default_factory=dict)  # seconds, moving average


# Actions the sale accepts as soon as the previous one is accepted (the step changes in the same
# workflow task). Before the others the sale runs activities (emails, the OT) or its first task:
# the driver first watches the `MndStep` search attribute with `describe`, which only the server
# answers, so waiting costs the worker nothing (a refused Update would cost a workflow task).
_IMMEDIATE = {
    "confirm_business_type",
    "submit_content",
    "assign_contract_number",
    "submit_documents",
    "confirm_work_order_closure",
}
# A describe costs the server over 1 ms of CPU: the driver first sleeps for most of the time the
# step took before (a moving average per action), then polls every 50 ms; the report also
# subtracts the measured cost of the polls.
POLL_EVERY, FIRST_GUESS = 0.05, 0.05


async def drive_full(client: Client, inp: OpenSaleInput, stats: DriveStats) -> None:
    """Sends the happy path's Updates in order, as `drive_sale` does, but without polling the
    `state` query between actions (each poll is a workflow task on the worker)."""
    handle: WorkflowHandle[Any, Any] = client.get_workflow_handle(workflow_id_for(inp.sale_id))
    ot: WorkOrder | None = None
    for name in HAPPY_SEQUENCE:
        step = a.ACTIONS[name].step
        assert step is not None
        delay = POLL_EVERY
        if name not in _IMMEDIATE:
            expected = stats.expected_wait.get(name, FIRST_GUESS)
            started = time.monotonic()
            await asyncio.sleep(0.8 * expected)
            while True:
                stats.describes += 1
                described = await handle.describe()
                if described.typed_search_attributes.get(sa.STEP) == step.value:
                    break
                await asyncio.sleep(POLL_EVERY)
            waited = time.monotonic() - started
            stats.expected_wait[name] = 0.7 * expected + 0.3 * waited
        if name in _NEEDS_OT and ot is None:
            stats.queries += 1
            ot = (await handle.query(SaleWorkflow.state)).work_order
        while True:
            try:
                await handle.execute_update(
                    name, happy_payload(name, inp, ot), result_type=SaleState
                )
                break
            except WorkflowUpdateFailedError as failed:
                cause = failed.cause
                if not (
                    isinstance(cause, ApplicationError)
                    and cause.type == RefusalKind.WRONG_STEP.value
                ):
                    raise
                stats.refused += 1
                stats.refused_by_action[name] = stats.refused_by_action.get(name, 0) + 1
                await asyncio.sleep(delay)
                delay = min(2 * delay, 0.2)
    await handle.result()


@dataclass
class Variant:
    name: str
    label: str
    start_and_drive: Callable[[Client, str, int, DriveStats], Awaitable[WorkflowHandle[Any, Any]]]
    make_worker: Callable[[Client, str], Worker]


@dataclass
class ThroughputResult:
    name: str
    label: str
    sales: int
    concurrency: int
    seconds: float
    sales_per_s: float
    latency_p50_s: float
    latency_p95_s: float
    bench_cpu_ms_per_sale: float  # worker + driver (this process)
    server_cpu_ms_per_sale: float  # dev server process
    describes_per_sale: float
    polls_cpu_ms_per_sale: float  # CPU of those describes (measured per call), here + server
    refused_per_sale: float
    queries_per_sale: float
    refused_by_action: dict[str, int]
    shape: Shape = field(default_factory=Shape)


@dataclass
class _Totals:
    sales: int = 0
    seconds: float = 0
    cpu: float = 0
    server_cpu: float = 0
    latencies: list[float] = field(default_factory=list)
    handles: list[WorkflowHandle[Any, Any]] = field(default_factory=list)
    stats: DriveStats = field(default_factory=DriveStats)


async def run_sales(
    client: Client, variant: Variant, task_queue: str, count: int, concurrency: int, t: _Totals
) -> None:
    """`count` sales, `concurrency` at a time; adds wall time, latencies and handles to `t`."""
    gate = asyncio.Semaphore(concurrency)

    async def one(i: int) -> None:
        async with gate:
            started = time.perf_counter()
            t.handles.append(await variant.start_and_drive(client, task_queue, i, t.stats))
            t.latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(count)))
    t.seconds += time.perf_counter() - started
    t.sales += count


async def describe_cost(
    client: Client, server: int | None, calls: int = 300
) -> tuple[float, float]:
    """CPU ms of one `describe` (here, in the server): a sale nobody works, described `calls` times."""
    from mnd.opening import open_sale

    inp = demo_sale(f"WB-describe-{uuid.uuid4().hex[:8]}", bench_profile())
    handle = await open_sale(client, inp, f"bench-no-worker-{uuid.uuid4().hex[:6]}")
    await handle.describe()
    cpu0, srv0 = time.process_time(), cpu_seconds(server) if server else 0.0
    for _ in range(calls):
        await handle.describe()
    here = (time.process_time() - cpu0) * 1000 / calls
    there = ((cpu_seconds(server) if server else 0.0) - srv0) * 1000 / calls
    await handle.terminate("benchmark")
    return here, there


async def throughput(
    env: WorkflowEnvironment,
    variants: list[Variant],
    sales: int,
    concurrency: int,
    warmup: int,
    rounds: int,
    shape_samples: int,
) -> list[ThroughputResult]:
    """Each variant runs `sales` sales in `rounds` rounds, the variants taking turns (in a
    rotating order), so a burst of load from elsewhere on the machine hits them alike."""
    client = env.client
    server = server_pid()
    totals = {v.name: _Totals() for v in variants}
    poll_here, poll_server = await describe_cost(client, server)
    print(f"  a describe costs {poll_here:.2f} ms CPU here + {poll_server:.2f} ms in the server")
    for r in range(rounds):
        count = sales // rounds + (1 if r < sales % rounds else 0)
        shift = r % len(variants)
        for variant in variants[shift:] + variants[:shift]:
            t = totals[variant.name]
            task_queue = f"bench-{variant.name}-{uuid.uuid4().hex[:6]}"
            async with variant.make_worker(client, task_queue):
                if r == 0 and warmup:
                    await run_sales(client, variant, task_queue, warmup, concurrency, _Totals())
                cpu0, srv0 = time.process_time(), cpu_seconds(server) if server else 0.0
                await run_sales(client, variant, task_queue, count, concurrency, t)
                t.cpu += time.process_time() - cpu0
                t.server_cpu += (cpu_seconds(server) if server else 0.0) - srv0
            print(
                f"  round {r + 1}/{rounds} {variant.label}: {count} sales, "
                f"{t.sales / t.seconds:.2f} sales/s so far; load average {os.getloadavg()[0]:.1f}",
                flush=True,
            )
    results = []
    for variant in variants:
        t = totals[variant.name]
        sample = random.Random(1).sample(t.handles, min(shape_samples, len(t.handles)))
        shapes = [history_shape(await h.fetch_history())[0] for h in sample]
        results.append(
            ThroughputResult(
                name=variant.name,
                label=variant.label,
                sales=t.sales,
                concurrency=concurrency,
                seconds=t.seconds,
                sales_per_s=t.sales / t.seconds,
                latency_p50_s=pct(t.latencies, 50),
                latency_p95_s=pct(t.latencies, 95),
                bench_cpu_ms_per_sale=t.cpu * 1000 / t.sales,
                server_cpu_ms_per_sale=t.server_cpu * 1000 / t.sales,
                describes_per_sale=t.stats.describes / t.sales,
                polls_cpu_ms_per_sale=t.stats.describes / t.sales * (poll_here + poll_server),
                refused_per_sale=t.stats.refused / t.sales,
                queries_per_sale=t.stats.queries / t.sales,
                refused_by_action=t.stats.refused_by_action,
                shape=mean_shape(shapes),
            )
        )
    return results


def make_variants(
    records_url: str, folder: Path, run_id: str, plan: BarePlan, activity_threads: int
) -> list[Variant]:
    from mnd.db.engine import open_database
    from mnd.opening import open_sale
    from mnd.worker_app import build_worker

    profile = bench_profile()
    engine = open_database(records_url, migrate=True)
    executor = ThreadPoolExecutor(activity_threads, "bench-activity")

    def settings(task_queue: str) -> Settings:
        return Settings(
            data_dir=folder,
            task_queue=task_queue,
            database_url=records_url,
            metrics_bind="",
            activity_threads=activity_threads,
        )

    def worker_like_build_worker(client: Client, task_queue: str, **kw: Any) -> Worker:
        # The options of `worker.build_worker`, with other workflows and activities.
        return Worker(
            client,
            task_queue=task_queue,
            activity_executor=executor,
            workflow_runner=sale_workflow_runner(),
            max_concurrent_activities=activity_threads,
            graceful_shutdown_timeout=timedelta(seconds=10),
            **kw,
        )

    def sale_driver(kind: str) -> Callable[..., Awaitable[WorkflowHandle[Any, Any]]]:
        async def start_and_drive(
            client: Client, task_queue: str, i: int, stats: DriveStats
        ) -> WorkflowHandle[Any, Any]:
            sale_id = f"WB-{run_id}-{kind}-{uuid.uuid4().hex[:8]}"
            inp = demo_sale(sale_id, profile)
            handle = await open_sale(client, inp, task_queue)
            await drive_full(client, inp, stats)
            return handle

        return start_and_drive

    async def bare_drive(
        client: Client, task_queue: str, i: int, stats: DriveStats
    ) -> WorkflowHandle[Any, Any]:
        handle = await client.start_workflow(
            BareWorkflow.run,
            plan,
            id=f"bare-{run_id}-{uuid.uuid4().hex[:8]}",
            task_queue=task_queue,
        )
        for n in range(len(plan.segments) - 1):
            await handle.execute_update(BareWorkflow.act, n)
        await handle.result()
        return handle

    return [
        Variant(
            "bare",
            "bare workflow",
            bare_drive,
            lambda c, tq: worker_like_build_worker(
                c, tq, workflows=[BareWorkflow], activities=[bare_activity]
            ),
        ),
        Variant(
            "full",
            "full sale",
            sale_driver("full"),
            lambda c, tq: build_worker(c, settings(tq), engine, executor),
        ),
        Variant(
            "noop",
            "no-op activities",
            sale_driver("noop"),
            lambda c, tq: worker_like_build_worker(
                c, tq, workflows=[SaleWorkflow], activities=NOOP_ACTIVITIES
            ),
        ),
    ]


@dataclass
class Calibration:
    recorded: Shape  # tests/histories/happy_path.json
    measured: Shape  # one sale of this run, alone on the worker
    samples: dict[str, tuple[str, type]]  # histories of this run to replay: name -> (JSON, class)


async def calibrate(
    env: WorkflowEnvironment, variants: list[Variant], bare_plan: BarePlan, mirror: bool
) -> Calibration:
    """One full sale alone (its shape; with `mirror` the bare workflow's plan becomes its
    plan), then one bare workflow and one sale left waiting at step 2, whose histories the
    replay part times."""
    client = env.client
    full = next(v for v in variants if v.name == "full")
    bare = next(v for v in variants if v.name == "bare")
    task_queue = f"bench-calibrate-{uuid.uuid4().hex[:6]}"
    async with full.make_worker(client, task_queue):
        handle = await full.start_and_drive(client, task_queue, 0, DriveStats())
        full_history = await handle.fetch_history()
        measured, plan = history_shape(full_history)
        from mnd.opening import open_sale

        waiting = await open_sale(
            client, demo_sale(f"WB-step2-{uuid.uuid4().hex[:8]}", fast_profile()), task_queue
        )
        while True:  # at step 2 once its first record activity completed and nothing runs
            history = await waiting.fetch_history()
            last = history.events[-1].event_type
            if (
                any(e.event_type == _E.EVENT_TYPE_ACTIVITY_TASK_COMPLETED for e in history.events)
                and last == _E.EVENT_TYPE_WORKFLOW_TASK_COMPLETED
            ):
                break
            await asyncio.sleep(0.1)
        await waiting.terminate("benchmark sample")
    if mirror:
        bare_plan.segments[:] = plan.segments
    task_queue = f"bench-calibrate-{uuid.uuid4().hex[:6]}"
    async with bare.make_worker(client, task_queue):
        bare_handle = await bare.start_and_drive(client, task_queue, 0, DriveStats())
    return Calibration(
        recorded=history_shape(recorded_history(HAPPY_PATH))[0],
        measured=measured,
        samples={
            "bare workflow": ((await bare_handle.fetch_history()).to_json(), BareWorkflow),
            "sale at step 2": (history.to_json(), SaleWorkflow),
            "full sale of this run": (full_history.to_json(), SaleWorkflow),
        },
    )


# ---------------------------------------------------------------------------------------------
# 2. Replay
# ---------------------------------------------------------------------------------------------


@dataclass
class ReplayResult:
    history: str
    runner: str
    events: int
    kb: float
    replays: int
    median_ms: float
    p95_ms: float
    cpu_median_ms: float  # CPU of this process (all threads) per replay


async def time_replays(
    name: str, text_json: str, workflow_cls: type, runner: Any, runner_name: str, replays: int
) -> ReplayResult:
    """`replay_workflow` once per replay (a fresh history object each time, parsed untimed)."""
    replayer = Replayer(
        workflows=[workflow_cls],
        data_converter=pydantic_data_converter,
        workflow_runner=runner,
    )
    samples, cpu = [], []
    history = WorkflowHistory.from_json(f"wf-{name}", text_json)
    for i in range(replays + 2):  # two untimed warm-ups (imports, schema builds)
        history = WorkflowHistory.from_json(f"wf-{name}-{i}", text_json)
        cpu0, started = time.process_time(), time.perf_counter()
        result = await replayer.replay_workflow(history, raise_on_replay_failure=False)
        elapsed = (time.perf_counter() - started) * 1000
        if result.replay_failure is not None:
            raise RuntimeError(f"{name} failed to replay: {result.replay_failure}")
        if i >= 2:
            samples.append(elapsed)
            cpu.append((time.process_time() - cpu0) * 1000)
    return ReplayResult(
        history=name,
        runner=runner_name,
        events=len(history.events),
        kb=len(text_json) / 1024,
        replays=replays,
        median_ms=statistics.median(samples),
        p95_ms=pct(samples, 95),
        cpu_median_ms=statistics.median(cpu),
    )


@contextmanager
def bytecode_cache(folder: Path) -> Iterator[None]:
    """Lets imports write and read .pyc files under `folder` (PYTHONDONTWRITEBYTECODE=1 here
    makes every sandboxed workflow instance compile its workflow modules from source)."""
    saved = sys.dont_write_bytecode, sys.pycache_prefix
    sys.dont_write_bytecode, sys.pycache_prefix = False, str(folder)
    try:
        yield
    finally:
        sys.dont_write_bytecode, sys.pycache_prefix = saved


# The workflow's helper modules: plain code with no module state, imported by workflows.sale.
HELPER_MODULES = (
    "workflows.handlers",
    "workflows.runtime",
    "workflows.steps_flow",
    "workflows.notices",
    "workflows.search_attributes",
)


def helpers_passed_through_runner() -> SandboxedWorkflowRunner:
    """The project's sandbox, also passing through the workflow's helper modules, so a new
    workflow instance re-executes only workflows/sale.py (a proposal, measured here)."""
    return SandboxedWorkflowRunner(
        restrictions=SandboxRestrictions.default.with_passthrough_modules(
            *PASSED_THROUGH, *HELPER_MODULES
        )
    )


async def replay_bench(
    replays: int, folder: Path, extra: dict[str, tuple[str, type]]
) -> list[ReplayResult]:
    """The recorded happy path and the largest recorded history with the project's sandbox
    (what the replay tests do), then the same happy path with other runners and the histories
    of this run (`extra`: name -> (history JSON, workflow class)) to see where the time goes."""
    files = sorted(HISTORIES.glob("*.json"), key=lambda p: p.stat().st_size)
    newest_happy = sorted(HISTORIES.glob("happy_path_v*.json"))
    chosen = list(dict.fromkeys([HAPPY_PATH, *newest_happy[-1:], files[-1]]))
    plan: list[tuple[str, str, type, Callable[[], Any], str]] = []
    for path in chosen:
        plan.append((path.stem, path.read_text(), SaleWorkflow, sale_workflow_runner, "sandbox"))
    for name, (text_json, cls) in extra.items():
        plan.append((name, text_json, cls, sale_workflow_runner, "sandbox"))
    happy = HAPPY_PATH.read_text()
    plan += [
        (HAPPY_PATH.stem, happy, SaleWorkflow, helpers_passed_through_runner, "helpers p/t"),
        (HAPPY_PATH.stem, happy, SaleWorkflow, UnsandboxedWorkflowRunner, "no sandbox"),
    ]
    waiting = extra.get("sale at step 2")
    if waiting:
        plan.append(
            ("sale at step 2", waiting[0], SaleWorkflow, UnsandboxedWorkflowRunner, "no sandbox")
        )
    results = []
    for name, text_json, cls, runner, runner_name in plan:
        results.append(await time_replays(name, text_json, cls, runner(), runner_name, replays))
        print(f"  {name} ({runner_name}): median {results[-1].median_ms:.1f} ms", flush=True)
    with bytecode_cache(folder / "pyc"):
        for name, text_json, cls in [(HAPPY_PATH.stem, happy, SaleWorkflow)] + (
            [("sale at step 2", waiting[0], SaleWorkflow)] if waiting else []
        ):
            results.append(
                await time_replays(
                    name, text_json, cls, sale_workflow_runner(), "sandbox+pyc", replays
                )
            )
            print(f"  {name} (sandbox+pyc): median {results[-1].median_ms:.1f} ms", flush=True)
    return results


# ---------------------------------------------------------------------------------------------
# 3. Open sales waiting on a person, on a worker in its own process
# ---------------------------------------------------------------------------------------------


@dataclass
class WaitingResult:
    worker: str
    cache: int
    sales: int
    open_seconds: float
    opens_per_s: float
    worker_cpu_ms_per_open: float
    rss_empty_mb: float  # the worker before any sale
    rss_idle_mb: float
    rss_after_mb: float
    peak_mb: float
    action_samples: int
    action_p50_ms: float
    action_p99_ms: float
    action_max_ms: float
    rss_curve: list[tuple[int, float]]  # (sales opened, RSS MB) while opening


@dataclass
class WaitingWorker:
    label: str
    cache: int | None = None  # None: worker.py as is (MND_WORKFLOW_CACHE_SIZE at its default)
    pyc: bool = False  # let Python write and read .pyc files (under the temp folder)


def spawn_worker(
    env: WorkflowEnvironment, task_queue: str, records_url: str, folder: Path, how: WaitingWorker
) -> tuple[subprocess.Popen[bytes], Path]:
    """`worker.py` as its own process, configured by environment variables (the cache through
    MND_WORKFLOW_CACHE_SIZE; before worker.py had that setting, by patching its Worker class)."""
    environ = dict(os.environ)
    if how.pyc:
        environ.pop("PYTHONDONTWRITEBYTECODE", None)
        environ["PYTHONPYCACHEPREFIX"] = str(folder / "pyc")
    environ.update(
        TEMPORAL_ADDRESS=env.client.service_client.config.target_host,
        TEMPORAL_NAMESPACE=env.client.namespace,
        MND_TASK_QUEUE=task_queue,
        MND_DATABASE_URL=records_url,
        MND_DATA_DIR=str(folder),
        MND_METRICS_BIND="",
        MND_DB_AUTO_MIGRATE="false",
        PYTHONPATH=str(ROOT),
    )
    command = [sys.executable, str(ROOT / "worker.py")]
    if how.cache is not None and "workflow_cache_size" in Settings.model_fields:
        environ["MND_WORKFLOW_CACHE_SIZE"] = str(how.cache)
    elif how.cache is not None:  # a worker.py without the setting: patch its Worker class
        command = [sys.executable, __file__, "--as-worker", "--worker-cache", str(how.cache)]
    log = folder / f"worker-{task_queue}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(command, cwd=ROOT, env=environ, stdout=out, stderr=out)
    deadline = time.monotonic() + 60
    while "Worker escuchando" not in log.read_text(errors="replace"):
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"worker did not start:\n{log.read_text(errors='replace')}")
        time.sleep(0.1)
    return proc, log


def run_as_worker(cache: int) -> None:
    """Entry point of the spawned worker with a given workflow cache."""
    from functools import partial

    import worker
    from mnd import worker_app
    from mnd.entrypoint import run_main

    worker_app.Worker = partial(Worker, max_cached_workflows=cache)  # type: ignore[misc]
    run_main(worker.main())


async def wait_idle(pid: int, quiet_s: float = 2.0, timeout_s: float = 600) -> None:
    """Until the process used under 5 % of a core for `quiet_s` seconds in a row."""
    deadline = time.monotonic() + timeout_s
    quiet_since, last = time.monotonic(), cpu_seconds(pid)
    while time.monotonic() < deadline:
        await asyncio.sleep(0.5)
        now_cpu = cpu_seconds(pid)
        if now_cpu - last > 0.025:
            quiet_since = time.monotonic()
        last = now_cpu
        if time.monotonic() - quiet_since >= quiet_s:
            return


async def open_many(
    client: Client, ids: list[str], profile: ProcessProfile, task_queue: str
) -> None:
    """Opens the sales, 100 starts in flight."""
    from mnd.opening import open_sale

    gate = asyncio.Semaphore(100)

    async def open_one(sale_id: str) -> None:
        async with gate:
            await open_sale(client, demo_sale(sale_id, profile), task_queue)

    await asyncio.gather(*(open_one(s) for s in ids))


async def watch_memory(
    client: Client, query: str, pid: int, curve: list[tuple[int, float]]
) -> None:
    """Every 2 s: (sales the visibility store shows at step 2, worker RSS MB)."""
    while True:
        await asyncio.sleep(2)
        at_step_2 = (await client.count_workflows(query)).count
        curve.append((at_step_2, memory_mb(pid)["VmRSS"]))


async def waiting_bench(
    env: WorkflowEnvironment,
    records_url: str,
    folder: Path,
    count: int,
    samples: int,
    workers: list[WaitingWorker],
    run_id: str,
) -> list[WaitingResult]:
    from mnd.db.engine import upgrade

    upgrade(records_url)  # the spawned workers do not migrate (MND_DB_AUTO_MIGRATE=false)
    client = env.client
    profile = fast_profile()
    results = []
    for how in workers:
        label, cache = how.label, how.cache
        task_queue = f"bench-waiting-{uuid.uuid4().hex[:6]}"
        proc, log = spawn_worker(env, task_queue, records_url, folder, how)
        try:
            await wait_idle(proc.pid, quiet_s=1.0)
            empty = memory_mb(proc.pid)
            ids = [f"WW-{run_id}-{task_queue[-6:]}-{i:05d}" for i in range(count)]
            started, cpu0 = time.perf_counter(), cpu_seconds(proc.pid)
            query = f'TaskQueue = "{task_queue}" AND MndStep = "template_selection"'
            curve: list[tuple[int, float]] = []
            watcher = asyncio.create_task(watch_memory(client, query, proc.pid, curve))
            await open_many(client, ids, profile, task_queue)
            while (await client.count_workflows(query)).count < count:
                await asyncio.sleep(0.5)
            open_seconds = time.perf_counter() - started
            await wait_idle(proc.pid)
            watcher.cancel()
            open_cpu = cpu_seconds(proc.pid) - cpu0
            idle = memory_mb(proc.pid)
            print(
                f"  {label}: {count} sales open in {open_seconds:.0f} s, "
                f"RSS {idle['VmRSS']:.0f} MB",
                flush=True,
            )
            latencies = []
            c = Actor(id="cons-0042", role=Role.CONSULTANT, name="Laura Gómez")
            payload = a.SelectTemplateInput(actor=c, template_id="td_moda")
            for sale_id in random.Random(2).sample(ids, min(samples, count)):
                handle = client.get_workflow_handle(workflow_id_for(sale_id))
                t0 = time.perf_counter()
                await handle.execute_update("select_template", payload, result_type=SaleState)
                latencies.append((time.perf_counter() - t0) * 1000)
            await wait_idle(proc.pid, quiet_s=1.0)
            after = memory_mb(proc.pid)
            print(
                f"  {label}: select_template p50 {pct(latencies, 50):.0f} ms, "
                f"p99 {pct(latencies, 99):.0f} ms; RSS after {after['VmRSS']:.0f} MB",
                flush=True,
            )
            results.append(
                WaitingResult(
                    worker=label,
                    cache=1000 if cache is None else cache,
                    sales=count,
                    open_seconds=open_seconds,
                    opens_per_s=count / open_seconds,
                    worker_cpu_ms_per_open=open_cpu * 1000 / count,
                    rss_empty_mb=empty["VmRSS"],
                    rss_idle_mb=idle["VmRSS"],
                    rss_after_mb=after["VmRSS"],
                    peak_mb=after["VmHWM"],
                    action_samples=len(latencies),
                    action_p50_ms=pct(latencies, 50),
                    action_p99_ms=pct(latencies, 99),
                    action_max_ms=max(latencies),
                    rss_curve=[(n, round(mb)) for n, mb in curve[:: max(1, len(curve) // 12)]],
                )
            )
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        # Nothing may keep running on this task queue: the sales stay open, unworked.
    return results


# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------


def report(
    args: argparse.Namespace,
    recorded: Shape | None,
    measured: Shape | None,
    tput: list[ThroughputResult],
    replays: list[ReplayResult],
    waiting: list[WaitingResult],
) -> None:
    print("\n" + "=" * 100)
    print("command: " + " ".join([Path(sys.executable).name, *sys.argv]))
    print(
        f"records: {'SQLite (temp dir)' if not args.db_url else args.db_url}; cores: {os.cpu_count()}"
    )
    if tput:
        print("\n1. Throughput (same dev server, in-process worker)")
        print(f"   {'history shape':<34} {SHAPE_HEADER}")
        if recorded:
            print(f"   {'recorded happy_path.json':<34} {recorded.row()}")
        if measured:
            print(f"   {'benchmark sale (calibration)':<34} {measured.row()}")
        for r in tput:
            print(f"   {r.label + ' (sampled)':<34} {r.shape.row()}")
        print(
            f"\n   {'variant':<28} {'sales':>5} {'sales/s':>8} {'x bare':>6} {'p50 s':>6} "
            f"| {'CPU ms/sale: here':>17} {'server':>6} {'total':>6} {'polls':>6} "
            f"{'net':>6} {'x bare':>6} | {'describes':>9} {'refused':>7}"
        )
        bare = next((r for r in tput if r.name == "bare"), None)

        def net(r: ThroughputResult) -> float:
            return r.bench_cpu_ms_per_sale + r.server_cpu_ms_per_sale - r.polls_cpu_ms_per_sale

        for r in tput:
            total = r.bench_cpu_ms_per_sale + r.server_cpu_ms_per_sale
            ratio = bare.sales_per_s / r.sales_per_s if bare else float("nan")
            cpu_ratio = net(r) / net(bare) if bare else float("nan")
            print(
                f"   {r.label:<28} {r.sales:>5} {r.sales_per_s:>8.2f} {ratio:>6.2f} "
                f"{r.latency_p50_s:>6.1f} | {r.bench_cpu_ms_per_sale:>17.0f} "
                f"{r.server_cpu_ms_per_sale:>6.0f} {total:>6.0f} {r.polls_cpu_ms_per_sale:>6.0f} "
                f"{net(r):>6.0f} {cpu_ratio:>6.2f} | {r.describes_per_sale:>9.1f} "
                f"{r.refused_per_sale:>7.1f}"
            )
        print(
            f"   {tput[0].concurrency} sales driven at once; 'here' is this process (worker and "
            "driver), 'polls' the CPU of the driver's describe calls, 'net' = total - polls"
        )
        for r in tput:
            if r.refused_by_action:
                print(f"   {r.label}: Updates refused as early, by action: {r.refused_by_action}")
        full = next((r for r in tput if r.name == "full"), None)
        noop = next((r for r in tput if r.name == "noop"), None)
        if full and noop:
            wall = 1 / full.sales_per_s - 1 / noop.sales_per_s
            cpu = net(full) - net(noop)
            print(
                f"   real activities (full - no-op): {wall * 1000:.0f} ms of wall time per sale "
                f"({wall * full.sales_per_s:.0%} of the full sale's), {cpu:.0f} ms of CPU "
                f"({cpu / net(full):.0%})"
            )
        print("   target: full sale at most 1.25x the bare cost")
    if replays:
        print("\n2. Replay (Replayer.replay_workflow, one call per replay)")
        print(
            f"   {'history':<28} {'runner':<12} {'events':>6} {'KB':>5} {'runs':>5} "
            f"{'median ms':>9} {'p95 ms':>7} {'CPU ms':>7}"
        )
        for r in replays:
            print(
                f"   {r.history:<28} {r.runner:<12} {r.events:>6} {r.kb:>5.0f} {r.replays:>5} "
                f"{r.median_ms:>9.1f} {r.p95_ms:>7.1f} {r.cpu_median_ms:>7.1f}"
            )
        print(
            "   sandbox: workflows/sandbox.py as is; helpers p/t: also passing through "
            "workflows.{handlers,runtime,steps_flow,notices,search_attributes}; +pyc: with .pyc "
            "files (this environment sets PYTHONDONTWRITEBYTECODE=1)"
            if os.environ.get("PYTHONDONTWRITEBYTECODE")
            else "   sandbox: workflows/sandbox.py as is; helpers p/t: also passing through "
            "workflows.{handlers,runtime,steps_flow,notices,search_attributes}; +pyc: .pyc cache"
        )
        print("   target: under 25 ms median")
    if waiting:
        print("\n3. Sales open and waiting on the consultant (worker in its own process)")
        print(
            f"   {'worker':<40} {'sales':>6} {'opens/s':>7} {'CPU/open':>8} "
            f"{'RSS MB: empty':>13} {'open':>5} "
            f"{'after':>6} "
            f"{'peak':>6} {'action p50 ms':>13} {'p99':>6} {'max':>6}"
        )
        for w in waiting:
            print(
                f"   {w.worker:<40} {w.sales:>6} {w.opens_per_s:>7.0f} "
                f"{w.worker_cpu_ms_per_open:>6.1f}ms {w.rss_empty_mb:>13.0f} "
                f"{w.rss_idle_mb:>5.0f} "
                f"{w.rss_after_mb:>6.0f} {w.peak_mb:>6.0f} {w.action_p50_ms:>13.0f} "
                f"{w.action_p99_ms:>6.0f} {w.action_max_ms:>6.0f}"
            )
        for w in waiting:
            curve = ", ".join(f"{n}: {mb:.0f}" for n, mb in w.rss_curve)
            print(f"   {w.worker}: RSS MB while opening (sales at step 2: MB): {curve}")
        print(
            f"   action: select_template Update on {waiting[0].action_samples} random waiting "
            "sales, one at a time; RSS 'open' after all were opened and the worker went idle"
        )
        print("   target: RSS under 300 MB")


def save(
    args: argparse.Namespace,
    calibration: Calibration | None,
    tput: list[ThroughputResult],
    replays: list[ReplayResult],
    waiting: list[WaitingResult],
) -> None:
    """Writes what was measured so far to `--json` (after each part: a crash keeps the rest)."""
    if not args.json:
        return
    figures = {
        "command": sys.argv,
        "recorded_shape": asdict(calibration.recorded) if calibration else None,
        "measured_shape": asdict(calibration.measured) if calibration else None,
        "throughput": [asdict(r) for r in tput],
        "replay": [asdict(r) for r in replays],
        "waiting": [asdict(r) for r in waiting],
    }
    Path(args.json).write_text(json.dumps(figures, indent=2))


async def main_async(args: argparse.Namespace) -> int:
    run_id = datetime.now(UTC).strftime("%H%M%S")
    parts = set(args.parts.split(","))
    with tempfile.TemporaryDirectory(prefix="mnd-wfbench-") as tmp:
        folder = Path(tmp)
        with records_database(args.db_url, folder) as records_url:
            env = await WorkflowEnvironment.start_local(
                dev_server_existing_path=str(Path(sys.executable).parent / "temporal"),
                search_attributes=list(ALL_KEYS),
                data_converter=pydantic_data_converter,
                ui=False,
            )
            try:
                calibration = None
                tput: list[ThroughputResult] = []
                replays: list[ReplayResult] = []
                waiting: list[WaitingResult] = []
                if "sales" in parts or "replay" in parts:
                    bare_plan = history_shape(recorded_history(HAPPY_PATH))[1]
                    variants = make_variants(
                        records_url, folder, run_id, bare_plan, args.activity_threads
                    )
                    calibration = await calibrate(
                        env, variants, bare_plan, args.bare_shape == "measured"
                    )
                if "sales" in parts:
                    print("1. throughput", flush=True)
                    selected = [v for v in variants if v.name in args.variants.split(",")]
                    tput = await throughput(
                        env,
                        selected,
                        args.sales,
                        args.concurrency,
                        args.warmup,
                        args.rounds,
                        args.shape_samples,
                    )
                save(args, calibration, tput, replays, waiting)
                if "replay" in parts:
                    print("2. replay", flush=True)
                    assert calibration is not None
                    replays = await replay_bench(args.replays, folder, calibration.samples)
                save(args, calibration, tput, replays, waiting)
                if "waiting" in parts:
                    print("3. waiting sales", flush=True)
                    big = max(args.waiting, 1000)
                    known = {
                        "default": WaitingWorker("worker.py (default MND_WORKFLOW_CACHE_SIZE)"),
                        "cache": WaitingWorker(f"worker.py, max_cached_workflows={big}", big),
                        "pyc": WaitingWorker("worker.py, default cache, .pyc on", pyc=True),
                    }
                    workers = [
                        known[name]
                        if name in known
                        else WaitingWorker(
                            f"worker.py, MND_WORKFLOW_CACHE_SIZE={name[6:]}", int(name[6:])
                        )
                        for name in args.waiting_workers.split(",")
                    ]
                    waiting = await waiting_bench(
                        env, records_url, folder, args.waiting, args.samples, workers, run_id
                    )
                recorded = calibration.recorded if calibration else None
                measured = calibration.measured if calibration else None
                report(args, recorded, measured, tput, replays, waiting)
                save(args, calibration, tput, replays, waiting)
            finally:
                await env.shutdown()
    return 0


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sales", type=int, default=100, help="sales per throughput variant")
    p.add_argument("--concurrency", type=int, default=50, help="sales driven at once")
    p.add_argument("--warmup", type=int, default=5, help="untimed sales per variant first")
    p.add_argument("--rounds", type=int, default=1, help="variants take turns this many times")
    p.add_argument("--variants", default="bare,full,noop", help="throughput variants to run")
    p.add_argument(
        "--bare-shape",
        choices=["measured", "recorded"],
        default="measured",
        help="the bare workflow mirrors a sale of this run (default) or happy_path.json",
    )
    p.add_argument("--shape-samples", type=int, default=5, help="histories read per variant")
    p.add_argument("--activity-threads", type=int, default=8, help="MND_ACTIVITY_THREADS")
    p.add_argument("--replays", type=int, default=60, help="replays per history")
    p.add_argument("--waiting", type=int, default=10_000, help="sales left open and waiting")
    p.add_argument("--samples", type=int, default=200, help="staff actions timed while they wait")
    p.add_argument(
        "--waiting-workers",
        default="default,cache,pyc",
        help="workers holding the waiting sales: default (worker.py as is), cache (a workflow "
        "cache as large as --waiting), cache=N (a cache of N sales), pyc (worker.py with .pyc "
        "files written and read)",
    )
    p.add_argument("--parts", default="sales,replay,waiting", help="which parts to run")
    p.add_argument("--db-url", help="records database (PostgreSQL: a throw-away db is created)")
    p.add_argument("--json", help="also write the raw figures to this file")
    p.add_argument("--as-worker", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--worker-cache", type=int, default=1000, help=argparse.SUPPRESS)
    return p.parse_args()


if __name__ == "__main__":
    parsed = parse_args()
    if parsed.as_worker:
        run_as_worker(parsed.worker_cache)
    from mnd.entrypoint import run_main

    run_main(main_async(parsed))
