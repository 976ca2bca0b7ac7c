"""Temporal outages answer 503 in Spanish, whatever error type the SDK gives them."""

from __future__ import annotations

from typing import Any

import httpx
from temporalio.client import (
    Client,
    Interceptor,
    OutboundInterceptor,
    StartWorkflowUpdateInput,
    WorkflowUpdateHandle,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.service import RPCError, RPCStatusCode

from mnd.api import create_app
from mnd.domain.steps import StepId
from mnd.temporal_retry import DEFAULT_BOUND
from tests.api.conftest import PUBLIC_URL, Api
from tests.api.flow import ApiSale
from tests.api.payloads import VALID


class RecycledConnections(Interceptor):
    """Every Update call fails as one does when the server recycles the connection under it
    (the SDK turns the CANCELLED RPC into `WorkflowUpdateRPCTimeoutOrCancelledError`)."""

    def __init__(self) -> None:
        self.update_ids: list[str | None] = []

    def intercept_client(self, next: OutboundInterceptor) -> OutboundInterceptor:
        return _CancelUpdates(next, self.update_ids)


class _CancelUpdates(OutboundInterceptor):
    def __init__(self, next: OutboundInterceptor, update_ids: list[str | None]) -> None:
        super().__init__(next)
        self.update_ids = update_ids

    async def start_workflow_update(
        self, input: StartWorkflowUpdateInput
    ) -> WorkflowUpdateHandle[Any]:
        self.update_ids.append(input.update_id)
        cancelled = RPCError("operation was canceled", RPCStatusCode.CANCELLED, b"")
        raise WorkflowUpdateRPCTimeoutOrCancelledError() from cancelled


async def test_update_cancelled_past_the_retry_bound_is_a_503(api: Api) -> None:
    sale = await ApiSale.open(api)
    broken = RecycledConnections()
    config = api.env.client.config()
    config["interceptors"] = [broken]
    app = create_app(api.settings, client=Client(**config))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=PUBLIC_URL) as http,
    ):
        response = await http.post(
            sale.path("select_template"), json=VALID["select_template"], headers=api.auth("c-100")
        )
    assert response.status_code == 503, response.text
    assert response.json() == {
        "detail": "El orquestador (Temporal) no respondió; intente de nuevo en unos minutos."
    }
    # Retried within the bound first, always with the same update id (it could not apply twice).
    assert len(broken.update_ids) == DEFAULT_BOUND.attempts
    assert len(set(broken.update_ids)) == 1
    assert (await sale.state()).step is StepId.TEMPLATE_SELECTION
