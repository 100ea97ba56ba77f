"""Query pieces every surface shares, above all the one meaning of "visible now"."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, and_, func, or_, select

from wiredesk.store.schema import stories


def visible_clause(now: datetime):  # type: ignore[no-untyped-def]
    """The one definition of "a reader may see this story now", used by every surface."""
    return and_(
        stories.c.state.in_(("live", "embargoed")),
        or_(stories.c.embargoed.is_(None), stories.c.embargoed <= now),
        stories.c.ends_at > now,
    )


def count(connection: Connection, table, *where) -> int:  # type: ignore[no-untyped-def]
    return connection.execute(select(func.count()).select_from(table).where(*where)).scalar_one()
