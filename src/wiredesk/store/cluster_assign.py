"""Event clusters, written: a delivery's stories put in their clusters in a few statements.

`assign_many` places the stories of one batch in order, each as if the ones before it were
already stored: a story sees the stored stories and the batch's earlier ones alike. The
Writer hands it the transaction's new stories when it flushes (store/writes.py), so a file of
500 stories costs one band lookup (PostgreSQL; SQLite a few, each a seek per band), one
read of the candidates' kept features and two inserts, not three statements a story.

Candidates are the stories sharing most LSH bands with a newcomer, within the window. A band
is read newest first and at most NEWEST_A_BAND rows deep: a band shared by thousands of
stories (templated copy: market reports, results, the same figures in every item) would
otherwise make every lookup read all of them, and ingest slow down with every story stored
(each new story paid for all before it). The newest sharers of a crowded band are the ones
a newcomer's event continues, so the verdicts on the labelled pairs are the same
(tests/test_clusters.py); what is given up is an old story found through a crowded band
alone, past its NEWEST_A_BAND newer sharers.

Bands are read once a batch over the window of the whole batch; a story whose own window
would have reached deeper in a band than that read went (a batch spanning more than the
window) has that band read again for it alone, so the answer is what the story's own lookup
would have been.
"""

from __future__ import annotations

import bisect
import heapq
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, DateTime, Integer, bindparam, delete, select, text

from wiredesk import clustering
from wiredesk.store import bulk
from wiredesk.store.bulk import int_array
from wiredesk.store.schema import UTCDateTime, cluster_bands, story_clusters
from wiredesk.story import Story

CANDIDATES = 12  # the stories sharing most bands are checked; the rest share too little
NEWEST_A_BAND = 2 * CANDIDATES  # rows read a band, newest first (see the module's note)
_SQLITE_CHUNK = 300  # bands a statement on SQLite: a UNION ALL of limited seeks (max 500)
_IDS = bindparam("ids", expanding=True)
_CURRENT = select(story_clusters.c.story_id, story_clusters.c.cluster_id).where(
    story_clusters.c.story_id.in_(_IDS))
_BY_SLUG = (select(story_clusters.c.story_id, story_clusters.c.at, story_clusters.c.cluster_id,
                   story_clusters.c.features)
            .where(story_clusters.c.agency == bindparam("agency"),
                   story_clusters.c.slug == bindparam("slug"),
                   story_clusters.c.at >= bindparam("lo"), story_clusters.c.at <= bindparam("hi"),
                   story_clusters.c.story_id != bindparam("sid"))
            .order_by(story_clusters.c.at.desc()).limit(5))
_KEPT = select(story_clusters.c.story_id, story_clusters.c.cluster_id,
               story_clusters.c.features).where(story_clusters.c.story_id.in_(_IDS))
# Each band's number is mixed in: never two rows alike.
# A story's time and id go once, not once a band: :n is each band's story (1-based), joined
# to the stories' arrays (a subscript, (CAST(:ats AS timestamptz[]))[n], cost the server
# three times as much: the array was taken apart again for every row). In band order, the
# index's pages are each visited once.
# Run at the driver: the times in binary (store/bulk.py).
_INSERT_BANDS_PG = (
    "INSERT INTO cluster_bands (band, at, story_id) SELECT u.band, s.at, s.id "
    "FROM unnest(CAST(%(bands)s AS bigint[]), CAST(%(n)s AS int[])) AS u(band, n) "
    "JOIN unnest(CAST(%(ats)b AS timestamptz[]), CAST(%(ids)b AS int[])) WITH ORDINALITY "
    "AS s(at, id, n) USING (n) ORDER BY u.band")
_AT = UTCDateTime()
_DROP = delete(story_clusters).where(story_clusters.c.story_id.in_(_IDS))
_DROP_BANDS = delete(cluster_bands).where(
    cluster_bands.c.band.in_(bindparam("bands", expanding=True)),
    cluster_bands.c.story_id.in_(_IDS))
_LEAVE_BATCH = 200  # stories a statement: 3,200 bands, well under every driver's limit
# PostgreSQL: every band's newest rows in one statement, a seek a band (LATERAL).
# A band's window is one of the few in :los and :his (:w, 1-based: a batch-wide read has one),
# so the times go once each; q.n numbers the bands from 1.
_NEWEST_PG = text(
    "SELECT q.n, b.story_id, b.at FROM unnest(CAST(:bands AS bigint[]), CAST(:w AS int[])) "
    "WITH ORDINALITY AS q(band, w, n) JOIN unnest(CAST(:los AS timestamptz[]), "
    "CAST(:his AS timestamptz[])) WITH ORDINALITY AS t(lo, hi, w) USING (w) "
    "CROSS JOIN LATERAL (SELECT story_id, at FROM cluster_bands WHERE band = q.band "
    "AND at >= t.lo AND at <= t.hi ORDER BY at DESC LIMIT :k) AS b"
).columns(n=Integer, story_id=Integer, at=DateTime(timezone=True))  # aware from psycopg
_newest_sqlite: dict[tuple[int, bool], str] = {}

# Times in _near are "time keys": on PostgreSQL the datetimes psycopg gives, on SQLite the text
# the column stores (UTC ISO with a space, as sqlite3's adapter writes it: no fraction when the
# microseconds are 0, which still sorts as the times do): the band rows'
# times are compared as read, never converted a row at a time (a third of _near's cost).
TimeKey = Any
Key = tuple[int, TimeKey, TimeKey]  # a band and the window it is read in
Row = tuple[TimeKey, int]  # a band row: when its story was published, the story


@dataclass(slots=True)
class _Item:
    story_id: int
    story: Story
    at: datetime
    lo: datetime
    hi: datetime
    found: clustering.Features
    bands: list[int]
    slug: str | None


def assign(c: Connection, story_id: int, story: Story, *, at: datetime, fresh: bool) -> int:
    """Put a live story in its event's cluster (a new one of its own when none fits); the
    cluster's id. `at` is when the story was first published; `fresh`: made in this
    transaction, so it has no rows yet."""
    return assign_many(c, [(story_id, story, at)], fresh=fresh)[0]


def assign_many(c: Connection, items: Sequence[tuple[int, Story, datetime]], *,
                fresh: bool = True) -> list[int]:
    """`assign` for each (story id, story, first published) in order, in a few statements;
    each story's cluster id. With `fresh=False` the stories' old rows go first."""
    if not items:
        return []
    todo = [_item(sid, story, at) for sid, story, at in items]
    current: dict[int, int] = {}
    if not fresh:
        ids = [item.story_id for item in todo]
        current = {r.story_id: r.cluster_id for r in c.execute(_CURRENT, {"ids": ids})}
        leave(c, ids)
    near = _near(c, todo)
    ours = {item.story_id for item in todo}
    kept = _kept(c, {sid for ids in near for sid in ids} - ours)
    made: dict[int, tuple[int, clustering.Features]] = {}  # the batch's, assigned so far
    out = []
    for n, item in enumerate(todo):
        cluster = None
        if item.slug and item.story.agency and item.bands:  # the agency's own word that
            # this continues a story (believed only with keys shared: none without bands)
            cluster = _by_slug(c, item, todo[:n], made)
        if cluster is None:
            cluster = _best(item.found, [made.get(sid) or kept[sid] for sid in near[n]
                                         if sid in made or sid in kept],
                            current.get(item.story_id))
        if cluster is None:
            cluster = item.story_id  # the first story of an event names its cluster
        made[item.story_id] = (cluster, item.found)
        out.append(cluster)
    bulk.append(c, story_clusters, [{"story_id": item.story_id, "cluster_id": cluster,
                         "agency": (item.story.agency or "")[:100] or None, "slug": item.slug,
                         "at": item.at, "features": clustering.pack(item.found)}
                        for item, cluster in zip(todo, out, strict=True)])
    _insert_bands(c, todo)
    return out


def _insert_bands(c: Connection, todo: list[_Item]) -> None:
    """BANDS rows a story, all sharing its time: the time is converted once a story and the
    rows go straight to the driver (PostgreSQL: one INSERT from arrays, not a row a time;
    the bands as one array literal, which psycopg passes on as it is, where it adapts a
    list's 8,000 numbers one by one)."""
    todo = [item for item in todo if item.bands]
    if not todo:
        return
    stored = _AT.bind_processor(c.dialect)
    if c.dialect.name == "postgresql":
        c.exec_driver_sql(_INSERT_BANDS_PG, {
            "bands": int_array([band for item in todo for band in item.bands]),
            "n": int_array([n for n, item in enumerate(todo, 1) for _ in item.bands]),
            "ats": [stored(item.at) if stored is not None else item.at for item in todo],
            "ids": [item.story_id for item in todo]})
        return
    rows = []
    key = _time_key(c)  # the text sqlite3's adapter would write, made once a story
    for item in todo:
        at = key(item.at)
        rows += [(band, at, item.story_id) for band in item.bands]
    rows.sort(key=itemgetter(0))  # in the index's order: each of its pages visited once
    c.exec_driver_sql("INSERT INTO cluster_bands (band, at, story_id) VALUES (?, ?, ?)", rows)


def leave(c: Connection, story_ids: list[int]) -> None:
    """Take stories out of their clusters (a takedown, or a story no longer live). Their band
    rows are found by band, the bands made again from the features kept with each story."""
    if not story_ids:
        return
    rows = c.execute(_KEPT, {"ids": story_ids}).all()
    for first in range(0, len(rows), _LEAVE_BATCH):
        batch = rows[first:first + _LEAVE_BATCH]
        bands = [band for row in batch
                 for band in clustering.feature_bands(clustering.unpack(row.features))]
        c.execute(_DROP_BANDS, {"bands": bands, "ids": [row.story_id for row in batch]})
    c.execute(_DROP, {"ids": story_ids})


def _item(story_id: int, story: Story, at: datetime) -> _Item:
    found = clustering.features(story.headline, story.body.text, located=story.located)
    # A story with fewer keys than a verdict needs (clustering.shares_keys) can join no other
    # and none can join it: it has no candidates and leaves no band rows for others to read
    # (a flash without names, copy in a script without capitals): its BANDS seeks and rows
    # would be work for no verdict.
    joinable = len(found.keys) >= clustering.MIN_SHARED_KEYS
    return _Item(story_id, story, at, at - clustering.WINDOW, at + clustering.WINDOW, found,
                 clustering.feature_bands(found) if joinable else [],
                 clustering.agency_keys([story.slugline]))


def _best(found: clustering.Features, candidates: list[tuple[int, clustering.Features]],
          current: int | None) -> int | None:
    best: tuple[float, int] | None = None
    for cluster_id, other in candidates:
        if not clustering.shares_keys(found, other):
            continue
        score = clustering.similarity(found, other)
        if score < clustering.THRESHOLD:  # same_event, without the overlap counted twice
            continue
        score += 1.0 if cluster_id == current else 0.0
        if best is None or score > best[0]:
            best = (score, cluster_id)
    return best[1] if best else None


def _by_slug(c: Connection, item: _Item, before: list[_Item],
             made: dict[int, tuple[int, clustering.Features]]) -> int | None:
    """The newest of the same agency's stories with this slugline in the window (stored or
    earlier in the batch) that shares names or figures: agencies reuse sluglines
    (QUAKE-JAPAN/ for every quake there), so the key alone is not believed."""
    agency = (item.story.agency or "")[:100]
    found: list[tuple[datetime, int, int, clustering.Features]] = [
        (r.at, r.story_id, r.cluster_id, clustering.unpack(r.features))
        for r in c.execute(_BY_SLUG, {"agency": agency, "slug": item.slug, "lo": item.lo,
                                      "hi": item.hi, "sid": item.story_id})]
    found += [(b.at, b.story_id, *made[b.story_id]) for b in before
              if b.slug == item.slug and (b.story.agency or "")[:100] == agency
              and item.lo <= b.at <= item.hi and b.story_id != item.story_id]
    for _, _, cluster, features in sorted(found, key=lambda f: (f[0], f[1]), reverse=True)[:5]:
        if clustering.shares_keys(item.found, features):
            return cluster
    return None


def _near(c: Connection, todo: list[_Item]) -> list[list[int]]:
    """Each item's candidates: the CANDIDATES stories sharing most of its bands among each
    band's NEWEST_A_BAND newest rows in its window, stored or earlier in the batch (more
    bands first, then the newer id, as one query per story would rank them)."""
    key = _time_key(c)
    windows = [(key(item.lo), key(item.hi), key(item.at)) for item in todo]
    lo, hi = min(w[0] for w in windows), max(w[1] for w in windows)
    # By band alone: one window for all, and a key of two times costs a hash of each.
    wide = {k[0]: rows for k, rows in _newest(
        c, [(band, lo, hi) for band in {b for item in todo for b in item.bands}]).items()}
    own: dict[Key, list[Row]] = {}  # bands read again in one item's own window
    deep = [(band, w[0], w[1]) for item, w in zip(todo, windows, strict=True)
            for band in item.bands if not _enough(wide[band], w)]
    if deep:
        own = _newest(c, list(dict.fromkeys(deep)))
    batch: dict[int, list[Row]] = {}  # band -> the batch's earlier rows, oldest first
    out = []
    for item, w in zip(todo, windows, strict=True):
        found: list[Row] = []
        for band in item.bands:
            rows = (own and own.get((band, w[0], w[1]))) or _within(wide[band], w)
            ours = batch.get(band)
            if ours:
                mine = _within(ours, w)
                # Both lists are in order; the batch's rows usually all follow the stored
                # ones, and then joining them is the merge (no sort, 16 times a story).
                rows = (rows + mine if not rows or not mine or mine[0] > rows[-1]
                        else sorted(rows + mine))[-NEWEST_A_BAND:]
            found += rows
        hits = Counter([sid for _, sid in found])
        hits.pop(item.story_id, None)
        # The same as sorting them all, most shared bands (then newest id) first.
        ranked = heapq.nlargest(CANDIDATES, [(n, sid) for sid, n in hits.items()])
        out.append([sid for _, sid in ranked])
        for band in item.bands:
            bisect.insort(batch.setdefault(band, []), (w[2], item.story_id))
    return out


def _time_key(c: Connection) -> Callable[[datetime], TimeKey]:
    """A time as the band rows' times are read on this database (see TimeKey)."""
    if c.dialect.name == "postgresql":
        return lambda at: at
    stored = _AT.bind_processor(c.dialect)
    assert stored is not None
    # The text sqlite3 writes for the naive UTC datetime _insert_bands binds (its adapter).
    return lambda at: stored(at).isoformat(" ")


def _within(rows: list[Row], window: tuple[TimeKey, TimeKey, TimeKey]) -> list[Row]:
    """The newest NEWEST_A_BAND of rows (oldest first) in the window (lo, hi, _)."""
    lo, hi = window[0], window[1]
    if not rows or (lo <= rows[0][0] and rows[-1][0] <= hi):
        return rows[-NEWEST_A_BAND:]  # all in the window (the usual case): no searching
    top = bisect.bisect_right(rows, (hi, 2**63))
    bottom = bisect.bisect_left(rows, (lo, -1))
    return rows[max(bottom, top - NEWEST_A_BAND):top]


def _enough(rows: list[Row], window: tuple[TimeKey, TimeKey, TimeKey]) -> bool:
    """Did the batch-wide read reach as deep as the item's own would have? Yes if the read
    was not cut short, or none of its rows fall outside the window."""
    return len(rows) < NEWEST_A_BAND or (window[0] <= rows[0][0] and rows[-1][0] <= window[1])


def _newest(c: Connection, keys: list[Key]) -> dict[Key, list[Row]]:
    """Each band's NEWEST_A_BAND newest rows in its window, oldest first."""
    out: dict[Key, list[Row]] = {key: [] for key in keys}
    if not keys:
        return out
    if c.dialect.name == "postgresql":
        windows = list(dict.fromkeys(k[1:] for k in keys))
        number = {window: n for n, window in enumerate(windows, 1)}
        stored = _AT.bind_processor(c.dialect)
        found = c.execute(_NEWEST_PG, {
            "bands": int_array([k[0] for k in keys]),
            "w": int_array([number[k[1:]] for k in keys]),
            "los": [stored(w[0]) if stored else w[0] for w in windows],
            "his": [stored(w[1]) if stored else w[1] for w in windows], "k": NEWEST_A_BAND})
        for n, story_id, at in found:
            out[keys[n - 1]].append((at, story_id))
    else:
        for first in range(0, len(keys), _SQLITE_CHUNK):
            chunk = keys[first:first + _SQLITE_CHUNK]
            # One window for all (a batch-wide read) binds two times, not two a band.
            shared = all(k[1:] == chunk[0][1:] for k in chunk)
            params: dict[str, object] = {"lo": chunk[0][1], "hi": chunk[0][2]} if shared else {}
            for n, (band, lo, hi) in enumerate(chunk):
                params[f"b{n}"] = band
                if not shared:
                    params.update({f"lo{n}": lo, f"hi{n}": hi})
            # Straight to the driver: the times stay the text they are stored as (TimeKey).
            for n, story_id, at in c.exec_driver_sql(_sqlite_newest(len(chunk), shared),
                                                     params).fetchall():
                out[chunk[n]].append((at, story_id))
    for rows in out.values():
        rows.sort()
    return out


def _sqlite_newest(size: int, shared: bool) -> str:
    """A UNION ALL of `size` limited seeks, each reading the covering band index backwards;
    `shared`: one window (:lo, :hi) for all, given as stored text (TimeKey)."""
    statement = _newest_sqlite.get((size, shared))
    if statement is None:
        names = [("lo", "hi") if shared else (f"lo{n}", f"hi{n}") for n in range(size)]
        # Only numbers and parameter names are put in the text: nothing from outside.
        sql = " UNION ALL ".join(
            f"SELECT {n} AS n, story_id, at FROM (SELECT story_id, at FROM cluster_bands "  # noqa: S608
            f"WHERE band = :b{n} AND at >= :{lo} AND at <= :{hi} ORDER BY at DESC "
            f"LIMIT {NEWEST_A_BAND})" for n, (lo, hi) in enumerate(names))
        statement = sql
        _newest_sqlite[(size, shared)] = statement
    return statement


def _kept(c: Connection, ids: set[int]) -> dict[int, tuple[int, clustering.Features]]:
    """The cluster and kept features of stored stories (those with no cluster row: none)."""
    wanted, out = sorted(ids), {}
    for first in range(0, len(wanted), 500):
        for r in c.execute(_KEPT, {"ids": wanted[first:first + 500]}):
            out[r.story_id] = (r.cluster_id, clustering.unpack(r.features))
    return out
