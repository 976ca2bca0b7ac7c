"""Domain rules without Temporal: parties, content, documents, routing, calendars, messages."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from mnd.domain.actions import crm_route
from mnd.domain.content import ContentPackage, plan_content_errors
from mnd.domain.documents import DocumentSet, document_set_errors
from mnd.domain.messages import spanish_errors
from mnd.domain.parties import Client
from mnd.domain.profile import CalendarKind, ProcessProfile, fast_profile
from mnd.domain.sale import CrmRoute, OpenSaleInput
from tests import factories as f


def client(**over: Any) -> dict[str, Any]:
    data = f.open_input("X-1").client.model_dump()
    return {**data, **over}


def errors_of(model: type[BaseModel], data: dict[str, Any]) -> list[str]:
    with pytest.raises(ValidationError) as exc:
        model.model_validate(data)
    return spanish_errors(exc.value)


def test_a_wrong_document_number_names_the_leaf_field_within_the_sale() -> None:
    base = f.open_input("X-1").model_dump(mode="json")
    for over in (
        {"document_number": "900373115-4"},
        {"document_type": "CC", "document_number": "52.123.456"},
        {"document_type": "CE", "document_number": "E-123"},
    ):
        lines = errors_of(OpenSaleInput, {**base, "client": {**base["client"], **over}})
        assert len(lines) == 1 and lines[0].startswith("client.document_number: "), lines


def test_nit_check_digit_is_validated_and_normalised() -> None:
    assert (
        Client.model_validate(client(document_number="9003731153")).document_number
        == "900.373.115-3"
    )
    lines = errors_of(Client, client(document_number="900373115-4"))
    assert lines == [
        "document_number: NIT no válido: «900373115-4» (revise el dígito de verificación)"
    ]


def test_cc_must_be_digits_and_email_and_phone_valid() -> None:
    lines = errors_of(
        Client, client(document_type="CC", document_number="12AB", email="jorge@", phone="12")
    )
    assert any("correo electrónico no válido" in line for line in lines)
    assert any(line.startswith("phone: teléfono no válido") for line in lines)
    assert (
        Client.model_validate(client(document_type="CE", document_number="123456")).document_number
        == "123456"
    )


def test_missing_and_unknown_fields_in_spanish() -> None:
    lines = errors_of(Client, {"legal_name": "X", "extra": 1})
    assert "document_type: es obligatorio" in lines
    assert "extra: no es un campo permitido" in lines


def test_sale_id_format() -> None:
    data = f.open_input("X-1").model_dump()
    assert any(
        "identificador de venta no válido" in e
        for e in errors_of(OpenSaleInput, {**data, "sale_id": "a b"})
    )


@pytest.mark.parametrize(
    ("onyx", "rr", "route"),
    [
        (True, True, CrmRoute.ONYX),
        (False, True, CrmRoute.RR),
        (True, False, CrmRoute.ONYX),
        (False, False, CrmRoute.CREATE_IN_ONYX),
    ],
)
def test_crm_routing(onyx: bool, rr: bool, route: CrmRoute) -> None:
    chosen, reason = crm_route(onyx, rr)
    assert chosen is route and reason


def test_plan_content_requirements() -> None:
    empty = ContentPackage(embed_code="https://x.co")
    assert plan_content_errors(empty, requires_products=True) == [
        "products: la Tienda Digital requiere al menos un producto"
    ]
    assert len(plan_content_errors(empty, requires_products=False)) == 2
    assert plan_content_errors(f.posicionamiento_content(), requires_products=False) == []


def test_document_set_age_limit_is_30_days() -> None:
    today = date(2026, 11, 28)
    assert document_set_errors(f.documents(today - timedelta(days=30)), today) == []
    assert document_set_errors(f.documents(today - timedelta(days=31)), today)
    assert document_set_errors(
        f.documents(today + timedelta(days=1)), today
    )  # issued in the future
    assert "falta el documento: Anexo" in document_set_errors(DocumentSet(documents=[]), today)


def test_business_days_skip_weekends_and_colombian_holidays() -> None:
    profile = ProcessProfile(calendar=CalendarKind.BUSINESS_CO)
    assert date(2026, 12, 25) in profile.holidays
    thursday = datetime(2026, 12, 24, 10)
    assert profile.deadline(thursday, timedelta(days=2)) == datetime(2026, 12, 29, 10)
    assert ProcessProfile().deadline(thursday, timedelta(days=2)) == datetime(2026, 12, 26, 10)


def test_profiles_round_trip_and_fast_is_seconds() -> None:
    fast = fast_profile()
    assert fast.document_validation_min < timedelta(minutes=1)
    assert ProcessProfile.model_validate_json(fast.model_dump_json()) == fast
