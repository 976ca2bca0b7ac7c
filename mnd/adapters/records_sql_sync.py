"""The rows derived from an event, written in the event's own transaction: who the sale waits
on, the OT's closing, and the documents of a submission."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from activities.inputs import RecordEventInput
from mnd.db.dialect import insert, utc
from mnd.db.models import Document, SaleWait, StepEvent, WorkOrder
from mnd.domain.sale import SaleStatus, WorkOrderStatus

SUBMIT_DOCUMENTS = "submit_documents"


def apply_projection(session: Session, event: RecordEventInput, same_step: bool) -> None:
    """Applies the projection of the newest event so far to the sale's waits and its OT."""
    _replace_waits(session, event, same_step)
    p = event.projection
    if p.work_order_status == WorkOrderStatus.CLOSED.value:
        session.execute(
            update(WorkOrder)
            .where(
                WorkOrder.sale_id == event.sale_id,
                WorkOrder.status == WorkOrderStatus.ISSUED.value,
            )
            .values(
                status=WorkOrderStatus.CLOSED.value,
                closed_at=utc(event.at),
                billing_start_date=p.billing_start_date,
            )
        )


def _replace_waits(session: Session, event: RecordEventInput, same_step: bool) -> None:
    p = event.projection
    # A closed sale waits on nobody, whatever a stale waiting list says: it must leave inboxes.
    roles = list(dict.fromkeys(p.waiting_on)) if p.status == SaleStatus.OPEN.value else []
    current = select(SaleWait.role, SaleWait.since).where(SaleWait.sale_id == event.sale_id)
    old = {role: since for role, since in session.execute(current)}
    session.execute(delete(SaleWait).where(SaleWait.sale_id == event.sale_id))
    if not roles:
        return
    # A role still waited on in the same step keeps waiting since it started; a new step or a
    # newly waited role starts its wait with this event.
    rows = [
        {
            "sale_id": event.sale_id,
            "role": role,
            "since": old[role] if same_step and role in old else utc(event.at),
            "due_at": utc(p.due_at),
        }
        for role in roles
    ]
    session.execute(insert(session, SaleWait), rows)


def record_documents(session: Session, event: RecordEventInput) -> None:
    """Stores the metadata of a document submission, numbered by validation round."""
    documents = _submitted(event)
    if not documents:
        return
    action = StepEvent.data["action"].as_string()
    earlier = session.scalar(
        select(func.count())
        .select_from(StepEvent)
        .where(
            StepEvent.sale_id == event.sale_id,
            StepEvent.kind == "action",
            StepEvent.accepted.is_(True),
            StepEvent.sequence < event.sequence,
            action == SUBMIT_DOCUMENTS,
        )
    )
    # Each accepted submission opens one validation round, so the earlier ones number it.
    rows = [
        {
            "sale_id": event.sale_id,
            "round": (earlier or 0) + 1,
            "kind": doc["kind"],
            "file_name": doc["file_name"],
            "content_type": doc.get("content_type", "application/pdf"),
            "issued_on": _date(doc.get("issued_on")),
            "size_bytes": doc.get("size_bytes"),
            "sha256": doc.get("sha256"),
            "storage_ref": doc.get("storage_ref"),
            "submitted_at": utc(event.at),
        }
        for doc in documents
    ]
    stmt = insert(session, Document).on_conflict_do_nothing(
        index_elements=["sale_id", "round", "kind", "file_name"]
    )
    session.execute(stmt, rows)


def _submitted(event: RecordEventInput) -> list[dict[str, Any]]:
    if event.kind != "action" or not event.accepted or event.data.get("action") != SUBMIT_DOCUMENTS:
        return []
    payload = event.data.get("payload") or {}
    documents: list[dict[str, Any]] = (payload.get("documents") or {}).get("documents") or []
    return documents


def _date(value: str | date | None) -> date | None:
    # The payload went through JSON, so dates arrive as ISO strings.
    return date.fromisoformat(value) if isinstance(value, str) else value
