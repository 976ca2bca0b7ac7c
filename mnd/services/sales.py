"""Opens sales and acts on them through their workflow; the only caller of a sale's Updates."""

from __future__ import annotations

import uuid
from typing import Any

from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.common import RawValue
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from mnd.domain.action_result import ActionResult
from mnd.domain.actions import ACTIONS, roles_es
from mnd.domain.errors import ActionRefused, RefusalKind
from mnd.domain.parties import Actor
from mnd.domain.roles import Role
from mnd.domain.sale import OpenSaleInput, SaleState, SaleStatus, workflow_id_for
from mnd.opening import open_sale
from mnd.reading import closed_outside, describe, read_state
from mnd.temporal_retry import retry_transient


class SaleNotFound(Exception):
    def __init__(self, sale_id: str) -> None:
        super().__init__(f"No existe la venta «{sale_id}».")


class SaleAlreadyExists(Exception):
    def __init__(self, sale_id: str) -> None:
        super().__init__(
            f"La venta «{sale_id}» ya fue abierta; no se abre dos veces (la primera no cambió)."
        )


def actor_for(staff_id: str, roles: list[Role], action: str, name: str | None = None) -> Actor:
    """The role a staff member acts in for `action`: the first of theirs the action accepts."""
    cls = ACTIONS.get(action)
    if cls is None:
        raise ActionRefused(RefusalKind.INVALID_PAYLOAD, f"Acción desconocida: «{action}»")
    usable = [role for role in roles if role in cls.roles]
    if not usable:
        raise ActionRefused(
            RefusalKind.WRONG_ROLE,
            f"La acción «{cls.label_es}» corresponde a: {roles_es(cls.roles)}; sus roles no la permiten.",
        )
    return Actor(id=staff_id, role=usable[0], name=name)


class SaleService:
    """Temporal side of the staff tools: open, read and act on one sale."""

    def __init__(self, client: Client, task_queue: str) -> None:
        self._client = client
        self._task_queue = task_queue

    @property
    def client(self) -> Client:
        return self._client

    async def open(self, inp: OpenSaleInput) -> SaleState:
        """Starts the sale's workflow; a sale id opens once."""
        try:
            await open_sale(self._client, inp, self._task_queue)
        except WorkflowAlreadyStartedError as exc:
            raise SaleAlreadyExists(inp.sale_id) from exc
        return await read_state(self._client, inp.sale_id)

    async def state(self, sale_id: str) -> SaleState:
        try:
            state = await read_state(self._client, sale_id)
            if state.status is SaleStatus.OPEN:
                # A run ended from Temporal (terminate, timeout) still says open: say what it is.
                closed = closed_outside(await describe(self._client, workflow_id_for(sale_id)))
                if closed is not None:
                    state.status, state.waiting_on = closed, []
                    state.waiting_for = "ejecución cerrada desde Temporal"
            return state
        except RPCError as exc:
            if exc.status == RPCStatusCode.NOT_FOUND:
                raise SaleNotFound(sale_id) from exc
            raise

    async def act(
        self,
        sale_id: str,
        action: str,
        payload: dict[str, Any],
        actor: Actor,
        update_id: str | None = None,
    ) -> ActionResult:
        """Runs the action's Update as `actor` and answers once the sale has reacted; a refusal
        raises `ActionRefused` (nothing changed). The same `update_id` is applied once."""
        result: ActionResult = await self._update(
            sale_id, action, payload, actor, ActionResult, update_id
        )
        return result

    async def act_json(
        self,
        sale_id: str,
        action: str,
        payload: dict[str, Any],
        actor: Actor,
        update_id: str | None = None,
    ) -> bytes:
        """As `act`, but the answer as the JSON the workflow returned, not decoded: an entry
        point that only forwards it (the API) skips a decode and a re-encode."""
        raw: RawValue = await self._update(sale_id, action, payload, actor, RawValue, update_id)
        return raw.payload.data

    async def _update(
        self,
        sale_id: str,
        action: str,
        payload: dict[str, Any],
        actor: Actor,
        result: type,
        update_id: str | None = None,
    ) -> Any:
        if action not in ACTIONS:
            raise ActionRefused(RefusalKind.INVALID_PAYLOAD, f"Acción desconocida: «{action}»")
        body = {**payload, "actor": actor.model_dump(mode="json")}
        handle = self._client.get_workflow_handle(workflow_id_for(sale_id))
        # Fixed before the first attempt: the server deduplicates Updates by id, so a retry
        # after a lost answer returns the first outcome instead of applying the action again.
        uid = update_id or str(uuid.uuid4())
        try:
            return await retry_transient(
                lambda: handle.execute_update(action, body, id=uid, result_type=result),
                f"update {action} {sale_id} ({uid})",
                deadline_safe=True,
            )
        except WorkflowUpdateFailedError as exc:
            cause = exc.cause
            if isinstance(cause, ApplicationError) and cause.type in set(RefusalKind):
                raise ActionRefused(RefusalKind(cause.type), cause.message) from exc
            raise
        except RPCError as exc:
            if exc.status == RPCStatusCode.NOT_FOUND:
                # Unknown, or finished: a finished sale takes no more actions.
                raise (
                    SaleNotFound(sale_id)
                    if not await self._exists(sale_id)
                    else ActionRefused(RefusalKind.CLOSED, f"La venta {sale_id} ya está cerrada.")
                ) from exc
            raise

    async def _exists(self, sale_id: str) -> bool:
        try:
            await describe(self._client, workflow_id_for(sale_id))
        except RPCError as exc:
            if exc.status == RPCStatusCode.NOT_FOUND:
                return False
            raise
        return True
