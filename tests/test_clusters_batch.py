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


def test_band_rows_carry_no_foreign_key_and_the_migration_keeps_them(store):
    """Migration 0019 drops the band rows' foreign key (its check cost each of a story's
    BANDS rows a lookup); the rows stay, both ways, and story_clusters keeps its key."""
    from importlib import resources

    from alembic import command
    from alembic.config import Config
    from sqlalchemy import func, inspect, select

    from wiredesk import clustering
    from wiredesk.store.schema import cluster_bands, story_clusters

    order = deliver(store, 200)
    with store.engine.connect() as c:
        rows = c.execute(select(func.count()).select_from(cluster_bands)).scalar()
        kept = c.execute(select(story_clusters.c.features)).scalars().all()
        # BANDS rows a story that could join another (see the next test)
        joinable = sum(len(clustering.unpack(f).keys) >= clustering.MIN_SHARED_KEYS for f in kept)
        assert len(kept) == len(order) and 0 < joinable < len(order)
        assert rows == clustering.BANDS * joinable
        assert inspect(c).get_foreign_keys("cluster_bands") == []
        assert [k["referred_table"] for k in inspect(c).get_foreign_keys("story_clusters")] == [
            "stories"]
    cfg = Config()
    cfg.set_main_option("script_location",
                        str(resources.files("wiredesk.store").joinpath("migrations")))
    for target, keys in (("0018", ["stories"]), ("head", [])):
        with store.engine.connect() as c:
            cfg.attributes["connection"] = c
            (command.downgrade if target == "0018" else command.upgrade)(cfg, target)
            c.commit()
        with store.engine.connect() as c:
            assert [k["referred_table"] for k in inspect(c).get_foreign_keys("cluster_bands")] == keys
            assert c.execute(select(func.count()).select_from(cluster_bands)).scalar() == rows
            names = [i["name"] for i in inspect(c).get_indexes("cluster_bands")]
            assert names == ["ix_cluster_bands_band"]
    assert partition(store, order)  # the clusters still read


def test_a_story_too_short_of_names_to_join_any_reads_and_leaves_no_bands(store, now):
    """Fewer names, figures and places than a verdict needs (clustering.shares_keys): no
    candidate could pass, so its bands are neither read nor written, and it is a cluster of
    its own; the stories with keys still cluster as before."""
    from sqlalchemy import func, select

    from wiredesk.store.schema import cluster_bands

    def item(uri: str, headline: str, text: str) -> dict:
        return {"uri": uri, "version": "1", "versioncreated": now.isoformat(),
                "headlines": [{"role": "main", "value": headline}],
                "bodies": [{"role": "main", "contenttype": "text/plain", "value": text}]}

    told = ("Officials in Kabul said Ahmad Karimi and Sara Nouri met 312 delegates at "
            "the Intercontinental on Tuesday, with 45 more expected.")
    items = [item("urn:k:a", "Talks in Kabul", told), item("urn:k:b", "Kabul talks go on", told),
             item("urn:k:flash", "storm hits coast", "strong winds and heavy rain hit the "
                  "coast overnight, officials said."),
             item("urn:k:flash2", "storm hits coast", "strong winds and heavy rain hit the "
                  "coast overnight, officials said.")]
    report = desk.apply(store, Delivery(json.dumps(items).encode(), "bench", "k.json", now),
                        Terms(licence_days=60))
    assert report.error is None, report.error
    ids = {uri: store.story_by_uri(uri).id for uri in ("urn:k:a", "urn:k:b", "urn:k:flash",
                                                       "urn:k:flash2")}
    clusters = {uri: store.clusters.cluster_of(i) for uri, i in ids.items()}
    assert clusters["urn:k:a"] == clusters["urn:k:b"]
    # The two flashes are word for word alike, yet share no name: each its own cluster.
    assert clusters["urn:k:flash"] == ids["urn:k:flash"]
    assert clusters["urn:k:flash2"] == ids["urn:k:flash2"]
    with store.engine.connect() as c:
        banded = set(c.execute(select(cluster_bands.c.story_id).distinct()).scalars())
        assert banded == {ids["urn:k:a"], ids["urn:k:b"]}
        assert c.execute(select(func.count()).select_from(cluster_bands)).scalar() == 32
