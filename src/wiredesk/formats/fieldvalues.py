"""Reading agencies' field values that every XML format shares: whole numbers, status words.

A value that cannot be read raises FormatError naming the format and where it was.
"""

from __future__ import annotations

from wiredesk.formats.errors import FormatError
from wiredesk.story import Pubstatus

_CACHE_MAX = 1024  # status words remembered: agencies use a handful, hostile files many

def read_integer(value: str | None, fmt: str, where: str) -> int | None:
    """A whole-number field (urgency...), or None when empty."""
    if value is None or not value.strip():
        return None
    try:
        return int(value.strip())
    except ValueError as exc:
        raise FormatError(fmt, where, f"expected a whole number, got {value[:20]!r}") from exc


def read_pubstatus(value: str | None, fmt: str, where: str) -> Pubstatus:
    """An agency's status word; "embargoed" is usable (the embargo is a time, not a status)."""
    if value is not None and (known := _PUBSTATUS.get(value)) is not None:
        return known
    status = Pubstatus.USABLE  # an embargo is a time, not a status: usable once it lifts
    if not value or value.strip().lower().rsplit(":", 1)[-1] != "embargoed":
        try:
            status = Pubstatus.parse(value)
        except ValueError as exc:
            raise FormatError(fmt, where, str(exc)) from exc
    if value is not None and len(_PUBSTATUS) < _CACHE_MAX:
        _PUBSTATUS[value] = status
    return status


_PUBSTATUS = dict[str, Pubstatus]()
