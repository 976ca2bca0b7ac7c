"""PROCESS.md rules no other test asserted: document types, the document set, the call, closure."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from mnd.domain.actions import admit
from mnd.domain.calls import call_succeeded
from mnd.domain.documents import Document, DocumentKind, DocumentSet, document_set_errors
from mnd.domain.errors import ActionRefused, RefusalKind
from mnd.domain.messages import spanish_errors
from mnd.domain.parties import Client
from mnd.domain.roles import Role
from mnd.domain.sale import SaleState, SaleStatus
from mnd.domain.steps import StepId
from tests import factories as f

TODAY = date(2026, 11, 28)
NOW = datetime(2026, 11, 28, 15, tzinfo=UTC)


def client(**over: Any) -> dict[str, Any]:
    return {**f.open_input("X-1").client.model_dump(), **over}


def client_errors(**over: Any) -> list[str]:
    with pytest.raises(ValidationError) as exc:
        Client.model_validate(client(**over))
    return spanish_errors(exc.value)


def without(kind: DocumentKind) -> DocumentSet:
    docs = f.documents(TODAY - timedelta(days=5)).documents
    return DocumentSet(documents=[d for d in docs if d.kind is not kind])


def with_camara(issued_on: date) -> DocumentSet:
    docs = [d for d in f.documents(TODAY).documents if d.kind is not DocumentKind.RUT]
    camara = Document(
        kind=DocumentKind.CAMARA_COMERCIO, file_name="camara.pdf", issued_on=issued_on
    )
    return DocumentSet(documents=[*docs, camara])


def sale_state(step: StepId, status: SaleStatus = SaleStatus.OPEN) -> SaleState:
    opened = SaleState.opened(f.open_input("GAP-1"), NOW - timedelta(days=20))
    return opened.model_copy(update={"step": step, "status": status})


def refusal(state: SaleState, action: str, payload: dict[str, Any]) -> ActionRefused:
    with pytest.raises(ActionRefused) as exc:
        admit(state, action, payload, NOW)
    return exc.value


def test_document_type_other_than_nit_cc_ce_is_refused() -> None:
    """Open: the client's document type is NIT, CC or CE."""
    lines = client_errors(document_type="TI", document_number="1012345678")
    assert lines == ["document_type: debe ser uno de: 'NIT', 'CC' o 'CE'"]


def test_cc_with_non_digits_is_refused() -> None:
    """Open: a CC document number has digits only."""
    lines = client_errors(document_type="CC", document_number="52.123.456")
    assert lines == [
        "document_number: número de documento CC no válido: «52.123.456» (solo dígitos)"
    ]
    ok = Client.model_validate(client(document_type="CC", document_number="52123456"))
    assert ok.document_number == "52123456"


def test_document_set_without_clausulas_is_refused() -> None:
    """Step 6: Cláusulas is a required document."""
    assert document_set_errors(without(DocumentKind.CLAUSULAS), TODAY) == [
        "falta el documento: Cláusulas"
    ]


def test_document_set_without_cedula_is_refused() -> None:
    """Step 6: Fotocopia de cédula is a required document."""
    assert document_set_errors(without(DocumentKind.CEDULA), TODAY) == [
        "falta el documento: Fotocopia de cédula"
    ]


def test_camara_de_comercio_within_30_days_replaces_the_rut() -> None:
    """Step 6: RUT or Cámara de Comercio, issued at most 30 days before submission."""
    assert document_set_errors(with_camara(TODAY - timedelta(days=30)), TODAY) == []
    stale = document_set_errors(with_camara(TODAY - timedelta(days=31)), TODAY)
    assert stale == [
        "Cámara de Comercio: expedido el 28 de octubre de 2026; debe tener como máximo "
        "30 días al momento del envío (28 de noviembre de 2026)"
    ]


def test_submit_documents_check_accepts_camara_and_refuses_missing_cedula() -> None:
    """Step 6: the document-set rule as the Update validator applies it (rules.check)."""
    state = sale_state(StepId.CONTRACT)
    consultant = f.actor(Role.CONSULTANT).model_dump()
    camara = with_camara(NOW.date() - timedelta(days=2)).model_dump(mode="json")
    admit(state, "submit_documents", {"actor": consultant, "documents": camara}, NOW)
    missing = without(DocumentKind.CEDULA).model_dump(mode="json")
    refused = refusal(state, "submit_documents", {"actor": consultant, "documents": missing})
    assert refused.kind is RefusalKind.INVALID_PAYLOAD
    assert refused.message == "Datos no válidos. falta el documento: Fotocopia de cédula"


def test_reached_call_without_application_checks_is_refused() -> None:
    """Step 11: a reached call must record the App, Dash and Panel validation."""
    production = f.actor(Role.PRODUCTION).model_dump()
    payload = {
        "actor": production,
        "reached": True,
        "support_channels_explained": True,
        "post_sale_channels_explained": True,
    }
    refused = refusal(sale_state(StepId.PROVISIONING_CALL), "record_call", payload)
    assert refused.kind is RefusalKind.INVALID_PAYLOAD
    assert "registre la validación de App, Dash y Panel de Administración" in refused.message


@pytest.mark.parametrize(
    "over",
    [
        {"support_channels_explained": False},
        {"post_sale_channels_explained": False},
        {"applications": {"app": "ok", "dash": "ok"}},
    ],
)
def test_incomplete_reached_call_does_not_succeed(over: dict[str, Any]) -> None:
    """Step 11: a call completes only with both channels explained and all apps validated."""
    complete = f.call()
    assert call_succeeded(complete)
    assert not call_succeeded(complete.model_copy(update=over))


def test_cancel_on_a_completed_sale_is_refused() -> None:
    """Cancellation: only before step 12 completes (a completed sale is closed)."""
    state = sale_state(StepId.CYCLE_CLOSURE, SaleStatus.COMPLETED)
    payload = {"actor": f.actor(Role.SUPERVISOR).model_dump(), "reason": "tarde"}
    refused = refusal(state, "cancel_sale", payload)
    assert refused.kind is RefusalKind.CLOSED
    assert refused.message == "La venta GAP-1 ya está cerrada (completada)."
    assert state.cancellation is None
