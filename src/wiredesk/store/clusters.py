"""Event clusters in the store: assignment in the delivery's transaction, reads for the site.

`assign` (store/cluster_assign.py) runs inside the Writer's transaction when a story goes
live or changes, so the cost is paid by the delivery, never by a reader. A delivery's new
stories are assigned together when the Writer flushes (`assign_many`): one band lookup for
the lot (the newest rows of each band within the window, in an index that holds the story
id, so no table row is read per match), one read of the candidates' kept features and two
inserts (their rows, their BANDS band rows each); a story with a slugline one query more (the
same agency's stories with that key in the window). An update is assigned at once and also
reads and drops its old rows. Embargoed stories are assigned when delivered too: no reader
sees them, or a link to them, before the embargo lifts, because every read checks visibility.

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

from sqlalchemy import Connection, Engine, bindparam, select

from wiredesk.store.clauses import visible_clause
from wiredesk.store.cluster_assign import CANDIDATES, assign, assign_many, leave
from wiredesk.store.records import ClusterMember
from wiredesk.store.schema import stories, story_clusters

__all__ = ["CANDIDATES", "Clusters", "assign", "assign_many", "leave"]

_IDS = bindparam("ids", expanding=True)
_CURRENT = select(story_clusters.c.cluster_id).where(story_clusters.c.story_id == bindparam("sid"))


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
