"""A delivery's new stories are clustered together when the Writer flushes: the same
clusters as when each story came alone, on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import sys
from datetime import datetime, timedelta

from conftest import ROOT
from wiredesk import desk
from wiredesk.store import Store
from wiredesk.story import Delivery
from wiredesk.terms import Terms

sys.path.insert(0, str(ROOT / "bench"))
import cluster_corpus as corpus  # noqa: E402
from clusters import PAIRS  # noqa: E402


def deliver(store: Store, size: int) -> list[int]:
    """The labelled set in time order, `size` stories a delivery; the story numbers."""
    found, _ = corpus.load(PAIRS)
    order = sorted(found, key=lambda i: found[i]["at"])
    now = max(datetime.fromisoformat(s["at"]) for s in found.values()) + timedelta(hours=1)
    for first in range(0, len(order), size):
        items = [json.loads(corpus.ninjs(found[i], f"urn:corpus:{i}"))
                 for i in order[first:first + size]]
        report = desk.apply(store, Delivery(json.dumps(items).encode(), "bench", f"{first}.json",
                                            now), Terms(licence_days=60))
        assert report.error is None, report.error
    return order


def partition(store: Store, order: list[int]) -> set[frozenset[int]]:
    members: dict[int | None, set[int]] = {}
    for i in order:
        record = store.story_by_uri(f"urn:corpus:{i}")
        assert record is not None
        members.setdefault(store.clusters.cluster_of(record.id), set()).add(i)
    assert None not in members  # every live story is in a cluster
    return {frozenset(found) for found in members.values()}


def test_a_delivery_of_many_stories_clusters_them_as_one_at_a_time(store, tmp_path):
    alone = Store.open(f"sqlite:///{tmp_path}/alone.db")
    try:
        expected = partition(alone, deliver(alone, 1))
    finally:
        alone.close()
    got = partition(store, deliver(store, 97))  # not a divisor: a short last delivery too
    assert any(len(cluster) > 2 for cluster in got)  # the set has events several agencies told
    assert got == expected
