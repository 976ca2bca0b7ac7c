"""What the Temporal UI shows of a sale: its search attributes and its current details."""

from __future__ import annotations

from typing import Any

from temporalio import workflow
from temporalio.common import SearchAttributePair, TypedSearchAttributes

from workflows import search_attributes as sa

with workflow.unsafe.imports_passed_through():
    from mnd.domain.actions.base import member_label
    from mnd.domain.clock import COLOMBIA
    from mnd.domain.roles import ROLE_NAMES_ES
    from mnd.domain.sale import SaleState
    from mnd.domain.steps import step_label

_TIME = "%Y-%m-%d %H:%M"


def search_values(s: SaleState) -> dict[str, Any]:
    """Each search attribute's value for the sale as it stands (None or []: unset)."""
    return {
        sa.STEP.name: s.step.value,
        sa.WAITING_ON.name: [r.value for r in s.waiting_on],
        sa.CONSULTANT.name: s.consultant.id,
        sa.CLIENT_DOCUMENT.name: s.client.document_number,
        sa.PLAN.name: s.plan_id,
        sa.CRM_ROUTE.name: s.crm.route.value if s.crm else None,
        sa.DUE_DATE.name: s.due_at,
        sa.STATUS.name: s.status.value,
    }


def opening_search_attributes(opened: SaleState) -> TypedSearchAttributes:
    """The search attributes of a sale `opened` (`SaleState.opened`), as the run's first task
    would upsert them. Given at the start, they cost the sale an upsert (a visibility write in
    the server), and the sale is listed from its first moment."""
    values = search_values(opened)
    return TypedSearchAttributes(
        [SearchAttributePair(key, values[key.name]) for key in sa.ALL_KEYS if values[key.name]]
    )


class Visibility:
    """Upserts only the search attributes that changed (a shorter history) and sets the details."""

    def __init__(self, state: SaleState) -> None:
        self._s = state
        self._shown: dict[str, Any] = {}
        started = workflow.info().typed_search_attributes
        if any(started.get(key) is not None for key in sa.ALL_KEYS):
            # Opened with its search attributes (`opening_search_attributes`): they are shown
            # already. Sales started without them (all before it) upsert every key first, as
            # their histories hold: the start event decides, so replay is unchanged.
            self._shown = {key.name: started.get(key) for key in sa.ALL_KEYS}
            self._shown[sa.WAITING_ON.name] = list(self._shown[sa.WAITING_ON.name] or [])

    def refresh(self) -> None:
        values = search_values(self._s)
        updates = [
            key.value_set(values[key.name]) if values[key.name] else key.value_unset()
            for key in sa.ALL_KEYS
            if self._shown.get(key.name, "<unset>") != values[key.name]
        ]
        if updates:
            workflow.upsert_search_attributes(updates)
            self._shown.update(values)
        workflow.set_current_details(self._details())

    def _details(self) -> str:
        s = self._s
        who = ", ".join(ROLE_NAMES_ES[r] for r in s.waiting_on) or "nadie (temporizador o sistema)"
        lines = [f"**Paso {step_label(s.step)}** (venta {s.status.label_es})", f"Espera a: {who}"]
        if s.claims:
            # Current details are metadata, not a command: old sales replay unchanged.
            taken = ", ".join(member_label(m) for m in s.claims.values())
            lines.append(f"Tomada por: {taken}")
        if s.waiting_for:
            lines.append(f"Qué se espera: {s.waiting_for}")
        if s.min_until:
            lines.append(
                f"Mínimo hasta: {s.min_until.astimezone(COLOMBIA):{_TIME}} (hora Colombia)"
            )
        if s.due_at:
            lines.append(f"Vence: {s.due_at.astimezone(COLOMBIA):{_TIME}} (hora Colombia)")
        lines.extend(f"⚠ Alerta: {alert.message}" for alert in s.alerts)
        return "  \n".join(lines)
