"""The sale worker: runs `SaleWorkflow` and its activities on the `mnd-sales` task queue."""

from __future__ import annotations

import asyncio
import logging
import signal
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from temporalio.client import Client
from temporalio.worker import Worker

from activities.notifications import NotificationActivities
from activities.records import RecordActivities
from mnd.adapters.outbox_folder import FolderOutbox
from mnd.adapters.records_folder import FolderRecords
from mnd.entrypoint import run_main
from mnd.notify.directory import StaticDirectory
from mnd.notify.render import JinjaRenderer
from mnd.settings import Settings, get_settings
from mnd.temporal_client import connect
from workflows.sale import SaleWorkflow
from workflows.sandbox import sale_workflow_runner


def build_worker(
    client: Client, settings: Settings, activity_executor: ThreadPoolExecutor | None = None
) -> Worker:
    """A worker with the sale workflow and the activities wired to their adapters."""
    outbox = FolderOutbox(settings.outbox_dir, sender=settings.mail_sender)
    directory = StaticDirectory(settings.mailboxes())
    notifications = NotificationActivities(JinjaRenderer(), directory, outbox)
    records = RecordActivities(FolderRecords(settings.records_dir))
    # The activities are sync (file and SMTP I/O): they run on threads, never on the event loop.
    executor = activity_executor or ThreadPoolExecutor(
        max_workers=settings.activity_threads, thread_name_prefix="mnd-activity"
    )
    return Worker(
        client,
        task_queue=settings.task_queue,
        workflows=[SaleWorkflow],
        activities=[
            notifications.send_email,
            records.record_events,
            records.issue_work_order,
            records.void_work_order,
        ],
        activity_executor=executor,
        workflow_runner=sale_workflow_runner(),
        # No more concurrent activities than threads, or tasks would queue inside the worker.
        max_concurrent_activities=settings.activity_threads,
        # On shutdown, running activities (a mail being written) get this long to finish.
        graceful_shutdown_timeout=timedelta(seconds=10),
    )


def stop_on_signals(stop: asyncio.Event) -> None:
    """SIGINT and SIGTERM set `stop`, so the caller can shut down gracefully."""
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)


async def main() -> int:
    """Connects, runs the worker until SIGINT/SIGTERM, then lets in-flight tasks finish."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    settings = get_settings()
    client = await connect(settings)
    with ThreadPoolExecutor(settings.activity_threads, "mnd-activity") as executor:
        worker = build_worker(client, settings, executor)
        stop = asyncio.Event()
        stop_on_signals(stop)
        running = asyncio.create_task(worker.run())
        print(f"Worker escuchando en la cola «{settings.task_queue}». Ctrl-C para detener.")
        stopping = asyncio.create_task(stop.wait())
        await asyncio.wait({running, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if not running.done():
            await worker.shutdown()
        await running  # re-raises a worker failure
    print("Worker detenido.")
    return 0


if __name__ == "__main__":
    run_main(main())
