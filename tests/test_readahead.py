"""`wiredesk ingest` reads the next files ahead in a second process (readahead.py): the
outcome is the same as reading each file in turn, a file the worker cannot read is read
again by the desk (and quarantined as ever), and a worker that dies loses no file."""

from __future__ import annotations

import json
import os
import sys
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from conftest import ROOT
from wiredesk import clustering, formats, readahead
from wiredesk.cli import stories as cli_stories
from wiredesk.store import Store
from wiredesk.store.schema import quarantine, stories, story_clusters
from wiredesk.terms import Terms

sys.path.insert(0, str(ROOT / "bench"))
import cluster_corpus as corpus  # noqa: E402

TERMS = Terms(None, None, 3650)


def corpus_files(folder: Path) -> list[Path]:
    """The labelled cluster stories in time order, 40 a file, with a broken file, an empty
    one and a file of second versions of earlier stories among them."""
    found, _ = corpus.load(ROOT / "tests" / "fixtures" / "clusters" / "pairs.jsonl")
    ordered = sorted(found.values(), key=lambda s: (s["at"], s["story"]))
    items = [json.loads(corpus.ninjs(s, f"urn:c:{s['story']}")) for s in ordered]
    chunks = [items[i:i + 40] for i in range(0, len(items), 40)]
    updates = [{**item, "version": "2", "headlines": [{"role": "main", "value": "Update: "
               + item["headlines"][0]["value"]}]} for item in chunks[1][:10]]
    datas = [json.dumps(chunk).encode() for chunk in chunks]
    datas[3:3] = [b"{not json", json.dumps(updates).encode(), b""]
    paths = []
    for n, data in enumerate(datas):
        path = folder / f"{n:03d}.json"
        path.write_bytes(data)
        paths.append(path)
    return paths


def contents(store: Store) -> dict[str, object]:
    """What readers and operators would see: each story's state and headline, who shares
    its cluster, and the quarantined files with their messages."""
    with store.engine.connect() as c:
        uri = {r.id: r.uri for r in c.execute(select(stories.c.id, stories.c.uri))}
        heads = sorted((r.uri, r.state, r.headline) for r in c.execute(
            select(stories.c.uri, stories.c.state, stories.c.headline)))
        clusters = sorted((uri[r.story_id], uri[r.cluster_id]) for r in c.execute(
            select(story_clusters.c.story_id, story_clusters.c.cluster_id)))
        kept = sorted((Path(r.name).name, r.error) for r in c.execute(
            select(quarantine.c.name, quarantine.c.error)))
    return {"heads": heads, "clusters": clusters, "quarantined": kept}


def ingest(tmp_path: Path, name: str, files: list[Path]) -> tuple[Counter[str], dict[str, object]]:
    store = Store.open(f"sqlite:///{tmp_path / name}")
    try:
        totals = cli_stories.ingest_files(store, files, source="cli", terms=TERMS)
        return totals, contents(store)
    finally:
        store.close()


@pytest.fixture
def worker(monkeypatch):
    """Every file read ahead by the worker, the first ones too (none read here while it
    starts), however small the input."""
    monkeypatch.setattr(readahead, "MIN_BYTES", 0)
    monkeypatch.setattr(readahead, "READ_WHILE_STARTING", False)


def test_reading_ahead_changes_nothing_in_the_outcome(tmp_path, monkeypatch):
    files = corpus_files(tmp_path)
    monkeypatch.setattr(cli_stories, "FILES_PER_COMMIT", 4)  # files a commit: several batches
    monkeypatch.setattr(readahead, "MIN_BYTES", 1 << 40)
    alone = ingest(tmp_path, "alone.db", files)
    monkeypatch.setattr(readahead, "MIN_BYTES", 0)
    assert ingest(tmp_path, "starting.db", files) == alone  # the first files read here
    monkeypatch.setattr(readahead, "READ_WHILE_STARTING", False)
    ahead = ingest(tmp_path, "ahead.db", files)
    assert ahead == alone
    totals, seen = ahead
    assert totals["quarantined"] == 2 and totals["updated"] == 10
    assert len({cluster for _, cluster in seen["clusters"]}) < len(seen["clusters"])


def test_files_come_back_in_order_with_their_stories_and_features(tmp_path, worker):
    files = corpus_files(tmp_path)
    got = list(readahead.read_files(files, TERMS))
    assert [f.path for f in got] == files
    assert [f.data for f in got] == [p.read_bytes() for p in files]
    broken = {f.path.name for f in got if f.stories is None}
    assert broken == {"003.json", "005.json"}  # the desk reads them again, and quarantines
    for f in got:
        if f.stories is None:
            continue
        assert f.stories == formats.parse(f.data)
        for (headline, text, located), found in f.found:
            assert found == clustering.features(headline, text, located=located)
            assert found.bands is not None
            assert list(found.bands) == clustering.feature_bands(
                clustering.Features(found.keys, found.words))


def test_a_file_that_cannot_be_opened_raises_at_its_turn(tmp_path, worker):
    files = corpus_files(tmp_path)
    files.insert(5, tmp_path / "missing.json")
    reading = readahead.read_files(files, TERMS)
    try:
        assert [next(reading).path for _ in range(5)] == files[:5]
        with pytest.raises(FileNotFoundError):
            next(reading)
    finally:
        reading.close()


def die_on_updates(data: bytes, terms: Terms):
    """Run in the worker: it dies on the file of second versions."""
    if b'"version": "2"' in data:
        os._exit(3)
    return readahead.read(data, terms)


def test_a_worker_that_dies_loses_no_file(tmp_path, monkeypatch):
    files = corpus_files(tmp_path)
    alone = ingest(tmp_path, "alone.db", files)  # a small input: no worker
    monkeypatch.setattr(readahead, "MIN_BYTES", 0)
    monkeypatch.setattr(readahead, "READ_WHILE_STARTING", False)
    monkeypatch.setattr(readahead, "read", die_on_updates)
    reading = readahead.read_files(files, TERMS)
    try:
        assert [f.stories is None for f in reading] == [False] * 3 + [True] * (len(files) - 3)
    finally:
        reading.close()
    assert ingest(tmp_path, "ahead.db", files) == alone


def test_small_inputs_are_read_without_a_worker(tmp_path, monkeypatch):
    files = corpus_files(tmp_path)[:3]

    def no_pool(*_a, **_k):
        raise AssertionError("no worker for a small input")

    monkeypatch.setattr(readahead, "ProcessPoolExecutor", no_pool)
    got = list(readahead.read_files(files, TERMS))
    assert [f.path for f in got] == files and all(f.stories is None for f in got)


def test_the_desk_applies_the_stories_it_is_given_under_the_same_rules(store, now):
    from dataclasses import replace

    from helpers import ninjs_item
    from wiredesk import desk
    from wiredesk.story import Delivery

    data = ninjs_item("urn:given:1", headline="As parsed", at=now)
    [story] = formats.parse(data)
    given = replace(story, headline="As read ahead")
    report = desk.apply(store, Delivery(data, "cli", "a.json", now), TERMS, parsed=[given])
    assert report.counts() == {"new": 1}
    assert store.story_by_uri("urn:given:1").story.headline == "As read ahead"
    empty = replace(story, uri="urn:given:2", headline="", body=formats.parse(
        ninjs_item(body=""))[0].body)
    report = desk.apply(store, Delivery(data, "cli", "b.json", now), TERMS, parsed=[empty])
    assert report.counts() == {"quarantined": 1} and "neither a headline nor a body" in report.error
