"""The store: the only place that speaks SQL. SQLite (WAL) by default, PostgreSQL by URL.

Stories are read here; the other domains hang off the Store, made once with it:
`store.sources` (settings, leases, health, the clock's lease), `store.users` (console users
and sessions), `store.quarantine` (bytes the desk could not read), `store.journal` (what
happened to which story, in commit order, for every reader of change) and `store.websub`
(WebSub subscriptions). They are handed the
engine and `write`, never the Store, so their modules need not import this one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, func, select

from wiredesk.store import clusters as clusters_domain
from wiredesk.store import finder as finder_domain
from wiredesk.store import journal as journal_domain
from wiredesk.store import ledger as ledger_domain
from wiredesk.store import pictures as pictures_domain
from wiredesk.store import quarantine as quarantine_domain
from wiredesk.store import search
from wiredesk.store.clauses import ListFilter, count, visible_clause
from wiredesk.store.codec import story_from_row
from wiredesk.store.engine import DEFAULT_URL, is_current, make_engine, migrate
from wiredesk.store.keys import KeyStore
from wiredesk.store.picture_waits import PictureWaits
from wiredesk.store.records import (
    AuditRecord,
    ClusterMember,
    QuarantineRecord,
    RefusalRecord,
    SearchPage,
    StatusCounts,
    StoryRecord,
    Tombstone,
    VersionRecord,
)
from wiredesk.store.rules import RuleStore
from wiredesk.store.schema import audit, meta, raws, refusals, stories, versions
from wiredesk.store.sections import SectionStore
from wiredesk.store.sources import SourceStore
from wiredesk.store.subscribers import SubscriberStore
from wiredesk.store.users import UserStore
from wiredesk.store.websub import WebSubStore
from wiredesk.store.writes import Changes, TakenDown, Writer
from wiredesk.times import aware, utc_now

__all__ = ["DEFAULT_URL", "Store", "StoryRecord", "VersionRecord", "AuditRecord",
           "QuarantineRecord", "RefusalRecord", "ClusterMember", "StatusCounts", "Writer", "ListFilter",
           "Tombstone", "SearchPage", "Changes", "TakenDown"]

log = logging.getLogger("wiredesk.store")

_STORY_COLS = (
    stories.c.id, stories.c.uri, stories.c.state, stories.c.source, stories.c.firstcreated,
    stories.c.versioncreated, stories.c.ends_at, stories.c.version_count,
    stories.c.takendown_at, stories.c.takedown_reason, stories.c.takedown_detail,
    versions.c.meta, versions.c.body_received, versions.c.body_content_type,
    versions.c.body_html, versions.c.body_text,
)


class Store:
    def __init__(self, url: str = DEFAULT_URL, *, engine: Engine | None = None) -> None:
        self.url = url
        self.engine = engine or make_engine(url)
        # Called with each committed transaction's Changes: caches, CDN purges, WebSub pings.
        self.listeners: list[Callable[[Changes], None]] = []
        self.sources = SourceStore(self.engine, self.write)
        self.users = UserStore(self.engine, self.write)
        self.quarantine = quarantine_domain.Quarantine(self.engine, self.write)
        self.journal = journal_domain.Journal(self.engine)
        self.clusters = clusters_domain.Clusters(self.engine)  # events told by several agencies
        self.websub = WebSubStore(self.engine, self.write)
        self.subscribers = SubscriberStore(self.engine, self.write)  # webhooks' outbox
        self.keys = KeyStore(self.engine, self.write)  # API keys (digests only)
        self.rules = RuleStore(self.engine, self.write)  # editorial rules and their decisions
        self.finder = finder_domain.Finder(self.engine)  # the console's search and review queue
        self.ledger = ledger_domain.Ledger(self.engine)  # the compliance ledger (no words)
        self.pictures = pictures_domain.PictureStore(self.engine)  # pictures and renditions
        self.picture_waits = PictureWaits(self.engine, self.write)  # pushes' pictures to fetch
        self.sections = SectionStore(self.engine, self.write)  # the reader site's sections
        # The largest story id the id column can hold (INTEGER: 32 bits on PostgreSQL, 64 on
        # SQLite): a larger number from a URL names no story, and must not reach the driver.
        self.max_id = 2**31 - 1 if self.engine.dialect.name == "postgresql" else 2**63 - 1
        self._batch: ContextVar[_Batch | None] = ContextVar(f"store-batch-{id(self)}",
                                                             default=None)

    @classmethod
    def open(cls, url: str = DEFAULT_URL, *, create: bool = True) -> Store:
        store = cls(url)
        if create:
            store.migrate()
        elif not is_current(store.engine):
            raise RuntimeError(f"the store at {url} is not initialised; run `wiredesk init`")
        return store

    def migrate(self) -> None:
        migrate(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def write(self) -> Iterator[Writer]:
        """One transaction; commits on success, rolls back whole on any error. Inside
        `batch()`, a savepoint of the batch's transaction, with the same promise."""
        batch = self._batch.get()
        if batch is not None:
            with batch.connection.begin_nested():
                writer = Writer(batch.connection)
                yield writer
                writer.flush_counts()
                # In the savepoint: a file rolled back takes its events with it. On
                # PostgreSQL the journal's lock is then held until the batch commits.
                journal_domain.record(batch.connection, writer.events, utc_now())
                ledger_domain.record(batch.connection, writer.ledger)
                if writer.changed:
                    writer.bump_generation()
            if writer.changes:
                batch.changes.append(writer.changes)
            return
        with self.engine.connect().execution_options(sqlite_immediate=True) as connection:
            with connection.begin():
                writer = Writer(connection)
                yield writer
                writer.flush_counts()
                journal_domain.record(connection, writer.events, utc_now())
                ledger_domain.record(connection, writer.ledger)
                if writer.changed:
                    writer.bump_generation()
        if writer.changes:
            for listener in self.listeners:
                try:
                    listener(writer.changes)
                except Exception:  # a listener's trouble must never undo a committed delivery
                    log.exception("store listener failed")

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Many writes in one transaction, each `write()` in it a savepoint: a delivery is
        still applied whole or not at all, but the commit (and on PostgreSQL its round trips
        and WAL flush) is paid once for all of them. Listeners hear each write's Changes
        after the commit. If the body raises, the writes finished before it are committed
        (as they would have been one by one) and the error goes on."""
        if self._batch.get() is not None:
            yield  # already in one
            return
        failure: BaseException | None = None
        with self.engine.connect().execution_options(sqlite_immediate=True) as connection:
            batch = _Batch(connection)
            token = self._batch.set(batch)
            try:
                with connection.begin():
                    try:
                        yield
                    except BaseException as exc:  # keep what is done, then raise
                        failure = exc
            finally:
                self._batch.reset(token)
        for changes in batch.changes:
            for listener in self.listeners:
                try:
                    listener(changes)
                except Exception:
                    log.exception("store listener failed")
        if failure is not None:
            raise failure

    # --- reads ---------------------------------------------------------------------------
    def generation(self) -> int:
        with self.engine.connect() as c:
            value = c.execute(select(meta.c.value).where(meta.c.key == "generation")).scalar()
        return int(value or 0)

    def live_stories(self, now: datetime, *, limit: int = 50, offset: int = 0,
                     where: ListFilter | None = None) -> list[StoryRecord]:
        """What readers may see, newest version first (keyset `before` for gapless paging)."""
        query = (
            select(*_STORY_COLS)
            .join(versions, versions.c.id == stories.c.head_version_id)
            .where(visible_clause(now, newest_first=True), *(where or ListFilter()).clauses())
            .order_by(stories.c.versioncreated.desc(), stories.c.id.desc())
            .limit(limit).offset(offset)
        )
        with self.engine.connect() as c:
            return [_record(row) for row in c.execute(query)]

    def tombstones(self, since: datetime, *, where: ListFilter | None = None,
                   limit: int = 500) -> list[Tombstone]:
        """Stories taken down since a moment: for feeds that must tell readers to drop them."""
        query = (select(stories.c.id, stories.c.uri, stories.c.takendown_at,
                        stories.c.takedown_reason, stories.c.agency)
                 .where(stories.c.state == "takendown", stories.c.takendown_at >= since,
                        *(where or ListFilter()).clauses(taken_down=True))
                 .order_by(stories.c.takendown_at.desc()).limit(limit))
        with self.engine.connect() as c:
            return [Tombstone(*row) for row in c.execute(query)]

    def search(self, q: str, now: datetime, *, agency: str | None = None,
               start: datetime | None = None, end: datetime | None = None, limit: int = 10,
               offset: int = 0, before: int | None = None) -> SearchPage:
        """Visible stories matching a reader's query; raises search.QueryError for bad input."""
        with self.engine.connect() as c:
            found = search.search(c, q, now, agency=agency, start=start, end=end, limit=limit,
                                  offset=offset, before=before)
            snippets = search.snippets(c, q, found.ids)
            query = (select(*_STORY_COLS).join(versions, versions.c.id == stories.c.head_version_id)
                     .where(stories.c.id.in_(found.ids)))
            records = {row.id: _record(row) for row in c.execute(query)} if found.ids else {}
        return SearchPage(
            total=found.total,
            results=[(records[i], snippets.get(i, "")) for i in found.ids if i in records],
            exact=found.exact,
            older=found.older,
        )

    def next_visibility_change(self, now: datetime, *, windows: tuple[timedelta, ...] = (),
                               ) -> datetime | None:
        """The next moment something shown changes by time alone, with no commit: a licence
        ends, an embargo lifts, or a story leaves a window (tombstones kept N days after a
        takedown, or stories first published within N days) of the given lengths."""
        with self.engine.connect() as c:
            moments = [
                *(c.execute(select(func.min(stories.c.ends_at)).where(  # one index seek each
                    stories.c.state == state, stories.c.ends_at > now)).scalar()
                  for state in ("live", "embargoed", "withheld")),
                c.execute(select(func.min(stories.c.embargoed)).where(
                    stories.c.state == "embargoed", stories.c.embargoed > now)).scalar(),
                pictures_domain.next_expiry(c, now),  # a picture's licence ends
            ]
            for window in windows:
                for column in (stories.c.takendown_at, stories.c.firstcreated):
                    start = c.execute(select(func.min(column)).where(column > now - window)).scalar()
                    moments.append(aware(start) + window if start is not None else None)
        found = [aware(m) for m in moments if m is not None]
        return min(found) if found else None

    def agencies(self, now: datetime) -> list[str]:
        with self.engine.connect() as c:
            rows = c.execute(select(stories.c.agency).distinct()
                             .where(visible_clause(now), stories.c.agency.is_not(None))
                             .order_by(stories.c.agency)).scalars()
            return list(rows)

    def count_live(self, now: datetime, *, where: ListFilter | None = None,
                   cap: int | None = None) -> int:
        """Visible stories; with `cap`, counted no further than that (a walk of the newest
        `cap` rows, however many there are: what numbered pages need to know)."""
        clauses = (where or ListFilter()).clauses()
        with self.engine.connect() as c:
            if cap is None:
                return count(c, stories, visible_clause(now), *clauses)
            newest = (select(stories.c.id).where(visible_clause(now, newest_first=True), *clauses)
                      .order_by(stories.c.versioncreated.desc(), stories.c.id.desc()).limit(cap))
            return c.execute(select(func.count()).select_from(newest.subquery())).scalar_one()

    def story(self, story_id: int) -> StoryRecord | None:
        if not 0 < story_id <= self.max_id:
            return None
        return self._one(stories.c.id == story_id)

    def records_by_id(self, ids: list[int]) -> dict[int, StoryRecord]:
        """Records by id, in one read (visibility is the caller's: ids from a visible list)."""
        if not ids:
            return {}
        query = (select(*_STORY_COLS).join(versions, versions.c.id == stories.c.head_version_id)
                 .where(stories.c.id.in_(ids)))
        with self.engine.connect() as c:
            return {row.id: _record(row) for row in c.execute(query)}

    def story_by_uri(self, uri: str) -> StoryRecord | None:
        return self._one(stories.c.uri == uri)

    def _one(self, where: Any) -> StoryRecord | None:
        query = (select(*_STORY_COLS)
                 .join(versions, versions.c.id == stories.c.head_version_id).where(where))
        with self.engine.connect() as c:
            row = c.execute(query).first()
        return _record(row) if row else None

    def history(self, story_id: int) -> list[VersionRecord]:
        """Every version received, in the agency's order, oldest first."""
        if not 0 < story_id <= self.max_id:
            return []
        with self.engine.connect() as c:
            head = c.execute(select(stories.c.head_version_id)
                             .where(stories.c.id == story_id)).scalar()
            rows = c.execute(
                select(versions).where(versions.c.story_id == story_id)
                .order_by(versions.c.version_number, versions.c.versioncreated, versions.c.id)
            ).all()
        return [
            VersionRecord(
                id=r.id, version=r.version, versioncreated=r.versioncreated,
                received_at=r.received_at, pubstatus=r.pubstatus, format=r.format,
                source=r.source, delivery_name=r.delivery_name, raw_sha256=r.raw_sha256,
                purged=r.purged, is_head=r.id == head, story=story_from_row(r.meta, r),
            )
            for r in rows
        ]

    def raw_bytes(self, sha256: str) -> bytes | None:
        with self.engine.connect() as c:
            return c.execute(select(raws.c.data).where(raws.c.sha256 == sha256)).scalar()

    def takedowns(self, *, limit: int = 100) -> list[AuditRecord]:
        with self.engine.connect() as c:
            rows = c.execute(select(audit).order_by(audit.c.at.desc(), audit.c.id.desc())
                             .limit(limit)).all()
        return [AuditRecord(**row._asdict()) for row in rows]

    def refusals(self, *, limit: int = 100) -> list[RefusalRecord]:
        """Deliveries the owner rule refused, newest first."""
        with self.engine.connect() as c:
            rows = c.execute(select(refusals).order_by(refusals.c.at.desc(),
                                                       refusals.c.id.desc()).limit(limit)).all()
        return [RefusalRecord(**row._asdict()) for row in rows]

    def status(self, now: datetime) -> StatusCounts:
        with self.engine.connect() as c:
            live = count(c, stories, visible_clause(now))
            embargoed = count(c, stories, stories.c.state == "embargoed", stories.c.embargoed > now)
            return StatusCounts(
                live=live,
                held=count(c, stories, stories.c.state == "withheld"),
                embargoed=embargoed,
                takendown=count(c, stories, stories.c.state == "takendown"),
                quarantined=quarantine_domain.open_count(c),
                versions=count(c, versions),
                review=count(c, stories, stories.c.state == "review", stories.c.ends_at > now),
                ignored=count(c, stories, stories.c.state == "ignored", stories.c.ends_at > now),
            )

    def ending_between(self, start: datetime, end: datetime) -> list[StoryRecord]:
        query = (select(*_STORY_COLS)
                 .join(versions, versions.c.id == stories.c.head_version_id)
                 .where(visible_clause(start), stories.c.ends_at <= end)
                 .order_by(stories.c.ends_at))
        with self.engine.connect() as c:
            return [_record(row) for row in c.execute(query)]


@dataclass
class _Batch:
    connection: Connection
    changes: list[Changes] = field(default_factory=list)


def _record(row: Any) -> StoryRecord:
    return StoryRecord(
        id=row.id, uri=row.uri, state=row.state, story=story_from_row(row.meta, row),
        source=row.source, firstcreated=row.firstcreated, versioncreated=row.versioncreated,
        ends_at=row.ends_at, version_count=row.version_count, takendown_at=row.takendown_at,
        takedown_reason=row.takedown_reason, takedown_detail=row.takedown_detail,
    )
