"""Who may do what: every action for every role, tokens, and which sales a consultant sees."""

from __future__ import annotations

from mnd.auth.staff import StaffDirectory
from mnd.domain.actions import ACTIONS
from mnd.domain.roles import Role
from mnd.domain.sale import SaleStatus
from mnd.domain.steps import StepId
from tests.api import flow
from tests.api.conftest import BY_ROLE, Api
from tests.api.flow import ApiSale
from tests.api.payloads import VALID

# Acting at any step, these would change a parked sale: they are checked on a closed one.
ANY_STEP = ("cancel_sale", "reassign_consultant", "assign_sale")


def comparable(state: object) -> object:
    return state.model_dump(exclude={"log"})  # type: ignore[attr-defined]


async def test_role_matrix_on_a_parked_sale(api: Api) -> None:
    """Each role that may take the action reaches the sale (409: not now); any other gets 403.

    The sale waits out the 1-day minimum of step 5, so every step-bound action is at the wrong
    step: a 403 for the wrong roles shows the role is checked before the step."""
    sale = await ApiSale.open(api)
    await flow.to_client_verification(sale)
    await sale.act("record_crm_lookup", {"in_onyx": True, "in_rr": True}, "c-100")
    before = comparable(await sale.state())
    for action, spec in ACTIONS.items():
        if action in ANY_STEP:
            continue
        for role, who in BY_ROLE.items():
            response = await sale.post(action, VALID[action], who)
            body = response.json()
            if role in spec.roles:
                assert response.status_code == 409, (action, role, response.text)
                assert body["kind"] == "wrong_step"
            else:
                assert response.status_code == 403, (action, role, response.text)
                assert body["kind"] == "wrong_role" and "corresponde a" in body["detail"]
    assert comparable(await sale.state()) == before


async def test_role_matrix_of_any_step_actions_on_a_closed_sale(api: Api) -> None:
    sale = await ApiSale.open(api)
    answer = await sale.act("cancel_sale", {"reason": "Prueba"}, "c-100")
    assert answer.status is SaleStatus.CANCELLED, answer
    for action in ANY_STEP:
        for role, who in BY_ROLE.items():
            response = await sale.post(action, VALID[action], who)
            expected = 409 if role in ACTIONS[action].roles else 403
            assert response.status_code == expected, (action, role, response.text)
            if expected == 409:
                assert response.json()["kind"] == "sale_closed"


async def test_role_is_checked_before_the_payload(api: Api) -> None:
    sale = await ApiSale.open(api)
    for action, spec in ACTIONS.items():
        for role, who in BY_ROLE.items():
            response = await sale.post(action, {"campo_inventado": 1}, who)
            if role in spec.roles:
                assert response.status_code == 422, (action, role, response.text)
                assert "campo_inventado: no es un campo permitido" in response.json()["detail"]
            else:
                assert response.status_code == 403, (action, role, response.text)


async def test_tokens(api: Api) -> None:
    sale = await ApiSale.open(api)
    for action in ACTIONS:
        response = await api.http.post(sale.path(action), json=VALID[action])
        assert response.status_code == 401
        assert response.json()["detail"].startswith("Falta el token")
        assert response.headers["www-authenticate"] == "Bearer"
    for header in ("Bearer mnd_inventado", "Bearer otro", "Basic YTpi"):
        response = await api.http.get("/api/inbox", headers={"Authorization": header})
        assert response.status_code == 401, header
    directory = StaffDirectory(api.sessions)
    directory.add("tmp-1", "Temporal", "tmp@claro.com.co", [Role.PRODUCTION])
    token = directory.create_token("tmp-1")
    headers = {"Authorization": f"Bearer {token}"}
    assert (await api.http.get("/api/inbox", headers=headers)).status_code == 200
    directory.revoke("tmp-1")
    response = await api.http.get("/api/inbox", headers=headers)
    assert response.status_code == 401
    assert response.json()["detail"] == "Token no válido, revocado o de un miembro inactivo."


async def test_a_consultant_sees_and_acts_only_on_their_own_sales(api: Api) -> None:
    sale = await ApiSale.open(api)
    path = f"/api/sales/{sale.sale_id}"
    for who, status in (("c-100", 200), ("c-200", 403), ("prod-1", 200), ("sup-1", 200)):
        assert (await api.http.get(path, headers=api.auth(who))).status_code == status, who
        timeline = await api.http.get(f"{path}/timeline", headers=api.auth(who))
        assert timeline.status_code == status, who
    refused = await api.http.get(path, headers=api.auth("c-200"))
    assert refused.json()["detail"] == "Solo puede consultar sus propias ventas."
    response = await sale.post("select_template", VALID["select_template"], "c-200")
    assert response.status_code == 403
    assert response.json()["detail"].startswith("Solo el consultor asignado (Laura Gómez)")
    assert (await sale.state()).step is StepId.TEMPLATE_SELECTION
