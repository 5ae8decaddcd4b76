"""``createdAfter`` as validator.js (isISO8601, strict + strictSeparator) and JS Date see it."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

_CALENDAR = re.compile(
    r"(?P<year>[0-9]{4})(?:-(?P<month>[0-9]{2})(?:-(?P<day>[0-9]{2})"
    r"(?:T(?P<hour>[0-9]{2}):(?P<minute>[0-9]{2})(?::(?P<second>[0-9]{2})(?:[.,](?P<frac>[0-9]+))?)?"
    r"(?P<zone>Z|z|[+-][0-9]{2}(?::?[0-9]{2})?)?)?)?)?"
)
# Week, ordinal and basic forms pass validation but JS cannot parse them (CONTRACT §4.5).
_VALID_BUT_UNPARSEABLE = re.compile(
    r"[0-9]{4}-?W[0-9]{2}(-?[1-7])?|[0-9]{4}-?[0-9]{3}|[0-9]{8}T[0-9]{6}(Z|[+-][0-9]{4})?"
)


class UnparseableTimestamp(ValueError):
    """Valid ISO 8601 to the validator, an Invalid Date to JavaScript: the server answers 500."""


def parse_created_after(text: str) -> datetime | None:
    """An aware datetime, ``None`` when the validator rejects the text."""
    match = _CALENDAR.fullmatch(text)
    if match is None:
        if _VALID_BUT_UNPARSEABLE.fullmatch(text):
            raise UnparseableTimestamp(text)
        return None
    parts = match.groupdict()
    try:
        frac = parts["frac"] or "0"
        value = datetime(
            int(parts["year"]),
            int(parts["month"] or 1),
            int(parts["day"] or 1),
            int(parts["hour"] or 0),
            int(parts["minute"] or 0),
            int(parts["second"] or 0),
            int(frac[:3].ljust(3, "0")) * 1000,  # a JS Date keeps milliseconds only
        )
    except ValueError:  # impossible dates such as 2026-02-30
        return None
    zone = parts["zone"]
    if zone in ("Z", "z"):
        return value.replace(tzinfo=UTC)
    if zone:
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0))
        return value.replace(tzinfo=timezone(sign * offset))
    if parts["hour"] is None:
        return value.replace(tzinfo=UTC)  # JS reads date-only forms as UTC
    return value.astimezone()  # zone-less date-time: the server's local time zone
