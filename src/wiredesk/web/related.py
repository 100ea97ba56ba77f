"""Links between stories on one event: "Also reported by" other agencies, "Earlier on this
story" from the same agency, and the front page's grouping of a cluster under its lead.

Only links, never words of one agency beside another's: each story stays verbatim on its own
page. Every member comes from a read that checks visibility now (store/clusters.py), and a
page's Surrogate-Keys name every story it links to, so a takedown purges the pages that
linked to the killed story as well as its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from wiredesk.store import ClusterMember, Store, StoryRecord

EARLIER_SHOWN = 10  # a running story can gather hundreds of takes: the newest ten are linked


@dataclass(frozen=True, slots=True)
class Related:
    cluster_id: int | None = None
    also: list[ClusterMember] = field(default_factory=list)  # other agencies, newest each
    earlier: list[ClusterMember] = field(default_factory=list)  # same agency, before this

    @property
    def keys(self) -> list[str]:
        return [f"story-{m.id}" for m in (*self.also, *self.earlier)]


@dataclass(frozen=True, slots=True)
class Lead:
    """A front-page entry: the newest story of its cluster and the other agencies' stories."""

    record: StoryRecord
    also: list[ClusterMember] = field(default_factory=list)


def _other_agencies(members: list[ClusterMember], agency: str | None) -> list[ClusterMember]:
    """The newest story of each other agency (members come newest first)."""
    seen: dict[str, ClusterMember] = {}
    for member in members:
        name = member.agency or ""
        if name and name != (agency or "") and name not in seen:
            seen[name] = member
    return sorted(seen.values(), key=lambda m: (m.agency or "").lower())


def for_article(store: Store, record: StoryRecord, now: datetime) -> Related:
    members = store.clusters.around([record.id], now).get(record.id, [])
    if not members:
        return Related()
    agency = record.story.agency
    earlier = [m for m in members if m.id != record.id and m.agency == agency
               and (m.firstcreated, m.id) < (record.firstcreated, record.id)][:EARLIER_SHOWN]
    return Related(members[0].cluster_id, _other_agencies(members, agency), earlier)


def group_front(store: Store, records: list[StoryRecord], now: datetime,
                ) -> tuple[list[Lead], list[str]]:
    """The page's stories, each cluster once under its newest visible member; a story whose
    cluster has a newer member is left out here (it is linked under that lead, on this page or
    an earlier one). Also the Surrogate-Keys of every story linked."""
    around = store.clusters.around([r.id for r in records], now)
    leads: list[Lead] = []
    keys: list[str] = []
    for record in records:
        members = around.get(record.id, [])
        if members and members[0].id != record.id:
            keys.append(f"story-{members[0].id}")  # its lead: a takedown brings it back here
            continue
        also = _other_agencies(members, record.story.agency)
        keys += [f"story-{m.id}" for m in members]
        leads.append(Lead(record, also))
    return leads, keys
