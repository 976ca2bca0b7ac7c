"""Moves a sale along through the HTTP API, as each role's member, like tests/workflow/steps.py."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import httpx

from mnd.domain.action_result import ActionResult
from mnd.domain.actions import ActionInput
from mnd.domain.clock import colombian_date
from mnd.domain.roles import Role
from mnd.domain.sale import SaleState
from mnd.domain.steps import StepId
from mnd.scenario import STALE
from tests import factories as f
from tests.api.conftest import BY_ROLE, Api
from tests.support import HANG_GUARD

URL = "https://laespiga.minegocio.digital/"
CLIENT = f.open_input("API-0").client.model_dump(mode="json")


def new_id(prefix: str = "API") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def member(role: Role) -> str:
    return BY_ROLE[role]


class ApiSale:
    """A sale opened through the API and the moves a test makes on it."""

    def __init__(self, api: Api, sale_id: str) -> None:
        self.api, self.sale_id = api, sale_id

    @classmethod
    async def open(cls, api: Api, who: str = "c-100", **over: Any) -> ApiSale:
        body = {"sale_id": new_id(), "client": CLIENT, "plan_id": "tienda_digital", **over}
        response = await api.http.post("/api/sales", json=body, headers=api.auth(who))
        assert response.status_code == 201, response.text
        sale = cls(api, body["sale_id"])
        # The sale starts before its first task runs: nothing answers when it reaches step 2.
        await sale.wait_step(StepId.TEMPLATE_SELECTION)
        return sale

    def path(self, action: str) -> str:
        return f"/api/sales/{self.sale_id}/actions/{action}"

    async def post(self, action: str, body: Any, who: str) -> httpx.Response:
        return await self.api.http.post(self.path(action), json=body, headers=self.api.auth(who))

    async def act(self, action: str, body: dict[str, Any], who: str) -> ActionResult:
        """The route answers once the sale has reacted: step, who it waits on, what for."""
        response = await self.post(action, body, who)
        assert response.status_code == 200, (action, response.status_code, response.text)
        return ActionResult.model_validate(response.json())

    async def act_to(self, step: StepId, action: str, body: dict[str, Any], who: str) -> SaleState:
        """Acts, checks the answer already shows the sale at `step`, and reads it (no polling)."""
        answer = await self.act(action, body, who)
        assert answer.step is step and answer.waiting_on, answer
        return await self.state()

    async def state(self) -> SaleState:
        response = await self.api.http.get(
            f"/api/sales/{self.sale_id}", headers=self.api.auth("sup-1")
        )
        assert response.status_code == 200, response.text
        return SaleState.model_validate(response.json())

    async def wait_for(
        self, ready: Callable[[SaleState], bool], timeout: float = HANG_GUARD
    ) -> SaleState:
        """Polls the state until `ready(state)`, only where nothing answers (a timer, the OT's
        activity, the opening); after an action, assert on its answer (`act_to`)."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            state = await self.state()
            if ready(state):
                return state
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"sale stuck at {state.step}: {state.waiting_for!r}")
            await asyncio.sleep(0.05)

    async def wait_step(self, step: StepId) -> SaleState:
        return await self.wait_for(lambda s: s.step is step and bool(s.waiting_on))

    async def sleep(self, days: float) -> None:
        await self.api.env.sleep(timedelta(days=days, minutes=1))


class HttpChannel:
    """The scenario driver's channel (`mnd/scenario.py`) over the HTTP API: each role acts as
    its test member, and a minimum passes on the time-skipping server's clock."""

    def __init__(self, sale: ApiSale) -> None:
        self.sale = sale

    async def state(self) -> SaleState:
        return await self.sale.state()

    async def act(self, action: str, payload: ActionInput) -> ActionResult | None:
        role = payload.actor.role
        who = "c-100" if role is Role.CONSULTANT else member(role)
        body = payload.model_dump(mode="json", exclude={"actor"})
        response = await self.sale.post(action, body, who)
        if response.status_code == 409 and response.json().get("kind") in STALE:
            return None
        assert response.status_code == 200, (action, response.status_code, response.text)
        return ActionResult.model_validate(response.json())

    async def pause(self, answer: ActionResult | None) -> None:
        env = self.sale.api.env
        if answer is not None and answer.min_until is not None:
            left = answer.min_until - await env.get_current_time()
            await env.sleep(max(left, timedelta(0)) + timedelta(minutes=1))
        else:
            await asyncio.sleep(0.05)  # an activity under way (the OT): look again shortly


def content() -> dict[str, Any]:
    return f.content().model_dump(mode="json")


def documents(issued: date) -> dict[str, Any]:
    return f.documents(issued).model_dump(mode="json")


def delivery(round_: int = 1) -> dict[str, Any]:
    return {
        "product_url": URL,
        "delivery_piece_url": f"{URL}pieza-{round_}",
        "support_channels_piece_url": f"{URL}soporte",
    }


def purchase_form(state: SaleState) -> dict[str, Any]:
    assert state.work_order is not None and state.content is not None
    return {
        "plan_id": state.plan_id,
        "template_id": state.template_id,
        "business_type": state.business_type,
        "product_count": len(state.content.products),
        "work_order_number": state.work_order.number,
    }


def good_call() -> dict[str, Any]:
    return f.call().model_dump(mode="json", exclude={"actor"})


async def to_product_information(sale: ApiSale) -> SaleState:
    await sale.act_to(StepId.BUSINESS_TYPE, "select_template", {"template_id": "td_moda"}, "c-100")
    return await sale.act_to(
        StepId.PRODUCT_INFORMATION,
        "confirm_business_type",
        {"business_type": "restaurante"},
        "c-100",
    )


async def to_client_verification(sale: ApiSale) -> SaleState:
    await to_product_information(sale)
    return await sale.act_to(
        StepId.CLIENT_VERIFICATION, "submit_content", {"content": content()}, "c-100"
    )


async def to_document_validation(sale: ApiSale) -> SaleState:
    await to_client_verification(sale)
    await sale.act("record_crm_lookup", {"in_onyx": True, "in_rr": True}, "c-100")
    await sale.sleep(1)
    state = await sale.wait_step(StepId.CONTRACT)  # moved by step 5's 1-day timer: no answer
    await sale.act("assign_contract_number", {"contract_number": "CT-1"}, member(Role.PROVISIONING))
    body = {"documents": documents(colombian_date(state.opened_at))}
    await sale.act("submit_documents", body, "c-100")
    await sale.sleep(1)
    return await sale.wait_step(StepId.DOCUMENT_VALIDATION)  # moved by the contract's timer


async def to_piece_delivery(sale: ApiSale) -> SaleState:
    await to_document_validation(sale)
    await sale.act("approve_documents", {}, member(Role.COMMERCIAL_SUPPORT))
    await sale.sleep(2)
    state = await sale.wait_step(StepId.PURCHASE_FORM)  # the 2-day timer, then the OT activity
    return await sale.act_to(
        StepId.PIECE_DELIVERY, "submit_purchase_form", purchase_form(state), "c-100"
    )


async def to_client_approval(sale: ApiSale) -> SaleState:
    await to_piece_delivery(sale)
    return await sale.act_to(StepId.CLIENT_APPROVAL, "deliver_piece", delivery(), member(Role.ALLY))


JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + b"\x00" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 32


async def upload(
    api: Api, data: bytes, name: str, content_type: str, purpose: str = "document"
) -> httpx.Response:
    return await api.http.post(
        "/api/files",
        files={"file": (name, data, content_type)},
        data={"purpose": purpose},
        headers=api.auth("c-100"),
    )


async def uploaded(api: Api, data: bytes, name: str, content_type: str, purpose: str) -> str:
    """The `file:<id>` reference of a fresh upload."""
    response = await upload(api, data, name, content_type, purpose)
    assert response.status_code == 201, response.text
    return f"file:{response.json()['id']}"
