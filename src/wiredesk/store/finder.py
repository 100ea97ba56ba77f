"""The console's finder: stories by words, agency, state and date, and the review queue.

Unlike the reader's search this sees every state (held, in review, ignored, killed...), so
it is the operator's way to any story. Words are looked up in the site's search index
(store/search.py), which holds every story not taken down; a story taken down has lost its
body, so it is found by the words of its headline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, and_, func, or_, select

from wiredesk.store import search
from wiredesk.store.clauses import visible_clause
from wiredesk.store.codec import story_from_row
from wiredesk.store.records import StoryRecord
from wiredesk.store.schema import stories, versions

# The states an operator can ask for, each its clause (see `_state`).
STATES = ("live", "review", "ignored", "embargoed", "withheld", "killed", "expired")
ORDERS = ("time", "urgency", "agency")
_UP = ("live", "embargoed", "withheld", "review", "ignored")
_COLS = (
    stories.c.id, stories.c.uri, stories.c.state, stories.c.source, stories.c.firstcreated,
    stories.c.versioncreated, stories.c.ends_at, stories.c.version_count,
    stories.c.takendown_at, stories.c.takedown_reason, stories.c.takedown_detail,
    versions.c.meta, versions.c.body_received, versions.c.body_content_type,
    versions.c.body_html, versions.c.body_text,
)


@dataclass(frozen=True)
class Query:
    q: str = ""
    agency: str | None = None
    state: str | None = None  # one of STATES; None: any
    start: datetime | None = None  # versioncreated at or after
    end: datetime | None = None  # versioncreated before
    order: str = "time"


@dataclass(frozen=True)
class Found:
    records: list[StoryRecord]
    total: int


class Finder:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def find(self, query: Query, now: datetime, *, limit: int = 50, offset: int = 0) -> Found:
        """One page of matching stories; search.QueryError for words we cannot search."""
        if query.state is not None and query.state not in STATES:
            raise ValueError(f"unknown state {query.state!r}: use {', '.join(STATES)}")
        if query.order not in ORDERS:
            raise ValueError(f"unknown order {query.order!r}: use {', '.join(ORDERS)}")
        with self.engine.connect() as c:
            where: list[Any] = []
            params: dict[str, Any] = {}
            if query.q.strip():
                ids, params["q"] = search.matching(c, query.q)
                words = [t for term in search.parse_query(query.q) for t in term.tokens]
                in_headline = and_(*(func.lower(stories.c.headline).contains(w, autoescape=True)
                                     for w in words))
                where.append(or_(stories.c.id.in_(ids), in_headline))
            if query.agency:
                where.append(func.lower(stories.c.agency) == query.agency.lower())
            if query.state:
                where.append(_state(query.state, now))
            if query.start:
                where.append(stories.c.versioncreated >= query.start)
            if query.end:
                where.append(stories.c.versioncreated < query.end)
            total = c.execute(select(func.count()).select_from(stories).where(*where),
                              params).scalar_one()
            rows = c.execute(
                select(*_COLS).join(versions, versions.c.id == stories.c.head_version_id)
                .where(*where).order_by(*_order(query.order)).limit(limit).offset(offset),
                params).all()
        return Found([_record(r) for r in rows], total)

    def queue(self, now: datetime, *, order: str = "time", limit: int = 100) -> Found:
        """The review queue: stories a rule holds for an editor, not yet past their licence."""
        return self.find(Query(state="review", order=order), now, limit=limit)


def _state(state: str, now: datetime) -> Any:
    c = stories.c
    if state == "live":
        return visible_clause(now)
    if state in ("review", "ignored", "withheld"):
        return and_(c.state == state, c.ends_at > now)
    if state == "embargoed":
        return and_(c.state == "embargoed", c.embargoed > now, c.ends_at > now)
    if state == "killed":
        return and_(c.state == "takendown", c.takedown_reason.in_(("killed", "removed")))
    # expired: taken down by the clock, or past its licence and waiting for the clock
    return or_(and_(c.state == "takendown", c.takedown_reason == "expired"),
               and_(c.state.in_(_UP), c.ends_at <= now))


def _order(order: str) -> list[Any]:
    newest = [stories.c.versioncreated.desc(), stories.c.id.desc()]
    if order == "urgency":  # 1 is most urgent; a story without one goes last
        return [stories.c.urgency.is_(None), stories.c.urgency, *newest]
    if order == "agency":
        return [stories.c.agency.is_(None), stories.c.agency, *newest]
    return newest


def _record(row: Any) -> StoryRecord:
    return StoryRecord(
        id=row.id, uri=row.uri, state=row.state, story=story_from_row(row.meta, row),
        source=row.source, firstcreated=row.firstcreated, versioncreated=row.versioncreated,
        ends_at=row.ends_at, version_count=row.version_count, takendown_at=row.takendown_at,
        takedown_reason=row.takedown_reason, takedown_detail=row.takedown_detail,
    )


__all__ = ["Finder", "Found", "ORDERS", "Query", "STATES"]
