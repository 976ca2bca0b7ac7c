"""Every staff action on a sale, as typed classes, and the registry derived from them.

Adding an action means writing its class in one of these modules (and, if it moves the sale,
its place in the workflow's main path): the registry, the workflow's Update and Signal
handlers, the API routes and bodies and the CLI all come from `ACTIONS`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import ValidationError

from mnd.domain.actions.anytime import (
    CancelSaleInput,
    ReassignConsultantInput,
    RecordPostSaleRequestInput,
)
from mnd.domain.actions.base import ActionInput, roles_es
from mnd.domain.actions.claims import (
    AreaMember,
    AssignSaleInput,
    ReleaseSaleInput,
    TakeSaleInput,
)
from mnd.domain.actions.contract import (
    ApproveDocumentsInput,
    AssignContractNumberInput,
    RejectDocumentsInput,
    SubmitDocumentsInput,
    SubmitPurchaseFormInput,
)
from mnd.domain.actions.delivery import (
    ApproveProductInput,
    ConfirmWorkOrderClosureInput,
    DeliverPieceInput,
    RecordCallInput,
    RequestCorrectionsInput,
)
from mnd.domain.actions.first_steps import (
    ConfirmBusinessTypeInput,
    ConfirmOnyxCreationInput,
    RecordCrmLookupInput,
    SelectTemplateInput,
    SubmitContentInput,
    crm_route,
)
from mnd.domain.calls import ApplicationCheck
from mnd.domain.errors import ActionRefused, RefusalKind
from mnd.domain.messages import spanish_summary
from mnd.domain.sale import SaleState
from mnd.domain.steps import STEP_ORDER


def _registry() -> dict[str, type[ActionInput]]:
    found: dict[str, type[ActionInput]] = {}
    pending = list(ActionInput.__subclasses__())
    while pending:
        cls = pending.pop(0)
        pending.extend(cls.__subclasses__())
        if "name" in vars(cls):
            assert cls.name not in found, f"two actions named {cls.name}"
            found[cls.name] = cls
    # In the order of the process: by step, then those open at any step.
    last = len(STEP_ORDER)
    ordered = sorted(found.values(), key=lambda c: STEP_ORDER.index(c.step) if c.step else last)
    return {cls.name: cls for cls in ordered}


# Every concrete action class, by name.
ACTIONS: dict[str, type[ActionInput]] = _registry()


def action_class(name: str) -> type[ActionInput]:
    cls = ACTIONS.get(name)
    if cls is None:
        raise ActionRefused(RefusalKind.INVALID_PAYLOAD, f"Acción desconocida: «{name}»")
    return cls


def parse(name: str, raw: Any) -> ActionInput:
    """The action's typed payload from JSON (or an instance); a Spanish refusal per bad field."""
    cls = action_class(name)
    if isinstance(raw, cls):
        raw = raw.model_dump(mode="json")
    try:
        return cls.model_validate(raw)
    except ValidationError as exc:
        raise ActionRefused(RefusalKind.INVALID_PAYLOAD, spanish_summary(exc)) from exc


def admit(sale: SaleState, name: str, raw: Any, now: datetime) -> ActionInput:
    """Parses the action and checks every rule against the sale; raises `ActionRefused`."""
    action = parse(name, raw)
    action.admit(sale, now)
    return action


__all__ = [
    "ACTIONS",
    "ActionInput",
    "ApplicationCheck",
    "ApproveDocumentsInput",
    "ApproveProductInput",
    "AreaMember",
    "AssignContractNumberInput",
    "AssignSaleInput",
    "CancelSaleInput",
    "ConfirmBusinessTypeInput",
    "ConfirmOnyxCreationInput",
    "ConfirmWorkOrderClosureInput",
    "DeliverPieceInput",
    "ReassignConsultantInput",
    "RecordCallInput",
    "RecordCrmLookupInput",
    "RecordPostSaleRequestInput",
    "RejectDocumentsInput",
    "ReleaseSaleInput",
    "RequestCorrectionsInput",
    "SelectTemplateInput",
    "SubmitContentInput",
    "SubmitDocumentsInput",
    "SubmitPurchaseFormInput",
    "TakeSaleInput",
    "action_class",
    "admit",
    "crm_route",
    "parse",
    "roles_es",
]
