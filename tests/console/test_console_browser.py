"""The console in a real browser (Debian's Chromium through Playwright): a whole Tienda Digital
sale with each role signed in as itself, the refusals a person sees, and the supervisor's pages.

Every person has their own browser context (cookies), every request any page makes is checked
against the console's origin, and the main pages are saved as screenshots (in docs/screenshots/ by `make screenshots`).
Without Chromium the module is skipped (`MND_REQUIRE_BROWSER=1`, as CI sets, fails instead).
"""

from __future__ import annotations

import asyncio
import base64
import os
import re
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import pytest_asyncio
from playwright.async_api import (
    Browser,
    BrowserContext,
    Locator,
    Page,
    Request,
    ViewportSize,
    expect,
)

from benchmarks.console_first_load import first_load
from mnd.domain.catalog import DELIVERED_APPLICATIONS
from mnd.domain.clock import colombian_date
from tests.console.conftest import (
    CHROMIUM_MISSING,
    PASSWORD,
    Console,
    browser_required,
    chromium_path,
    signed_in,
)

if chromium_path() is None and not browser_required():
    pytest.skip(CHROMIUM_MISSING, allow_module_level=True)

pytestmark = pytest.mark.browser

# `make screenshots` writes them into docs/screenshots/ (the README shows them); a plain test
# run writes them to a temporary folder, so it leaves the working tree as it was.
SCREENSHOTS = Path(
    os.environ.get("MND_SCREENSHOTS_DIR") or Path(tempfile.gettempdir()) / "mnd-screenshots"
)
MAX_SCREENSHOT_BYTES = 300_000
# The fast profile's minimums are 2 to 3 seconds; a form held back by one shows well within this.
FORM_TIMEOUT = 30.0
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
PHONE: ViewportSize = {"width": 390, "height": 844}
# What goes over the network. Chromium's PDF viewer (in the document preview) loads hundreds of
# chrome:// and chrome-extension:// files from inside the browser; a file's preview before its
# upload is a blob: URL of the page: none of them leaves the machine.
NETWORK_SCHEMES = frozenset({"http", "https", "ws", "wss", "ftp"})


# --- files the people upload ------------------------------------------------------------------


def pdf(title: str) -> bytes:
    """A small valid one-page PDF that shows `title` (ASCII)."""
    text = f"BT /F1 28 Tf 72 700 Td ({title}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


_DRAW = """([kind, text, color]) => {
  const canvas = document.createElement("canvas");
  canvas.width = 320; canvas.height = 200;
  const g = canvas.getContext("2d");
  g.fillStyle = color; g.fillRect(0, 0, 320, 200);
  g.fillStyle = "#ffffff"; g.font = "bold 28px sans-serif"; g.fillText(text, 20, 110);
  return canvas.toDataURL(kind, 0.8);
}"""


async def picture(browser: Browser, kind: str, text: str, color: str) -> bytes:
    """A real image drawn by the browser's canvas (`image/jpeg` or `image/png`)."""
    context = await browser.new_context()
    try:
        page = await context.new_page()
        url = await page.evaluate(_DRAW, [kind, text, color])
    finally:
        await context.close()
    return base64.b64decode(str(url).split(",", 1)[1])


@dataclass(frozen=True)
class Files:
    """The files on the person's disk: product photos, the document set, a PNG that is refused."""

    product_jpg: Path
    product_png: Path
    documents: dict[str, Path]  # the document's name on the page -> its file

    def bytes_of(self, name: str) -> bytes:
        return self.documents[name].read_bytes()


@pytest_asyncio.fixture
async def files(browser: Browser, tmp_path: Path) -> Files:
    jpg = await picture(browser, "image/jpeg", "Pan de bono", "#b5651d")
    png = await picture(browser, "image/png", "Pan de bono", "#b5651d")
    cedula = await picture(browser, "image/jpeg", "Cedula 52.123.456", "#2f5f9e")
    assert jpg.startswith(b"\xff\xd8\xff\xe0") and cedula.startswith(b"\xff\xd8\xff\xe0")
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    written: dict[str, Path] = {}
    for name, file_name, data in (
        ("Anexo", "anexo.pdf", pdf("Anexo")),
        ("Contrato", "contrato.pdf", pdf("Contrato")),
        ("Cláusulas", "clausulas.pdf", pdf("Clausulas")),
        ("Fotocopia de cédula", "cedula.jpg", cedula),
        ("RUT", "rut.pdf", pdf("RUT")),
    ):
        written[name] = tmp_path / file_name
        written[name].write_bytes(data)
    (tmp_path / "pan-de-bono.jpg").write_bytes(jpg)
    (tmp_path / "pan-de-bono.png").write_bytes(png)
    return Files(tmp_path / "pan-de-bono.jpg", tmp_path / "pan-de-bono.png", written)


# --- people in their own browser contexts -----------------------------------------------------


@dataclass
class Browsing:
    """The people signed in during one test, each in a context of their own, and every request
    a page made outside the console's origin (there must be none: every asset is the app's)."""

    browser: Browser
    console: Console
    outside: list[str] = field(default_factory=list)
    contexts: list[BrowserContext] = field(default_factory=list)

    async def context(self) -> BrowserContext:
        context = await self.browser.new_context(
            base_url=self.console.url,
            locale="es-CO",
            timezone_id="America/Bogota",
            viewport=DESKTOP,
        )
        context.on("request", self._check)
        self.contexts.append(context)
        return context

    def _check(self, request: Request) -> None:
        url = request.url
        if url.startswith(self.console.url + "/"):
            return
        if urlsplit(url).scheme not in NETWORK_SCHEMES:
            return  # the browser's own files (its PDF viewer), a preview made by the page
        self.outside.append(url)

    async def sign_in(self, member: str, screenshot: str | None = None) -> Page:
        """A new context signed in as `member` through the sign-in form, on their inbox."""
        page = await (await self.context()).new_page()
        await page.goto("/consola/entrar")
        if screenshot:
            await expect(page.get_by_role("heading", name="Entrar a la consola")).to_be_visible()
            await shoot(page, screenshot)
        await fill_sign_in(page, member)
        await expect(page).to_have_url(re.compile(r"/consola/bandeja$"))
        return page

    async def session_of(self, member: str) -> Page:
        """A new context with a session of `member`, opened through the same sign-in form over
        HTTP, on their inbox. For the people after a test's first: Chromium spends about a
        second of CPU on each sign-in through the page, and `sign_in` shows it once a test."""
        async with signed_in(self.console, member) as http:
            jar = list(http.cookies.jar)
        context = await self.context()
        await context.add_cookies(
            [{"name": c.name, "value": c.value or "", "url": self.console.url} for c in jar]
        )
        page = await context.new_page()
        await page.goto("/consola/bandeja")
        await expect(page).to_have_url(re.compile(r"/consola/bandeja$"))
        return page


@pytest_asyncio.fixture
async def browsing(browser: Browser, console: Console) -> AsyncIterator[Browsing]:
    people = Browsing(browser, console)
    try:
        yield people
    finally:
        for context in people.contexts:
            await context.close()


async def fill_sign_in(page: Page, member: str) -> None:
    await page.get_by_label("Usuario o correo").fill(member)
    await page.get_by_label("Contraseña").fill(PASSWORD)
    await page.get_by_role("button", name="Entrar").click()


async def shoot(page: Page | Locator, name: str) -> None:
    """A PNG of the viewport (or of one element) in docs/screenshots/, kept small."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    await page.screenshot(path=path)
    assert path.stat().st_size < MAX_SCREENSHOT_BYTES, (path, path.stat().st_size)


# --- the sale page: forms offered now, filled, sent -------------------------------------------


async def reload_until(
    page: Page, path: str, target: Locator, timeout: float = FORM_TIMEOUT
) -> None:
    """Loads `path` again until `target` shows: the pages are drawn by the server, so what the
    sale offers after a step's minimum appears on a fresh load (bounded by `timeout`)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        await page.goto(path)
        try:
            await expect(target).to_be_visible(timeout=500)
            return
        except AssertionError:
            if loop.time() >= deadline:
                raise


async def offered(page: Page, sale_id: str, action: str) -> Locator:
    """The action's form on the sale page, once the sale offers it, with its card opened."""
    form = page.locator(f"form#accion-{action}")
    card = page.locator("details.action-card").filter(has=form)
    await reload_until(page, f"/consola/ventas/{sale_id}", card)
    if not await form.is_visible():
        await card.locator("summary").click()
    await expect(form).to_be_visible()
    return form


async def send(page: Page, form: Locator, label: str) -> None:
    """Presses the form's button; the sale page says the action was recorded."""
    await form.get_by_role("button", name=label, exact=True).click()
    done = page.locator("#resultado.ok")
    try:
        await expect(done).to_contain_text(f"Acción registrada: {label}")
    except AssertionError as missing:
        problems = await page.locator(".field-error, .notice.error").all_inner_texts()
        raise AssertionError(f"«{label}» no se registró: {problems}") from missing


async def pdf_drawn(page: Page, src: str, timeout: float = 10) -> None:
    """Waits (for the screenshot only, at most `timeout`) until Chromium's PDF viewer shows
    `src`: its document is a frame inside the viewer's own chrome-extension:// frame."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        for frame in page.frames:
            parent = frame.parent_frame
            if frame.url.endswith(src) and parent and parent.url.startswith("chrome-extension:"):
                await frame.wait_for_load_state()
                return
        await asyncio.sleep(0.05)


def sale_id_of(page: Page) -> str:
    found = re.search(r"/consola/ventas/([^/?#]+)", page.url)
    assert found, page.url
    return found[1]


async def open_sale(page: Page, legal_name: str) -> str:
    """The consultant's 'Abrir venta' page, filled as after the visit; the new sale's id."""
    await page.get_by_role("link", name="Abrir venta").click()
    await expect(page).to_have_url(re.compile(r"/consola/ventas/nueva$"))
    form = page.locator("#accion-open_sale")
    await form.get_by_label("Razón social o nombre").fill(legal_name)
    await form.get_by_label("Tipo de documento").select_option("NIT")
    await form.get_by_label("Número de documento").fill("900373115-3")
    await form.get_by_label("Persona de contacto").fill("Marta Rincón")
    await form.get_by_label("Correo electrónico").fill("marta@laespiga.com.co")
    await form.get_by_label("Teléfono").fill("3001234567")
    await form.get_by_label("Plan", exact=True).select_option(label="Tienda Digital")
    await send(page, form, "Abrir venta")
    return sale_id_of(page)


async def choose_template_and_business(page: Page, sale_id: str) -> None:
    form = await offered(page, sale_id, "select_template")
    await form.get_by_label("Plantilla").select_option("td_moda")
    await form.get_by_label("Notas sobre el alcance").fill("Catálogo de panadería, 12 productos.")
    await send(page, form, "Seleccionar plantilla")
    form = await offered(page, sale_id, "confirm_business_type")
    await form.get_by_label("Tipo de comercio").select_option(label="Tienda de ropa")
    await send(page, form, "Confirmar tipo de comercio")


async def fill_product(form: Locator, image: Path, description: str) -> None:
    row = form.get_by_role("group", name="1", exact=True)
    await row.get_by_label("Imagen del producto").set_input_files(image)
    await row.get_by_label("Categoría").fill("Panes")
    await row.get_by_label("Nombre").fill("Pan de bono")
    await row.get_by_label("Descripción").fill(description)
    await row.get_by_label("Precio").fill("2500")
    await form.get_by_label("Código embed").fill("https://maps.google.com/?q=la+espiga")


def sale_url(sale_id: str) -> str:
    return f"/consola/ventas/{sale_id}"


# --- the tests --------------------------------------------------------------------------------


async def test_a_tienda_digital_sale_from_opening_to_cycle_closure(
    browsing: Browsing, browser: Browser, console: Console, files: Files
) -> None:
    laura = await browsing.sign_in("laura.gomez", screenshot="01-entrar")
    sale_id = await open_sale(laura, "Panadería La Espiga S.A.S.")
    await expect(laura.locator(".summary")).to_contain_text("NIT 900.373.115-3")

    # Steps 2 to 4: the consultant with the client.
    await choose_template_and_business(laura, sale_id)
    form = await offered(laura, sale_id, "submit_content")
    await fill_product(
        form, files.product_jpg, "Pan de queso horneado cada mañana, suave y dorado."
    )
    await send(laura, form, "Enviar contenido")

    # Step 5: the CRM lookup (ONYX and RR: the contract goes by ONYX); a 2-second minimum.
    form = await offered(laura, sale_id, "record_crm_lookup")
    await form.get_by_label("El cliente existe en ONYX").check()
    await form.get_by_label("El cliente existe en RR").check()
    await send(laura, form, "Registrar consulta en CRM")

    # Step 6: Aprovisionamiento's contract number and the consultant's document set.
    pablo = await browsing.session_of("pablo.rios")
    form = await offered(pablo, sale_id, "assign_contract_number")
    await form.get_by_label("Consecutivo del contrato").fill(f"CTO-{sale_id}")
    await send(pablo, form, "Asignar consecutivo del contrato")

    form = await offered(laura, sale_id, "submit_documents")

    def document_row(name: str) -> Locator:
        # Each row is named after its document, then whether the set needs it.
        return form.get_by_role("group", name=re.compile(rf"^{re.escape(name)} \("))

    await expect(document_row("Anexo")).to_have_accessible_name("Anexo (obligatorio)")
    for name, path in files.documents.items():
        await document_row(name).get_by_label("Archivo").set_input_files(path)
    today = colombian_date(datetime.now(UTC))
    rut = document_row("RUT")
    await rut.get_by_label("Fecha de expedición").fill(today.isoformat())
    await send(laura, form, "Enviar documentos")

    # Step 7: Soporte Comercial sees the sale in its inbox, previews and downloads each document.
    carla = await browsing.session_of("carla.soto")
    await reload_until(carla, "/consola/bandeja", carla.get_by_role("link", name=sale_id))
    await expect(carla.get_by_role("row").filter(has_text=sale_id)).to_contain_text(
        "Soporte Comercial"
    )
    await shoot(carla, "02-bandeja")
    await carla.set_viewport_size(PHONE)
    await shoot(carla, "02-bandeja-telefono")
    await carla.set_viewport_size(DESKTOP)

    loaded = await first_load(browser, console.url, "carla.soto", PASSWORD)
    print(f"\n{loaded.report()}")
    assert loaded.origins == [console.url], loaded.origins
    kinds = " ".join(resource.content_type for resource in loaded.resources)
    for kind in ("text/html", "text/css", "javascript", "image/svg+xml"):
        assert kind in kinds, loaded.resources

    form = await offered(carla, sale_id, "approve_documents")
    documents = carla.locator("#documentos ul.documents > li")
    await expect(documents).to_have_count(len(files.documents))
    shown = {"Fotocopia de cédula", "RUT"}  # the previews left open for the screenshot
    for name in files.documents:
        item = documents.filter(has=carla.locator("strong", has_text=name))
        preview = item.locator("details.doc-preview > summary")
        await preview.click()
        if files.documents[name].suffix == ".pdf":
            frame = item.locator("iframe")
            await expect(frame).to_be_visible()
            src = await frame.get_attribute("src")
            assert src and src.endswith("?ver=1")
            if name in shown:
                await pdf_drawn(carla, src)
        else:
            image = item.get_by_role("img", name=name)
            await expect(image).to_be_visible()
            # Decoded by the browser: a real JPEG, drawn at its 320 pixels.
            assert await image.evaluate("i => i.decode().then(() => i.naturalWidth)") == 320
        href = await item.get_by_role("link", name="Descargar").get_attribute("href")
        assert href
        answer = await carla.request.get(href)
        assert answer.status == 200, (name, answer.status)
        assert answer.headers["content-disposition"].startswith("attachment")
        assert await answer.body() == files.bytes_of(name), name
        if name not in shown:
            await preview.click()
    await shoot(carla.locator("#documentos"), "04-soporte-comercial-documentos")
    await form.get_by_label("Observaciones").fill("Documentos completos y legibles.")
    await send(carla, form, "Aprobar documentos")

    # Step 8: after the 3-second minimum the OT is issued; the purchase form comes filled in.
    form = await offered(laura, sale_id, "submit_purchase_form")
    await expect(form.get_by_label("Número de la OT")).not_to_have_value("")
    await expect(form.get_by_label("Cantidad de productos")).to_have_value("1")
    await laura.set_viewport_size({"width": 1280, "height": 1700})  # the form and the 13 steps
    await shoot(laura, "03-venta-formulario-y-pasos")
    await laura.set_viewport_size(DESKTOP)
    await send(laura, form, "Enviar formulario de compra")

    # Step 9: the ally delivers the piece.
    ally = await browsing.session_of("aliado.web")
    form = await offered(ally, sale_id, "deliver_piece")
    slug = sale_id.lower()
    await form.get_by_label("URL del producto").fill(
        f"https://claro.minegocio.digital/tiendas/{slug}"
    )
    await form.get_by_label("URL de la pieza de entrega").fill(
        f"https://claro.minegocio.digital/piezas/{slug}/entrega.pdf"
    )
    await form.get_by_label("URL de la pieza de canales de soporte").fill(
        f"https://claro.minegocio.digital/piezas/{slug}/soporte.pdf"
    )
    await send(ally, form, "Entregar pieza")

    # Step 10: Producción records the client's approval; step 11: the provisioning call.
    pedro = await browsing.session_of("pedro.diaz")
    form = await offered(pedro, sale_id, "approve_product")
    await form.get_by_label("Comentario").fill("El cliente aprobó la tienda por teléfono.")
    await send(pedro, form, "Aprobar producto")
    form = await offered(pedro, sale_id, "record_call")
    await form.get_by_label("Se logró contactar al cliente").check()
    await form.get_by_label("Se explicaron los canales de soporte").check()
    await form.get_by_label("Se explicaron los canales de posventa").check()
    applications = form.get_by_role("group", name="Validación de los aplicativos")
    for application in DELIVERED_APPLICATIONS.values():
        await applications.get_by_label(application).select_option(label="Funciona")
    await send(pedro, form, "Registrar llamada de aprovisionamiento")

    # Step 12: Aprovisionamiento closes the OT; billing starts today (Bogotá).
    form = await offered(pablo, sale_id, "confirm_work_order_closure")
    await expect(form.get_by_label("Número de la OT")).not_to_have_value("")
    await form.get_by_label("Fecha de inicio de facturación").fill(
        colombian_date(datetime.now(UTC)).isoformat()
    )
    await send(pablo, form, "Confirmar cierre de OT")

    # Step 13: the cycle closes; the sale is complete and every step is done.
    badge = laura.locator("h1 .badge")
    await reload_until(laura, sale_url(sale_id), badge.filter(has_text="completada"))
    await expect(laura.locator(".timeline > li.step-done")).to_have_count(13)
    await expect(laura.locator(".timeline > li").last).to_contain_text("13.")
    await expect(laura.locator("#acciones")).to_have_count(0)  # nothing left to do
    assert browsing.outside == []


async def test_refusals_are_shown_in_the_page(browsing: Browsing, files: Files) -> None:
    laura = await browsing.sign_in("laura.gomez")
    sale_id = await open_sale(laura, "Panadería El Trigal S.A.S.")
    await choose_template_and_business(laura, sale_id)

    # A PNG for a product image: refused next to the image field, with a 422.
    form = await offered(laura, sale_id, "submit_content")
    words = " ".join(["palabra"] * 21)
    await fill_product(form, files.product_png, words)
    async with laura.expect_response(lambda r: r.request.method == "POST") as posted:
        await form.get_by_role("button", name="Enviar contenido").click()
    assert (await posted.value).status == 422
    image_error = laura.locator("#f-submit_content-content-products-0-image-error")
    await expect(image_error).to_contain_text("solo JPG")
    await expect(laura.locator("#f-submit_content-content-products-0-image")).to_have_attribute(
        "aria-invalid", "true"
    )
    await expect(laura.locator("#resultado.error")).to_contain_text("Enviar contenido")

    # The JPG accepted, the 21-word description is refused next to its own field; what was
    # typed is still there.
    form = laura.locator("#accion-submit_content")
    description = laura.locator("#f-submit_content-content-products-0-description")
    await expect(description).to_have_value(words)
    await (
        form.get_by_role("group", name="1", exact=True)
        .get_by_label("Imagen del producto")
        .set_input_files(files.product_jpg)
    )
    await form.get_by_role("button", name="Enviar contenido").click()
    await expect(
        laura.locator("#f-submit_content-content-products-0-description-error")
    ).to_contain_text("21 palabras; el máximo es 20")
    await expect(image_error).to_have_count(0)

    # The ally posts the consultant's form (copied from the consultant's page) from its own
    # session: the Spanish 403 page.
    ally = await browsing.session_of("aliado.web")
    await ally.goto(sale_url(sale_id))
    await expect(ally.locator("#accion-submit_content")).to_have_count(0)
    csrf = await ally.locator("form.signout input[name=csrf_token]").input_value()
    async with ally.expect_response(lambda r: r.request.method == "POST") as posted:
        await ally.evaluate(
            """([action, csrf]) => {
                const form = document.createElement("form");
                form.method = "post";
                form.action = action;
                for (const [name, value] of [["csrf_token", csrf], ["template_id", "td_moda"]]) {
                    const input = document.createElement("input");
                    input.type = "hidden"; input.name = name; input.value = value;
                    form.append(input);
                }
                document.body.append(form);
                form.submit();
            }""",
            [f"/consola/ventas/{sale_id}/acciones/select_template", csrf],
        )
    assert (await posted.value).status == 403
    await expect(ally.get_by_role("heading", name="Acción no permitida")).to_be_visible()
    await expect(ally.get_by_role("alert")).to_contain_text("Consultor")

    # A form sent without its CSRF token (the hidden field removed) is refused; nothing changed.
    form = await offered(laura, sale_id, "cancel_sale")
    await form.get_by_label("Motivo").fill("Prueba sin código de seguridad.")
    await form.locator("input[name=csrf_token]").evaluate("input => input.remove()")
    async with laura.expect_response(lambda r: r.request.method == "POST") as posted:
        await form.get_by_role("button", name="Cancelar venta").click()
    assert (await posted.value).status == 403
    await expect(laura.get_by_role("heading", name="Formulario vencido")).to_be_visible()
    await laura.goto(sale_url(sale_id))
    await expect(laura.locator("h1 .badge")).to_have_text("abierta")

    # An expired session: back to sign-in, and after it, the page that was asked for.
    browsing.console.expire_sessions("laura.gomez")
    await laura.goto(sale_url(sale_id))
    await expect(laura).to_have_url(re.compile(r"/consola/entrar\?siguiente="))
    await expect(laura.get_by_role("status")).to_contain_text("Inicie sesión para continuar")
    await fill_sign_in(laura, "laura.gomez")
    await expect(laura).to_have_url(re.compile(rf"/consola/ventas/{sale_id}$"))
    await expect(laura.get_by_role("heading", level=1)).to_contain_text(sale_id)
    assert browsing.outside == []


async def test_the_supervisor_lists_reports_reads_the_outbox_and_cancels(
    browsing: Browsing,
) -> None:
    laura = await browsing.sign_in("laura.gomez")
    client = "Ferretería El Tornillo S.A.S."
    sale_id = await open_sale(laura, client)
    await choose_template_and_business(laura, sale_id)

    sofia = await browsing.session_of("sofia.vargas")
    await sofia.get_by_role("link", name="Ventas", exact=True).click()
    await expect(sofia).to_have_url(re.compile(r"/consola/ventas$"))
    filters = sofia.get_by_role("search")
    await filters.get_by_label("Buscar").fill("Tornillo")
    await filters.get_by_label(re.compile(r"^Plan\b")).select_option(label="Tienda Digital")
    await filters.get_by_label(re.compile(r"^Estado\b")).select_option(label="abierta")
    await filters.get_by_role("button", name="Filtrar").click()
    await expect(sofia).to_have_url(re.compile(r"q=Tornillo"))
    rows = sofia.locator("table.list tbody tr")
    await expect(rows.filter(has_text=sale_id)).to_have_count(1)
    for text in await rows.all_inner_texts():
        assert "Tornillo" in text
    await filters.get_by_label(re.compile(r"^Estado\b")).select_option(label="cancelada")
    await filters.get_by_role("button", name="Filtrar").click()
    await expect(sofia.get_by_text("Ninguna venta coincide con los filtros")).to_be_visible()

    await sofia.get_by_role("link", name="Reporte por paso").click()
    await expect(sofia.get_by_role("heading", name="Reporte por paso")).to_be_visible()
    chart = sofia.get_by_role("img", name="Mediana y P90 por paso")
    await expect(chart.locator(".bar-row").first).to_be_visible()
    await expect(sofia.locator("table.list tbody tr").first).to_be_visible()
    await shoot(sofia, "05-supervisor-reporte")

    outbox_row = sofia.get_by_role("row").filter(has=sofia.get_by_role("link", name=sale_id))
    await reload_until(sofia, "/consola/correos", outbox_row.first)
    await expect(outbox_row.first).to_contain_text("marta@laespiga.com.co")

    # Cancelling from the sale page, with a reason.
    await outbox_row.first.get_by_role("link", name=sale_id).click()
    await expect(sofia).to_have_url(re.compile(rf"/consola/ventas/{sale_id}$"))
    form = await offered(sofia, sale_id, "cancel_sale")
    await form.get_by_label("Motivo").fill("El cliente desistió de la compra.")
    await send(sofia, form, "Cancelar venta")
    await reload_until(sofia, sale_url(sale_id), sofia.locator("h1 .badge", has_text="cancelada"))
    await expect(sofia.locator("table.list")).to_contain_text("Cancelación solicitada")
    await sofia.goto("/consola/ventas?estado=cancelled&q=Tornillo")
    await expect(sofia.locator("table.list tbody tr").filter(has_text=sale_id)).to_have_count(1)
    assert browsing.outside == []
