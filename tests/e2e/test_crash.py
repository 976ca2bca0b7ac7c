"""Many workers, crashes survived: real worker processes are SIGKILLed and restarted (and the dev
server itself restarted) while dozens of sales run, and every sale still completes exactly once,
with every message sent once and every event recorded once, in order.

Each test starts its own `temporal server start-dev` (state in a file under tmp_path, so it can
be restarted), a fresh PostgreSQL schema for the records (several processes write at once), and
three `worker.py` processes; the test process opens the sales and drives them with `drive_sale`,
playing every role. Then it checks, per sale: one run, completed; one `sales` row at cycle
closure; `step_events` 1..N with N and the kinds the workflow queued (read from its history);
the `messages` rows are exactly the ids and templates the workflow sent; one closed OT with a
unique number; and every history replays on the current code (a nondeterminism would strand the
sale on the next worker that loads it from scratch). Counts are printed (no `-s` needed).

The driver reads each sale as the staff tools do, through `mnd.reading` (no query while a
workflow task is pending, and none left pending before it acts). Before that, a query answered
by a fresh worker just after a kill left 1-3 of 50 histories unreplayable (the SDK fault that
`tests/e2e/test_sdk_query_fault.py` reproduces).

Run time is bounded below by the activities' start-to-close timeouts (workflows/retries.py): an
activity lost with a killed worker, or whose completion could not reach a restarting server, is
retried only after 30 s (records) or 2 min (mail), so each test takes 2.5 to 5 minutes.

PostgreSQL unreachable: skipped, or failed when MND_REQUIRE_POSTGRES=1. `-m "not crash"` leaves
these tests out. MND_CRASH_SALES, MND_RESTART_SALES, MND_CRASH_KILLS, MND_CRASH_SEED tune them.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Awaitable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest
import pytest_asyncio
from sqlalchemy import Engine, text
from temporalio.api.enums.v1 import EventType
from temporalio.client import (
    Client,
    WorkflowExecutionStatus,
    WorkflowHistory,
    WorkflowQueryFailedError,
)
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.service import RPCError
from temporalio.worker import Replayer

from activities.inputs import RecordEventsInput, SendEmailInput
from mnd.db.engine import make_engine, upgrade
from mnd.demo import drive_sale
from mnd.demo_data import demo_sale
from mnd.domain.profile import ProcessProfile
from mnd.domain.sale import SaleState, SaleStatus, SaleSummary, StepRecord, workflow_id_for
from mnd.domain.steps import STEP_ORDER
from mnd.opening import open_sale
from tests.conftest import server_binary
from tests.e2e.processes import DevServer, ProcessSet, WorkerProcess, connect
from tests.factories import quick_profile
from tests.postgres import fresh_schema, schema_url
from workflows.sale import SaleWorkflow
from workflows.sandbox import sale_workflow_runner
from workflows.search_attributes import ALL_KEYS

pytestmark = [
    pytest.mark.crash,
    pytest.mark.devserver,
]
T = TypeVar("T")

WORKERS = 3
CRASH_SALES = int(os.environ.get("MND_CRASH_SALES", "50"))
RESTART_SALES = int(os.environ.get("MND_RESTART_SALES", "24"))
MIN_KILLS = 6
CHAOS_KILLS = int(os.environ.get("MND_CRASH_KILLS", "8"))
NONDETERMINISM = "TMPRL1100"
QUERY_FAULTS_GIVE_UP = 20
# Sales driven at once; the rest wait their turn (already open, at template selection).
DRIVE_CONCURRENCY = 25
POLL_INTERVAL = 0.3
# A worker killed while it runs an activity leaves it to its start-to-close timeout: 30 s for
# the records, 2 min for mail (workflows/retries.py), possibly twice in a row for one sale.
DRIVE_TIMEOUT = 420.0
# Templates every completed sale sends exactly once on the autopilot's happy path.
ONCE_PER_SALE = (
    "content_request",
    "contract_number_request",
    "documents_for_validation",
    "work_order_issued",
    "work_order_to_production",
    "production_order",
    "product_approved",
    "work_order_closure_request",
    "cycle_closed",
    "client_closure_notice",
)


def crash_profile() -> ProcessProfile:
    """The fast profile with 1-second minimums (steps 5, 6, 7), so 50 sales finish quickly."""
    return quick_profile(timedelta(seconds=1), name="crash")


# --- fixtures --------------------------------------------------------------------------------


@pytest.fixture
def records_url() -> Iterator[str]:
    """A fresh PostgreSQL schema, migrated once here (the workers do not migrate)."""
    with fresh_schema() as schema:
        url = schema_url(schema)
        upgrade(url)
        yield url


@pytest.fixture
def processes() -> Iterator[ProcessSet]:
    """Every process the test starts; all killed (process groups) at the end, pass or fail."""
    started = ProcessSet()
    try:
        yield started
    finally:
        started.close()


@dataclass
class Stack:
    server: DevServer
    workers: list[WorkerProcess]
    client: Client
    task_queue: str
    records_url: str
    tmp_path: Path

    def logs(self) -> str:
        parts = [f"--- {p.name} ({p.log_path}) ---\n{p.log_tail(25)}" for p in self.workers]
        parts.append(f"--- temporal ({self.server.log_path}) ---\n{self.server.log_tail(25)}")
        return "\n".join(parts)


@pytest_asyncio.fixture
async def stack(tmp_path: Path, records_url: str, processes: ProcessSet) -> AsyncIterator[Stack]:
    """Dev server (own ports, state in tmp_path) and three worker processes on a new queue."""
    server = DevServer(
        server_binary("temporal"), tmp_path / "temporal.db", tmp_path / "temporal.log", ALL_KEYS
    )
    processes.add(server)
    server.start()
    await server.wait_ready()
    task_queue = f"crash-{uuid.uuid4().hex[:8]}"
    # The current environment minus any Temporal or MND setting of the developer's shell.
    overrides: dict[str, str | None] = {
        key: None for key in os.environ if key.startswith(("TEMPORAL_", "MND_"))
    }
    overrides |= {
        "TEMPORAL_ADDRESS": server.address,
        "MND_TASK_QUEUE": task_queue,
        "MND_DATABASE_URL": records_url,
        "MND_DB_AUTO_MIGRATE": "0",  # migrated once by the records_url fixture
        "MND_METRICS_BIND": "",  # three workers cannot share one metrics port
        "MND_DATA_DIR": str(tmp_path / "data"),
    }
    workers = [
        WorkerProcess(f"worker-{i}", tmp_path / f"worker-{i}.log", overrides)
        for i in range(WORKERS)
    ]
    for worker in workers:
        processes.add(worker)
        worker.start()
    for worker in workers:
        await worker.wait_ready()
    client = await connect(server.address)
    yield Stack(server, workers, client, task_queue, records_url, tmp_path)


# --- chaos and drivers -----------------------------------------------------------------------


@dataclass
class Chaos:
    """Every 1–3 s: SIGKILL a random worker, then start it again at once; `budget` kills in
    all, so the sales can finish afterwards (an activity lost with a killed worker waits for
    its start-to-close timeout, up to 2 minutes for mail)."""

    workers: list[WorkerProcess]
    rng: random.Random
    budget: int
    interval: tuple[float, float] = (1.0, 3.0)
    kills: int = 0
    restarts: int = 0
    timeline: list[str] = field(default_factory=list)

    async def run(self, stop: asyncio.Event, started: float) -> None:
        while not stop.is_set() and self.restarts < self.budget:
            try:
                await asyncio.wait_for(stop.wait(), self.rng.uniform(*self.interval))
                return
            except TimeoutError:
                pass
            # A worker that is up and polling, when there is one: a kill should cost work.
            ready = [w for w in self.workers if w.ready]
            victim = self.rng.choice(ready or self.workers)
            was_alive = victim.alive
            victim.kill(signal.SIGKILL)
            self.kills += was_alive
            victim.start()
            self.restarts += 1
            self.timeline.append(f"{time.monotonic() - started:5.1f}s kill+restart {victim.name}")


@dataclass
class Drivers:
    """Drives sales with `drive_sale`, starting it again after an RPC error (server down, a
    query that met a dead worker): the autopilot reads the state afresh, so nothing is sent
    twice on its account. A sale whose workflow task keeps failing by nondeterminism
    (TMPRL1100), or whose queries keep failing that way, is set aside in `unreplayable`: no
    amount of retrying moves it. A single failed query is counted in `query_faults` and read
    again."""

    client: Client
    rpc_retries: int = 0
    retry_reasons: Counter[str] = field(default_factory=Counter)
    steps: dict[str, set[tuple[str, int]]] = field(default_factory=lambda: defaultdict(set))
    unreplayable: dict[str, str] = field(default_factory=dict)
    query_faults: Counter[str] = field(default_factory=Counter)

    @property
    def steps_done(self) -> int:
        return sum(len(s) for s in self.steps.values())

    async def drive(self, sale_id: str) -> SaleSummary | None:
        def seen(record: StepRecord) -> None:
            self.steps[sale_id].add((record.step.value, record.round))

        while True:
            try:
                return await drive_sale(
                    self.client, sale_id, on_step=seen, poll_interval=POLL_INTERVAL
                )
            except WorkflowQueryFailedError as err:
                if NONDETERMINISM not in str(err):
                    raise
                # A query that failed to rebuild the sale (mnd.reading already retried it) is a
                # failed read, not yet a stranded sale: the final replay of the whole history
                # decides. Only a sale whose queries keep failing is given up on here.
                self.query_faults[sale_id] += 1
                if self.query_faults[sale_id] >= QUERY_FAULTS_GIVE_UP:
                    self.unreplayable[sale_id] = str(err)
                    return None
                await asyncio.sleep(1.0)
            except RPCError as err:
                if "failed state" in err.message:
                    # The workflow task keeps failing: stranded for good if by nondeterminism.
                    failure = await last_task_failure(self.client, sale_id)
                    if failure and NONDETERMINISM in failure:
                        self.unreplayable[sale_id] = failure
                        return None
                self.rpc_retries += 1
                self.retry_reasons[f"{err.status.name}: {err.message[:80]}"] += 1
                await asyncio.sleep(0.5)

    async def drive_all(self, sale_ids: list[str]) -> dict[str, SaleSummary | None]:
        limit = asyncio.Semaphore(DRIVE_CONCURRENCY)

        async def one(sale_id: str) -> SaleSummary | None:
            async with limit:
                return await self.drive(sale_id)

        # A failing driver cancels the others (no orphan tasks polling a stopped server).
        async with asyncio.TaskGroup() as group:
            tasks = {sid: group.create_task(one(sid)) for sid in sale_ids}
        return {sid: task.result() for sid, task in tasks.items()}


async def last_task_failure(client: Client, sale_id: str) -> str | None:
    """The message of the sale's latest failed workflow task, if any."""
    history = await client.get_workflow_handle(workflow_id_for(sale_id)).fetch_history()
    failed = [
        e.workflow_task_failed_event_attributes.failure.message
        for e in history.events
        if e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED
    ]
    return failed[-1] if failed else None


async def open_sales(stack: Stack, prefix: str, count: int) -> list[str]:
    profile = crash_profile()
    ids = [f"{prefix}-{i:03d}" for i in range(count)]
    await asyncio.gather(
        *(open_sale(stack.client, demo_sale(sid, profile), stack.task_queue) for sid in ids)
    )
    return ids


async def drive_until_done(
    stack: Stack, drivers: Drivers, sale_ids: list[str]
) -> dict[str, SaleSummary | None]:
    deadline = asyncio.timeout(DRIVE_TIMEOUT)
    try:
        async with deadline:
            return await drivers.drive_all(sale_ids)
    except BaseException:  # a group holding a CancelledError is no Exception
        # Past the deadline the drivers are cancelled mid-Update, which the SDK may raise as its
        # own error rather than a TimeoutError: either way, say which sales were stuck.
        if not deadline.expired():
            raise
        stuck = await describe_stuck(stack.client, sale_ids)
        raise AssertionError(
            f"sales not done after {DRIVE_TIMEOUT} s:\n{stuck}\n{stack.logs()}"
        ) from None


async def describe_stuck(client: Client, sale_ids: list[str]) -> str:
    lines = []
    for sid in sale_ids:
        handle = client.get_workflow_handle(workflow_id_for(sid))
        try:
            desc = await handle.describe()
            if desc.status is WorkflowExecutionStatus.COMPLETED:
                continue
            pending = [
                f"{p.activity_type.name}#{p.attempt} {p.last_failure.message[:60]}"
                for p in desc.raw_description.pending_activities
            ]
            state = await handle.query("state", result_type=SaleState)
            lines.append(f"{sid}: {state.step.value} waiting {state.waiting_for!r} {pending}")
        except Exception as exc:  # diagnostics only
            lines.append(f"{sid}: {type(exc).__name__}: {str(exc)[:200]}")
    return "\n".join(lines)


# --- invariants ------------------------------------------------------------------------------


@dataclass
class WorkflowFacts:
    """What the workflow itself did, read from its history (the source of truth)."""

    history: WorkflowHistory
    status: WorkflowExecutionStatus | None = None
    runs: int = 0
    event_sequences: list[int] = field(default_factory=list)
    event_kinds: list[str] = field(default_factory=list)
    messages: list[tuple[str, str]] = field(default_factory=list)  # (message id, template)
    work_orders_issued: int = 0
    activity_retries: int = 0
    workflow_task_timeouts: int = 0
    workflow_task_failures: list[str] = field(default_factory=list)


async def workflow_facts(client: Client, sale_id: str) -> WorkflowFacts:
    handle = client.get_workflow_handle(workflow_id_for(sale_id))
    facts = WorkflowFacts(history=await handle.fetch_history())
    facts.status = (await handle.describe()).status
    convert = client.data_converter
    for e in facts.history.events:
        t = e.event_type
        if t == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
            facts.runs += 1
        elif t == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            a = e.activity_task_scheduled_event_attributes
            name = a.activity_type.name
            if name == "record_events":
                (batch,) = await convert.decode(a.input.payloads, [RecordEventsInput])
                facts.event_sequences += [ev.sequence for ev in batch.events]
                facts.event_kinds += [ev.kind for ev in batch.events]
            elif name == "send_email":
                (mail,) = await convert.decode(a.input.payloads, [SendEmailInput])
                facts.messages.append((mail.message_id, mail.template))
            elif name == "issue_work_order":
                facts.work_orders_issued += 1
        elif t == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED:
            # Written once the activity closes, with the attempt that closed it.
            facts.activity_retries += e.activity_task_started_event_attributes.attempt - 1
        elif t == EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT:
            facts.workflow_task_timeouts += 1
        elif t == EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED:
            failure = e.workflow_task_failed_event_attributes
            facts.workflow_task_failures.append(f"{failure.cause}: {failure.failure.message}")
    return facts


async def replay_failures(histories: dict[str, WorkflowHistory]) -> dict[str, str]:
    """Replays every history on today's workflow code: any failure is a nondeterminism that
    would strand the sale on the next worker that loads it from scratch."""
    replayer = Replayer(
        workflows=[SaleWorkflow],
        workflow_runner=sale_workflow_runner(),
        data_converter=pydantic_data_converter,
    )
    failures: dict[str, str] = {}
    for sid, history in histories.items():
        result = await replayer.replay_workflow(history, raise_on_replay_failure=False)
        if result.replay_failure is not None:
            failures[sid] = str(result.replay_failure)[:300]
    return failures


async def bounded_gather(coros: Iterable[Awaitable[T]], limit: int = 10) -> list[T]:
    """`asyncio.gather` with at most `limit` running at once."""
    gate = asyncio.Semaphore(limit)

    async def one(coro: Awaitable[T]) -> T:
        async with gate:
            return await coro

    return await asyncio.gather(*(one(c) for c in coros))


def _rows(engine: Engine, sql: str) -> list[Any]:
    with engine.connect() as c:
        return list(c.execute(text(sql)))


@dataclass
class Verdict:
    counts: dict[str, Any]
    problems: list[str]
    unreplayable: dict[str, str]  # sale id -> replay failure

    def check(self) -> None:
        assert not self.problems, "\n".join(self.problems[:60])
        assert not self.unreplayable, (
            f"{len(self.unreplayable)} sale(s) with a history that does not replay "
            "(TMPRL1100 nondeterminism after crashes or restarts; histories saved in tmp_path):\n"
            + "\n".join(f"{sid}: {msg}" for sid, msg in self.unreplayable.items())
        )


async def verify(
    stack: Stack, sale_ids: list[str], summaries: dict[str, SaleSummary | None], drivers: Drivers
) -> Verdict:
    """Checks every invariant, collecting all problems before failing."""
    client, problems = stack.client, []
    # Fresh workers, so the final `state` queries replay every sale from its whole history on
    # the real worker path (paginated, as after a crash) and not from a warm cache.
    for worker in stack.workers:
        worker.stop()
        worker.start()
    for worker in stack.workers:
        await worker.wait_ready()
    ids = set(sale_ids)
    facts = dict(
        zip(
            sale_ids, await bounded_gather(workflow_facts(client, s) for s in sale_ids), strict=True
        )
    )
    unreplayable = await replay_failures({sid: f.history for sid, f in facts.items()})
    for sid, message in drivers.unreplayable.items():
        unreplayable.setdefault(sid, message)
    # A sale stranded by a nondeterminism is reported as such, not as a dozen missing rows.
    stranded = {
        sid for sid in unreplayable if facts[sid].status is not WorkflowExecutionStatus.COMPLETED
    }
    checked = [sid for sid in sale_ids if sid not in stranded]

    for sid in checked:
        summary = summaries.get(sid)
        if summary is not None and summary.status is not SaleStatus.COMPLETED:
            problems.append(f"{sid}: summary status {summary.status}")

    # Temporal: one run per sale id, every run completed.
    expected = {workflow_id_for(s) for s in ids}
    runs: Counter[str] = Counter()
    statuses: dict[str, Any] = {}
    for _ in range(50):  # visibility is eventually consistent
        runs, statuses = Counter(), {}
        async for wf in client.list_workflows(f"TaskQueue = '{stack.task_queue}'"):
            runs[wf.id] += 1
            statuses[wf.id] = wf.status
        if set(runs) == expected and all(
            s is WorkflowExecutionStatus.COMPLETED
            for wid, s in statuses.items()
            if wid not in {workflow_id_for(x) for x in stranded}
        ):
            break
        await asyncio.sleep(0.2)
    if set(runs) != expected:
        problems.append(f"workflows listed {len(runs)}, expected {len(ids)}")
    problems += [f"{wid}: {n} runs" for wid, n in runs.items() if n != 1]
    problems += [
        f"{wid}: {s}"
        for wid, s in statuses.items()
        if s != WorkflowExecutionStatus.COMPLETED
        and wid not in {workflow_id_for(x) for x in stranded}
    ]

    async def state_of(sid: str) -> SaleState | None:
        try:
            state: SaleState = await client.get_workflow_handle(workflow_id_for(sid)).query(
                "state", result_type=SaleState
            )
            return state
        except WorkflowQueryFailedError as err:
            if NONDETERMINISM in str(err):
                unreplayable.setdefault(sid, f"state query on a fresh worker: {err}")
            else:
                problems.append(f"{sid}: state query failed: {err}")
            return None

    states = dict(zip(checked, await bounded_gather(state_of(s) for s in checked), strict=True))

    for sid in unreplayable:
        path = stack.tmp_path / f"unreplayable-{sid}.json"
        path.write_text(facts[sid].history.to_json())

    engine = make_engine(stack.records_url)
    try:
        sales = _rows(engine, "SELECT sale_id, status, step FROM sales")
        events = _rows(
            engine,
            "SELECT sale_id, sequence, kind, event_id, message FROM step_events "
            "ORDER BY sale_id, sequence",
        )
        messages = _rows(engine, "SELECT sale_id, message_id, template FROM messages")
        orders = _rows(engine, "SELECT sale_id, number, status FROM work_orders")
    finally:
        engine.dispose()

    # sales: exactly one row per sale, completed at cycle closure.
    sale_rows = Counter(r.sale_id for r in sales)
    problems += [f"{s}: {n} sales rows" for s, n in sale_rows.items() if n != 1]
    problems += [f"{s}: no sales row" for s in checked if s not in sale_rows]
    problems += [f"sales row of unknown sale {s}" for s in set(sale_rows) - ids]
    problems += [
        f"{r.sale_id}: row {r.status}/{r.step}"
        for r in sales
        if r.sale_id not in stranded and (r.status, r.step) != ("completed", "cycle_closure")
    ]

    by_sale_events: dict[str, list[Any]] = defaultdict(list)
    for r in events:
        by_sale_events[r.sale_id].append(r)
    by_sale_messages: dict[str, list[Any]] = defaultdict(list)
    for r in messages:
        by_sale_messages[r.sale_id].append(r)
    by_sale_orders: dict[str, list[Any]] = defaultdict(list)
    for r in orders:
        by_sale_orders[r.sale_id].append(r)
    problems += [f"events of unknown sale {s}" for s in set(by_sale_events) - ids]
    problems += [f"messages of unknown sale {s}" for s in set(by_sale_messages) - ids]
    problems += [f"work orders of unknown sale {s}" for s in set(by_sale_orders) - ids]

    for sid in checked:
        problems += _sale_problems(
            sid,
            facts[sid],
            states[sid],
            by_sale_events[sid],
            by_sale_messages[sid],
            by_sale_orders[sid],
        )
    numbers = [r.number for r in orders]
    if len(set(numbers)) != len(numbers) or None in numbers:
        problems.append(f"OT numbers not unique: {sorted(map(str, numbers))}")

    all_facts = facts.values()
    counts = {
        "sales": len(sales),
        "completed": sum(f.status is WorkflowExecutionStatus.COMPLETED for f in all_facts),
        "messages": len(messages),
        "events": len(events),
        "work_orders": len(orders),
        "activity_retries": sum(f.activity_retries for f in all_facts),
        "wft_timeouts": sum(f.workflow_task_timeouts for f in all_facts),
        "wft_failures": sum(len(f.workflow_task_failures) for f in all_facts),
        "unreplayable": len(unreplayable),
    }
    return Verdict(counts, problems, unreplayable)


def _sale_problems(
    sid: str,
    f: WorkflowFacts,
    state: SaleState | None,
    rows: list[Any],
    messages: list[Any],
    ots: list[Any],
) -> list[str]:
    problems = []
    if f.runs != 1:
        problems.append(f"{sid}: {f.runs} runs in history")
    # step_events: 1..N without gaps or duplicates, N = what the workflow queued.
    seqs = [r.sequence for r in rows]
    n = len(f.event_sequences)
    if f.event_sequences != list(range(1, n + 1)):
        problems.append(f"{sid}: the workflow's own sequences are not 1..{n}")
    if seqs != list(range(1, n + 1)):
        problems.append(f"{sid}: step_events {len(seqs)} rows, expected 1..{n}: {seqs[:5]}…")
    if [r.kind for r in rows] != f.event_kinds:
        problems.append(f"{sid}: event kinds differ from the workflow's")
    # The closing emails follow the sale's completion (they never hold up the sale).
    kinds = [r.kind for r in rows]
    done = kinds.index("sale_completed") if "sale_completed" in kinds else None
    if done is None or set(kinds[done + 1 :]) - {"notification"}:
        problems.append(f"{sid}: last events {kinds[-3:]}")
    if any(r.event_id != f"{sid}:{r.sequence:05d}" for r in rows):
        problems.append(f"{sid}: event ids do not match their sequences")
    # messages: the ids and templates the workflow sent, each stored once.
    stored = Counter((r.message_id, r.template) for r in messages)
    sent = Counter(f.messages)
    if stored != sent:
        problems.append(f"{sid}: messages extra {stored - sent} / missing {sent - stored}")
    if max(sent.values(), default=1) != 1:
        problems.append(f"{sid}: the workflow sent a message id twice")
    templates = Counter(r.template for r in messages)
    problems += [f"{sid}: {templates[t]} × {t}" for t in ONCE_PER_SALE if templates[t] != 1]
    notified = Counter(r.message for r in rows if r.kind == "notification")
    if notified != templates:
        problems.append(f"{sid}: notification events {notified} != messages {templates}")
    # work orders: one per sale, closed.
    if f.work_orders_issued != 1 or len(ots) != 1:
        problems.append(f"{sid}: {len(ots)} OT rows, {f.work_orders_issued} issued")
    elif ots[0].status != "closed":
        problems.append(f"{sid}: OT {ots[0].number} {ots[0].status}")
    if state is None:
        return problems
    # Against the workflow's own state (the `state` query).
    if templates["delivery_welcome"] != len(state.deliveries):
        problems.append(
            f"{sid}: {templates['delivery_welcome']} delivery_welcome for "
            f"{len(state.deliveries)} deliveries"
        )
    if sum(templates.values()) != state.notifications_sent:
        problems.append(
            f"{sid}: {sum(templates.values())} messages, state says {state.notifications_sent}"
        )
    if len(ots) == 1 and (state.work_order is None or ots[0].number != state.work_order.number):
        problems.append(f"{sid}: OT {ots[0].number} vs state {state.work_order}")
    if [s.step for s in state.steps] != list(STEP_ORDER):
        problems.append(f"{sid}: steps {[s.step.value for s in state.steps]}")
    return problems


def report(
    capsys: pytest.CaptureFixture[str], title: str, counts: dict[str, Any], drivers: Drivers
) -> None:
    """One line of counts for the notes, shown even without `-s`."""
    line = " ".join(f"{k}={v}" for k, v in counts.items())
    with capsys.disabled():
        print(f"\n[{title}] {line}", flush=True)
        if drivers.retry_reasons:
            print(f"[{title}] driver RPC retries: {dict(drivers.retry_reasons)}", flush=True)


# --- the tests -------------------------------------------------------------------------------


async def test_sales_survive_workers_killed_at_random(
    stack: Stack, capsys: pytest.CaptureFixture[str]
) -> None:
    started = time.monotonic()
    seed = os.environ.get("MND_CRASH_SEED", uuid.uuid4().hex[:8])
    sale_ids = await open_sales(stack, f"CRASH{uuid.uuid4().hex[:6]}", CRASH_SALES)
    drivers = Drivers(stack.client)
    chaos = Chaos(stack.workers, random.Random(seed), budget=CHAOS_KILLS)
    stop = asyncio.Event()
    chaos_task = asyncio.create_task(chaos.run(stop, started))
    try:
        summaries = await drive_until_done(stack, drivers, sale_ids)
    finally:
        stop.set()
        await chaos_task
    driven = time.monotonic() - started
    verdict = await verify(stack, sale_ids, summaries, drivers)
    report(
        capsys,
        "crash",
        {
            **verdict.counts,
            "kills": chaos.kills,
            "restarts": chaos.restarts,
            "rpc_retries": drivers.rpc_retries,
            "query_faults": sum(drivers.query_faults.values()),
            "seed": seed,
            "drive_s": round(driven, 1),
            "total_s": round(time.monotonic() - started, 1),
        },
        drivers,
    )
    verdict.check()
    assert chaos.kills >= MIN_KILLS, (
        f"only {chaos.kills} kills while the sales ran ({driven:.1f} s): raise MND_CRASH_SALES\n"
        + "\n".join(chaos.timeline)
    )


async def test_sales_survive_dev_server_restarts(
    stack: Stack, capsys: pytest.CaptureFixture[str]
) -> None:
    started = time.monotonic()
    sale_ids = await open_sales(stack, f"RESTART{uuid.uuid4().hex[:6]}", RESTART_SALES)
    drivers = Drivers(stack.client)
    driving = asyncio.create_task(drive_until_done(stack, drivers, sale_ids))
    total_steps = len(sale_ids) * len(STEP_ORDER)
    outages: list[float] = []
    try:
        # A crash (SIGKILL) a quarter of the way in, a graceful stop (SIGTERM, which takes the
        # dev server about 10 s) halfway; both times it comes back on the same port with the
        # same database file. Early, so the activities lost meanwhile (their completion could
        # not be reported) have time to reach their start-to-close timeout and retry.
        for fraction, sig in ((1 / 4, signal.SIGKILL), (1 / 2, signal.SIGTERM)):
            while drivers.steps_done < fraction * total_steps and not driving.done():
                await asyncio.sleep(0.1)
            assert not driving.done(), "the sales finished before the server restart"
            down = time.monotonic()
            stack.server.kill(sig)
            await asyncio.sleep(1.0)
            stack.server.start()
            await stack.server.wait_ready()
            outages.append(time.monotonic() - down)
        summaries = await driving
    finally:
        driving.cancel()
    driven = time.monotonic() - started
    verdict = await verify(stack, sale_ids, summaries, drivers)
    report(
        capsys,
        "server-restart",
        {
            **verdict.counts,
            "server_restarts": len(outages),
            "outage_s": "/".join(f"{o:.1f}" for o in outages),
            "rpc_retries": drivers.rpc_retries,
            "query_faults": sum(drivers.query_faults.values()),
            "drive_s": round(driven, 1),
            "total_s": round(time.monotonic() - started, 1),
        },
        drivers,
    )
    verdict.check()
