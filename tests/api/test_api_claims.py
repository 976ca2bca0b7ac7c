"""Taking a sale within an area through the API: the routes, who is refused (403 / 409 as
`mnd/api/errors.py` maps them), and the inbox and the list saying who has each sale."""

from __future__ import annotations

from typing import Any

from mnd.auth.staff import StaffDirectory
from mnd.domain.roles import Role
from mnd.domain.steps import StepId
from tests.api import flow
from tests.api.conftest import Api
from tests.api.flow import ApiSale

AREA = Role.DATA_MINING.value
# A second Minería de Datos member, beside the team's Diana Mora (dm-1).
OTHER = ("dm-2", "Darío Mejía", "dario.mejia@claro.com.co")


def other_member(api: Api) -> str:
    if OTHER[0] not in api.tokens:
        directory = StaffDirectory(api.sessions)
        directory.add(*OTHER, [Role.DATA_MINING])
        api.tokens[OTHER[0]] = directory.create_token(OTHER[0])
    return OTHER[0]


async def waiting_on_data_mining(api: Api) -> ApiSale:
    """A sale at step 5 whose client is in neither CRM: it waits on Minería de Datos."""
    sale = await ApiSale.open(api)
    await flow.to_client_verification(sale)
    answer = await sale.act("record_crm_lookup", {"in_onyx": False, "in_rr": False}, "c-100")
    assert answer.waiting_on == [Role.DATA_MINING], answer
    return sale


async def claims_in(api: Api, path: str, sale_id: str, who: str, expected: Any) -> Any:
    """The sale's `claims` in a list answer (inbox, sales), once the records have followed."""
    await api.stack.settled(sale_id)
    response = await api.http.get(path, headers=api.auth(who))
    assert response.status_code == 200, response.text
    return next((i["claims"] for i in response.json() if i["sale_id"] == sale_id), None)


def test_the_routes_exist(api: Api) -> None:
    paths = api.app.openapi()["paths"]
    for action in ("take_sale", "release_sale", "assign_sale"):
        route = paths[f"/api/sales/{{sale_id}}/actions/{action}"]["post"]
        assert {"403", "409"} <= set(route["responses"]), action
    assert paths["/api/sales/{sale_id}/actions/take_sale"]["post"]["summary"] == "Tomar la venta"


async def test_take_assign_and_release(api: Api) -> None:
    dario = other_member(api)
    sale = await waiting_on_data_mining(api)

    answer = await sale.act("take_sale", {}, "dm-1")
    assert answer.message == "Tomada por Diana Mora (Minería de Datos)"
    assert answer.step is StepId.CLIENT_VERIFICATION and answer.waiting_on == [Role.DATA_MINING]

    # Another member of the area: 403 with who has it; another area: 409 (not its turn).
    response = await sale.post("confirm_onyx_creation", {"onyx_id": "ONYX-9"}, dario)
    assert response.status_code == 403, response.text
    assert response.json()["kind"] == "wrong_role"
    assert response.json()["detail"].startswith(
        "La venta la tiene Diana Mora (Minería de Datos); solo esa persona puede actuar"
    )
    response = await sale.post("take_sale", {}, dario)
    assert response.status_code == 403
    assert response.json()["detail"].startswith("La venta ya la tomó Diana Mora")
    response = await sale.post("take_sale", {}, "prov-1")
    assert response.status_code == 409 and response.json()["kind"] == "wrong_step"
    # Only a supervisor assigns: the route checks the role before the body.
    body = {"role": AREA, "member": {"id": dario, "name": OTHER[1]}}
    assert (await sale.post("assign_sale", body, "dm-1")).status_code == 403
    bad = {"role": AREA, "member": {"id": dario}}
    response = await sale.post("assign_sale", bad, "sup-1")
    assert response.status_code == 422 and "member.name" in response.text

    inbox_claim = {AREA: {"id": "dm-1", "name": "Diana Mora"}}
    found = await claims_in(api, "/api/inbox", sale.sale_id, dario, inbox_claim)
    assert found == inbox_claim  # Darío's inbox shows the sale is Diana's

    answer = await sale.act("assign_sale", body, "sup-1")
    assert answer.message == "Asignada a Darío Mejía (Minería de Datos) (la tenía Diana Mora)"
    response = await sale.post("release_sale", {}, "dm-1")
    assert response.status_code == 403 and "la tiene Darío Mejía" in response.json()["detail"]
    listed = {AREA: {"id": dario, "name": OTHER[1]}}
    found = await claims_in(api, "/api/sales?limit=500", sale.sale_id, "sup-1", listed)
    assert found == listed
    assert (await sale.state()).claims[Role.DATA_MINING].id == dario

    answer = await sale.act("release_sale", {}, dario)
    assert answer.message == "Liberada por Darío Mejía (Minería de Datos)"
    response = await sale.post("release_sale", {}, dario)
    assert response.status_code == 409 and response.json()["kind"] == "wrong_step"
    assert await claims_in(api, "/api/inbox", sale.sale_id, "dm-1", {}) == {}
    # Released: anyone of the area acts again.
    answer = await sale.act("confirm_onyx_creation", {"onyx_id": "ONYX-9"}, "dm-1")
    assert answer.waiting_on != [Role.DATA_MINING]
