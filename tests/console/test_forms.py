"""The action forms as generated from the action classes (no server): labels, payload, errors."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from starlette.datastructures import FormData

from mnd.console.forms import (
    ActionForm,
    FormGroup,
    build_form,
    fields_of,
    place_errors,
    read_form,
)
from mnd.console.labels import FIELD_LABELS
from mnd.demo_data import demo_sale
from mnd.domain.actions import ACTIONS
from mnd.domain.sale import SaleState


def _sale(plan_id: str = "tienda_digital") -> SaleState:
    inp = demo_sale("MND-2026-000001").model_copy(update={"plan_id": plan_id})
    return SaleState.opened(inp, datetime.now(UTC))


@pytest.mark.parametrize("action", list(ACTIONS))
def test_every_field_of_every_action_has_a_spanish_label(action: str) -> None:
    form = build_form(ACTIONS[action], _sale())
    for field in fields_of(form.items):
        key = field.path.rsplit(".", 1)[-1]
        # A label never shows the internal name: it comes from FIELD_LABELS or the row's key.
        assert field.label != key or key in FIELD_LABELS, (action, field.path)
        assert "_" not in field.label, (action, field.path, field.label)


def test_the_content_form_asks_what_the_plan_requires() -> None:
    store = {f.path for f in fields_of(build_form(ACTIONS["submit_content"], _sale()).items)}
    assert "content.products.0.image" in store and "content.logo" not in store
    site = build_form(ACTIONS["submit_content"], _sale("posicionamiento")).items
    paths = {f.path for f in fields_of(site)}
    assert "content.logo" in paths and "content.business_description" in paths
    assert not any(p.startswith("content.products") for p in paths)


async def _no_files(path: str, upload: Any) -> dict[str, Any]:
    raise AssertionError(path)


async def test_a_posted_form_becomes_the_payload() -> None:
    form = build_form(ACTIONS["record_call"], _sale())
    posted = FormData(
        [
            ("reached", "1"),
            ("applications.app", "ok"),
            ("applications.dash", "failed"),
            ("applications.admin_panel", "ok"),
            ("notes", "  Llamada corta  "),
        ]
    )
    payload = await read_form(form, posted, _no_files)
    assert payload == {
        "reached": True,
        "support_channels_explained": False,
        "post_sale_channels_explained": False,
        "applications": {"app": "ok", "dash": "failed", "admin_panel": "ok"},
        "notes": "Llamada corta",
    }


async def test_rows_nobody_filled_are_left_out() -> None:
    form = build_form(ACTIONS["reject_documents"], _sale())
    posted = FormData([("rejections.4.reason", "Vencido"), ("rejections.4.kind", "x")])
    payload = await read_form(form, posted, _no_files)
    # The kind is the row's own (fixed), never what was posted for it.
    assert payload == {"rejections": [{"kind": "rut", "reason": "Vencido"}]}


def test_refusals_go_next_to_the_field_they_name() -> None:
    form: ActionForm = build_form(ACTIONS["submit_content"], _sale())
    place_errors(
        form,
        [
            "content.products[0].description: la descripción tiene 21 palabras; el máximo es 20",
            "content.products[1].image.file_name: la imagen debe ser JPG",
            "products: la Tienda Digital requiere al menos un producto",
            "RUT: expedido hace 40 días",
        ],
    )
    by_path = {f.path: f.error for f in fields_of(form.items)}
    assert by_path["content.products.0.description"] == (
        "la descripción tiene 21 palabras; el máximo es 20"
    )
    assert by_path["content.products.1.image"] == "la imagen debe ser JPG"
    groups = {g.path: g.error for g in form.items if hasattr(g, "items")}
    assert groups["content"] is None
    assert form.errors == ["RUT: expedido hace 40 días"]
    products = next(g for g in form.items[0].items if g.path == "content.products")  # type: ignore[union-attr]
    assert products.error == "la Tienda Digital requiere al menos un producto"


def test_document_rows_say_which_documents_the_set_needs() -> None:
    form = build_form(ACTIONS["submit_documents"], _sale())
    (documents,) = form.items
    assert isinstance(documents, FormGroup)
    (listed,) = documents.items
    assert isinstance(listed, FormGroup)
    legends = [row.legend for row in listed.items if isinstance(row, FormGroup)]
    assert legends == [
        "Anexo (obligatorio)",
        "Contrato (obligatorio)",
        "Cláusulas (obligatorio)",
        "Fotocopia de cédula (obligatorio)",
        "RUT (obligatorio si no envía Cámara de Comercio; expedido hace 30 días o menos)",
        "Cámara de Comercio (obligatorio si no envía RUT; expedido hace 30 días o menos)",
    ]
