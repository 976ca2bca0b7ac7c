"""What staff read for the sale's codes, the same in the CLI and the console."""

from __future__ import annotations

from mnd.domain.sale import SaleStatus
from mnd.labels import duration_text, plan_text, role_text, roles_text, status_text, step_text


def test_every_status_reads_in_spanish() -> None:
    # A run terminated from Temporal is a status of its own; it never shows its code.
    assert status_text("terminated") == "terminada desde Temporal"
    assert [status_text(s.value) for s in SaleStatus] == [s.label_es for s in SaleStatus]
    assert all(status_text(s.value) != s.value for s in SaleStatus)


def test_codes_read_as_names_and_unknown_codes_pass_through() -> None:
    assert step_text("contract") == "6. Diligenciamiento del contrato"
    assert role_text("commercial_support") == "Soporte Comercial"
    assert roles_text(["consultant", "ally"]) == "Consultor, Aliado"
    assert roles_text([]) == "—"
    assert plan_text("tienda_digital") == "Tienda Digital"
    assert step_text("nope") == "nope" and plan_text("nope") == "nope"


def test_durations_are_as_precise_as_a_person_needs() -> None:
    assert duration_text(None) == "—"
    assert duration_text(8) == "8 s"
    assert duration_text(750) == "12 min 30 s"
    assert duration_text(4 * 3600 + 5 * 60) == "4 h 05 min"
    assert duration_text(2 * 86400 + 3 * 3600 + 59) == "2 d 3 h"
