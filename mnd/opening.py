"""Opening a sale (step 1) from an entry point: id, UI summary, and the workflow start."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from temporalio.client import Client, WorkflowHandle
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy

from mnd.domain.roles import ROLE_NAMES_ES, Role
from mnd.domain.sale import OpenSaleInput, SaleState, SaleSummary, workflow_id_for
from workflows.sale import SaleWorkflow
from workflows.visibility import opening_search_attributes


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
    client: Client, inp: OpenSaleInput, task_queue: str
) -> WorkflowHandle[SaleWorkflow, SaleSummary]:
    """Starts the sale's workflow; raises `WorkflowAlreadyStartedError` if the id was ever used."""
    return await client.start_workflow(
        SaleWorkflow.run,
        inp,
        id=workflow_id_for(inp.sale_id),
        task_queue=task_queue,
        # A sale id opens once: refuse a running or a closed sale with the same id alike.
        id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
        id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
        static_summary=static_summary(inp),
        static_details=static_details(inp),
        # What the first task would upsert: given here, it costs the sale no history event.
        search_attributes=opening_search_attributes(SaleState.opened(inp, datetime.now(UTC))),
    )
