"""Time, said once: what "now" is, how a stored time gets its zone back, how a time is written.

Nothing here imports another wiredesk module, so every room can use it. Code that decides
anything takes `now` as an argument; only the edges (CLI, worker, web app) call `utc_now`.
"""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> datetime:
    return datetime.now(UTC)


def aware(value: datetime | str) -> datetime:
    """A time with its UTC zone: SQLite aggregates bypass the column type and hand back a
    bare value (or its text), which must not be compared with aware times."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def iso(value: datetime | None) -> str | None:
    """RFC 3339 in UTC with a Z, to the second, as ninjs, feeds and the JSON API write it."""
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
