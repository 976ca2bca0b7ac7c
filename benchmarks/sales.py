"""The sales the throughput and replay benchmarks run: the driver of the happy path, and the
three variants (bare workflow, full sale, sale with no-op activities) with their workers.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from benchmarks.bare import (
    NOOP_ACTIVITIES,
    BarePlan,
    BareWorkflow,
    Shape,
    bare_activity,
    history_shape,
    recorded_history,
)
from benchmarks.common import HAPPY_PATH, bench_profile
from mnd.demo_data import DEMO_STAFF, demo_content, demo_documents, demo_sale
from mnd.domain import actions as a
from mnd.domain.action_result import ActionResult
from mnd.domain.catalog import DELIVERED_APPLICATIONS
from mnd.domain.errors import RefusalKind
from mnd.domain.parties import Actor
from mnd.domain.profile import fast_profile
from mnd.domain.roles import Role
from mnd.domain.sale import OpenSaleInput, WorkOrder, workflow_id_for
from mnd.settings import Settings
from workflows import search_attributes as sa
from workflows.sale import SaleWorkflow
from workflows.sandbox import sale_workflow_runner

_E = EventType

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
    describes: int = 0  # describe calls (server only) where no answer shows the sale ready
    refused: int = 0  # Updates refused as early anyway (`wrong_step`): retried
    queries: int = 0  # `state` queries (only to learn the OT number)
    min_waits: int = 0  # answers showing only a minimum timer left (none on the bench profile)
    refused_by_action: dict[str, int] = field(default_factory=dict)
    described_for: dict[str, int] = field(default_factory=dict)  # describes, by action


# A describe costs the server over 1 ms of CPU; the driver needs one only where no answer shows
# the sale ready (the first action, after a minimum ran out), and polls every 50 ms then.
POLL_EVERY = 0.05


def ready_for(name: str, answer: ActionResult | None) -> bool:
    """The previous Update's answer shows the sale at `name`'s step, waiting on its roles."""
    cls = a.ACTIONS[name]
    return (
        answer is not None
        and answer.step is cls.step
        and not cls.roles.isdisjoint(answer.waiting_on)
    )


async def until_ready(
    handle: WorkflowHandle[Any, Any], name: str, answer: ActionResult | None, stats: DriveStats
) -> None:
    """Returns when `name` can be sent: at once when the last answer says so; after the
    minimum when the answer shows only a minimum timer left (on the benchmark profile every
    minimum is 0: at once); otherwise once `describe` shows the step (a refused Update would
    cost a workflow task, a describe only the server)."""
    if ready_for(name, answer):
        return
    if answer is not None and not answer.waiting_on and answer.min_until is not None:
        stats.min_waits += 1
        left = (answer.min_until - datetime.now(UTC)).total_seconds()
        if left > 0:
            await asyncio.sleep(left)
        # Then as below: the step may also wait on an activity (the OT is issued at step 7).
    step = a.ACTIONS[name].step
    assert step is not None
    while True:
        stats.describes += 1
        stats.described_for[name] = stats.described_for.get(name, 0) + 1
        described = await handle.describe()
        if described.typed_search_attributes.get(sa.STEP) == step.value:
            return
        await asyncio.sleep(POLL_EVERY)


async def drive_full(client: Client, inp: OpenSaleInput, stats: DriveStats) -> None:
    """Sends the happy path's Updates in order, as `drive_sale` does: each Update's answer
    (`ActionResult`, given once the sale reacted) says whether the next action is due."""
    handle: WorkflowHandle[Any, Any] = client.get_workflow_handle(workflow_id_for(inp.sale_id))
    ot: WorkOrder | None = None
    answer: ActionResult | None = None
    for name in HAPPY_SEQUENCE:
        await until_ready(handle, name, answer, stats)
        if name in _NEEDS_OT and ot is None:
            stats.queries += 1
            ot = (await handle.query(SaleWorkflow.state)).work_order
        delay = POLL_EVERY
        while True:
            try:
                answer = await handle.execute_update(
                    name, happy_payload(name, inp, ot), result_type=ActionResult
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
