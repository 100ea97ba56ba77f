"""The story journal: what happened to which story, in commit order, for every reader of change.

Each transaction that shows, changes or takes down a story writes one row per story here
before it commits (Writer.events, written by `record`). Readers keep their place by event id:
server-sent events resume from `Last-Event-ID`, subscribers' webhooks and the edge cache's
purger keep a named cursor (`position`/`advance`), and a reader that was away catches up.
Because the rows are written in the same transaction as the change, a committed change cannot
be missing from the journal, whichever process made it (CLI, worker, clock, console, push).

Ids are handed out in commit order, not only in insert order: on PostgreSQL two transactions
could take ids 10 and 11 and commit 11 first, and a reader at 11 would then skip 10 for ever.
`record` takes a transaction-scoped advisory lock before inserting, held until commit, so
journal-writing commits are serialised (only their last moment: the insert is the last thing
a transaction does). SQLite has one writer at a time anyway.

The journal holds no words of a story (uris, agencies, times, reasons): it may outlive the
story's licence. Rows older than KEEP are pruned by the clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from wiredesk.store import bulk
from wiredesk.store.schema import journal, journal_cursors

KEEP = timedelta(days=7)  # long enough for a subscriber down over a long weekend
KINDS = ("new", "update", "takedown")
_LOCK_KEY = 0x77646A6E  # "wdjn": the journal's advisory lock on PostgreSQL


@dataclass(frozen=True, slots=True)
class StoryEvent:
    id: int
    at: datetime
    kind: str  # new | update | takedown
    story_id: int
    uri: str
    agency: str | None
    urgency: int | None
    reason: str | None  # takedowns: killed | expired | removed | withheld
    subjects: tuple[str, ...]


def record(c: Connection, events: list[dict[str, Any]], now: datetime) -> None:
    """Write this transaction's events; called last, just before the commit."""
    if not events:
        return
    if c.dialect.name == "postgresql":
        c.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_LOCK_KEY})")
    bulk.append(c, journal, [{"at": now, "urgency": None, "reason": None, "subjects": None,
                              **event} for event in events])


def _event(row: Any) -> StoryEvent:
    return StoryEvent(row.id, row.at, row.kind, row.story_id, row.uri, row.agency, row.urgency,
                      row.reason, tuple(row.subjects or ()))


class Journal:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def latest(self) -> int:
        """The id of the newest event, 0 when there is none."""
        with self.engine.connect() as c:
            return int(c.execute(select(func.max(journal.c.id))).scalar() or 0)

    def since(self, after: int, *, limit: int = 500, story_id: int | None = None,
              kinds: tuple[str, ...] | None = None,
              start: datetime | None = None) -> list[StoryEvent]:
        """Events after id `after`, oldest first."""
        query = select(journal).where(journal.c.id > after)
        if story_id is not None:
            query = query.where(journal.c.story_id == story_id)
        if kinds:
            query = query.where(journal.c.kind.in_(kinds))
        if start is not None:
            query = query.where(journal.c.at >= start)
        with self.engine.connect() as c:
            return [_event(r) for r in c.execute(query.order_by(journal.c.id).limit(limit))]

    def oldest(self) -> int:
        """The id before the oldest event still kept: a reader behind it has missed events."""
        with self.engine.connect() as c:
            first = c.execute(select(func.min(journal.c.id))).scalar()
        return int(first) - 1 if first is not None else self.latest()

    def position(self, name: str, *, start: int | None = None) -> int:
        """Where the reader `name` is; a new reader starts at `start` (default: the newest
        event, so it is not flooded with the past)."""
        with self.engine.connect() as c:
            found = c.execute(select(journal_cursors.c.position)
                              .where(journal_cursors.c.name == name)).scalar()
        if found is not None:
            return int(found)
        return self.latest() if start is None else start

    def advance(self, name: str, position: int, now: datetime) -> None:
        """Move the reader `name` to `position` (never backwards)."""
        with self.engine.begin() as c:
            builder = postgresql.insert if c.dialect.name == "postgresql" else sqlite.insert
            c.execute(builder(journal_cursors).on_conflict_do_nothing(index_elements=["name"])
                      .values(name=name, position=position, updated_at=now))
            c.execute(update(journal_cursors)
                      .where(journal_cursors.c.name == name,
                             journal_cursors.c.position < position)
                      .values(position=position, updated_at=now))

    def forget(self, name: str) -> None:
        with self.engine.begin() as c:
            c.execute(delete(journal_cursors).where(journal_cursors.c.name == name))

    def prune(self, now: datetime, keep: timedelta = KEEP) -> int:
        with self.engine.begin() as c:
            return c.execute(delete(journal).where(journal.c.at < now - keep)).rowcount
