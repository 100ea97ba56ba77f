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
