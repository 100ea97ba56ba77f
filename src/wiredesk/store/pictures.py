"""Pictures: licensed items of their own, their bytes (by SHA-256) and their renditions.

A picture row holds the agency's fields (caption, credit, copyright, alt) and its own state
and expiry; `story_pictures` says which stories show it, in which order and role. The bytes
live once per SHA-256 in `picture_bytes`, in the database, so every web node serves the same
pictures; renditions are made on first request (web/pictures.py) and kept in
`picture_renditions`.

A picture is shown only while it is live, within its expiry, and linked to a story a reader
may see now: a picture never stands alone (agencies forbid photo-only galleries) and never
leaks ahead of its story's embargo. It goes (state "gone": bytes and renditions purged, 410
at every URL) when the agency kills it, when its expiry passes, or when the last story that
uses it is taken down. Going, it is written as an update of every live story that showed it
(the journal, so the edge purges their pages) and named in the transaction's Changes (its
own `picture-{id}` key). Like a killed story, a gone picture never comes back.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import Connection, Engine, and_, delete, exists, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from wiredesk.store.clauses import visible_clause
from wiredesk.store.picture_tables import (
    picture_bytes,
    picture_renditions,
    pictures,
    story_pictures,
)
from wiredesk.store.schema import stories, versions
from wiredesk.story import Picture

if TYPE_CHECKING:
    from wiredesk.store.writes import Writer


class PictureBytes(Protocol):
    """Checked picture bytes (wiredesk.imaging.Checked)."""

    data: bytes
    sha256: str
    mime: str
    width: int
    height: int


@dataclass(frozen=True, slots=True)
class Refused:
    """A picture whose bytes could not be taken: quarantined, its story applied without it."""

    uri: str
    href: str
    data: bytes
    error: str


@dataclass
class PictureBatch:
    """A delivery's pictures, fetched and checked before its transaction: uri -> bytes."""

    got: dict[str, PictureBytes] = field(default_factory=dict)
    refused: list[Refused] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class PictureRecord:
    id: int
    uri: str
    state: str
    agency: str | None
    sha256: str | None
    width: int | None
    height: int | None
    mime: str | None
    headline: str | None
    caption: str | None
    alt: str | None
    by: str | None
    creditline: str | None
    copyrightholder: str | None
    copyrightnotice: str | None
    usageterms: str | None
    expires: datetime | None
    gone_at: datetime | None
    gone_reason: str | None
    role: str | None = None
    position: int = 0
    story_id: int | None = None  # for a story's pictures: which story

    def visible(self, now: datetime) -> bool:
        return (self.state == "live" and self.sha256 is not None
                and (self.expires is None or self.expires > now))


_COLS = (pictures.c.id, pictures.c.uri, pictures.c.state, pictures.c.agency, pictures.c.sha256,
         pictures.c.width, pictures.c.height, pictures.c.mime, pictures.c.headline,
         pictures.c.caption, pictures.c.alt, pictures.c.by, pictures.c.creditline,
         pictures.c.copyrightholder, pictures.c.copyrightnotice, pictures.c.usageterms,
         pictures.c.expires, pictures.c.gone_at, pictures.c.gone_reason)


def _shown_clause(now: datetime) -> Any:
    return and_(pictures.c.state == "live", pictures.c.sha256.is_not(None),
                or_(pictures.c.expires.is_(None), pictures.c.expires > now))


def _record(row: Any) -> PictureRecord:
    values = {col.name: getattr(row, col.name) for col in _COLS}
    return PictureRecord(**values, role=getattr(row, "role", None),
                         position=getattr(row, "position", 0) or 0,
                         story_id=getattr(row, "story_id", None))


class PictureStore:
    """Reads, and the renditions' cache; the desk's writes are the functions below."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def get(self, picture_id: int) -> PictureRecord | None:
        if not 0 < picture_id <= 2**31 - 1:
            return None
        with self.engine.connect() as c:
            row = c.execute(select(*_COLS).where(pictures.c.id == picture_id)).first()
        return _record(row) if row else None

    def by_uri(self, uri: str) -> PictureRecord | None:
        with self.engine.connect() as c:
            row = c.execute(select(*_COLS).where(pictures.c.uri == uri)).first()
        return _record(row) if row else None

    def has_bytes(self, uri: str) -> bool:
        """Is this picture kept with its bytes (or gone for good)? Then nothing is fetched."""
        with self.engine.connect() as c:
            row = c.execute(select(pictures.c.state, pictures.c.sha256)
                            .where(pictures.c.uri == uri)).first()
        return row is not None and (row.sha256 is not None or row.state == "gone")

    def applied(self, shas: Iterable[str]) -> set[str]:
        """Which of these raw SHA-256s are versions we already hold (the desk will answer
        "unchanged" for them and link nothing: their pictures need no fetch)."""
        wanted = list(dict.fromkeys(shas))
        if not wanted:
            return set()
        with self.engine.connect() as c:
            return set(c.execute(select(versions.c.raw_sha256).distinct()
                                 .where(versions.c.raw_sha256.in_(wanted))).scalars())

    def shown(self, story_id: int, now: datetime) -> list[PictureRecord]:
        """The story's pictures a reader may see now, lead first (the story's own
        visibility is the caller's: the article page has already asked)."""
        return self.shown_many([story_id], now).get(story_id, [])

    def shown_many(self, story_ids: Iterable[int], now: datetime
                   ) -> dict[int, list[PictureRecord]]:
        ids = list(story_ids)
        if not ids:
            return {}
        query = (select(*_COLS, story_pictures.c.role, story_pictures.c.position,
                        story_pictures.c.story_id)
                 .join(story_pictures, story_pictures.c.picture_id == pictures.c.id)
                 .where(story_pictures.c.story_id.in_(ids), _shown_clause(now))
                 .order_by(story_pictures.c.story_id, story_pictures.c.position))
        found: dict[int, list[PictureRecord]] = {}
        with self.engine.connect() as c:
            for row in c.execute(query):
                found.setdefault(row.story_id, []).append(_record(row))
        return found

    def showing(self, picture_id: int, now: datetime) -> list[tuple[int, datetime]]:
        """The stories a reader may see now that show this picture: (id, licence end)."""
        query = (select(stories.c.id, stories.c.ends_at)
                 .join(story_pictures, story_pictures.c.story_id == stories.c.id)
                 .where(story_pictures.c.picture_id == picture_id, visible_clause(now))
                 .order_by(stories.c.id))
        with self.engine.connect() as c:
            return [(row.id, row.ends_at) for row in c.execute(query)]

    def original(self, sha256: str) -> bytes | None:
        with self.engine.connect() as c:
            return c.execute(select(picture_bytes.c.data)
                             .where(picture_bytes.c.sha256 == sha256)).scalar()

    def rendition(self, sha256: str, width: int, fmt: str) -> tuple[bytes, int] | None:
        with self.engine.connect() as c:
            row = c.execute(select(picture_renditions.c.data, picture_renditions.c.height)
                            .where(picture_renditions.c.sha256 == sha256,
                                   picture_renditions.c.width == width,
                                   picture_renditions.c.format == fmt)).first()
        return (row.data, row.height) if row else None

    def keep_rendition(self, sha256: str, width: int, fmt: str, data: bytes, height: int) -> bool:
        """Keep a rendition made on request; False when the bytes went meanwhile (a kill
        between the read and the write) and nothing was kept. Two nodes making the same
        one at once: the first kept wins, the second changes nothing."""
        with self.engine.begin() as c:
            if c.execute(select(picture_bytes.c.sha256)
                         .where(picture_bytes.c.sha256 == sha256)).first() is None:
                return False
            _insert_ignore(c, picture_renditions, ["sha256", "width", "format"],
                           {"sha256": sha256, "width": width, "format": fmt, "height": height,
                            "data": data})
        return True

    def next_expiry(self, now: datetime) -> datetime | None:
        with self.engine.connect() as c:
            return next_expiry(c, now)

    def counts(self) -> dict[str, int]:
        with self.engine.connect() as c:
            rows = c.execute(select(pictures.c.state, func.count()).group_by(pictures.c.state))
            return {state: int(n) for state, n in rows}


def next_expiry(c: Connection, now: datetime) -> datetime | None:
    """When the next live picture's licence ends (a page showing it changes then)."""
    return c.execute(select(func.min(pictures.c.expires)).where(
        pictures.c.state == "live", pictures.c.expires > now)).scalar()


# --- writes, inside the desk's transaction ----------------------------------------------------

def link(w: Writer, story_id: int, story_pictures_: Iterable[Picture],
         got: Mapping[str, PictureBytes], *, source: str, agency: str | None,
         now: datetime) -> list[int]:
    """Make these (the story's pictures, lead first) the pictures the story shows. A picture
    with neither bytes fetched now nor bytes kept from before is not linked; nor is one gone
    (killed or expired: it never comes back). Pictures the story no longer shows, and no
    other story uses, go. Returns the ids linked."""
    c = w.c
    w.flush()
    before = set(c.execute(select(story_pictures.c.picture_id)
                           .where(story_pictures.c.story_id == story_id)).scalars())
    c.execute(delete(story_pictures).where(story_pictures.c.story_id == story_id))
    linked: list[int] = []
    for picture in story_pictures_:
        picture_id = _upsert(c, picture, got.get(picture.uri), source=source, agency=agency,
                             now=now)
        if picture_id is None or picture_id in linked:
            continue
        c.execute(insert(story_pictures).values(story_id=story_id, picture_id=picture_id,
                                                role=(picture.role or "")[:40] or None,
                                                position=len(linked)))
        linked.append(picture_id)
    if before - set(linked):
        release(w, sorted(before - set(linked)), now=now)
    return linked


def item(w: Writer, picture: Picture, got: PictureBytes | None, *, source: str,
         agency: str | None, now: datetime) -> int | None:
    """A picture item that came alone: its fields (and bytes) are kept; it is shown only
    by the stories that name it."""
    w.flush()
    return _upsert(w.c, picture, got, source=source, agency=agency, now=now)


def _upsert(c: Connection, picture: Picture, got: PictureBytes | None, *, source: str,
            agency: str | None, now: datetime) -> int | None:
    """The picture's id, its row made or brought up to date; None when it is gone or has no
    bytes to show."""
    row = c.execute(select(pictures.c.id, pictures.c.state, pictures.c.sha256)
                    .where(pictures.c.uri == picture.uri).with_for_update()).first()
    if row is not None and row.state == "gone":
        return None
    fields = _fields(picture)
    if got is not None:
        _insert_ignore(c, picture_bytes, ["sha256"], {
            "sha256": got.sha256, "data": got.data, "size": len(got.data), "mime": got.mime,
            "width": got.width, "height": got.height})
        fields.update(sha256=got.sha256, width=got.width, height=got.height, mime=got.mime)
    if row is None:
        values = {"uri": picture.uri[:500], "source": source, "agency": agency, "state": "live",
                  "created_at": now, "updated_at": now, **fields}
        picture_id = c.execute(_builder(c)(pictures).values(**values)
                               .on_conflict_do_nothing(index_elements=["uri"])
                               .returning(pictures.c.id)).scalar()
        if picture_id is not None:
            return picture_id if got is not None else None
        # A concurrent delivery made it first (PostgreSQL): bring that row up to date.
        row = c.execute(select(pictures.c.id, pictures.c.state, pictures.c.sha256)
                        .where(pictures.c.uri == picture.uri).with_for_update()).one()
        if row.state == "gone":
            return None
    c.execute(update(pictures).where(pictures.c.id == row.id).values(updated_at=now, **fields))
    return row.id if (got is not None or row.sha256 is not None) else None


def _fields(picture: Picture) -> dict[str, Any]:
    """The agency's fields, those it gave (an update that omits one keeps the old)."""
    values = {
        "headline": picture.headline, "caption": picture.caption, "alt": picture.alt,
        "by": _cut(picture.by, 300), "creditline": _cut(picture.creditline, 300),
        "copyrightholder": _cut(picture.copyrightholder, 300),
        "copyrightnotice": picture.copyrightnotice, "usageterms": picture.usageterms,
        "expires": picture.expires,
    }
    return {key: value for key, value in values.items() if value is not None}


def _cut(value: str | None, limit: int) -> str | None:
    return value[:limit] if value else value


def owner(w: Writer, uri: str) -> tuple[str, str | None] | None:
    """(source, agency) of a picture we keep, or None."""
    row = w.c.execute(select(pictures.c.source, pictures.c.agency)
                      .where(pictures.c.uri == uri)).first()
    return (row.source, row.agency) if row else None


def kill(w: Writer, picture: Picture, *, source: str, agency: str | None, reason: str,
         now: datetime) -> int:
    """The agency's kill of a picture item: gone from every story that shows it. A kill of
    a picture we never had is recorded, so the picture is refused if it comes later."""
    w.flush()
    c = w.c
    picture_id = c.execute(select(pictures.c.id).where(pictures.c.uri == picture.uri)).scalar()
    if picture_id is None:
        picture_id = c.execute(insert(pictures).values(
            uri=picture.uri[:500], source=source, agency=agency, state="gone", created_at=now,
            updated_at=now, gone_at=now, gone_reason=reason).returning(pictures.c.id)).scalar_one()
        return picture_id
    gone(w, [picture_id], reason=reason, now=now)
    return picture_id


def release(w: Writer, picture_ids: list[int], *, now: datetime) -> None:
    """These pictures go unless a story not taken down still shows them."""
    if not picture_ids:
        return
    used = set(w.c.execute(
        select(story_pictures.c.picture_id)
        .join(stories, stories.c.id == story_pictures.c.story_id)
        .where(story_pictures.c.picture_id.in_(picture_ids), stories.c.state != "takendown")
    ).scalars())
    gone(w, [p for p in picture_ids if p not in used], reason="story", now=now)


def stories_gone(w: Writer, story_ids: list[int], *, now: datetime) -> None:
    """Called as stories are taken down: their pictures go with them unless another story
    that is not taken down uses them."""
    ids = list(w.c.execute(select(story_pictures.c.picture_id).distinct()
                           .where(story_pictures.c.story_id.in_(story_ids))).scalars())
    release(w, ids, now=now)


def expire(w: Writer, now: datetime, limit: int = 500) -> int:
    """The clock: pictures whose licence ended go. Returns how many."""
    w.flush()
    due = list(w.c.execute(select(pictures.c.id).where(
        pictures.c.state == "live", pictures.c.expires <= now).limit(limit)).scalars())
    gone(w, due, reason="expired", now=now)
    return len(due)


def gone(w: Writer, picture_ids: list[int], *, reason: str, now: datetime) -> None:
    """Take pictures off every surface: state gone, bytes and renditions purged (unless
    another live picture row holds the same bytes), and every live story that showed them
    written as an update, so its pages are rendered again without them."""
    c = w.c
    ids = list(c.execute(select(pictures.c.id).where(
        pictures.c.id.in_(picture_ids), pictures.c.state != "gone")).scalars())
    if not ids:
        return
    shas = [s for s in c.execute(select(pictures.c.sha256).distinct().where(
        pictures.c.id.in_(ids), pictures.c.sha256.is_not(None))).scalars()]
    c.execute(update(pictures).where(pictures.c.id.in_(ids)).values(
        state="gone", sha256=None, gone_at=now, gone_reason=reason, updated_at=now))
    if shas:
        still = exists().where(pictures.c.sha256 == picture_bytes.c.sha256)
        c.execute(delete(picture_bytes).where(picture_bytes.c.sha256.in_(shas), ~still))
        c.execute(delete(picture_renditions).where(
            picture_renditions.c.sha256.in_(shas),
            ~exists().where(picture_bytes.c.sha256 == picture_renditions.c.sha256)))
    shown_by = c.execute(
        select(stories.c.id, stories.c.uri, stories.c.agency, stories.c.urgency)
        .join(story_pictures, story_pictures.c.story_id == stories.c.id)
        .where(story_pictures.c.picture_id.in_(ids), stories.c.state == "live").distinct()
    ).all()
    _updated(w, shown_by)
    w.changes.pictures_gone += ids
    w.changed = True


def head_sha256(w: Writer, version_id: int) -> str | None:
    """The raw bytes' SHA-256 of a version (a story's head)."""
    return w.c.execute(select(versions.c.raw_sha256).where(versions.c.id == version_id)).scalar()


def story_changed(w: Writer, story_id: int) -> None:
    """A story whose pictures changed without a new version (their bytes came after it):
    if live, written as an update, so its pages are rendered again with them."""
    rows = w.c.execute(select(stories.c.id, stories.c.uri, stories.c.agency, stories.c.urgency)
                       .where(stories.c.id == story_id, stories.c.state == "live")).all()
    _updated(w, rows)
    w.changed = w.changed or bool(rows)


def _updated(w: Writer, rows: Iterable[Any]) -> None:
    for row in rows:
        w.changes.updated.append((row.id, row.agency))
        w.events.append({"kind": "update", "story_id": row.id, "uri": row.uri,
                         "agency": row.agency, "urgency": row.urgency})


def _builder(c: Connection) -> Any:
    return postgresql.insert if c.dialect.name == "postgresql" else sqlite.insert


def _insert_ignore(c: Connection, table: Any, keys: list[str], values: dict[str, Any]) -> None:
    c.execute(_builder(c)(table).on_conflict_do_nothing(index_elements=keys).values(**values))
