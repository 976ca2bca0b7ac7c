"""Opening a sale (step 1) from an entry point: id, UI summary, and the workflow start."""

from __future__ import annotations

import logging
import secrets
import uuid
from datetime import UTC, datetime

from temporalio.client import Client, WorkflowHandle
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from mnd.domain.roles import ROLE_NAMES_ES, Role
from mnd.domain.sale import OpenSaleInput, SaleState, SaleSummary, workflow_id_for
from mnd.reading import describe
from mnd.temporal_retry import DEFAULT_BOUND, RetryBound, retry_transient
from workflows.sale import SaleWorkflow
from workflows.visibility import opening_search_attributes

log = logging.getLogger(__name__)

# The memo key under which a run keeps the id of the open request that started it, so a retry
# can tell "my own start, whose answer was lost" from "someone else's sale with this id".
OPEN_REQUEST_MEMO = "mnd_open_request"


def new_sale_id(now: datetime | None = None) -> str:
    """`MND-<year>-<6 random digits>`, e.g. `MND-2026-000123`.

    Random rather than time-based so two sales opened in the same second differ. The space is
    a million ids a year; a collision is not silent: the start is refused as a duplicate (id
    reuse policy below) and the consultant retries, so an existing sale is never touched.
    """
    year = (now or datetime.now(UTC)).year
    return f"MND-{year}-{secrets.randbelow(1_000_000):06d}"


def plan_name(inp: OpenSaleInput) -> str:
    plan = inp.catalog.plan(inp.plan_id)
    return plan.name if plan else inp.plan_id


def static_summary(inp: OpenSaleInput) -> str:
    """The one line the Temporal UI shows for the sale."""
    return (
        f"Venta {inp.sale_id} · {inp.client.legal_name} · {plan_name(inp)} · "
        f"Consultor {inp.consultant.name}"
    )


def static_details(inp: OpenSaleInput) -> str:
    """Markdown the Temporal UI shows under the summary: who and what, as opened."""
    client, consultant = inp.client, inp.consultant
    return "\n".join(
        [
            f"**Venta** {inp.sale_id}",
            f"**Cliente** {client.legal_name} ({client.document_type.value} {client.document_number})",
            f"**Contacto** {client.contact_name} · {client.email} · {client.phone}",
            f"**Plan** {plan_name(inp)}",
            f"**{ROLE_NAMES_ES[Role.CONSULTANT]}** {consultant.name} ({consultant.email})",
            f"**Perfil de tiempos** {inp.profile.name}",
        ]
    )


async def open_sale(
    client: Client,
    inp: OpenSaleInput,
    task_queue: str,
    *,
    request_id: str | None = None,
    bound: RetryBound = DEFAULT_BOUND,
) -> WorkflowHandle[SaleWorkflow, SaleSummary]:
    """Starts the sale's workflow; raises `WorkflowAlreadyStartedError` if the id was ever used
    by another open request.

    A transient Temporal error (a recycled connection, an unavailable server) is retried within
    `bound`, as reads and actions are (`mnd/temporal_retry.py`). Every attempt keeps the same
    policy (a sale id opens once: a running or a closed run with that id refuses the start), but
    a start whose answer was lost did start the sale, so its retry is refused as a duplicate of
    itself. Hence the run carries this request's id in its memo (`request_id`, a fresh uuid4
    when none is given), and a retry refused as a duplicate answers with the existing run when
    that run was started by this same request; any other run with the id is still a refusal.
    """
    request = request_id or str(uuid.uuid4())
    workflow_id = workflow_id_for(inp.sale_id)
    attempts = 0
    attributes = opening_search_attributes(SaleState.opened(inp, datetime.now(UTC)))

    async def start() -> WorkflowHandle[SaleWorkflow, SaleSummary]:
        nonlocal attempts
        attempts += 1
        try:
            return await client.start_workflow(
                SaleWorkflow.run,
                inp,
                id=workflow_id,
                task_queue=task_queue,
                # A sale id opens once: refuse a running or a closed sale with the same id alike.
                id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
                id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                memo={OPEN_REQUEST_MEMO: request},
                static_summary=static_summary(inp),
                static_details=static_details(inp),
                # What the first task would upsert: given here, it costs the sale no event.
                search_attributes=attributes,
            )
        except WorkflowAlreadyStartedError as exc:
            # On the first attempt the refusal is the answer: this request started nothing yet.
            if attempts == 1 or exc.run_id is None:
                raise
            if await _opened_by(client, workflow_id, exc.run_id) != request:
                raise
            log.warning(
                "Start %s (%s): an earlier attempt opened run %s; its answer was lost",
                workflow_id,
                request,
                exc.run_id,
            )
            return client.get_workflow_handle_for(
                SaleWorkflow.run,
                workflow_id,
                run_id=exc.run_id,
                first_execution_run_id=exc.first_run_id or exc.run_id,
            )

    # Safe to repeat on a timeout too: a start that did happen is recognised by its request id.
    return await retry_transient(
        start, f"start {workflow_id} ({request})", deadline_safe=True, bound=bound
    )


async def _opened_by(client: Client, workflow_id: str, run_id: str) -> str | None:
    """The open request id the run was started with (None for a run started otherwise)."""
    described = await describe(client, workflow_id, run_id)
    payload = described.workflow_execution_info.memo.fields.get(OPEN_REQUEST_MEMO)
    if payload is None:
        return None
    [value] = await client.data_converter.decode([payload], [str])
    return value if isinstance(value, str) else None
