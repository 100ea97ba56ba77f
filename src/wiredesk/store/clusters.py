"""Event clusters in the store: assignment in the delivery's transaction, reads for the site.

`assign` runs inside the Writer's transaction when a story goes live or changes (set_head),
so the cost is paid by the delivery, never by a reader. A new story costs one query (the
stories sharing most LSH bands within the window, with their kept features: one seek per
band, in an index that holds the story id, so no table row is read per match) and two
inserts (its row, its BANDS band rows); a story with a slugline one more (the same
agency's stories with that key in the window); an update also reads and drops its
old rows. Embargoed stories are assigned when delivered too: no reader sees them, or a link
to them, before the embargo lifts, because every read checks visibility.

`leave` drops a story's rows in its takedown's transaction. Readers still filter every member
by visibility when they read (clauses.visible_clause), so a licence that ends by time alone,
with no commit yet, leaves the cluster at that moment too. Band rows are found again from the
kept features: a change to clustering's NUM_PERM, BANDS or features needs a migration that
rebuilds them (rows it would miss only cost space: candidates are joined to story_clusters).

Two deliveries of one event committed at the same moment by two processes cannot see each
other and may start two clusters; the next story on the event joins one of them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Connection, Engine, bindparam, delete, func, insert, select

from wiredesk import clustering
from wiredesk.store.clauses import visible_clause
from wiredesk.store.records import ClusterMember
from wiredesk.store.schema import cluster_bands, stories, story_clusters
from wiredesk.story import Story

CANDIDATES = 12  # the stories sharing most bands are checked; the rest share too little

_IDS = bindparam("ids", expanding=True)
# The hot path binds a fixed number of plain parameters: an expanding IN is rendered again
# on every call, which costs more than the query itself.
_BANDS = [bindparam(f"b{n}") for n in range(clustering.BANDS)]
_CURRENT = select(story_clusters.c.cluster_id).where(story_clusters.c.story_id == bindparam("sid"))
_BY_SLUG = (select(story_clusters.c.cluster_id, story_clusters.c.features)
            .where(story_clusters.c.agency == bindparam("agency"),
                   story_clusters.c.slug == bindparam("slug"),
                   story_clusters.c.at >= bindparam("lo"), story_clusters.c.at <= bindparam("hi"),
                   story_clusters.c.story_id != bindparam("sid"))
            .order_by(story_clusters.c.at.desc()).limit(5))
_hits = func.count().label("hits")
_NEAR = (select(cluster_bands.c.story_id)
         .where(cluster_bands.c.band.in_(_BANDS), cluster_bands.c.at >= bindparam("lo"),
                cluster_bands.c.at <= bindparam("hi"), cluster_bands.c.story_id != bindparam("sid"))
         .group_by(cluster_bands.c.story_id).order_by(_hits.desc(), cluster_bands.c.story_id.desc())
         .limit(CANDIDATES))
# The candidates and their features in one statement: the stories sharing most bands.
_CANDIDATES = select(story_clusters.c.story_id, story_clusters.c.cluster_id,
                     story_clusters.c.features).where(story_clusters.c.story_id.in_(_NEAR))
_INSERT = insert(story_clusters)
_INSERT_BANDS = insert(cluster_bands)  # each band's number is mixed in: never two rows alike
_DROP = delete(story_clusters).where(story_clusters.c.story_id.in_(_IDS))
_KEPT = select(story_clusters.c.story_id, story_clusters.c.features).where(
    story_clusters.c.story_id.in_(_IDS))
_DROP_BANDS = delete(cluster_bands).where(
    cluster_bands.c.band.in_(bindparam("bands", expanding=True)),
    cluster_bands.c.story_id.in_(_IDS))
_LEAVE_BATCH = 200  # stories a statement: 3,200 bands, well under every driver's limit


def assign(c: Connection, story_id: int, story: Story, *, at: datetime, fresh: bool) -> int:
    """Put a live story in its event's cluster (a new one of its own when none fits); the
    cluster's id. `at` is when the story was first published; `fresh`: made in this
    transaction, so it has no rows yet."""
    found = clustering.features(story.headline, story.body.text, located=story.located)
    bands = clustering.feature_bands(found)
    slug = clustering.agency_keys([story.slugline])
    window = {"lo": at - clustering.WINDOW, "hi": at + clustering.WINDOW, "sid": story_id}
    current = None if fresh else c.execute(_CURRENT, {"sid": story_id}).scalar()
    cluster = None
    if slug and story.agency:  # the agency's own word that this continues a story it sent
        # Agencies reuse sluglines (QUAKE-JAPAN/ for every quake there): the key is believed
        # when the stories share names or figures too, without the full overlap test.
        for row in c.execute(_BY_SLUG, {**window, "agency": story.agency[:100], "slug": slug}):
            if clustering.shares_keys(found, clustering.unpack(row.features)):
                cluster = row.cluster_id
                break
    if cluster is None:
        cluster = _by_features(c, found, bands, window, current)
    if cluster is None:
        cluster = story_id  # the first story of an event names its cluster
    if not fresh:
        leave(c, [story_id])
    c.execute(_INSERT, {
        "story_id": story_id, "cluster_id": cluster, "agency": (story.agency or "")[:100] or None,
        "slug": slug, "at": at, "features": clustering.pack(found)})
    c.execute(_INSERT_BANDS, [{"band": band, "at": at, "story_id": story_id} for band in bands])
    return cluster


def _by_features(c: Connection, found: clustering.Features, bands: list[int],
                 window: dict[str, object], current: int | None) -> int | None:
    best: tuple[float, int] | None = None
    for row in c.execute(_CANDIDATES,
                         {**window, **{f"b{n}": band for n, band in enumerate(bands)}}):
        other = clustering.unpack(row.features)
        if not clustering.shares_keys(found, other):
            continue
        score = clustering.similarity(found, other)
        if score < clustering.THRESHOLD:  # same_event, without the overlap counted twice
            continue
        score += 1.0 if row.cluster_id == current else 0.0
        if best is None or score > best[0]:
            best = (score, row.cluster_id)
    return best[1] if best else None


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


_MEMBER_COLS = (stories.c.id, stories.c.headline, stories.c.agency, stories.c.urgency,
                stories.c.firstcreated, stories.c.versioncreated, stories.c.ends_at)


def _visible_members(c: Connection, rows: list[tuple[int, int]], now: datetime,
                     ) -> list[ClusterMember]:
    """The visible ones of (story id, cluster id) rows, newest first. Looked up by id: asked
    with the cluster in one query, SQLite would walk every live story instead."""
    if not rows:
        return []
    cluster_of = dict(rows)
    query = (select(*_MEMBER_COLS)
             .where(stories.c.id.in_(list(cluster_of)), visible_clause(now, newest_first=True))
             .order_by(stories.c.versioncreated.desc(), stories.c.id.desc()))
    return [ClusterMember(cluster_of[row.id], *row) for row in c.execute(query)]


class Clusters:
    """What readers see of clusters: only visible members, newest first."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def members(self, cluster_id: int, now: datetime) -> list[ClusterMember]:
        """The visible stories of one cluster, newest version first."""
        query = select(story_clusters.c.story_id, story_clusters.c.cluster_id).where(
            story_clusters.c.cluster_id == cluster_id)
        with self.engine.connect() as c:
            return _visible_members(c, [tuple(r) for r in c.execute(query)], now)

    def around(self, story_ids: Iterable[int], now: datetime) -> dict[int, list[ClusterMember]]:
        """For each given story in a cluster, every visible member of its cluster (itself
        included), newest first: two queries for a whole page of stories."""
        ids = list(story_ids)
        if not ids:
            return {}
        theirs = select(story_clusters.c.cluster_id).where(story_clusters.c.story_id.in_(ids))
        query = select(story_clusters.c.story_id, story_clusters.c.cluster_id).where(
            story_clusters.c.cluster_id.in_(theirs))
        by_cluster: dict[int, list[ClusterMember]] = {}
        with self.engine.connect() as c:
            rows = [tuple(r) for r in c.execute(query)]
            for member in _visible_members(c, rows, now):
                by_cluster.setdefault(member.cluster_id, []).append(member)
        return {m.id: found for found in by_cluster.values() for m in found if m.id in ids}

    def cluster_of(self, story_id: int) -> int | None:
        with self.engine.connect() as c:
            return c.execute(_CURRENT, {"sid": story_id}).scalar()

    def ids(self, story_ids: Iterable[int]) -> dict[int, int]:
        """Each given story's cluster id (stories in none are left out)."""
        query = select(story_clusters.c.story_id, story_clusters.c.cluster_id).where(
            story_clusters.c.story_id.in_(_IDS))
        wanted = list(story_ids)
        if not wanted:
            return {}
        with self.engine.connect() as c:
            return {row.story_id: row.cluster_id for row in c.execute(query, {"ids": wanted})}
