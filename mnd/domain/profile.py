"""The process profile: every duration a sale obeys. Passed to the workflow when the sale opens,
so a running sale keeps the rules it started with."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum

import holidays
from pydantic import BaseModel, Field, model_validator

from mnd.domain.clock import colombian_date
from mnd.domain.steps import StepId


class CalendarKind(StrEnum):
    CALENDAR = "calendar"
    BUSINESS_CO = "business_co"


_DAY = timedelta(days=1)


class ProcessProfile(BaseModel):
    name: str = "seed"
    calendar: CalendarKind = CalendarKind.CALENDAR
    holidays: list[date] = Field(
        default_factory=list,
        description="Festivos que no cuentan como días hábiles (calendario business_co)",
    )
    client_verification_min: timedelta = Field(default=_DAY, description="Paso 5, mínimo")
    contract_number_min: timedelta = Field(default=_DAY, description="Paso 6, consecutivo")
    document_validation_min: timedelta = Field(default=2 * _DAY, description="Paso 7, por ronda")
    ally_delivery_estimate: timedelta = Field(default=timedelta(minutes=30))
    ally_delivery_escalation: timedelta = Field(default=timedelta(hours=4))
    client_approval_reminder_every: timedelta = Field(default=_DAY)
    client_approval_escalation: timedelta = Field(default=3 * _DAY)
    max_client_reminders: int = Field(default=5, ge=0)
    # SLA targets per step (interpretation: the seed gives minimums, not targets).
    step_sla: dict[StepId, timedelta] = Field(
        default_factory=lambda: {
            StepId.TEMPLATE_SELECTION: _DAY,
            StepId.BUSINESS_TYPE: _DAY,
            StepId.PRODUCT_INFORMATION: 2 * _DAY,
            StepId.CLIENT_VERIFICATION: 2 * _DAY,
            StepId.CONTRACT: 3 * _DAY,
            StepId.DOCUMENT_VALIDATION: 3 * _DAY,
            StepId.PURCHASE_FORM: _DAY,
            StepId.PIECE_DELIVERY: timedelta(hours=4),
            StepId.CLIENT_APPROVAL: 3 * _DAY,
            StepId.PROVISIONING_CALL: 2 * _DAY,
            StepId.WORK_ORDER_CLOSURE: 2 * _DAY,
        }
    )

    @model_validator(mode="after")
    def _fill_holidays(self) -> ProcessProfile:
        # Filled once, when the sale opens (outside the workflow): the holidays library reads
        # locale files, which the workflow sandbox forbids, and a running sale keeps its calendar.
        if self.calendar is CalendarKind.BUSINESS_CO and not self.holidays:
            this_year = date.today().year
            self.holidays = colombian_holidays(range(this_year - 1, this_year + 3))
        return self

    def deadline(
        self, start: datetime, duration: timedelta, colombian_days: bool = False
    ) -> datetime:
        """`start + duration`, counting only Colombian business days when the profile asks.

        `colombian_days`: weekdays and holidays are those of the Colombian date. The workflow
        passes it behind a patch: sales started before it keep their UTC-date timers on replay.
        """
        if self.calendar is CalendarKind.CALENDAR or duration % _DAY:
            return start + duration
        return add_business_days(start, duration // _DAY, set(self.holidays), colombian_days)

    def sla_due(
        self, step: StepId, start: datetime, colombian_days: bool = False
    ) -> datetime | None:
        sla = self.step_sla.get(step)
        return None if sla is None else self.deadline(start, sla, colombian_days)


def colombian_holidays(years: range) -> list[date]:
    return sorted(holidays.country_holidays("CO", years=years))


def add_business_days(
    start: datetime, days: int, co_holidays: set[date], colombian_days: bool = False
) -> datetime:
    """Moves forward `days` working days (no weekends, no holidays).

    With `colombian_days` each day is judged by its Colombian date; without it, by the date of
    `start`'s own timezone (UTC in the workflow), as sales started before the fix still do.
    """
    current = start
    while days > 0:
        current += _DAY
        day = colombian_date(current) if colombian_days else current.date()
        if day.weekday() < 5 and day not in co_holidays:
            days -= 1
    return current


SEED_PROFILE = ProcessProfile()


def fast_profile() -> ProcessProfile:
    """Seconds instead of days, for demos: same shape as the seed profile."""
    second = timedelta(seconds=1)
    return ProcessProfile(
        name="fast",
        client_verification_min=2 * second,
        contract_number_min=2 * second,
        document_validation_min=3 * second,
        ally_delivery_estimate=5 * second,
        ally_delivery_escalation=10 * second,
        client_approval_reminder_every=5 * second,
        client_approval_escalation=15 * second,
        max_client_reminders=2,
        step_sla={step: 30 * second for step in StepId if step is not StepId.CYCLE_CLOSURE},
    )
