"""Agency timestamps to aware UTC datetimes; a bad one is a FormatError naming the field."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from wiredesk.formats.errors import FormatError

_COMPACT = re.compile(r"^(\d{8})T(\d{4,6})([+-]\d{4}|Z)?$")  # 20260115T090000+0000 (NITF)


def parse_datetime(value: object, fmt: str, where: str) -> datetime | None:
    """ISO 8601 / RFC 3339, compact ISO (NITF) or RFC 822 (RSS). Naive times are UTC."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise FormatError(fmt, where, f"expected a date-time string, got {type(value).__name__}")
    text = value.strip()
    parsed: datetime | None = None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        match = _COMPACT.match(text)
        if match:
            day, clock, zone = match.groups()
            clock = clock.ljust(6, "0")
            zone = "+0000" if zone in (None, "Z") else zone
            try:
                parsed = datetime.strptime(day + clock + zone, "%Y%m%d%H%M%S%z")
            except ValueError:
                parsed = None
        else:
            try:
                parsed = parsedate_to_datetime(text)
            except (TypeError, ValueError, IndexError):
                parsed = None
    if parsed is None:
        raise FormatError(fmt, where, f"expected an ISO 8601 date-time, got {text[:40]!r}")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except OverflowError as exc:  # 9999-12-31T23:59-23:00 falls off the calendar in UTC
        raise FormatError(fmt, where, f"date-time out of range: {text[:40]!r}") from exc


def iso(value: datetime | None) -> str | None:
    """RFC 3339 in UTC with a Z, as ninjs and feeds want it."""
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
