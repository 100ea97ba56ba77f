"""Writes, always inside one transaction handed out by `Store.write()`."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, exists, func, insert, select, text, update

from wiredesk.store import bulk, clusters, filing, ledger, search
from wiredesk.store import pictures as pictures_table
from wiredesk.store import quarantine as quarantine_table
from wiredesk.store.codec import story_meta
from wiredesk.store.listen import CHANNEL
from wiredesk.store.schema import (
    audit,
    meta,
    raws,
    refusals,
    sources,
    stories,
    story_subjects,
    versions,
)
from wiredesk.store.upsert import insert_ignore
from wiredesk.story import Story


@dataclass(frozen=True, slots=True)
class HeadKey:
    """The agency's order of versions: number, then creation time, then arrival (a version
    without a number has the number of the head it followed: see Writer.add_version)."""

    version_number: int
    versioncreated: datetime
    version_id: int

    def __lt__(self, other: HeadKey) -> bool:
        return (self.version_number, self.versioncreated, self.version_id) < (
            other.version_number, other.versioncreated, other.version_id)


@dataclass(frozen=True, slots=True)
class TakenDown:
    story_id: int
    uri: str
    agency: str | None
    subjects: tuple[str, ...]


@dataclass
class Changes:
    """What one committed transaction changed, for caches, CDNs and WebSub hubs."""

    updated: list[tuple[int, str | None]] = field(default_factory=list)  # (story id, agency)
    takedowns: list[TakenDown] = field(default_factory=list)
    embargoes_lifted: int = 0
    pictures_gone: list[int] = field(default_factory=list)  # picture ids killed or purged

    def __bool__(self) -> bool:
        return bool(self.updated or self.takedowns or self.embargoes_lifted or self.pictures_gone)


@dataclass(frozen=True, slots=True)
class LockedStory:
    id: int
    state: str
    head: HeadKey | None
    firstcreated: datetime
    source: str  # the source that first delivered it: its owner, with its agency's sources
    agency: str | None = None


class Writer:
    def __init__(self, connection: Connection) -> None:
        self.c = connection
        self.changed = False  # did this transaction change what readers may see?
        self.changes = Changes()  # told to listeners once the transaction commits
        self.fresh, self.headed = set[int](), set[int]()  # made in this transaction; given a head
        self.uncounted: dict[int, int] = {}  # versions added per story, not yet counted
        # Rows nothing reads back before commit, written in one executemany each (`flush`):
        # raw bytes, a new story's head and subjects and search row. Any statement that could
        # read or change them flushes first, so the order of effects is the order of calls.
        self.pending: dict[str, list[dict[str, Any]]] = {
            "raws": [], "versions": [], "heads": [], "subjects": [], "search": [], "topics": []}
        self.to_cluster: list[tuple[int, Story, datetime]] = []  # new stories, done at flush
        self.version_ids: list[int] = []  # ids taken for versions not yet inserted
        self.next_version_id: int | None = None  # SQLite: the next free id, writers being one
        self.prefetched: dict[str, LockedStory | None] = {}  # lock_many's answers, used once
        self.events: list[dict[str, Any]] = []  # for the journal, written just before commit
        self.ledger = ledger.Entries()  # for the compliance ledger, the same way

    # --- sources -----------------------------------------------------------------------
    def ensure_source(self, name: str, now: datetime, *, kind: str = "cli",
                      agency: str | None, licence_days: int) -> int:
        """The source's licence period in days, creating the source on first use."""
        self.ledger.parsed_with = agency  # the desk's first call: the agency its parser had
        row = self.c.execute(select(sources.c.licence_days).where(sources.c.name == name)).first()
        if row is not None:
            return int(row.licence_days)
        self.insert_ignore(sources, {
            "name": name, "kind": kind, "agency": agency, "licence_days": licence_days,
            "settings": {}, "paused": False, "created_at": now,
        }, ["name"])
        return licence_days

    def source_agency(self, name: str) -> str | None:
        """The agency a source is configured for (None: none, or no such source)."""
        return self.c.execute(select(sources.c.agency).where(sources.c.name == name)).scalar()

    def refuse(self, locked: LockedStory, uri: str, *, source: str, source_agency: str | None,
               pubstatus: str, delivery_name: str | None, now: datetime) -> None:
        """Record a delivery the owner rule refused; the story itself is not touched."""
        self.c.execute(insert(refusals).values(
            at=now, story_id=locked.id, uri=uri, owner=locked.source, agency=locked.agency,
            source=source, source_agency=source_agency, pubstatus=pubstatus,
            delivery_name=delivery_name))

    # --- stories and versions -----------------------------------------------------------
    # The hot path runs these prebuilt statements with bound parameters: SQLAlchemy compiles
    # each once, instead of building and hashing a new statement for every story.
    def lock_story(self, uri: str) -> LockedStory | None:
        if uri in self.prefetched:  # answered by lock_many; a second use asks again
            return self.prefetched.pop(uri)
        self.flush()
        row = self.c.execute(bulk.LOCK, {"uri": uri}).first()
        return _locked(row) if row is not None else None

    def lock_many(self, uris: list[str]) -> None:
        """Lock and read a delivery's stories in one statement per 500; lock_story then
        answers each uri once from here (a uri named twice is read again the second time)."""
        wanted = list(dict.fromkeys(uris))
        self.flush()
        for first in range(0, len(wanted), 500):
            chunk = wanted[first:first + 500]
            found = {row.uri: _locked(row) for row in self.c.execute(
                bulk.lock_many(self.c), {"uris": chunk})}
            self.prefetched.update({uri: found.get(uri) for uri in chunk})

    def create_story(self, story: Story, *, source: str, firstcreated: datetime,
                     versioncreated: datetime, now: datetime) -> LockedStory:
        """Insert the story row (or find the one a concurrent writer just made) and lock it."""
        new_id = self.c.execute(insert_ignore(self.c, stories, ["uri"], returning=True), {
            "uri": story.uri, "source": source, "state": "withheld", "head_version_id": None,
            "version_count": 0, "headline": story.headline, "agency": story.agency,
            "located": story.located, "urgency": story.urgency, "language": story.language,
            "firstcreated": firstcreated, "versioncreated": versioncreated,
            "embargoed": story.embargoed, "ends_at": now, "updated_at": now,
        }).scalar()
        if new_id is not None:  # ours, and locked by our insert: no need to read it back
            self.fresh.add(new_id)
            return LockedStory(new_id, "withheld", None, firstcreated, source, story.agency)
        locked = self.lock_story(story.uri)
        assert locked is not None
        return locked

    def create_many(self, items: list[tuple[Story, datetime, datetime]], *, source: str,
                    now: datetime) -> None:
        """Insert the story rows of a delivery's new stories, each (story, firstcreated,
        versioncreated), in one statement; lock_story then answers with them. A uri a
        concurrent writer made first is left for lock_story to find."""
        if not items:
            return
        made = bulk.create_stories(self.c, [
            {"uri": story.uri, "headline": story.headline, "agency": story.agency,
             "located": story.located, "urgency": story.urgency, "language": story.language,
             "firstcreated": first, "versioncreated": created, "embargoed": story.embargoed}
            for story, first, created in items], source=source, now=now)
        for story, first, _ in items:
            new_id = made.get(story.uri)
            if new_id is not None:
                self.fresh.add(new_id)
                self.prefetched[story.uri] = LockedStory(new_id, "withheld", None, first, source,
                                                         story.agency)
            else:
                self.prefetched.pop(story.uri, None)

    def take_version_ids(self, n: int) -> None:
        """Number the next `n` versions now (one statement), so their rows can wait for
        `flush`: PostgreSQL from the id sequence; SQLite from the largest id, safe because a
        SQLite writer holds the write lock from BEGIN IMMEDIATE to commit."""
        if self.c.dialect.name == "postgresql":
            self.version_ids += self.c.execute(_TAKE_IDS, {"n": n}).scalars()
        elif self.next_version_id is None:
            self.flush()
            self.next_version_id = int(self.c.execute(_MAX_VERSION).scalar() or 0) + 1

    def _version_id(self) -> int | None:
        if self.version_ids:
            return self.version_ids.pop(0)
        if self.next_version_id is not None:
            self.next_version_id += 1
            return self.next_version_id - 1
        return None

    def has_version(self, story_id: int, sha256: str) -> bool:
        if story_id in self.fresh:
            return False
        if self.pending["versions"]:
            self.flush()
        return self.c.execute(_HAS_VERSION, {"sid": story_id, "sha": sha256}).first() is not None

    def add_version(self, story_id: int, story: Story, *, versioncreated: datetime,
                    received_at: datetime, source: str, delivery_name: str | None,
                    follows: HeadKey | None = None) -> HeadKey:
        """Store a version. One without a number (an unnumbered correction after version 3)
        takes the number of the head it `follows`: it is ordered after what it corrects by
        time, and a late version 1 still stays behind it."""
        number = story.version_number or (follows.version_number if follows else 0)
        sha = story.raw_sha256
        self.pending["raws"].append({"sha256": sha, "data": story.raw, "size": len(story.raw)})
        values = {
            "story_id": story_id, "version": story.version, "version_number": number,
            "versioncreated": versioncreated, "received_at": received_at,
            "pubstatus": str(story.pubstatus), "format": story.format, "source": source,
            "delivery_name": delivery_name, "raw_sha256": sha, "meta": story_meta(story),
            "body_received": story.body.received, "body_content_type": story.body.content_type,
            "body_html": story.body.html, "body_text": story.body.text, "purged": False,
        }
        version_id = self._version_id()
        if version_id is None:
            version_id = self.c.execute(_INSERT_VERSION, values).scalar_one()
        else:
            values["id"] = version_id  # the row waits for flush, numbered already
            self.pending["versions"].append(values)
        self.uncounted[story_id] = self.uncounted.get(story_id, 0) + 1
        self.ledger.received(story_id, version_id, story, source=source, sha=sha, at=received_at)
        return HeadKey(number, versioncreated, version_id)

    def flush_counts(self) -> None:
        """Write whatever is pending and the versions' counts: called last in a transaction."""
        self.flush()
        if self.uncounted:
            self.c.execute(_COUNT_VERSION, [{"sid": story_id, "n": n}
                                            for story_id, n in self.uncounted.items()])
        self.uncounted.clear()

    def flush(self) -> None:
        """Write the pending rows, one executemany a table."""
        pending = self.pending
        bulk.keep_raws(self.c, pending["raws"])
        if pending["versions"]:
            bulk.append(self.c, versions, pending["versions"])
        # New stories: their versions so far counted in the same update.
        bulk.set_new_heads(self.c, [{**r, "n": self.uncounted.pop(r["sid"], 0)}
                                    for r in pending["heads"]])
        bulk.append(self.c, story_subjects, pending["subjects"])
        if pending["search"]:
            search.index_many(self.c, pending["search"])
        filing.write(self.c, pending["topics"])
        for rows in pending.values():
            rows.clear()
        clusters.assign_many(self.c, self.to_cluster)  # after the heads, as rows follow stories
        self.to_cluster = []

    def set_head(self, story_id: int, head: HeadKey, story: Story, *, state: str,
                 ends_at: datetime, now: datetime, was: str | None = None) -> None:
        """Make `head` the version readers see; `was` is the story's state before (None:
        new), which tells the journal whether readers get a new story, an update, or lose
        one (a live story updated to withheld or embargoed leaves every surface)."""
        fresh = story_id in self.fresh and story_id not in self.headed  # nothing to clear yet
        self.headed.add(story_id)
        if not fresh:
            self.flush()
        values = {
            "sid": story_id, "head_version_id": head.version_id, "state": state,
            "headline": story.headline, "agency": story.agency, "located": story.located,
            "urgency": story.urgency, "language": story.language,
            "versioncreated": head.versioncreated, "embargoed": story.embargoed,
            "ends_at": ends_at, "updated_at": now,
        }
        subjects = [{"story_id": story_id, "name": name[:200], "uri": uri}
                    for name, uri in {s.name: s.uri for s in story.subjects if s.name}.items()]
        self.pending["topics"] += filing.rows(story_id, story)  # flushed after any clear
        indexed = state in ("live", "embargoed")
        # Every story not taken down is in the search index, shown or not: readers' search
        # filters by visibility, and the console finds held and ignored stories by words.
        if fresh:  # a story made in this transaction: nothing to replace, all can wait
            self.pending["heads"].append(values)
            self.pending["subjects"] += subjects
            self.pending["search"] += search.index_rows(self.c.dialect.name, [(story_id, story)])
        else:
            self.c.execute(bulk.SET_HEAD, values)
            self.c.execute(_CLEAR_SUBJECTS, {"sid": story_id})
            if subjects:
                self.c.execute(insert(story_subjects), subjects)
            filing.clear(self.c, story_id)
            search.index_story(self.c, story_id, story, replace=True)
            if not indexed:
                clusters.leave(self.c, [story_id])
        at = story.firstcreated or head.versioncreated
        if indexed and fresh:  # readers see an embargoed story's links only once it is visible
            self.to_cluster.append((story_id, story, at))  # a few statements for the lot
        elif indexed:
            clusters.assign(self.c, story_id, story, fresh=False, at=at)
        self.changes.updated.append((story_id, story.agency))
        self.ledger.head(story_id, head.version_id, story, state, was, ends_at, now)
        event = {"story_id": story_id, "uri": story.uri, "agency": story.agency,
                 "urgency": story.urgency}
        if state == "live":
            self.events.append({**event, "kind": "update" if was == "live" else "new"})
        elif was == "live":
            self.events.append({**event, "kind": "takedown", "reason": state, "subjects": [
                s.name[:200] for s in story.subjects if s.name]})
        self.changed = True

    def take_down(self, story_id: int, *, reason: str, detail: str | None, actor: str | None,
                  now: datetime) -> bool:
        """Take a story off every surface, purge its bodies and bytes, log why. Idempotent."""
        return self.take_down_many([story_id], reason=reason, detail=detail, actor=actor,
                                   now=now) == 1

    def take_down_many(self, story_ids: list[int], *, reason: str, detail: str | None,
                       actor: str | None, now: datetime) -> int:
        """The same for a batch, in a fixed number of statements whatever its size."""
        if not story_ids:
            return 0
        self.flush()
        rows = self.c.execute(_LOCK_UP, {"ids": story_ids}).all()
        ids = [r.id for r in rows]
        if not ids:
            return 0
        ledger.takedowns(self.c, self.ledger, ids, reason=reason, actor=actor, now=now)
        self.c.execute(_TAKE_DOWN, {"ids": ids, "at": now, "reason": reason, "detail": detail})
        self.c.execute(insert(audit), [
            {"story_id": r.id, "uri": r.uri, "headline": r.headline, "agency": r.agency,
             "at": now, "reason": reason, "detail": detail, "actor": actor} for r in rows])
        self.purge_stories(ids)
        search.remove_stories(self.c, ids)
        clusters.leave(self.c, ids)  # a killed story leaves its cluster with its takedown
        pictures_table.stories_gone(self, ids, now=now)  # unless another story shows them
        subjects: dict[int, list[str]] = {}
        for story_id, name in self.c.execute(_SUBJECTS_OF, {"ids": ids}):
            subjects.setdefault(story_id, []).append(name)
        self.changes.takedowns += [TakenDown(r.id, r.uri, r.agency, tuple(subjects.get(r.id, ())))
                                   for r in rows]
        self.events += [{"kind": "takedown", "story_id": r.id, "uri": r.uri, "agency": r.agency,
                         "reason": reason, "subjects": subjects.get(r.id, [])} for r in rows]
        self.changed = True
        return len(ids)

    def purge_stories(self, story_ids: list[int]) -> None:
        """Drop every body and raw byte of these stories; keep the version rows as history."""
        self.flush()
        self.c.execute(_PURGE_VERSIONS, {"ids": story_ids})
        self.c.execute(_PURGE_RAWS, {"ids": story_ids})

    # --- the clock ------------------------------------------------------------------------
    def due_expiries(self, now: datetime, limit: int) -> list[int]:
        self.flush()
        return list(self.c.execute(
            select(stories.c.id)
            .where(stories.c.state.in_(_NOT_DOWN), stories.c.ends_at <= now)
            .order_by(stories.c.ends_at).limit(limit)
        ).scalars())

    def lift_embargoes(self, now: datetime) -> int:
        self.flush()
        lifted = self.c.execute(
            update(stories)
            .where(stories.c.state == "embargoed", stories.c.embargoed <= now)
            .values(state="live", updated_at=now)
            .returning(stories.c.id, stories.c.uri, stories.c.agency, stories.c.urgency)
        ).all()
        if lifted:
            self.changed = True
            self.changes.embargoes_lifted += len(lifted)
            ledger.lifted(self.c, self.ledger, [r.id for r in lifted], now)
            self.events += [{"kind": "new", "story_id": r.id, "uri": r.uri, "agency": r.agency,
                             "urgency": r.urgency} for r in lifted]
        return len(lifted)

    # --- quarantine and counters ---------------------------------------------------------
    def quarantine(self, *, source: str, name: str | None, data: bytes, fmt: str | None,
                   error: str, now: datetime) -> int:
        """Keep bytes the desk could not read, in this delivery's transaction."""
        return quarantine_table.keep(self.c, source=source, name=name, data=data, fmt=fmt,
                                     error=error, now=now)

    def bump_generation(self) -> None:
        """Advance the change counter that every rendered-page cache compares against."""
        done = self.c.execute(update(meta).where(meta.c.key == "generation")
                              .values(value=meta.c.value + 1)).rowcount
        if not done:
            self.insert_ignore(meta, {"key": "generation", "value": 1}, ["key"])
        if self.c.dialect.name == "postgresql":
            # Delivered to every listening web node when this transaction commits, not before.
            self.c.exec_driver_sql(f"NOTIFY {CHANNEL}")

    def insert_ignore(self, table, values: dict, keys: list[str]) -> None:  # type: ignore[no-untyped-def]
        """Insert a row unless one with the same `keys` exists (first writer wins)."""
        self.c.execute(insert_ignore(self.c, table, keys), values)


# What the store's domains are handed to write with: `Store.write`, one transaction a call.
Write = Callable[[], AbstractContextManager[Writer]]


def _locked(row: Any) -> LockedStory:
    head = (HeadKey(row.version_number, row.head_created, row.head_version_id)
            if row.head_version_id is not None else None)
    return LockedStory(row.id, row.state, head, row.firstcreated, row.source, row.agency)


_HAS_VERSION = select(versions.c.id).where(
    versions.c.story_id == bindparam("sid"), versions.c.raw_sha256 == bindparam("sha")).limit(1)
_INSERT_VERSION = insert(versions).returning(versions.c.id)
_MAX_VERSION = select(func.max(versions.c.id))
_TAKE_IDS = text("SELECT nextval(pg_get_serial_sequence('versions', 'id')) "
                 "FROM generate_series(1, :n)")
_COUNT_VERSION = (update(stories).where(stories.c.id == bindparam("sid"))
                  .values(version_count=stories.c.version_count + bindparam("n")))
_IDS = bindparam("ids", expanding=True)
# Every state but takendown: a story in review or ignored ends with its licence like any other.
_NOT_DOWN = ("live", "embargoed", "withheld", "review", "ignored")
_LOCK_UP = (select(stories.c.id, stories.c.uri, stories.c.headline, stories.c.agency)
            .where(stories.c.id.in_(_IDS), stories.c.state != "takendown")
            .order_by(stories.c.id).with_for_update())
_TAKE_DOWN = update(stories).where(stories.c.id.in_(_IDS)).values(
    state="takendown", takendown_at=bindparam("at"), takedown_reason=bindparam("reason"),
    takedown_detail=bindparam("detail"), updated_at=bindparam("at"))
_SUBJECTS_OF = select(story_subjects.c.story_id, story_subjects.c.name).where(
    story_subjects.c.story_id.in_(_IDS))
_PURGE_VERSIONS = update(versions).where(versions.c.story_id.in_(_IDS)).values(
    body_received=None, body_html=None, body_text=None, purged=True)
# Raw bytes go unless another story's unpurged version still points at the same bytes.
_PURGE_RAWS = delete(raws).where(
    raws.c.sha256.in_(select(versions.c.raw_sha256).where(versions.c.story_id.in_(_IDS))),
    ~exists().where(versions.c.raw_sha256 == raws.c.sha256, versions.c.purged.is_(False)))
_CLEAR_SUBJECTS = delete(story_subjects).where(story_subjects.c.story_id == bindparam("sid"))
