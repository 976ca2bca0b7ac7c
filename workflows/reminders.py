"""Reminders and escalations: background timers that never block the main path.

Each ends by itself when its step ends (`done()`), or after its last notice.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

from temporalio import workflow

from workflows.effects import Effects
from workflows.progress import Ready, elapsed

with workflow.unsafe.imports_passed_through():
    from mnd.domain.roles import Role
    from mnd.domain.sale import SaleState


class Reminders:
    def __init__(self, state: SaleState, effects: Effects) -> None:
        self._s, self._effects = state, effects
        self._tasks: list[asyncio.Task[None]] = []

    def start(self, coro: Coroutine[Any, Any, None]) -> None:
        self._tasks.append(asyncio.create_task(coro))

    def all_done(self) -> bool:
        return all(t.done() for t in self._tasks)

    def _product_url(self) -> str:
        return self._s.delivery.product_url if self._s.delivery else ""

    async def ally(self, done: Ready) -> None:
        """A reminder at the ally's estimate, then an escalation to Producción."""
        p, notify = self._s.profile, self._effects.notify
        estimate = int(p.ally_delivery_estimate.total_seconds() // 60)
        if not await elapsed(done, p.ally_delivery_estimate, "aviso al aliado"):
            return
        await notify(
            "delivery_reminder",
            [Role.ALLY],
            estimate_minutes=estimate,
            round=self._s.delivery_round,
        )
        rest = p.ally_delivery_escalation - p.ally_delivery_estimate
        if await elapsed(done, rest, "escalamiento a Producción"):
            waited = int(p.ally_delivery_escalation.total_seconds() // 60)
            await notify(
                "delivery_escalation",
                [Role.PRODUCTION],
                estimate_minutes=estimate,
                waiting_minutes=waited,
            )

    async def client(self, done: Ready) -> None:
        """A reminder to the client at each interval, up to the profile's maximum."""
        p = self._s.profile
        for number in range(1, p.max_client_reminders + 1):
            if not await elapsed(done, p.client_approval_reminder_every, "recordatorio"):
                return
            # Reply-To and the round (for the approval link) are activity input only: adding
            # them changes no command, so running sales replay unchanged.
            await self._effects.notify(
                "approval_reminder",
                [Role.CLIENT],
                reply_to=[Role.CONSULTANT],
                product_url=self._product_url(),
                reminder_number=number,
                delivery_round=self._s.delivery_round,
            )

    async def approval_escalation(self, done: Ready) -> None:
        """The consultant hears when the client's approval takes too long."""
        p = self._s.profile
        if await elapsed(done, p.client_approval_escalation, "escalamiento al consultor"):
            hours = int(p.client_approval_escalation.total_seconds() // 3600)
            await self._effects.notify(
                "approval_escalation",
                [Role.CONSULTANT],
                product_url=self._product_url(),
                waiting_hours=hours,
            )
