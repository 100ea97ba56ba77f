"""Writes, always inside one transaction handed out by `Store.write()`."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection, delete, exists, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from wiredesk.store import search
from wiredesk.store.codec import story_meta
from wiredesk.store.schema import (
    audit,
    meta,
    quarantine,
    raws,
    sources,
    stories,
    story_subjects,
    versions,
)
from wiredesk.story import Story


@dataclass(frozen=True, slots=True)
class HeadKey:
    """The agency's order of versions: number, then creation time, then arrival."""

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

    def __bool__(self) -> bool:
        return bool(self.updated or self.takedowns or self.embargoes_lifted)


@dataclass(frozen=True, slots=True)
class LockedStory:
    id: int
    state: str
    head: HeadKey | None
    firstcreated: datetime
    source: str


class Writer:
    def __init__(self, connection: Connection) -> None:
        self.c = connection
        self.changed = False  # did this transaction change what readers may see?
        self.changes = Changes()  # told to listeners once the transaction commits

    # --- sources -----------------------------------------------------------------------
    def ensure_source(self, name: str, now: datetime, *, kind: str = "cli",
                      agency: str | None = None, licence_days: int = 30) -> int:
        """The source's licence period in days, creating the source on first use."""
        row = self.c.execute(select(sources.c.licence_days).where(sources.c.name == name)).first()
        if row is not None:
            return int(row.licence_days)
        self._insert_ignore(sources, {
            "name": name, "kind": kind, "agency": agency, "licence_days": licence_days,
            "settings": {}, "paused": False, "created_at": now,
        }, ["name"])
        return licence_days

    # --- stories and versions -----------------------------------------------------------
    def lock_story(self, uri: str) -> LockedStory | None:
        row = self.c.execute(
            select(stories.c.id, stories.c.state, stories.c.head_version_id,
                   stories.c.firstcreated, stories.c.source)
            .where(stories.c.uri == uri).with_for_update()
        ).first()
        if row is None:
            return None
        head = None
        if row.head_version_id is not None:
            v = self.c.execute(
                select(versions.c.version_number, versions.c.versioncreated)
                .where(versions.c.id == row.head_version_id)
            ).one()
            head = HeadKey(v.version_number, v.versioncreated, row.head_version_id)
        return LockedStory(row.id, row.state, head, row.firstcreated, row.source)

    def create_story(self, story: Story, *, source: str, firstcreated: datetime,
                     versioncreated: datetime, now: datetime) -> LockedStory:
        """Insert the story row (or find the one a concurrent writer just made) and lock it."""
        self._insert_ignore(stories, {
            "uri": story.uri, "source": source, "state": "withheld", "head_version_id": None,
            "version_count": 0, "headline": story.headline, "agency": story.agency,
            "located": story.located, "urgency": story.urgency, "language": story.language,
            "firstcreated": firstcreated, "versioncreated": versioncreated,
            "embargoed": story.embargoed, "ends_at": now, "updated_at": now,
        }, ["uri"])
        locked = self.lock_story(story.uri)
        assert locked is not None
        return locked

    def has_version(self, story_id: int, sha256: str) -> bool:
        return self.c.execute(
            select(exists().where(versions.c.story_id == story_id, versions.c.raw_sha256 == sha256))
        ).scalar_one()

    def add_version(self, story_id: int, story: Story, *, versioncreated: datetime,
                    received_at: datetime, source: str, delivery_name: str | None) -> HeadKey:
        sha = story.raw_sha256
        self._insert_ignore(raws, {"sha256": sha, "data": story.raw, "size": len(story.raw)},
                            ["sha256"])
        version_id = self.c.execute(
            insert(versions).values(
                story_id=story_id, version=story.version, version_number=story.version_number,
                versioncreated=versioncreated, received_at=received_at,
                pubstatus=str(story.pubstatus), format=story.format, source=source,
                delivery_name=delivery_name, raw_sha256=sha, meta=story_meta(story),
                body_received=story.body.received, body_content_type=story.body.content_type,
                body_html=story.body.html, body_text=story.body.text, purged=False,
            ).returning(versions.c.id)
        ).scalar_one()
        self.c.execute(update(stories).where(stories.c.id == story_id)
                       .values(version_count=stories.c.version_count + 1))
        return HeadKey(story.version_number, versioncreated, version_id)

    def set_head(self, story_id: int, head: HeadKey, story: Story, *, state: str,
                 ends_at: datetime, now: datetime) -> None:
        self.c.execute(update(stories).where(stories.c.id == story_id).values(
            head_version_id=head.version_id, state=state, headline=story.headline,
            agency=story.agency, located=story.located, urgency=story.urgency,
            language=story.language, versioncreated=head.versioncreated,
            embargoed=story.embargoed, ends_at=ends_at, updated_at=now,
        ))
        self.c.execute(delete(story_subjects).where(story_subjects.c.story_id == story_id))
        subjects = {s.name: s.uri for s in story.subjects if s.name}
        if subjects:
            self.c.execute(insert(story_subjects), [
                {"story_id": story_id, "name": name[:200], "uri": uri} for name, uri in subjects.items()
            ])
        self.changes.updated.append((story_id, story.agency))
        if state in ("live", "embargoed"):
            search.index_story(self.c, story_id, story)
        else:
            search.remove_story(self.c, story_id)
        self.changed = True

    def take_down(self, story_id: int, *, reason: str, detail: str | None, actor: str | None,
                  now: datetime) -> bool:
        """Take a story off every surface, purge its bodies and bytes, log why. Idempotent."""
        row = self.c.execute(
            select(stories.c.uri, stories.c.headline, stories.c.agency, stories.c.state)
            .where(stories.c.id == story_id).with_for_update()
        ).first()
        if row is None or row.state == "takendown":
            return False
        self.c.execute(update(stories).where(stories.c.id == story_id).values(
            state="takendown", takendown_at=now, takedown_reason=reason,
            takedown_detail=detail, updated_at=now,
        ))
        self.c.execute(insert(audit).values(
            story_id=story_id, uri=row.uri, headline=row.headline, agency=row.agency, at=now,
            reason=reason, detail=detail, actor=actor,
        ))
        self.purge_story(story_id)
        search.remove_story(self.c, story_id)
        subjects = self.c.execute(select(story_subjects.c.name)
                                  .where(story_subjects.c.story_id == story_id)).scalars()
        self.changes.takedowns.append(TakenDown(story_id, row.uri, row.agency, tuple(subjects)))
        self.changed = True
        return True

    def purge_story(self, story_id: int) -> None:
        """Drop every body and raw byte of a story; keep the version rows as history."""
        shas = select(versions.c.raw_sha256).where(versions.c.story_id == story_id)
        self.c.execute(update(versions).where(versions.c.story_id == story_id).values(
            body_received=None, body_html=None, body_text=None, purged=True,
        ))
        still_used = exists().where(versions.c.raw_sha256 == raws.c.sha256,
                                    versions.c.purged.is_(False))
        self.c.execute(delete(raws).where(raws.c.sha256.in_(shas), ~still_used))

    # --- the clock ------------------------------------------------------------------------
    def due_expiries(self, now: datetime, limit: int) -> list[int]:
        return list(self.c.execute(
            select(stories.c.id)
            .where(stories.c.state.in_(("live", "embargoed", "withheld")), stories.c.ends_at <= now)
            .order_by(stories.c.ends_at).limit(limit)
        ).scalars())

    def lift_embargoes(self, now: datetime) -> int:
        result = self.c.execute(
            update(stories)
            .where(stories.c.state == "embargoed", stories.c.embargoed <= now)
            .values(state="live", updated_at=now)
        )
        if result.rowcount:
            self.changed = True
            self.changes.embargoes_lifted += result.rowcount
        return result.rowcount

    # --- quarantine and counters ---------------------------------------------------------
    def quarantine(self, *, source: str, name: str | None, data: bytes, fmt: str | None,
                   error: str, now: datetime) -> int:
        return self.c.execute(insert(quarantine).values(
            source=source, name=name, received_at=now, format=fmt, error=error,
            sha256=hashlib.sha256(data).hexdigest(), data=data, status="open",
        ).returning(quarantine.c.id)).scalar_one()

    def bump_generation(self) -> None:
        """Advance the change counter that every rendered-page cache compares against."""
        done = self.c.execute(update(meta).where(meta.c.key == "generation")
                              .values(value=meta.c.value + 1)).rowcount
        if not done:
            self._insert_ignore(meta, {"key": "generation", "value": 1}, ["key"])

    def _insert_ignore(self, table, values: dict, keys: list[str]) -> None:  # type: ignore[no-untyped-def]
        dialect = self.c.dialect.name
        builder = postgresql.insert if dialect == "postgresql" else sqlite.insert
        self.c.execute(builder(table).values(**values).on_conflict_do_nothing(index_elements=keys))
