"""The compliance ledger: what each story's agency may audit, kept after the story is purged.

For every story: each version received (the SHA-256 of its exact bytes, format, size,
source, and the agency the parser was given), when readers first saw it and each version
they saw, an embargo's lift, the takedown (why, in precise terms; when it was due: the kill
received, the licence or the agency's `expires` ending, the operator's request; when it was
done, and the seconds between), and every CDN purge the edge answered. No words of a story
(no headline, no body, no agency's or operator's free text): uris, agencies, sources, hashes,
times and reasons only, so it may outlive the licence and nothing prunes or purges it.

Like the story journal (store/journal.py), a Writer collects a transaction's entries
(`Entries`) and `record` writes them just before the commit, in the same transaction as the
change they record: a committed change cannot be missing from the ledger, and a rolled-back
one leaves nothing. Only the edge's answers are written apart (`Ledger.purged`): they are
facts about an HTTP exchange, not about the store.

Times: `at` is the desk's clock (the `now` every write is given). A takedown is done when its
transaction commits: the desk's `now` plus the time the transaction took, so latencies are
right on a test's moved clock as on the wall clock.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, and_, bindparam, func, insert, or_, select

from wiredesk.store import bulk
from wiredesk.store.clauses import visible_clause
from wiredesk.store.ledger_table import ledger
from wiredesk.store.records import LedgerRow, OldestLive, ProvenanceVersion
from wiredesk.store.schema import raws, sources, stories, versions
from wiredesk.times import aware

KINDS = ("received", "shown", "version", "hidden", "embargo_lifted", "takedown", "cdn_purge")
# A takedown's reason, in precise terms (the audit row's `reason` says only killed/expired/removed).
AGENCY_KILL = "agency-kill"
AGENCY_EXPIRY = "agency-expiry"
LICENCE = "licence"
OPERATOR = "operator"
_DAY = 86400.0


class Entries:
    """One transaction's ledger entries, collected by its Writer and written by `record`."""

    __slots__ = ("parsed_with", "rows", "started", "takedowns", "versions")

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.parsed_with: str | None = None  # the agency the delivery's parser was given
        self.rows: list[dict[str, Any]] = []
        self.takedowns: list[dict[str, Any]] = []  # their done_at is known only at commit
        self.versions: dict[int, tuple[str, str, int, str]] = {}  # id: sha, format, size, source

    def received(self, story_id: int, version_id: int, story: Any, *, source: str,
                 sha: str, at: datetime) -> None:
        self.versions[version_id] = (sha, story.format, len(story.raw), source)
        self.rows.append({"at": at, "kind": "received", "story_id": story_id, "uri": story.uri,
                          "agency": story.agency, "source": source, "sha256": sha,
                          "format": story.format[:40], "size": len(story.raw),
                          "parsed_with": self.parsed_with})

    def head(self, story_id: int, version_id: int, story: Any, state: str, was: str | None,
             ends_at: datetime, now: datetime) -> None:
        """A version made the one readers see (or hidden from them)."""
        known = self.versions.get(version_id)  # a version of this transaction: hashed once
        if known is None:
            known = (story.raw_sha256, story.format, len(story.raw), None)
        sha, fmt, size, source = known
        row = {"at": now, "story_id": story_id, "uri": story.uri, "agency": story.agency,
               "source": source, "sha256": sha, "format": fmt[:40], "size": size}
        visible = (state == "live" and ends_at > now
                   and (story.embargoed is None or story.embargoed <= now))
        if visible:
            self.rows.append({**row, "kind": "version" if was == "live" else "shown"})
        elif was == "live":
            self.rows.append({**row, "kind": "hidden", "reason": state})

    def shown_now(self) -> set[int]:
        return {r["story_id"] for r in self.rows if r["kind"] == "shown"}


def lifted(c: Connection, entries: Entries, story_ids: list[int], now: datetime) -> None:
    """Embargoes the clock lifted: readers saw each story from its embargo time (every
    surface checks the time itself), the clock made it permanent at `now`."""
    if not story_ids:
        return
    for r in c.execute(_HEADS, {"ids": story_ids}):
        at = aware(r.embargoed) if r.embargoed is not None else now
        base = {"story_id": r.id, "uri": r.uri, "agency": r.agency, "source": r.source}
        entries.rows.append({**base, "at": at, "kind": "embargo_lifted", "done_at": now,
                             "seconds": max(0.0, (now - at).total_seconds())})
        entries.rows.append({**base, "at": at, "kind": "shown", "sha256": r.raw_sha256,
                             "format": r.format, "size": r.size})


def takedowns(c: Connection, entries: Entries, story_ids: list[int], *, reason: str,
              actor: str | None, now: datetime) -> None:
    """Stories about to be taken down (still in their old state): why, precisely, and when it
    was due. Called before the takedown's UPDATE, in its transaction."""
    seen = {r.story_id for r in c.execute(_SHOWN, {"ids": story_ids})} | entries.shown_now()
    known = {r.story_id for r in c.execute(_KNOWN, {"ids": story_ids})} | {
        r["story_id"] for r in entries.rows if r["kind"] == "received"}
    for r in c.execute(_ABOUT, {"ids": story_ids}):
        ends_at, first = aware(r.ends_at), aware(r.firstcreated)
        row: dict[str, Any] = {"kind": "takedown", "at": now, "story_id": r.id, "uri": r.uri,
                               "agency": r.agency, "source": r.source, "due_at": now,
                               "sha256": r.raw_sha256, "format": r.format}
        if reason == "killed":
            row.update(reason=AGENCY_KILL, actor=(actor or r.agency or "")[:200] or None)
        elif reason == "removed":
            row.update(reason=OPERATOR, actor=(actor or "")[:200] or None)
        else:  # expired: the agency's own `expires`, or the source's licence window
            expires = (r.meta or {}).get("expires")
            row["due_at"] = ends_at
            if expires and aware(expires) <= ends_at:
                row["reason"] = AGENCY_EXPIRY
            else:
                row.update(reason=LICENCE,
                           licence_days=round((ends_at - first).total_seconds() / _DAY))
        # Stories stored before the ledger have no rows: their state says whether they were up.
        row["shown"] = r.id in seen or (r.id not in known and r.state in ("live", "embargoed"))
        entries.takedowns.append(row)


def record(c: Connection, entries: Entries) -> None:
    """Write this transaction's entries; called last, just before the commit."""
    if entries.takedowns:
        took = timedelta(seconds=time.monotonic() - entries.started)
        for row in entries.takedowns:
            done = row["at"] + took
            row.update(done_at=done, seconds=max(0.0, (done - row["due_at"]).total_seconds()))
    rows = entries.rows + entries.takedowns
    bulk.append(c, ledger, [{**_EMPTY, **row} for row in rows])
    entries.rows, entries.takedowns = [], []


_EMPTY = {name: None for name in (
    "agency", "source", "sha256", "format", "size", "parsed_with", "due_at", "done_at",
    "seconds", "reason", "actor", "licence_days", "shown", "answer")}
_IDS = bindparam("ids", expanding=True)
_HEADS = (select(stories.c.id, stories.c.uri, stories.c.agency, stories.c.source,
                 stories.c.embargoed, versions.c.raw_sha256, versions.c.format, raws.c.size)
          .join(versions, versions.c.id == stories.c.head_version_id)
          .outerjoin(raws, raws.c.sha256 == versions.c.raw_sha256)
          .where(stories.c.id.in_(_IDS)))
_ABOUT = (select(stories.c.id, stories.c.uri, stories.c.agency, stories.c.source,
                 stories.c.state, stories.c.ends_at, stories.c.firstcreated, versions.c.meta,
                 versions.c.raw_sha256, versions.c.format)
          .outerjoin(versions, versions.c.id == stories.c.head_version_id)
          .where(stories.c.id.in_(_IDS)).order_by(stories.c.id))
_SHOWN = select(ledger.c.story_id).distinct().where(ledger.c.story_id.in_(_IDS),
                                                    ledger.c.kind == "shown")
_KNOWN = select(ledger.c.story_id).distinct().where(ledger.c.story_id.in_(_IDS),
                                                    ledger.c.kind == "received")


def _row(r: Any) -> LedgerRow:
    return LedgerRow(**r._asdict())


class Ledger:
    """Reads of the ledger, and the edge's answers (the only entries written apart)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def purged(self, gone: Iterable[tuple[int, str, str | None, datetime]], *, ok: bool,
               answer: str, now: datetime) -> int:
        """The edge's answer to a purge of these takedowns, each (story id, uri, agency, when
        the takedown committed): one row a story, with the seconds since its commit."""
        rows = [{**_EMPTY, "at": now, "kind": "cdn_purge", "story_id": story_id, "uri": uri,
                 "agency": agency, "reason": "ok" if ok else "failed", "answer": answer[:300],
                 "seconds": max(0.0, (now - aware(committed)).total_seconds())}
                for story_id, uri, agency, committed in gone]
        if rows:
            with self.engine.begin() as c:
                c.execute(insert(ledger), rows)
        return len(rows)

    def of_story(self, story_id: int) -> list[LedgerRow]:
        with self.engine.connect() as c:
            found = c.execute(select(ledger).where(ledger.c.story_id == story_id)
                              .order_by(ledger.c.id)).all()
        return [_row(r) for r in found]

    def rows(self, agency: str, start: datetime | None = None,
             end: datetime | None = None) -> list[LedgerRow]:
        """Every row of the stories of `agency` (any case) with a row in [start, end)."""
        match = or_(ledger.c.agency == agency, func.lower(ledger.c.agency) == agency.lower())
        window = [match]
        if start is not None:
            window.append(ledger.c.at >= start)
        if end is not None:
            window.append(ledger.c.at < end)
        ids = select(ledger.c.story_id).where(and_(*window)).distinct()
        with self.engine.connect() as c:
            found = c.execute(select(ledger).where(ledger.c.story_id.in_(ids))
                              .order_by(ledger.c.story_id, ledger.c.id)).all()
        return [_row(r) for r in found]

    def agencies(self) -> list[str]:
        """Every agency the ledger names, as it names them."""
        with self.engine.connect() as c:
            found = c.execute(select(ledger.c.agency).distinct()
                              .where(ledger.c.agency.is_not(None))).scalars()
            names = {n.casefold(): n for n in sorted(found)}
        return sorted(names.values(), key=str.casefold)

    def provenance(self, story_id: int) -> list[ProvenanceVersion]:
        """The versions readers could have seen (a ledger row says they were shown) and the
        current one, oldest first: each with the hash of its bytes, format, size, source."""
        with self.engine.connect() as c:
            head = c.execute(select(stories.c.head_version_id)
                             .where(stories.c.id == story_id)).scalar()
            shown = set(c.execute(select(ledger.c.sha256).where(
                ledger.c.story_id == story_id, ledger.c.kind.in_(("shown", "version")))).scalars())
            received = {r.sha256: r for r in c.execute(select(
                ledger.c.sha256, ledger.c.size, ledger.c.parsed_with).where(
                ledger.c.story_id == story_id, ledger.c.kind == "received"))}
            found = c.execute(
                select(versions.c.id, versions.c.raw_sha256, versions.c.format,
                       versions.c.received_at, versions.c.source, versions.c.version,
                       raws.c.size)
                .outerjoin(raws, raws.c.sha256 == versions.c.raw_sha256)
                .where(versions.c.story_id == story_id)
                .order_by(versions.c.received_at, versions.c.id)).all()
        out = []
        for r in found:
            if r.id != head and r.raw_sha256 not in shown:
                continue
            got = received.get(r.raw_sha256)
            size = r.size if r.size is not None else (got.size if got is not None else None)
            out.append(ProvenanceVersion(
                sha256=r.raw_sha256, format=r.format, size=size, received_at=aware(r.received_at),
                source=r.source, version=r.version, current=r.id == head,
                parsed_with=got.parsed_with if got is not None else None))
        return out

    def oldest_live(self, agency: str, now: datetime) -> OldestLive | None:
        """The agency's visible story first published longest ago, with its licence days."""
        match = or_(stories.c.agency == agency, func.lower(stories.c.agency) == agency.lower())
        query = (select(stories.c.id, stories.c.uri, stories.c.firstcreated, stories.c.ends_at,
                        sources.c.licence_days)
                 .outerjoin(sources, sources.c.name == stories.c.source)
                 .where(visible_clause(now), match)
                 .order_by(stories.c.firstcreated, stories.c.id).limit(1))
        with self.engine.connect() as c:
            r = c.execute(query).first()
        if r is None:
            return None
        return OldestLive(r.id, r.uri, aware(r.firstcreated), aware(r.ends_at), r.licence_days)
