"""The rich view of one sale (`mnd sale show`), from the workflow's `state` query."""

from __future__ import annotations

from datetime import datetime

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from mnd.cli.common import local_time
from mnd.domain.actions import ACTIONS
from mnd.domain.actions.base import member_label
from mnd.domain.clock import spanish_date
from mnd.domain.documents import DOCUMENT_NAMES_ES
from mnd.domain.sale import SaleState
from mnd.labels import role_text, roles_text, status_text, step_text

WO_STATUS_ES = {"issued": "emitida", "closed": "cerrada", "voided": "anulada"}
CRM_ROUTE_ES = {"onyx": "ONYX", "rr": "RR", "create_in_onyx": "crear en ONYX"}
# How an entry reached the sale: the log keeps the code, staff read the channel.
VIA_ES = {"update": "acción", "signal": "señal", "temporal": "Temporal"}


def _due(state: SaleState, now: datetime) -> Text:
    if state.due_at is None:
        return Text("—")
    late = state.due_at < now and state.status == "open"
    return Text(
        local_time(state.due_at) + (" VENCIDO" if late else ""), style="bold red" if late else ""
    )


def _where(state: SaleState, now: datetime) -> list[tuple[str, str | Text]]:
    return [
        ("Estado", status_text(state.status.value)),
        ("Paso", step_text(state.step.value)),
        ("Espera a", roles_text(r.value for r in state.waiting_on)),
        ("Tomada por", _taken(state)),
        ("Qué se espera", state.waiting_for or "—"),
        ("Vence (SLA)", _due(state, now)),
        ("Mínimo hasta", local_time(state.min_until)),
    ]


def _taken(state: SaleState) -> str:
    """Who has the sale in each area that took it: `Ana Pérez (Soporte Comercial)`."""
    return ", ".join(member_label(m) for m in state.claims.values()) or "—"


def _who(state: SaleState) -> list[tuple[str, str | Text]]:
    client, plan = state.client, state.catalog.plan(state.plan_id)
    document = f"{client.document_type.value} {client.document_number}"
    return [
        ("Cliente", f"{client.legal_name} · {document}"),
        ("Contacto", f"{client.contact_name} · {client.email} · {client.phone}"),
        ("Consultor", f"{state.consultant.name} ({state.consultant.id})"),
        ("Plan", plan.name if plan else state.plan_id),
        ("Plantilla", state.template_name() or state.template_id or "—"),
        ("Tipo de comercio", _business_type(state)),
        ("Abierta", local_time(state.opened_at)),
    ]


def _numbers(state: SaleState) -> list[tuple[str, str | Text]]:
    crm, wo = state.crm, state.work_order
    route = "—"
    if crm is not None:
        route = CRM_ROUTE_ES[crm.route.value] + (f" · ONYX {crm.onyx_id}" if crm.onyx_id else "")
    billing = wo.billing_start_date if wo else None
    rows: list[tuple[str, str | Text]] = [
        ("Ruta CRM", route),
        ("Contrato", state.contract_number or "—"),
        ("OT", _work_order(state)),
        ("Inicio de facturación", spanish_date(billing) if billing else "—"),
    ]
    if state.cancellation:
        rows.append(("Cancelada", f"{state.cancellation.reason} ({state.cancellation.by})"))
    return rows


def _business_type(state: SaleState) -> str:
    """The catalog's name, never the id (`tienda_ropa` → `Tienda de ropa`)."""
    code = state.business_type
    return state.catalog.business_types.get(code, code) if code else "—"


def _work_order(state: SaleState) -> str:
    wo = state.work_order
    if wo is None:
        return "—"
    issued = f"emitida el {local_time(wo.issued_at)}"
    status = "" if wo.status == "issued" else f"{WO_STATUS_ES[wo.status.value]}; "
    return f"{wo.number} ({status}{issued})"


def _facts(state: SaleState, now: datetime) -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    for name, value in _where(state, now) + _who(state) + _numbers(state):
        grid.add_row(name, value)
    return grid


def _documents(state: SaleState) -> Table | None:
    if state.documents is None:
        return None
    table = Table(title="Documentos", title_justify="left")
    for name in ("Documento", "Archivo", "Expedido"):
        table.add_column(name)
    for doc in state.documents.documents:
        issued = spanish_date(doc.issued_on) if doc.issued_on else "—"
        table.add_row(DOCUMENT_NAMES_ES[doc.kind], doc.file_name, issued)
    last = state.current_round
    if last is not None:
        verdict = {None: "pendiente", True: "aprobados", False: "rechazados"}[last.approved]
        reasons = "; ".join(f"{DOCUMENT_NAMES_ES[r.kind]}: {r.reason}" for r in last.rejections)
        table.caption = f"Validación, ronda {last.number}: {verdict}" + (
            f" ({reasons})" if reasons else ""
        )
    return table


def _log(state: SaleState, entries: int) -> Table:
    table = Table(title=f"Últimas {entries} entradas del registro", title_justify="left")
    for name in ("Fecha", "Acción", "Quién", "Vía", "", "Mensaje"):
        table.add_column(name)
    for entry in state.log[-entries:]:
        spec = ACTIONS.get(entry.action)
        who = entry.actor or "—"
        if entry.role is not None:
            who += f" ({role_text(entry.role.value)})"
        mark = Text("✔", style="green") if entry.accepted else Text("✘ rechazada", style="red")
        table.add_row(
            local_time(entry.at),
            spec.label_es if spec else entry.action,
            who,
            VIA_ES.get(entry.via, entry.via),
            mark,
            entry.message or "",
        )
    return table


def sale_view(state: SaleState, now: datetime, entries: int) -> RenderableType:
    """The sale's panel, then its documents and the last `entries` log entries."""
    title = f"Venta {state.sale_id} · {state.client.legal_name}"
    parts: list[RenderableType] = [
        Panel(_facts(state, now), title=title, title_align="left", expand=False)
    ]
    documents = _documents(state)
    if documents is not None:
        parts.append(documents)
    if state.log and entries > 0:
        parts.append(_log(state, entries))
    return Group(*parts)
