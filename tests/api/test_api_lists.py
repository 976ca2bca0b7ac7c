"""Reads from the records: the sales list with its filters, the inbox, reports, health."""

from __future__ import annotations

import asyncio
import random
import uuid
from datetime import timedelta
from typing import Any

import httpx
from stdnum.co import nit
from temporalio.client import Client

from mnd.api import create_app, deps
from mnd.auth.staff import StaffDirectory
from mnd.domain.roles import Role
from mnd.domain.steps import StepId
from mnd.settings import Settings
from tests.api import flow
from tests.api.conftest import Api
from tests.api.flow import CLIENT, ApiSale


def client_named(name: str, **over: Any) -> dict[str, Any]:
    return {**CLIENT, "legal_name": name, **over}


async def listed(api: Api, query: str, who: str = "sup-1", count: int | None = None) -> list[str]:
    """Sale ids the list answers (waiting for the records to catch up when `count` is given)."""
    for _ in range(200):
        response = await api.http.get(f"/api/sales?{query}", headers=api.auth(who))
        assert response.status_code == 200, response.text
        ids = [row["sale_id"] for row in response.json()]
        if count is None or len(ids) == count:
            return ids
        await asyncio.sleep(0.05)
    raise AssertionError(f"{query}: {ids}")


async def test_list_filters_and_text_search(api: Api) -> None:
    tag = uuid.uuid4().hex[:8]
    base = str(random.randrange(800_000_000, 899_999_999))
    document = f"{base}-{nit.calc_check_digit(base)}"
    one = await ApiSale.open(
        api, client=client_named(f"Ferretería {tag} Uno", document_number=document)
    )
    consultant = {"id": "c-200", "name": "Andrés Ruiz", "email": "andres.ruiz@claro.com.co"}
    cc = str(random.randrange(10**9, 10**10))
    two = await ApiSale.open(
        api,
        "sup-1",
        consultant=consultant,
        plan_id="posicionamiento",
        client=client_named(f"Panadería {tag} Dos", document_type="CC", document_number=cc),
    )
    three = await ApiSale.open(api, client=client_named(f"Droguería {tag} Tres"))
    await one.act("select_template", {"template_id": "td_moda"}, "c-100")
    await three.act("cancel_sale", {"reason": "Prueba"}, "c-100")
    everyone = {one.sale_id, two.sale_id, three.sale_id}
    assert set(await listed(api, f"q={tag}&status=cancelled", count=1)) == {three.sale_id}
    assert set(await listed(api, f"q={tag}&step=business_type", count=1)) == {one.sale_id}
    assert set(await listed(api, f"q={tag}", count=3)) == everyone
    assert set(await listed(api, f"q={tag.upper()}%20UNO")) == {one.sale_id}
    assert await listed(api, f"q={base}") == [one.sale_id]  # NIT typed without dots
    assert await listed(api, f"q={cc}") == [two.sale_id]
    assert await listed(api, f"q={tag}&plan=posicionamiento") == [two.sale_id]
    assert await listed(api, f"q={tag}&consultant=c-200") == [two.sale_id]
    assert set(await listed(api, f"q={tag}&waiting_on=consultant")) == {one.sale_id, two.sale_id}
    assert await listed(api, f"q={tag}&status=open&plan=tienda_digital") == [one.sale_id]
    # Pages: limit and offset walk the same order.
    full = await listed(api, f"q={tag}")
    pages = [await listed(api, f"q={tag}&limit=1&offset={i}") for i in range(4)]
    assert [sale for page in pages for sale in page] == full
    # A consultant lists only their own sales, whatever the filter says.
    assert await listed(api, f"q={tag}", who="c-200") == [two.sale_id]
    assert await listed(api, f"q={tag}&consultant=c-200", who="c-100") == []
    response = await api.http.get("/api/sales?step=volar&limit=0", headers=api.auth("sup-1"))
    assert response.status_code == 422
    assert response.json()["detail"][1] == "limit: debe ser mayor o igual que 1"
    assert response.json()["detail"][0].startswith("step: debe ser uno de: 'web_access', ")


async def inbox(api: Api, who: str) -> list[dict[str, Any]]:
    response = await api.http.get("/api/inbox", headers=api.auth(who))
    assert response.status_code == 200, response.text
    return list(response.json())


async def test_inbox_per_role_oldest_first_with_overdue_flags(api: Api) -> None:
    consultant = {"id": "c-200", "name": "Andrés Ruiz", "email": "andres.ruiz@claro.com.co"}
    first = await ApiSale.open(api, "sup-1", consultant=consultant)
    await api.env.sleep(timedelta(hours=2))
    second = await ApiSale.open(api, "sup-1", consultant=consultant)
    contract = await ApiSale.open(api)
    await flow.to_client_verification(contract)
    await contract.act("record_crm_lookup", {"in_onyx": True, "in_rr": True}, "c-100")
    await contract.sleep(1)
    await contract.wait_step(StepId.CONTRACT)  # moved by step 5's 1-day timer: no answer

    async def settled() -> list[dict[str, Any]]:
        for _ in range(200):
            items = await inbox(api, "c-200")
            ids = [i["sale_id"] for i in items]
            if first.sale_id in ids and second.sale_id in ids:
                return items
            await asyncio.sleep(0.05)
        raise AssertionError("the inbox never showed both sales")

    items = await settled()
    ids = [i["sale_id"] for i in items]
    assert ids.index(first.sale_id) < ids.index(second.sale_id)
    assert [i["since"] for i in items] == sorted(i["since"] for i in items)
    assert {i["consultant_id"] for i in items} == {"c-200"}  # not c-100's sale at step 6
    assert all(i["role"] == "consultant" for i in items)
    mine = next(i for i in items if i["sale_id"] == second.sale_id)
    assert mine["due_at"] is not None and not mine["overdue"]
    # The step 2 SLA is a day: on the day after, both are overdue.
    later = (await api.env.get_current_time()) + timedelta(days=2)
    api.app.dependency_overrides[deps.now] = lambda: later
    try:
        flagged = {i["sale_id"]: i["overdue"] for i in await inbox(api, "c-200")}
    finally:
        api.app.dependency_overrides.clear()
    assert flagged[first.sale_id] and flagged[second.sale_id]
    # Step 6 waits on Aprovisionamiento and the consultant: each sees it in their inbox.
    for _ in range(200):
        if contract.sale_id in [i["sale_id"] for i in await inbox(api, "prov-1")]:
            break
        await asyncio.sleep(0.05)
    assert contract.sale_id in [i["sale_id"] for i in await inbox(api, "c-100")]
    # A member with two roles gets both inboxes merged, oldest first.
    StaffDirectory(api.sessions).add(
        "mix-1", "Dos Roles", "dos@claro.com.co", [Role.PROVISIONING, Role.SUPERVISOR]
    )
    api.tokens["mix-1"] = StaffDirectory(api.sessions).create_token("mix-1")
    merged = await inbox(api, "mix-1")
    assert contract.sale_id in [i["sale_id"] for i in merged]
    assert [i["since"] for i in merged] == sorted(i["since"] for i in merged)


async def test_reports_and_timeline(api: Api) -> None:
    sale = await ApiSale.open(api)
    await sale.act_to(StepId.BUSINESS_TYPE, "select_template", {"template_id": "td_moda"}, "c-100")
    headers = api.auth("sup-1")
    for _ in range(200):
        response = await api.http.get(f"/api/sales/{sale.sale_id}/timeline", headers=headers)
        spans = response.json() if response.status_code == 200 else []
        if [s["step"] for s in spans][:3] == ["web_access", "template_selection", "business_type"]:
            break
        await asyncio.sleep(0.05)
    assert spans[1]["actors"] == ["c-100"] and spans[1]["ended_at"] is not None
    query = "start=2000-01-01T00:00:00&end=2100-01-01T00:00:00"
    response = await api.http.get(f"/api/reports/steps?{query}", headers=headers)
    assert response.status_code == 200, response.text
    stats = {row["step"]: row for row in response.json()}
    assert stats["template_selection"]["count"] >= 1
    response = await api.http.get(
        "/api/reports/steps?start=2026-02-01&end=2026-01-01", headers=headers
    )
    assert response.status_code == 422 and response.json()["detail"] == [
        "end: debe ser posterior a start"
    ]


async def test_health(api: Api) -> None:
    response = await api.http.get("/api/health")
    assert response.status_code == 200 and response.json() == {"database": "ok", "temporal": "ok"}
    # Nothing listens on port 1: both checks fail, and the answer says which.
    settings = Settings(
        data_dir=api.settings.data_dir,
        database_url="postgresql+psycopg://mnd:x@127.0.0.1:1/mnd",
        db_auto_migrate=False,
    )
    dead = await Client.connect("127.0.0.1:1", lazy=True)
    app = create_app(settings, client=dead)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http,
    ):
        response = await http.get("/api/health")
    assert response.status_code == 503
    body = response.json()
    assert body["database"].startswith("error: ") and body["temporal"].startswith("error: ")
