"""The console over HTTP (no browser): sign-in, sessions, CSRF, roles, forms and refusals."""

from __future__ import annotations

import re

import httpx

from tests.console.conftest import PASSWORD, Console, csrf_of, signed_in

CLIENT = {
    "client.legal_name": "Panadería La Espiga S.A.S.",
    "client.document_type": "NIT",
    "client.document_number": "900373115-3",
    "client.contact_name": "Marta Rincón",
    "client.email": "marta@laespiga.com.co",
    "client.phone": "3001234567",
    "plan_id": "tienda_digital",
}
JPG = b"\xff\xd8\xff\xe0" + b"0" * 64
PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 64


async def open_sale(http: httpx.AsyncClient, **changes: str) -> tuple[httpx.Response, str]:
    page = await http.get("/consola/ventas/nueva")
    assert page.status_code == 200
    sale_id = re.search(r'name="sale_id" value="([^"]+)"', page.text)
    assert sale_id
    data = {
        **CLIENT,
        **changes,
        "csrf_token": csrf_of(page.text),
        "sale_id": sale_id[1],
        "intento": "x",
    }
    return await http.post("/consola/ventas/nueva", data=data), sale_id[1]


async def act(
    http: httpx.AsyncClient,
    sale_id: str,
    action: str,
    data: dict[str, str],
    files: dict[str, tuple[str, bytes, str]] | None = None,
) -> httpx.Response:
    page = await http.get(f"/consola/ventas/{sale_id}")
    assert page.status_code == 200, page.text
    body = {"csrf_token": csrf_of(page.text), "intento": f"t-{action}", **data}
    return await http.post(
        f"/consola/ventas/{sale_id}/acciones/{action}", data=body, files=files or None
    )


async def test_a_page_without_a_session_goes_to_sign_in_and_back(console: Console) -> None:
    async with console.http() as http:
        answer = await http.get("/consola/bandeja?paso=contract")
        assert answer.status_code == 303
        assert (
            answer.headers["location"]
            == "/consola/entrar?siguiente=/consola/bandeja%3Fpaso%3Dcontract"
        )
        page = await http.get(answer.headers["location"])
        assert "Inicie sesión para continuar" in page.text
        cookie = page.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie
        reply = await http.post(
            "/consola/entrar",
            data={
                "usuario": "carla.soto",
                "clave": PASSWORD,
                "csrf_token": csrf_of(page.text),
                "siguiente": "/consola/bandeja?paso=contract",
            },
        )
        assert reply.status_code == 303
        assert reply.headers["location"] == "/consola/bandeja?paso=contract"
        session_cookie = reply.headers["set-cookie"]
        assert "mnd_sesion=" in session_cookie and "HttpOnly" in session_cookie
        assert "SameSite=lax" in session_cookie
        inbox = await http.get("/consola/bandeja")
        assert (
            inbox.status_code == 200 and "Mi bandeja" in inbox.text and "Carla Soto" in inbox.text
        )


async def test_wrong_password_then_throttled(console: Console) -> None:
    async with console.http() as http:
        for attempt in range(6):
            page = await http.get("/consola/entrar")
            answer = await http.post(
                "/consola/entrar",
                data={
                    "usuario": "diana.mora",
                    "clave": "no-es-esta",
                    "csrf_token": csrf_of(page.text),
                },
            )
            assert answer.status_code == 401
            expected = "incorrectos" if attempt < 5 else "Demasiados intentos fallidos"
            assert expected in answer.text, attempt
        # Locked for the window: even the right password is refused now.
        page = await http.get("/consola/entrar")
        answer = await http.post(
            "/consola/entrar",
            data={"usuario": "diana.mora", "clave": PASSWORD, "csrf_token": csrf_of(page.text)},
        )
        assert answer.status_code == 401 and "Demasiados intentos" in answer.text
        assert "mnd_sesion" not in answer.headers.get("set-cookie", "")


async def test_sign_in_form_without_its_csrf_cookie_is_refused(console: Console) -> None:
    async with console.http() as http:
        answer = await http.post(
            "/consola/entrar",
            data={"usuario": "pablo.rios", "clave": PASSWORD, "csrf_token": "inventado"},
        )
        assert answer.status_code == 403 and "El formulario venció" in answer.text


async def test_a_form_without_its_csrf_token_changes_nothing(console: Console) -> None:
    async with signed_in(console, "laura.gomez") as http:
        opened, sale_id = await open_sale(http)
        assert opened.status_code == 303
        answer = await http.post(
            f"/consola/ventas/{sale_id}/acciones/select_template",
            data={"template_id": "td_moda"},
        )
        assert answer.status_code == 403 and "código de seguridad" in answer.text
        page = await http.get(f"/consola/ventas/{sale_id}")
        assert "2. Selección de plantilla" in page.text
        assert "en curso desde" in page.text
        sign_out = await http.post("/consola/salir", data={})
        assert sign_out.status_code == 403  # signing out is a form too


async def test_an_expired_session_goes_back_to_sign_in(console: Console) -> None:
    async with signed_in(console, "pedro.diaz") as http:
        assert (await http.get("/consola/bandeja")).status_code == 200
        console.expire_sessions("pedro.diaz")
        answer = await http.get("/consola/bandeja")
        assert answer.status_code == 303 and answer.headers["location"].startswith(
            "/consola/entrar"
        )


async def test_sign_out_ends_the_session(console: Console) -> None:
    async with signed_in(console, "aliado.web") as http:
        page = await http.get("/consola/bandeja")
        cookie = http.cookies["mnd_sesion"]
        out = await http.post("/consola/salir", data={"csrf_token": csrf_of(page.text)})
        assert out.status_code == 303
    async with console.http() as other:
        other.cookies.set("mnd_sesion", cookie)
        assert (await other.get("/consola/bandeja")).status_code == 303  # the old cookie is dead


async def test_open_a_sale_with_a_bad_nit_names_the_field(console: Console) -> None:
    async with signed_in(console, "laura.gomez") as http:
        answer, _ = await open_sale(http, **{"client.document_number": "900373115-4"})
        assert answer.status_code == 422
        error = re.search(r'id="f-open_sale-client-document_number-error">([^<]+)<', answer.text)
        assert error and "dígito de verificación" in error[1]


async def test_wrong_role_gets_a_spanish_403_page(console: Console) -> None:
    async with signed_in(console, "laura.gomez") as laura:
        _, sale_id = await open_sale(laura)
    async with signed_in(console, "aliado.web") as ally:
        answer = await act(ally, sale_id, "select_template", {"template_id": "td_moda"})
        assert answer.status_code == 403
        assert "Acción no permitida" in answer.text and "Consultor" in answer.text
    async with signed_in(console, "andres.ruiz") as other_consultant:
        page = await other_consultant.get(f"/consola/ventas/{sale_id}")
        assert page.status_code == 403 and "Solo puede consultar sus propias ventas" in page.text
    async with signed_in(console, "carla.soto") as analyst:
        page = await analyst.get("/consola/ventas")
        assert page.status_code == 403 and "Solo supervisores" in page.text


async def test_content_refusals_are_shown_next_to_their_fields(console: Console) -> None:
    async with signed_in(console, "laura.gomez") as http:
        _, sale_id = await open_sale(http)
        assert (
            await act(http, sale_id, "select_template", {"template_id": "td_moda"})
        ).status_code == 303
        done = await act(http, sale_id, "confirm_business_type", {"business_type": "restaurante"})
        assert done.status_code == 303
        product = {
            "content.products.0.category": "Panes",
            "content.products.0.name": "Pan de bono",
            "content.products.0.description": " ".join(["palabra"] * 21),
            "content.products.0.price_cop": "2500",
            "content.embed_code": "https://maps.google.com/?q=espiga",
        }
        answer = await act(
            http,
            sale_id,
            "submit_content",
            product,
            files={"content.products.0.image": ("pan.png", PNG, "image/png")},
        )
        assert answer.status_code == 422
        image_error = re.search(
            r'id="f-submit_content-content-products-0-image-error">([^<]+)<', answer.text
        )
        assert image_error and "solo JPG" in image_error[1]
        # The image accepted, the description is refused next to its own field.
        answer = await act(
            http,
            sale_id,
            "submit_content",
            product,
            files={"content.products.0.image": ("pan.jpg", JPG, "image/jpeg")},
        )
        assert answer.status_code == 422
        words = re.search(
            r'id="f-submit_content-content-products-0-description-error">([^<]+)<', answer.text
        )
        assert words and "21 palabras; el máximo es 20" in words[1]
        page = await http.get(f"/consola/ventas/{sale_id}")
        assert "4. Información del producto" in page.text  # nothing moved


async def test_pages_load_nothing_from_outside(console: Console) -> None:
    async with signed_in(console, "sofia.vargas") as http:
        for path in ("/consola/bandeja", "/consola/ventas", "/consola/reporte", "/consola/correos"):
            page = await http.get(path)
            assert page.status_code == 200, path
            assert not re.search(r'(src|href)="(https?:)?//', page.text), path
        docs = await http.get("/docs")
        assert docs.status_code == 200 and "cdn" not in docs.text.lower()
        for asset in re.findall(r'(?:src|href)="(/[^"]+)"', docs.text):
            assert (await http.get(asset)).status_code == 200, asset
        assert (await http.get("/static/console.css")).status_code == 200


async def test_console_errors_are_pages_and_the_api_keeps_json(console: Console) -> None:
    async with signed_in(console, "sofia.vargas") as http:
        unknown = await http.get("/consola/ventas/MND-2026-999999")
        assert unknown.status_code == 404 and "Venta no encontrada" in unknown.text
        assert unknown.headers["content-type"].startswith("text/html")
        bad_id = await http.get("/consola/ventas/x")
        assert bad_id.status_code == 404 and "No existe la venta" in bad_id.text
        no_page = await http.get("/consola/no-existe")
        assert no_page.status_code == 404 and "Página no encontrada" in no_page.text
        bad_date = await http.get("/consola/reporte?desde=ayer")
        assert bad_date.status_code == 422 and "desde" in bad_date.text
        assert "<html" in bad_date.text
        api = await http.get("/api/sales/MND-2026-999999")
        assert api.status_code == 401 and api.headers["content-type"] == "application/json"
