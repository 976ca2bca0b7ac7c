"""The sale worker: `SaleWorkflow` and its activities on the task queue, built from settings.

`worker.py` is its entry point; the dev stack, the tests and the benchmarks build it here.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager, suppress
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine
from temporalio.client import Client
from temporalio.worker import Worker

from activities.notifications import NotificationActivities
from activities.records import RecordActivities
from mnd.adapters.outbox_sql import SqlOutbox
from mnd.adapters.records_sql import SqlRecords
from mnd.auth.approval import ApprovalLinks
from mnd.db.engine import open_database, session_factory
from mnd.mail.smtp import SmtpSender
from mnd.notify.directory import StaticDirectory
from mnd.notify.render import JinjaRenderer
from mnd.reconcile import keep_reconciling
from mnd.settings import Settings
from mnd.temporal_client import connect, metrics_runtime
from workflows.sale import SaleWorkflow
from workflows.sandbox import sale_workflow_runner

# On shutdown (SIGTERM), how long running activities (a mail being written) get to finish before
# the SDK cancels them. A send still in its thread then runs until the SMTP timeout ends it, so
# the grace period of every deployment must cover both: tests/unit/test_kubernetes.py and
# tests/unit/test_compose.py read this constant against the manifests.
GRACEFUL_SHUTDOWN = timedelta(seconds=10)


def build_activities(settings: Settings, engine: Engine) -> list[Callable[..., Any]]:
    """The activities wired to the SQL records, the SQL outbox and (if configured) SMTP."""
    sessions = session_factory(engine)
    outbox = SqlOutbox(sessions, SmtpSender.from_settings(settings))
    directory = StaticDirectory(settings.mailboxes())
    links = ApprovalLinks(
        sessions,
        settings.secret_key,
        timedelta(hours=settings.approval_link_ttl_hours),
        settings.public_url,
    )
    notifications = NotificationActivities(
        JinjaRenderer(), directory, outbox, links, public_url=settings.public_url
    )
    records = RecordActivities(SqlRecords(sessions))
    return [
        notifications.send_email,
        records.record_events,
        records.issue_work_order,
        records.void_work_order,
    ]


def build_worker(
    client: Client,
    settings: Settings,
    engine: Engine,
    activity_executor: ThreadPoolExecutor | None = None,
) -> Worker:
    """A worker with the sale workflow and its activities on `settings.task_queue`."""
    # The activities are sync (SQL and SMTP I/O): they run on threads, never on the event loop.
    executor = activity_executor or ThreadPoolExecutor(
        max_workers=settings.activity_threads, thread_name_prefix="mnd-activity"
    )
    return Worker(
        client,
        task_queue=settings.task_queue,
        workflows=[SaleWorkflow],
        activities=build_activities(settings, engine),
        activity_executor=executor,
        workflow_runner=sale_workflow_runner(),
        max_cached_workflows=settings.workflow_cache_size,
        # No more concurrent activities than threads, or tasks would queue inside the worker.
        max_concurrent_activities=settings.activity_threads,
        graceful_shutdown_timeout=GRACEFUL_SHUTDOWN,
    )


@asynccontextmanager
async def reconciling(client: Client, settings: Settings, engine: Engine) -> AsyncIterator[None]:
    """While the block runs, the sweep that closes the records of runs ended outside the sale
    (`mnd/reconcile.py`), every `settings.reconcile_every_seconds` (0: none). Every process
    that runs the worker runs it (`run_worker`, the dev stack), so a run terminated from the
    Temporal UI or CLI leaves the inboxes wherever the sales are served."""
    if not settings.reconcile_every_seconds:
        yield
        return
    records = SqlRecords(session_factory(engine))
    every = timedelta(seconds=settings.reconcile_every_seconds)
    sweep = asyncio.create_task(keep_reconciling(client, records, every))
    try:
        yield
    finally:
        sweep.cancel()
        with suppress(asyncio.CancelledError):
            await sweep


def stop_on_signals(stop: asyncio.Event) -> None:
    """SIGINT and SIGTERM set `stop`, so the caller can shut down gracefully."""
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)


async def run_worker(settings: Settings) -> int:
    """Connects, runs the worker until SIGINT/SIGTERM, then lets in-flight tasks finish."""
    runtime = metrics_runtime(settings.metrics_bind) if settings.metrics_bind else None
    client = await connect(settings, runtime)
    if settings.metrics_bind:
        print(f"Métricas Prometheus en http://{settings.metrics_bind}/metrics")
    engine = open_database(settings.db_url, migrate=settings.db_auto_migrate)
    with ThreadPoolExecutor(settings.activity_threads, "mnd-activity") as executor:
        worker = build_worker(client, settings, engine, executor)
        stop = asyncio.Event()
        stop_on_signals(stop)
        running = asyncio.create_task(worker.run())
        async with reconciling(client, settings, engine):
            print(f"Worker escuchando en la cola «{settings.task_queue}». Ctrl-C para detener.")
            stopping = asyncio.create_task(stop.wait())
            await asyncio.wait({running, stopping}, return_when=asyncio.FIRST_COMPLETED)
            stopping.cancel()
        if not running.done():
            await worker.shutdown()
        await running  # re-raises a worker failure
    engine.dispose()
    print("Worker detenido.")
    return 0
