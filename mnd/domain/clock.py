"""Colombian time: fixed UTC-5 all year (no daylight saving), so no tz database is needed."""

from __future__ import annotations

from datetime import timedelta, timezone

COLOMBIA = timezone(timedelta(hours=-5), "COT")
