"""Counts for the operator console: distinct stories received per source per UTC day."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from wiredesk.store import Store
from wiredesk.store.schema import versions


def _day(column: Any, dialect: str) -> Any:
    if dialect == "postgresql":
        # timezone('UTC', ...) so the day does not depend on the session's time zone
        return func.to_char(func.timezone("UTC", column), "YYYY-MM-DD")
    return func.date(column)  # SQLite keeps UTC text; date() cuts it to YYYY-MM-DD


def stories_per_day(store: Store, now: datetime, days: int = 7) -> tuple[list[date],
                                                                         dict[str, list[int]]]:
    """The last `days` UTC days (oldest first) and, per source, how many distinct stories
    had a version received on each. Uses the (source, received_at) index."""
    today = now.astimezone(UTC).date()
    span = [today - timedelta(days=n) for n in range(days - 1, -1, -1)]
    start = datetime.combine(span[0], datetime.min.time(), tzinfo=UTC)
    day = _day(versions.c.received_at, store.engine.dialect.name).label("day")
    query = (select(versions.c.source, day, func.count(versions.c.story_id.distinct()))
             .where(versions.c.received_at >= start)
             .group_by(versions.c.source, day))
    counts: dict[str, list[int]] = defaultdict(lambda: [0] * days)
    index = {d.isoformat(): n for n, d in enumerate(span)}
    with store.engine.connect() as c:
        for source, when, n in c.execute(query):
            slot = index.get(str(when)[:10])
            if slot is not None:
                counts[source][slot] = int(n)
    return span, dict(counts)
