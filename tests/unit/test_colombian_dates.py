"""Rules stated in days use the Colombian date: at 23:30 in Bogotá the UTC date is tomorrow."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from mnd.domain.actions import admit
from mnd.domain.clock import COLOMBIA, colombian_date, spanish_date
from mnd.domain.errors import ActionRefused
from mnd.domain.profile import CalendarKind, ProcessProfile
from mnd.domain.roles import Role
from mnd.domain.sale import SaleState, WorkOrder
from mnd.domain.steps import StepId
from tests import factories as f
from tests.unit.test_rules_gaps import sale_state

# Friday 4 December 2026, 23:30 in Bogotá: already Saturday 04:30 in UTC.
LATE_EVENING = datetime(2026, 12, 4, 23, 30, tzinfo=COLOMBIA)
LATE_UTC = LATE_EVENING.astimezone(UTC)
BOGOTA_TODAY = date(2026, 12, 4)


def test_the_late_evening_is_still_the_colombian_day() -> None:
    assert LATE_UTC.date() == date(2026, 12, 5)
    assert colombian_date(LATE_UTC) == BOGOTA_TODAY
    assert spanish_date(date(2026, 12, 3)) == "3 de diciembre de 2026"


def _state(step: StepId, colombian: bool = True) -> SaleState:
    state = sale_state(step)
    state.colombian_dates = colombian  # as the workflow sets it on sales started after the fix
    return state


def test_rut_issued_30_colombian_days_ago_is_accepted_at_2330() -> None:
    rut_day = BOGOTA_TODAY - timedelta(days=30)
    payload = {
        "actor": f.actor(Role.CONSULTANT).model_dump(),
        "documents": f.documents(rut_day).model_dump(mode="json"),
    }
    admit(_state(StepId.CONTRACT), "submit_documents", payload, LATE_UTC)
    # A sale started before the fix keeps the UTC day (31 days old, refused): an action its
    # history recorded as refused or accepted must be judged the same when it replays.
    with pytest.raises(ActionRefused):
        admit(_state(StepId.CONTRACT, colombian=False), "submit_documents", payload, LATE_UTC)


def test_rut_dated_the_utc_tomorrow_is_refused_at_2330() -> None:
    state = _state(StepId.CONTRACT)
    payload = {
        "actor": f.actor(Role.CONSULTANT).model_dump(),
        "documents": f.documents(LATE_UTC.date()).model_dump(mode="json"),
    }
    with pytest.raises(ActionRefused) as exc:
        admit(state, "submit_documents", payload, LATE_UTC)
    assert "(4 de diciembre de 2026)" in exc.value.message  # the Colombian submission day


def _closure(issued_at: datetime, billing: date) -> None:
    state = _state(StepId.WORK_ORDER_CLOSURE)
    state.work_order = WorkOrder(number="OT-2026-000001", issued_at=issued_at)
    payload = {
        "actor": f.actor(Role.PROVISIONING).model_dump(),
        "work_order_number": "OT-2026-000001",
        "billing_start_date": billing.isoformat(),
    }
    admit(state, "confirm_work_order_closure", payload, issued_at + timedelta(days=3))


def test_billing_may_start_on_the_colombian_day_the_ot_was_issued_at_2330() -> None:
    _closure(LATE_UTC, BOGOTA_TODAY)  # the UTC date (5 Dec) used to refuse this
    with pytest.raises(ActionRefused) as exc:
        _closure(LATE_UTC, BOGOTA_TODAY - timedelta(days=1))
    assert "4 de diciembre de 2026" in exc.value.message


def test_business_days_are_judged_by_the_colombian_date_at_2330() -> None:
    profile = ProcessProfile(calendar=CalendarKind.BUSINESS_CO, holidays=[date(2000, 1, 1)])
    colombian = profile.deadline(LATE_UTC, timedelta(days=1), colombian_days=True)
    # Friday 23:30 → Monday 23:30 in Bogotá (Saturday and Sunday skipped).
    assert colombian.astimezone(COLOMBIA) == datetime(2026, 12, 7, 23, 30, tzinfo=COLOMBIA)
    # Sales started before the patch keep the UTC reading: it lands on Sunday 23:30 in Bogotá.
    legacy = profile.deadline(LATE_UTC, timedelta(days=1))
    assert legacy.astimezone(COLOMBIA) == datetime(2026, 12, 6, 23, 30, tzinfo=COLOMBIA)


def test_a_holiday_counts_on_its_colombian_day_at_2330() -> None:
    # Monday 7 December is made a holiday: from Friday 23:30 the next business day is Tuesday.
    profile = ProcessProfile(calendar=CalendarKind.BUSINESS_CO, holidays=[date(2026, 12, 7)])
    due = profile.deadline(LATE_UTC, timedelta(days=1), colombian_days=True)
    assert colombian_date(due) == date(2026, 12, 8)
