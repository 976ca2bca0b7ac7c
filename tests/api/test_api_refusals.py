"""Every refusal the API answers, with its status and Spanish message; nothing changes on one."""

from __future__ import annotations

from mnd.domain.fields import LEGAL_NAME_MAX
from mnd.domain.sale import SaleState
from tests.api import flow
from tests.api.conftest import Api
from tests.api.flow import CLIENT, ApiSale, new_id


def open_body(**over: object) -> dict[str, object]:
    return {"sale_id": new_id(), "client": CLIENT, "plan_id": "tienda_digital", **over}


async def test_duplicate_open_is_refused_and_the_first_sale_is_untouched(api: Api) -> None:
    sale = await ApiSale.open(api)
    await sale.act("select_template", {"template_id": "td_moda"}, "c-100")
    before = (await sale.state()).model_dump(exclude={"log"})
    other = {**CLIENT, "legal_name": "Otra Empresa S.A.S."}
    response = await api.http.post(
        "/api/sales", json=open_body(sale_id=sale.sale_id, client=other), headers=api.auth("c-100")
    )
    assert response.status_code == 409
    assert response.json()["detail"] == (
        f"La venta «{sale.sale_id}» ya fue abierta; no se abre dos veces (la primera no cambió)."
    )
    assert (await sale.state()).model_dump(exclude={"log"}) == before


async def test_who_opens_a_sale(api: Api) -> None:
    consultant = {"id": "c-200", "name": "Andrés Ruiz", "email": "andres.ruiz@claro.com.co"}
    cases = [
        (
            "c-100",
            open_body(consultant=consultant),
            403,
            "Un consultor abre ventas solo a su nombre",
        ),
        ("prod-1", open_body(), 403, "Solo un consultor o un supervisor abre ventas."),
        ("sup-1", open_body(), 422, "consultant: es obligatorio cuando abre un supervisor"),
    ]
    for who, body, status, message in cases:
        response = await api.http.post("/api/sales", json=body, headers=api.auth(who))
        assert response.status_code == status, (who, response.text)
        assert message in str(response.json()["detail"])
    # The consultant block defaults to the member; a supervisor opens for anyone.
    response = await api.http.post("/api/sales", json=open_body(), headers=api.auth("c-100"))
    assert response.status_code == 201
    assert SaleState.model_validate(response.json()).consultant.name == "Laura Gómez"
    body = open_body(consultant=consultant, sale_id=None, profile="fast")
    response = await api.http.post("/api/sales", json=body, headers=api.auth("sup-1"))
    assert response.status_code == 201, response.text
    state = SaleState.model_validate(response.json())
    assert state.consultant.id == "c-200" and state.sale_id.startswith("MND-")
    assert state.profile.name == "fast"


async def test_invalid_opening_lists_every_field_in_spanish(api: Api) -> None:
    client = {**CLIENT, "document_number": "900373115-4", "email": "no-es-correo"}
    body = open_body(client=client, plan_id="plan_x", sale_id="x", extra=1)
    response = await api.http.post("/api/sales", json=body, headers=api.auth("c-100"))
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert "client.email: correo electrónico no válido: «no-es-correo»" in detail
    assert "plan_id: plan desconocido: «plan_x» (planes: tienda_digital, posicionamiento)" in detail
    assert "extra: no es un campo permitido" in detail
    # A name longer than the records keep is refused here, before any sale starts.
    body = open_body(client={**CLIENT, "legal_name": "N" * (LEGAL_NAME_MAX + 1)})
    response = await api.http.post("/api/sales", json=body, headers=api.auth("c-100"))
    assert response.status_code == 422
    assert (
        f"client.legal_name: es demasiado largo (máximo {LEGAL_NAME_MAX})"
        in (response.json()["detail"])
    )
    # Checked once the body's shape is right: the id pattern and the NIT's check digit.
    body = open_body(client={**CLIENT, "document_number": "900373115-4"}, sale_id="x")
    response = await api.http.post("/api/sales", json=body, headers=api.auth("c-100"))
    assert response.status_code == 422
    assert any(
        line.startswith("client.document_number: NIT no válido: «900373115-4»")
        for line in response.json()["detail"]
    ), response.json()["detail"]
    response = await api.http.post(
        "/api/sales",
        content=b"{no es json",
        headers={**api.auth("c-100"), "Content-Type": "application/json"},
    )
    assert response.status_code == 422 and response.json()["detail"] == ["datos: no es JSON válido"]


async def test_refusals_of_an_action(api: Api) -> None:
    sale = await ApiSale.open(api)
    before = (await sale.state()).model_dump(exclude={"log"})
    cases = [
        # (action, body, member, status, kind, start of the message)
        (
            "assign_contract_number",
            {"contract_number": "CT-1"},
            "c-100",
            403,
            "wrong_role",
            "La acción «Asignar consecutivo del contrato» corresponde a: Aprovisionamiento",
        ),
        (
            "confirm_business_type",
            {"business_type": "restaurante"},
            "c-100",
            409,
            "wrong_step",
            "La acción «Confirmar tipo de comercio» corresponde al paso 3. Tipo de comercio",
        ),
        (
            "select_template",
            {"template_id": "no_existe"},
            "c-100",
            422,
            "invalid_payload",
            "Datos no válidos. template_id: la plantilla «no_existe» no pertenece al plan",
        ),
    ]
    for action, body, who, status, kind, message in cases:
        response = await sale.post(action, body, who)
        assert response.status_code == status, (action, response.text)
        assert response.json()["kind"] == kind
        assert response.json()["detail"].startswith(message), response.json()["detail"]
    response = await sale.post("select_template", {"scope_notes": 3}, "c-100")
    assert response.status_code == 422
    assert response.json()["detail"] == [
        "template_id: es obligatorio",
        "scope_notes: debe ser texto",
    ]
    assert (await sale.state()).model_dump(exclude={"log"}) == before


async def test_unknown_sales_routes_and_files(api: Api) -> None:
    headers = api.auth("sup-1")
    for path in ("/api/sales/NO-EXISTE-1", "/api/sales/NO-EXISTE-1/timeline", "/api/sales/%20x"):
        response = await api.http.get(path, headers=headers)
        assert response.status_code == 404, path
        assert response.json()["detail"].startswith("No existe la venta"), path
    response = await api.http.post(
        "/api/sales/NO-EXISTE-1/actions/cancel_sale", json={"reason": "x"}, headers=headers
    )
    assert response.status_code == 404
    assert response.json()["detail"] == "No existe la venta «NO-EXISTE-1»."
    response = await api.http.post("/api/sales/X-1/actions/volar", json={}, headers=headers)
    assert response.status_code == 404 and response.json()["detail"] == "Recurso no encontrado."
    response = await api.http.delete("/api/sales", headers=headers)
    assert response.status_code == 405
    assert response.json()["detail"] == "Método no permitido en esta ruta."
    # An unknown upload referenced by an action is refused before the sale sees it.
    sale = await ApiSale.open(api)
    content = flow.content()
    content["products"][0]["image"] = {"storage_ref": "file:no-existe"}
    await flow.to_product_information(sale)
    response = await sale.post("submit_content", {"content": content}, "c-100")
    assert response.status_code == 422
    assert response.json()["detail"] == [
        "content.products[0].image.storage_ref: no existe el archivo subido «file:no-existe»"
    ]
    # Without a file reference, the file name stays required.
    content["products"][0]["image"] = {}
    response = await sale.post("submit_content", {"content": content}, "c-100")
    assert response.status_code == 422
    assert response.json()["detail"] == [
        "content.products[0].image: file_name es obligatorio, salvo con storage_ref «file:<id>»"
    ]
