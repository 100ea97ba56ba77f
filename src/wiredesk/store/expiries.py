"""What the clock needs to word an expiry: each story's first time, its end and the agency's
own `expires` from its head version (reasons.py says which of them ended it)."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import Connection, select

from wiredesk.store.schema import stories, versions
from wiredesk.times import aware


class Ending(NamedTuple):
    story_id: int
    firstcreated: datetime
    ends_at: datetime
    expires: datetime | None  # the agency's own expiry, where its head version gives one


def endings(c: Connection, story_ids: list[int]) -> list[Ending]:
    if not story_ids:
        return []
    rows = c.execute(
        select(stories.c.id, stories.c.firstcreated, stories.c.ends_at, versions.c.meta)
        .join(versions, versions.c.id == stories.c.head_version_id, isouter=True)
        .where(stories.c.id.in_(story_ids)))
    return [Ending(row.id, aware(row.firstcreated), aware(row.ends_at),
                   aware(expires) if (expires := (row.meta or {}).get("expires")) else None)
            for row in rows]
