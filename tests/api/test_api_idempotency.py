"""Exact actions over HTTP: an `Idempotency-Key` makes a retried request the same Update, applied
once and answered with the first answer, even when the first client gave up mid-flight."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from mnd.domain.roles import Role
from mnd.domain.sale import SaleState, workflow_id_for
from mnd.domain.steps import StepId
from tests.api.conftest import Api
from tests.api.flow import ApiSale
from tests.support import without_hanging

C = "c-100"


async def log_entries(api: Api, sale_id: str, action: str) -> int:
    handle = api.env.client.get_workflow_handle(workflow_id_for(sale_id))
    state = await handle.query("state", result_type=SaleState)
    return sum(1 for e in state.log if e.action == action)


async def post(sale: ApiSale, action: str, body: dict[str, Any], key: str) -> Any:
    headers = {**sale.api.auth(C), "Idempotency-Key": key}
    return await sale.api.http.post(sale.path(action), json=body, headers=headers)


async def test_a_retry_with_the_same_key_answers_the_first_answer_and_applies_once(
    api: Api,
) -> None:
    sale = await ApiSale.open(api)
    await sale.act_to(StepId.BUSINESS_TYPE, "select_template", {"template_id": "td_moda"}, C)
    body = {"business_type": "restaurante"}
    first = await post(sale, "confirm_business_type", body, "form-1")
    assert first.status_code == 200, first.text
    assert first.json()["step"] == StepId.PRODUCT_INFORMATION
    # The sale has moved on: without the key this action would now be refused (wrong step).
    again = await post(sale, "confirm_business_type", body, "form-1")
    assert again.status_code == 200, again.text
    assert again.json() == first.json()
    fresh = await post(sale, "confirm_business_type", body, "form-2")
    assert fresh.status_code == 409 and fresh.json()["kind"] == "wrong_step", fresh.text
    assert await log_entries(api, sale.sale_id, "confirm_business_type") == 1
    await api.stack.settled(sale.sale_id)
    events = [e for e in api.stack.records.events(sale.sale_id) if e.kind == "action"]
    assert sum(1 for e in events if e.data.get("action") == "confirm_business_type") == 1
    assert (await api.stack.templates_sent(sale.sale_id)).count("content_request") == 1


async def test_a_client_that_gave_up_after_the_action_was_accepted_retries_safely(
    api: Api,
) -> None:
    sale = await ApiSale.open(api)
    key = "lost-answer-1"
    body = {"template_id": "td_moda"}
    # The first client sends the action; the sale applies it and answers, the answer is lost
    # on the way back, and the client gives up (as with a timeout on a slow network).
    lost = api.answers.lose(f":select_template:{key}")
    first = asyncio.create_task(post(sale, "select_template", body, key))
    await without_hanging(lost.wait(), "the lost answer")
    assert not first.done()
    first.cancel()
    with pytest.raises(asyncio.CancelledError):
        await first
    assert await log_entries(api, sale.sale_id, "select_template") == 1
    retry = await post(sale, "select_template", body, key)
    assert retry.status_code == 200, retry.text
    answer = retry.json()
    assert answer["action"] == "select_template" and answer["step"] == StepId.BUSINESS_TYPE
    assert answer["waiting_on"] == [Role.CONSULTANT]
    assert await log_entries(api, sale.sale_id, "select_template") == 1
    await api.stack.settled(sale.sale_id)
    events = [e for e in api.stack.records.events(sale.sale_id) if e.kind == "action"]
    assert sum(1 for e in events if e.data.get("action") == "select_template") == 1
