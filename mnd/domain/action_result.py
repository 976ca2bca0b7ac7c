"""What an accepted action answers: the sale as it stands once the workflow has reacted.

Small on purpose (well under 1 KB): every Update result is stored in the sale's history.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from mnd.domain.roles import Role
from mnd.domain.sale import SaleState, SaleStatus
from mnd.domain.steps import StepId


class ActionResult(BaseModel):
    sale_id: str
    action: str
    accepted: bool = True
    message: str
    status: SaleStatus
    step: StepId
    waiting_on: list[Role]
    waiting_for: str
    min_until: datetime | None = None
    due_at: datetime | None = None

    @classmethod
    def of(cls, sale: SaleState, action: str, message: str) -> ActionResult:
        return cls(
            sale_id=sale.sale_id,
            action=action,
            message=message,
            status=sale.status,
            step=sale.step,
            waiting_on=list(sale.waiting_on),
            waiting_for=sale.waiting_for,
            min_until=sale.min_until,
            due_at=sale.due_at,
        )
