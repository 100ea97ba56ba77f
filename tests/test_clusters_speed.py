"""Clustering's fast paths give the numbers of the plain ones: stored band rows depend on it
(a new story must find the bands of stories assigned before the change)."""

from __future__ import annotations

import hashlib
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



TRICKY = [
    ("FLASH: Paris's mayor meets U.S. envoy", "Paris’s  mayor. The U.S. envoy, O'Neil, said 1,200 "
     "people... 3.5% Paris paris PARIS's - ' . \n\nNew York’s 9/11 covid-19 Éire ß é1 _x_", "Paris"),
    ("", "", None), ("Storm", "storm " * 300, " new york "), ("A", "x. A! B? C\nD", ""),
]


# sha256 of pack() of every labelled story's features, then TRICKY's, each followed by 0x01,
# as features() gave them before it remembered tokens (stored features and bands depend on
# them: a change here is a change to every stored story's cluster rows).
FEATURES_DIGEST = "8874121455f7ac5e1e698bbf1ec7be423ce83a6796b7fd38c93b2c43bffc221a"


def test_remembered_tokens_give_the_features_they_always_gave():
    found, _ = corpus.load(PAIRS)
    inputs = [(s["headline"], s["body"], s["located"]) for s in found.values()] + TRICKY
    for _ in range(2):  # the second time every token is remembered
        digest = hashlib.sha256()
        for headline, text, located in inputs:
            digest.update(clustering.pack(clustering.features(headline, text, located=located))
                          + b"\x01")
        assert digest.hexdigest() == FEATURES_DIGEST


def test_similarity_is_the_weighted_jaccard_of_the_sets():
    found = labelled_features()[:120]
    for a in found:
        for b in found:
            shared = 3 * len(a.keys & b.keys) + len(a.words & b.words)
            union = 3 * len(a.keys | b.keys) + len(a.words | b.words)
            assert clustering.similarity(a, b) == (shared / union if union else 0.0)


def test_features_given_ahead_answer_for_their_exact_inputs_only():
    key, made = clustering.read_ahead("Quake hits Lima", "Lima shook at 6.8.", "Lima")
    assert made == clustering.features(*key[:2], located=key[2])
    assert made.bands is not None and list(made.bands) == clustering.feature_bands(
        clustering.Features(made.keys, made.words))
    with clustering.given([(key, made)]):
        assert clustering.features("Quake hits Lima", "Lima shook at 6.8.", located="Lima") is made
        assert clustering.features("Quake hits Lima", "Lima shook.", located="Lima") is not made
    assert clustering.features("Quake hits Lima", "Lima shook at 6.8.", located="Lima") is not made
    assert clustering.Features(made.keys, made.words, bands=(1, 2)) == made  # not a feature


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
