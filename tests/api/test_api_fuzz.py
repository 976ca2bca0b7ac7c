"""Arbitrary bodies and path parameters: never a 500, and a refused request changes nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote

import pytest_asyncio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mnd.domain.actions import ACTIONS
from mnd.domain.roles import Role
from tests.api import flow
from tests.api.conftest import BY_ROLE, Api
from tests.api.flow import ApiSale
from tests.api.payloads import VALID

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
    | st.sampled_from(["", " ", "file:x", "file:", "2026-02-30", "https://x.co", "td_moda", "ok"])
)
JSON = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3)
    ),
    max_leaves=8,
)
FUZZ = settings(
    max_examples=120,
    deadline=None,
    database=None,  # no .hypothesis folder in the checkout
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@st.composite
def mutated(draw: st.DrawFn, valid: Any) -> Any:
    """`valid` with one node replaced by arbitrary JSON, or one key dropped or added."""
    if isinstance(valid, dict) and valid and draw(st.booleans()):
        key = draw(st.sampled_from(sorted(valid)))
        change = draw(st.sampled_from(["deeper", "replace", "drop", "add"]))
        if change == "deeper":
            return {**valid, key: draw(mutated(valid[key]))}
        if change == "replace":
            return {**valid, key: draw(JSON)}
        if change == "drop":
            return {k: v for k, v in valid.items() if k != key}
        return {**valid, draw(st.text(min_size=1, max_size=8)): draw(JSON)}
    if isinstance(valid, list) and valid and draw(st.booleans()):
        i = draw(st.integers(0, len(valid) - 1))
        return [*valid[:i], draw(mutated(valid[i])), *valid[i + 1 :]]
    return draw(JSON)


def retyped(valid: Any) -> st.SearchStrategy[Any]:
    """`valid`'s shape with other values of the same types: these mostly reach the sale."""
    if isinstance(valid, dict):
        return st.fixed_dictionaries({k: retyped(v) for k, v in valid.items()})
    if isinstance(valid, list):
        return st.lists(retyped(valid[0]), min_size=1, max_size=2) if valid else st.just([])
    if isinstance(valid, bool):
        return st.booleans()
    if isinstance(valid, int):
        return st.integers(min_value=-5, max_value=5)
    if isinstance(valid, str):
        return st.just(valid) | st.text(max_size=12)
    return st.just(valid)


def body_for(action: str) -> st.SearchStrategy[Any]:
    fields = {name: JSON for name in ACTIONS[action].model_fields if name != "actor"}
    valid = VALID[action]
    return st.one_of(
        JSON, st.fixed_dictionaries({}, optional=fields), mutated(valid), retyped(valid)
    )


def acting_member(action: str, consultant_id: str = "c-100") -> str:
    roles = ACTIONS[action].roles
    if action == "cancel_sale":
        # A consultant, but not the sale's own (an earlier example may have reassigned the sale
        # to c-200): the sale must refuse it.
        return "c-100" if consultant_id == "c-200" else "c-200"
    return next(BY_ROLE[role] for role in Role if role in roles)


class Parked:
    """A sale waiting out the 1-day minimum of step 5, where every action is refused, and the
    state it must keep (one query per example instead of two keeps the fuzz fast)."""

    def __init__(self, sale: ApiSale, state: Any) -> None:
        self.sale, self.state = sale, state

    async def unchanged(self) -> None:
        assert comparable(await self.sale.state()) == self.state


@pytest_asyncio.fixture(scope="module")
async def parked(api: Api) -> AsyncIterator[Parked]:
    sale = await ApiSale.open(api)
    await flow.to_client_verification(sale)
    await sale.act("record_crm_lookup", {"in_onyx": True, "in_rr": True}, "c-100")
    yield Parked(sale, comparable(await sale.state()))


def comparable(state: Any) -> Any:
    return state.model_dump(exclude={"log"})


@FUZZ
@given(data=st.data())
async def test_action_routes_with_arbitrary_bodies(api: Api, parked: Parked, data: Any) -> None:
    action = data.draw(st.sampled_from(sorted(ACTIONS)), label="action")
    body = data.draw(body_for(action), label="body")
    member = acting_member(action, parked.state["consultant"]["id"])
    response = await parked.sale.post(action, body, member)
    assert response.status_code < 500, response.text
    if response.status_code == 200:
        # Only a supervisor's reassignments (of the consultant, of an area's member) can be
        # valid at this point of the sale.
        assert action in ("reassign_consultant", "assign_sale"), (action, body)
        parked.state = comparable(await parked.sale.state())
        return
    assert response.status_code in (403, 409, 422), (action, body, response.text)
    detail = response.json()["detail"]
    lines = [detail] if isinstance(detail, str) else detail
    assert lines and all(isinstance(line, str) and line for line in lines)
    await parked.unchanged()


@FUZZ
@given(sale_id=st.text(min_size=1, max_size=40), action=st.sampled_from(sorted(ACTIONS)))
async def test_arbitrary_sale_ids(api: Api, sale_id: str, action: str) -> None:
    path = quote(sale_id, safe="")
    response = await api.http.post(
        f"/api/sales/{path}/actions/{action}",
        json=VALID[action],
        headers=api.auth(acting_member(action)),
    )
    assert response.status_code in (404, 405, 307), (sale_id, response.text)
    response = await api.http.get(f"/api/sales/{path}", headers=api.auth("sup-1"))
    assert response.status_code in (404, 200, 307), (sale_id, response.text)


OPEN = {"sale_id": "FUZZ-OPEN-1", "client": flow.CLIENT, "plan_id": "tienda_digital"}


@FUZZ
@given(body=st.one_of(JSON, mutated(OPEN)))
async def test_open_with_arbitrary_bodies(api: Api, parked: Parked, body: Any) -> None:
    response = await api.http.post("/api/sales", json=body, headers=api.auth("c-100"))
    assert response.status_code in (201, 403, 409, 422), (body, response.text)
    await parked.unchanged()
