"""Colombian time: fixed UTC-5 all year (no daylight saving), so no tz database is needed."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

COLOMBIA = timezone(timedelta(hours=-5), "COT")


def rule_date(moment: datetime, colombian: bool) -> date:
    """The day a rule counts in: Colombian, or (sales started before that fix) the UTC one."""
    return colombian_date(moment) if colombian else moment.date()


def colombian_date(moment: datetime) -> date:
    """The date a person in Bogotá reads on the calendar at `moment` (an aware datetime).

    From 19:00 to midnight in Bogotá the UTC date is already tomorrow: rules stated in days
    (a document's age, a billing date, a holiday) mean this date, not the UTC one.
    """
    return moment.astimezone(COLOMBIA).date()


_MONTHS_ES = [
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
]


def spanish_date(day: date) -> str:
    """`3 de diciembre de 2026`: how a date is written for a person (es-CO), never ISO."""
    return f"{day.day} de {_MONTHS_ES[day.month - 1]} de {day.year}"


def colombian_time(moment: datetime) -> str:
    """`2026-12-03 18:30 (hora Colombia)`: an aware instant as staff read it."""
    return f"{moment.astimezone(COLOMBIA):%Y-%m-%d %H:%M} (hora Colombia)"


def spanish_datetime(moment: datetime) -> str:
    """`3 de diciembre de 2026 a las 18:30 (hora de Colombia)`, for an aware instant."""
    local = moment.astimezone(COLOMBIA)
    return f"{spanish_date(local.date())} a las {local:%H:%M} (hora de Colombia)"
