"""Agency timestamps to aware UTC datetimes; a bad one is a FormatError naming the field.

The date kit of the formats: ISO 8601 / RFC 3339 / RFC 822 fields (`parse_datetime`,
`when`, `safe_datetime`, `iso`), and the wall-clock times of wire copy: zone abbreviations
(`ZONES`, `zone`), partial dates placed against a reference (`resolve`) and English
embargo lines (`english_embargo`).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from wiredesk.formats.errors import FormatError
from wiredesk.story import StoryWarning
from wiredesk.times import iso as iso  # re-exported for the writers of ninjs and feeds

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


def when(value: str | None, fmt: str, where: str) -> datetime | None:
    """parse_datetime of an element's or attribute's text (stripped); a year the calendar
    cannot hold is a FormatError too."""
    try:
        return parse_datetime(value.strip() if value else None, fmt, where)
    except (OverflowError, ValueError) as exc:  # a year the calendar cannot hold
        if isinstance(exc, FormatError):
            raise
        raise FormatError(fmt, where, f"date-time out of range: {value!r}") from exc


def safe_datetime(value: object, fmt: str, where: str) -> datetime | None:
    """parse_datetime, with a date at the edge of the calendar ("0001-01-01T00:00+05:00"
    overflows when moved to UTC) reported as bad input rather than escaping as OverflowError."""
    try:
        return parse_datetime(value, fmt, where)
    except OverflowError as exc:
        raise FormatError(fmt, where, f"date-time out of range: {str(value)[:40]!r}") from exc


# ---- wall-clock times in wire copy: zone abbreviations, partial dates, embargo lines ----

ZONES = {"GMT": 0, "UTC": 0, "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7,
         "MDT": -6, "PST": -8, "PDT": -7, "MEZ": 1, "CET": 1, "MESZ": 2, "CEST": 2}
_EMBARGO = re.compile(
    r"\b(?:embargo(?:ed)?|hold for release|for release|release)\b(?: until| at)?:? "
    r"(?:(?P<h>\d{1,2})(?::(?P<mi>\d{2}))? ?(?P<ap>[ap])\.?m\.?|(?P<hhmm>\d{4}))"
    r" ?(?P<tz>GMT|UTC|[ECMP][SD]T)?,?"
    r"(?: (?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?)?"
    r"(?: (?P<mon>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.? (?P<day>\d{1,2})"
    r"(?:, (?P<y>\d{4}))?)?", re.I,
)
_MONTHS = {m: i for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), 1)}


def zone(name: str | None, default: str, fallback_hours: int) -> tzinfo:
    """A named zone abbreviation, or the sender's home zone (fixed offset if no tz data)."""
    if name and name.upper() in ZONES:
        return timezone(timedelta(hours=ZONES[name.upper()]))
    try:
        return ZoneInfo(default)
    except (ZoneInfoNotFoundError, ValueError):
        return timezone(timedelta(hours=fallback_hours))


def resolve(year: int | None, month: int | None, day: int | None, hour: int, minute: int,
            tz: tzinfo, ref: datetime | None, fmt: str, where: str) -> datetime | None:
    """A wall-clock moment from partial parts; the year and date come from ref when missing."""
    if ref is None and (year is None or month is None):
        return None  # no date reference in the message: leave it unresolved
    local_ref = ref.astimezone(tz) if ref else None
    rolled = False
    if month is None or day is None:
        month, day = local_ref.month, local_ref.day  # type: ignore[union-attr]
    if year is None:
        year, rolled = local_ref.year, True  # type: ignore[union-attr]
    try:
        moment = datetime(year, month, day, hour, minute, tzinfo=tz)
        if rolled and ref and moment < ref - timedelta(days=180):
            moment = moment.replace(year=year + 1)  # "Jan. 2" sent in late December
    except (ValueError, OverflowError) as exc:
        raise FormatError(fmt, where, f"embargo date out of range: {exc}") from exc
    return moment.astimezone(UTC)


def english_embargo(line: str, ref: datetime | None, where: str, fmt: str, home: str,
                    fallback_hours: int) -> datetime | None:
    """'Embargoed until 6 p.m. EST Nov. 29' / 'Hold for release 1800 GMT' -> UTC, or None.

    A time without a zone is the sender's home time (AP: New York).
    """
    found = _EMBARGO.search(line)
    if not found:
        return None
    if found["hhmm"]:
        hour, minute = int(found["hhmm"][:2]), int(found["hhmm"][2:])
    else:
        hour, minute = int(found["h"]) % 12, int(found["mi"] or 0)
        hour += 12 if found["ap"].lower() == "p" else 0
    if hour > 23 or minute > 59:
        raise FormatError(fmt, where, f"bad release time in {line[:60]!r}")
    month = _MONTHS[found["mon"].lower()[:3]] if found["mon"] else None
    day = int(found["day"]) if found["day"] else None
    year = int(found["y"]) if found["y"] else None
    tz = zone(found["tz"], home, fallback_hours)
    return resolve(year, month, day, hour, minute, tz, ref, fmt, where)


# ---- dates as agencies send them: a bad one is dropped with a warning -------------------

def lenient_when(value: str | None, fmt: str, where: str, field: str,
                 warnings: list[StoryWarning]) -> datetime | None:
    """`when`, except that a placeholder ("YYYYMMDD000000-HHMM", "00000000T000000") or a
    malformed date is dropped with a warning naming where it was: the story keeps its words."""
    try:
        return when(value, fmt, where)
    except FormatError as exc:
        warnings.append(StoryWarning(field, f"{where}: {exc.problem}", "dropped"))
        return None
