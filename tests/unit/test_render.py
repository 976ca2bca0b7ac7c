"""The Spanish mail templates render completely, and refuse to render with a key missing."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest

from activities.notifications import MessageRenderer
from mnd.domain.clock import spanish_date
from mnd.domain.roles import CLIENT_APPROVAL_MAILBOXES
from mnd.notify import JinjaRenderer, TemplateContextError, UnknownTemplateError

BASE: dict[str, Any] = {
    "sale_id": "MND-2026-000123",
    "client_name": "Panadería La Espiga S.A.S.",
    "contact_name": "Marta Gómez",
    "client_email": "marta@laespiga.com.co",
    "client_phone": "+573001234567",
    "client_document": "NIT 900.373.115-3",
    "consultant_name": "Andrés Rojas",
    "consultant_email": "andres.rojas@claro.com.co",
    "plan_name": "MND Posicionamiento",
    "template_name": "Corporativo",
    "business_type_name": "Restaurante",
    "contract_number": "CT-2026-0042",
    "ot_number": "OT-2026-000007",
    "product_web": "https://claro.minegocio.digital/",
    "approval_emails": list(CLIENT_APPROVAL_MAILBOXES),
    "step_label": "9. Entrega de la pieza (aliado)",
    # Set by the email activity on every message: None when a client is among the recipients.
    "console_url": "https://mnd.example/consola/ventas/MND-2026-000123",
}
DOCUMENTS = [
    {"name": "Contrato", "file_name": "contrato.pdf", "issued_on": None},
    {"name": "RUT", "file_name": "rut.pdf", "issued_on": "2026-03-02"},
]
EXTRA: dict[str, dict[str, Any]] = {
    "content_request": {"requirements": ["Descripción del negocio", "Logo en JPG"]},
    "onyx_creation_request": {},
    "onyx_created": {"onyx_id": "ONYX-778899"},
    "contract_number_request": {},
    "documents_for_validation": {
        "documents": DOCUMENTS,
        "crm_route_reason": "Cliente creado en ONYX y RR: el contrato se digita por ONYX.",
        "round": 2,
        "validation_url": "https://mnd.example/consola/ventas/MND-2026-000123#validacion",
    },
    "documents_rejected": {
        "round": 1,
        "rejections": [{"name": "RUT", "reason": "Expedido hace más de 30 días"}],
    },
    "work_order_issued": {},
    "work_order_to_production": {"documents": DOCUMENTS},
    "production_order": {
        "products": [
            {
                "name": "Pan de bono",
                "category": "Panadería",
                "description": "Pan de bono horneado cada mañana",
                "price_cop": "2.500",
                "image": "pan-de-bono.jpg",
            }
        ],
        "embed_code": "https://maps.example.com/embed/espiga",
        "business_description": "Panadería de barrio desde 1998",
        "corrections": ["Cambiar el color del encabezado"],
    },
    "delivery_reminder": {"estimate_minutes": 30, "round": 1},
    "delivery_escalation": {"estimate_minutes": 30, "waiting_minutes": 240},
    "delivery_welcome": {
        "product_url": "https://laespiga.minegocio.digital/",
        "delivery_piece_url": "https://cdn.example.com/entrega.pdf",
        "support_channels_piece_url": "https://cdn.example.com/soporte.pdf",
        "approval_url": "https://mnd.example/aprobacion/abc",
    },
    "approval_reminder": {
        "product_url": "https://laespiga.minegocio.digital/",
        "reminder_number": 2,
        "approval_url": "https://mnd.example/aprobacion/abc",
    },
    "approval_escalation": {
        "product_url": "https://laespiga.minegocio.digital/",
        "waiting_hours": 72,
    },
    "corrections_requested": {
        "comments": "El logo debe ir más grande",
        "round": 2,
        "product_url": "https://laespiga.minegocio.digital/",
    },
    "product_approved": {
        "product_url": "https://laespiga.minegocio.digital/",
        "approved_by": "marta",
    },
    "application_fix_request": {
        "failed_applications": ["Dash", "Panel de Administración"],
        "attempt": 2,
    },
    "work_order_closure_request": {},
    "cycle_closed": {
        "billing_start_date": "2026-04-01",
        "steps": [{"label": "1. Ingreso a la web", "duration": "0 min"}],
        "sla_breaches": ["7. Validación de documentos"],
    },
    "sale_cancelled": {"reason": "El cliente desistió", "ot_voided": True},
    "client_closure_notice": {"billing_start_date": "2026-04-01"},
}


@pytest.fixture(scope="module")
def renderer() -> JinjaRenderer:
    return JinjaRenderer()


def test_every_template_has_a_sample_context(renderer: JinjaRenderer) -> None:
    assert renderer.template_names() == sorted(EXTRA)


def test_renderer_satisfies_the_activity_protocol(renderer: JinjaRenderer) -> None:
    protocol_typed: MessageRenderer = renderer
    assert protocol_typed.render("work_order_issued", {**BASE})[0]


@pytest.mark.parametrize("name", sorted(EXTRA))
def test_template_renders_with_full_context(renderer: JinjaRenderer, name: str) -> None:
    subject, body = renderer.render(name, {**BASE, **EXTRA[name]})
    assert subject and "\n" not in subject and subject == subject.strip()
    assert "Mi Negocio Digital - Claro Colombia" in body
    assert body.endswith("\n") and "\n\n\n" not in body
    assert "None" not in subject + body
    for value in EXTRA[name].values():
        if isinstance(value, str | int) and not isinstance(value, bool):
            assert _as_read(value) in subject + body
    assert not ISO_DATE.search(subject + body), "a date a person reads is written in Spanish"


ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def _as_read(value: str | int) -> str:
    """What the email shows for a context value: ISO dates as Spanish dates."""
    text = str(value)
    return spanish_date(date.fromisoformat(text)) if ISO_DATE.fullmatch(text) else text


def test_dates_and_the_consultant_read_as_spanish(renderer: JinjaRenderer) -> None:
    _, closure = renderer.render(
        "client_closure_notice", {**BASE, **EXTRA["client_closure_notice"]}
    )
    assert "la facturación inicia el 1 de abril de 2026" in closure
    _, documents = renderer.render(
        "documents_for_validation", {**BASE, **EXTRA["documents_for_validation"]}
    )
    assert "(expedido el 2 de marzo de 2026)" in documents
    assert "El consultor" not in documents and "a cargo de la venta" in documents


@pytest.mark.parametrize("name", sorted(EXTRA))
def test_template_uses_only_documented_keys(renderer: JinjaRenderer, name: str) -> None:
    assert renderer.template_variables(name) <= set(BASE) | set(EXTRA[name])


@pytest.mark.parametrize("name", sorted(EXTRA))
def test_template_fails_on_any_missing_key(renderer: JinjaRenderer, name: str) -> None:
    context = {**BASE, **EXTRA[name]}
    for key in sorted(renderer.template_variables(name)):
        partial = {k: v for k, v in context.items() if k != key}
        with pytest.raises(TemplateContextError, match=key):
            renderer.render(name, partial)


@pytest.mark.parametrize("name", sorted(EXTRA))
def test_optional_base_keys_may_be_none(renderer: JinjaRenderer, name: str) -> None:
    optional = dict.fromkeys(["template_name", "business_type_name", "contract_number"])
    _, body = renderer.render(name, {**BASE, **EXTRA[name], **optional})
    assert "None" not in body


# The messages only the client receives: never a link to the staff console.
CLIENT_ONLY = {"content_request", "delivery_welcome", "approval_reminder", "client_closure_notice"}
CONSOLE_LINE = f"Ver la venta en la consola: {BASE['console_url']}\n"


@pytest.mark.parametrize("name", sorted(set(EXTRA) - CLIENT_ONLY))
def test_staff_emails_link_the_sale_in_the_console(renderer: JinjaRenderer, name: str) -> None:
    _, body = renderer.render(name, {**BASE, **EXTRA[name]})
    assert CONSOLE_LINE in body
    assert body.index(CONSOLE_LINE) < body.index("Cordialmente,")
    # Without console links (a message that also reaches the client), no line at all.
    no_links = dict.fromkeys(["console_url", "validation_url"])
    _, body = renderer.render(name, {**BASE, **EXTRA[name], **no_links})
    assert "consola" not in body


@pytest.mark.parametrize("name", sorted(CLIENT_ONLY))
def test_client_emails_never_link_the_console(renderer: JinjaRenderer, name: str) -> None:
    assert "console_url" not in renderer.template_variables(name)
    _, body = renderer.render(name, {**BASE, **EXTRA[name]})
    assert "/consola/" not in body and "consola" not in body.lower()


def test_documents_for_validation_links_the_validation_form(renderer: JinjaRenderer) -> None:
    context = {**BASE, **EXTRA["documents_for_validation"]}
    _, body = renderer.render("documents_for_validation", context)
    form = "formulario de validación de la consola:\n" + context["validation_url"] + "\n"
    assert form in body
    assert body.index("- RUT: rut.pdf") < body.index(form) < body.index(CONSOLE_LINE)
    _, body = renderer.render("documents_for_validation", {**context, "validation_url": None})
    assert "#validacion" not in body


def test_delivery_welcome_fills_the_seed_text(renderer: JinjaRenderer) -> None:
    subject, body = renderer.render("delivery_welcome", {**BASE, **EXTRA["delivery_welcome"]})
    assert subject == "Bienvenido a Mi Negocio Digital"
    assert "ha finalizado su plan MND Posicionamiento" in body
    assert "Agradecemos dar respuesta de aceptación y aprobación del producto" in body
    for address in ["andres.rojas@claro.com.co", *CLIENT_APPROVAL_MAILBOXES]:
        assert f"- {address}" in body
    assert "CARACTERÍSTICAS DE SU PRODUCTO" in body
    assert "- Plantilla: Corporativo" in body and "- Tipo de comercio: Restaurante" in body
    assert "https://laespiga.minegocio.digital/" in body
    assert "https://cdn.example.com/soporte.pdf" in body
    assert "compártela y haz que más personas la conozcan" in body
    assert "ompártela" not in body.replace("compártela", "")


def test_production_order_without_products_or_corrections(renderer: JinjaRenderer) -> None:
    extra = {**EXTRA["production_order"], "products": [], "corrections": []}
    _, body = renderer.render("production_order", {**BASE, **extra, "business_description": None})
    assert "no incluye catálogo de productos" in body
    assert "Correcciones" not in body


def test_unknown_template_is_a_clear_error(renderer: JinjaRenderer) -> None:
    with pytest.raises(UnknownTemplateError, match="no_such_mail"):
        renderer.render("no_such_mail", BASE)
    with pytest.raises(UnknownTemplateError):
        renderer.render("_signature", BASE)  # partials are not messages
    with pytest.raises(UnknownTemplateError):
        renderer.render("../pyproject", BASE)
