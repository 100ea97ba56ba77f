"""Clustering's fast paths give the numbers of the plain ones: stored band rows depend on it
(a new story must find the bands of stories assigned before the change)."""

from __future__ import annotations

import sys

from conftest import ROOT
from wiredesk import clustering

sys.path.insert(0, str(ROOT / "bench"))
import cluster_corpus as corpus  # noqa: E402
from clusters import PAIRS  # noqa: E402


def labelled_features() -> list[clustering.Features]:
    found, _ = corpus.load(PAIRS)
    return [clustering.features(s["headline"], s["body"], located=s["located"])
            for s in found.values()]


def test_feature_bands_are_datasketch_bands_on_the_labelled_set():
    found = labelled_features()
    assert len(found) > 600
    for features in found:
        assert clustering.feature_bands(features) == clustering.bands(clustering.signature(features))


def test_feature_bands_of_words_only_and_of_nothing():
    words = clustering.Features(frozenset(), frozenset({"w:storm", "w:landfa"}))
    nothing = clustering.Features(frozenset(), frozenset())
    for features in (words, nothing):
        assert clustering.feature_bands(features) == clustering.bands(clustering.signature(features))
    assert len(set(clustering.feature_bands(words))) == clustering.BANDS


def test_unpack_kept_answers_equal_fresh_ones():
    for features in labelled_features()[:50]:
        packed = clustering.pack(features)
        assert clustering.unpack(packed) == features
        assert clustering.unpack(memoryview(packed)) == features  # as some drivers return it
        assert clustering.unpack(packed) is clustering.unpack(bytes(packed))


def test_figures_are_found_in_mixed_tokens():
    found = clustering.features("Quake of 6.8 kills 12", "At least 1,200 were hurt; 40km away.")
    assert {"f:6.8", "f:12", "f:1200", "f:40km"} <= found.keys



def test_candidates_are_read_from_the_band_index_alone(store):
    """The lookup every new story makes, one band at a time, newest first: on SQLite the plan
    reads the covering index backwards, no table row and no sort per band (migration 0017);
    on both stores the index holds story_id."""
    from sqlalchemy import inspect

    from wiredesk.store.cluster_assign import NEWEST_A_BAND

    with store.engine.connect() as c:
        index = next(i for i in inspect(c).get_indexes("cluster_bands")
                     if i["name"] == "ix_cluster_bands_band")
        assert index["column_names"] == ["band", "at", "story_id"]
        if c.dialect.name != "sqlite":
            return
        plan = c.exec_driver_sql(
            "EXPLAIN QUERY PLAN SELECT 0 AS n, story_id, at FROM (SELECT story_id, at FROM "
            "cluster_bands WHERE band = ? AND at >= ? AND at <= ? ORDER BY at DESC LIMIT ?)",
            (1, "2026-01-01", "2026-01-03", NEWEST_A_BAND)).all()
    details = [row[-1] for row in plan]
    assert any("COVERING INDEX ix_cluster_bands_band" in d for d in details), details
    assert not any("TEMP B-TREE" in d for d in details), details
