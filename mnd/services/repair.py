"""Repairing a sale whose history no longer replays on the current code.

The known cause is the SDK fault described in `mnd/reading.py`: one workflow task recorded the
commands of an activity result ahead of a staff action's Update, so every worker that loads the
sale from history fails on it (TMPRL1100) and the sale stops moving. The repair is a Temporal
reset to that task: the new run keeps the history before it, runs the task again (the Update is
reapplied by the server), and goes on. Everything it runs again is idempotent on its key (events
by `<sale>:<sequence>`, messages by `<sale>:<n>:<template>`, the OT by sale), so no row is
written and no email sent twice. A repeated repair diagnoses the sale's current run, the
repaired one, which replays: it resets nothing. (The server does not deduplicate resets by
request id: two repairs started at the same moment would reset twice, harmlessly.)
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.enums.v1 import EventType
from temporalio.api.workflowservice.v1 import ResetWorkflowExecutionRequest
from temporalio.client import Client, WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.service import RPCError, RPCStatusCode
from temporalio.worker import Replayer

from mnd.domain.sale import workflow_id_for
from mnd.services.sales import SaleNotFound
from workflows.sale import SaleWorkflow
from workflows.sandbox import sale_workflow_runner

# Core names the history event the replayed code did not expect: "... HistoryEvent(id: 63, ...".
_FAILED_EVENT = re.compile(r"HistoryEvent\(id: (\d+)")


class RepairImpossible(Exception):
    """The history does not replay, but not in a way this repair knows how to fix."""


@dataclass(frozen=True)
class Diagnosis:
    run_id: str
    replay_failure: str | None  # None: the history replays, nothing to repair
    reset_to_event: int | None  # the WorkflowTaskCompleted event the reset goes back to


@dataclass(frozen=True)
class Repair:
    diagnosis: Diagnosis
    new_run_id: str | None  # None when nothing was reset (nothing to repair, or a dry run)


async def replay_failure(history: WorkflowHistory) -> str | None:
    replayer = Replayer(
        workflows=[SaleWorkflow],
        data_converter=pydantic_data_converter,
        workflow_runner=sale_workflow_runner(),
    )
    result = await replayer.replay_workflow(history, raise_on_replay_failure=False)
    return None if result.replay_failure is None else str(result.replay_failure)


def reset_point(history: WorkflowHistory, failure: str) -> int:
    """The completed workflow task that recorded the unexpected event: the reset runs it again."""
    found = _FAILED_EVENT.search(failure)
    if found is None:
        raise RepairImpossible(
            f"La historia no se puede reproducir y el error no indica el evento: {failure[:300]}"
        )
    failed_event = int(found.group(1))
    completed = [
        e.event_id
        for e in history.events
        if e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED
        and e.event_id < failed_event
    ]
    if not completed:
        raise RepairImpossible(f"No hay una tarea completada antes del evento {failed_event}.")
    return completed[-1]


async def diagnose(client: Client, sale_id: str) -> Diagnosis:
    try:
        history = await client.get_workflow_handle(workflow_id_for(sale_id)).fetch_history()
    except RPCError as exc:
        if exc.status == RPCStatusCode.NOT_FOUND:
            raise SaleNotFound(sale_id) from exc
        raise
    failure = await replay_failure(history)
    point = None if failure is None else reset_point(history, failure)
    return Diagnosis(run_id=history.run_id, replay_failure=failure, reset_to_event=point)


async def repair_sale(client: Client, sale_id: str, *, dry_run: bool = False) -> Repair:
    """Resets the sale to the task its history cannot replay past; nothing when it replays."""
    diagnosis = await diagnose(client, sale_id)
    if diagnosis.reset_to_event is None or dry_run:
        return Repair(diagnosis, None)
    reason = f"mnd sale repair: historia no reproducible ({diagnosis.replay_failure})"
    new_run = await reset_to(
        client, workflow_id_for(sale_id), diagnosis.run_id, diagnosis.reset_to_event, reason
    )
    return Repair(diagnosis, new_run)


async def reset_to(
    client: Client, workflow_id: str, run_id: str, event_id: int, reason: str
) -> str:
    """Resets the run to the completed workflow task `event_id`; the new run's id.

    The server reapplies the Signals and Updates recorded after that point.
    """
    response = await client.workflow_service.reset_workflow_execution(
        ResetWorkflowExecutionRequest(
            namespace=client.namespace,
            workflow_execution=WorkflowExecution(workflow_id=workflow_id, run_id=run_id),
            reason=reason[:1000],
            workflow_task_finish_event_id=event_id,
            request_id=str(uuid.uuid4()),
        )
    )
    return str(response.run_id)
