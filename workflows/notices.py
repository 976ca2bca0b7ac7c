"""What each notification says about the sale: template context built from the sale's state.

Pure functions of `SaleState`, so the same state always yields the same activity input (replay).
"""

from __future__ import annotations

from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from mnd.domain.catalog import DELIVERED_APPLICATIONS, PRODUCT_WEB
    from mnd.domain.documents import DOCUMENT_NAMES_ES
    from mnd.domain.roles import CLIENT_APPROVAL_MAILBOXES
    from mnd.domain.sale import SaleState, StepRecord
    from mnd.domain.steps import step_label


def base_context(s: SaleState) -> dict[str, Any]:
    plan = s.catalog.plan(s.plan_id)
    return {
        "client_name": s.client.legal_name,
        "contact_name": s.client.contact_name,
        "client_email": s.client.email,
        "client_phone": s.client.phone,
        "client_document": f"{s.client.document_type.value} {s.client.document_number}",
        "consultant_name": s.consultant.name,
        "consultant_email": s.consultant.email,
        "plan_name": plan.name if plan else s.plan_id,
        "template_name": s.template_name(),
        "business_type_name": s.catalog.business_types.get(s.business_type or ""),
        "contract_number": s.contract_number,
        "ot_number": s.work_order.number if s.work_order else None,
        "product_web": PRODUCT_WEB,
        "approval_emails": list(CLIENT_APPROVAL_MAILBOXES),
        "step_label": step_label(s.step),
    }


def requirements(s: SaleState) -> list[str]:
    plan = s.catalog.plan(s.plan_id)
    return list(plan.content_requirements) if plan else []


def documents(s: SaleState) -> list[dict[str, Any]]:
    docs = s.documents.documents if s.documents else []
    return [
        {
            "name": DOCUMENT_NAMES_ES[d.kind],
            "file_name": d.file_name,
            "issued_on": d.issued_on.isoformat() if d.issued_on else None,
        }
        for d in docs
    ]


def rejections(s: SaleState) -> list[dict[str, str]]:
    current = s.current_round
    items = current.rejections if current else []
    return [{"name": DOCUMENT_NAMES_ES[r.kind], "reason": r.reason} for r in items]


def production_order(s: SaleState) -> dict[str, Any]:
    content = s.content
    products = content.products if content else []
    return {
        "products": [
            {
                "name": p.name,
                "category": p.category,
                "description": p.description,
                "price_cop": f"{p.price_cop:,.0f}".replace(",", "."),
                "image": p.image.file_name,
            }
            for p in products
        ],
        "embed_code": content.embed_code if content else "",
        "business_description": content.business_description if content else None,
        "corrections": [c.comments for c in s.corrections],
    }


def delivery(s: SaleState) -> dict[str, Any]:
    d = s.delivery
    return {
        "delivery_round": s.delivery_round,
        "product_url": d.product_url if d else "",
        "delivery_piece_url": d.delivery_piece_url if d else "",
        "support_channels_piece_url": d.support_channels_piece_url if d else "",
    }


def failed_applications(names: list[str]) -> list[str]:
    return [DELIVERED_APPLICATIONS.get(n, n) for n in names]


def duration_text(record: StepRecord) -> str:
    duration = record.duration
    if duration is None:
        return "en curso"
    total = int(duration.total_seconds())
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{days} d {hours} h {minutes} min" if days else f"{hours} h {minutes} min {seconds} s"


def closure(s: SaleState) -> dict[str, Any]:
    return {
        "billing_start_date": (
            s.work_order.billing_start_date.isoformat()
            if s.work_order and s.work_order.billing_start_date
            else None
        ),
        "steps": [{"label": step_label(r.step), "duration": duration_text(r)} for r in s.steps],
        "sla_breaches": [step_label(r.step) for r in s.steps if r.sla_breached],
    }
