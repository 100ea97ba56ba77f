"""`wiredesk ingest` commits many files at once, yet each file is applied whole or not at all."""

from __future__ import annotations

import json

import pytest

from helpers import ninjs_item
from wiredesk.cli import stories as cli_stories
from wiredesk.store import Changes
from wiredesk.terms import Terms


def files(tmp_path, count: int, *, bad: set[int] = frozenset()) -> list:
    paths = []
    for i in range(count):
        path = tmp_path / f"{i:03d}.json"
        data = b"{not json" if i in bad else json.dumps(
            [json.loads(ninjs_item(f"urn:{i}:a", headline=f"Story {i} a")),
             json.loads(ninjs_item(f"urn:{i}:b", headline=f"Story {i} b"))]).encode()
        path.write_bytes(data)
        paths.append(path)
    return paths


def test_a_bad_file_is_quarantined_and_the_rest_of_its_batch_lands(store, tmp_path, monkeypatch):
    monkeypatch.setattr(cli_stories, "FILES_PER_COMMIT", 4)
    heard: list[Changes] = []
    store.listeners.append(heard.append)
    totals = cli_stories.ingest_files(store, files(tmp_path, 10, bad={2, 7}), source="cli",
                                      terms=Terms("ninjs"))
    assert totals["new"] == 16 and totals["quarantined"] == 2
    assert store.status(store.story_by_uri("urn:0:a").firstcreated).quarantined == 2
    assert store.story_by_uri("urn:3:b") is not None and store.story_by_uri("urn:2:a") is None
    assert len(heard) == 8  # one Changes per applied file, told after the commit
    assert sum(len(c.updated) for c in heard) == 16


def test_a_failure_mid_batch_keeps_the_files_before_it_and_none_of_the_failing_one(
        store, tmp_path, monkeypatch):
    monkeypatch.setattr(cli_stories, "FILES_PER_COMMIT", 10)
    real_apply = cli_stories.desk.apply
    calls = []

    def apply(store_, delivery, terms, **kw):
        calls.append(delivery.name)
        if len(calls) == 3:  # the third file fails after writing part of itself
            with store_.write() as w:
                w.ensure_source("half", delivery.received, agency=None, licence_days=1)
                raise RuntimeError("disk trouble")
        return real_apply(store_, delivery, terms, **kw)

    monkeypatch.setattr(cli_stories.desk, "apply", apply)
    with pytest.raises(RuntimeError, match="disk trouble"):
        cli_stories.ingest_files(store, files(tmp_path, 5), source="cli", terms=Terms("ninjs"))
    assert store.story_by_uri("urn:1:b") is not None  # the files before it are committed
    assert store.sources.get("half") is None  # nothing of the failing file
    assert store.story_by_uri("urn:3:a") is None  # and nothing after it


def test_a_delivery_of_many_new_stories_takes_a_fixed_number_of_statements(store, now):
    """The batched path: statements per delivery do not grow with its stories."""
    from sqlalchemy import event

    from helpers import deliver

    def statements(count: int, start: int) -> int:
        seen = []
        # Event clusters (store/clusters.py) are looked up per story by design: one indexed
        # query each; what is counted here is the store's own batched path.
        listen = lambda _c, _cur, sql, *a, **k: seen.append(1) if "cluster" not in sql else None  # noqa: E731
        event.listen(store.engine, "before_cursor_execute", listen)
        items = [json.loads(ninjs_item(f"urn:n:{i}", at=now, subjects=[{"name": "x"}]))
                 for i in range(start, start + count)]
        try:
            report = deliver(store, json.dumps(items).encode(), now, name=f"d{start}")
        finally:
            event.remove(store.engine, "before_cursor_execute", listen)
        assert report.counts()["new"] == count
        return len(seen)

    statements(1, 1000)  # the source is made on first use
    few, many = statements(5, 100), statements(100, 0)
    # A fixed set: ids, stories, versions, raws, heads, subjects, topics (sections), search,
    # journal, ledger rows, the source and its state; long executemany are split by the
    # driver's limits, hence the few more for many.
    assert many <= few + 4 < 24
    assert store.search("headline", now, limit=200).total == 106
    record = store.story_by_uri("urn:n:3")
    assert record.state == "live" and record.version_count == 1
    assert [s.name for s in record.story.subjects] == ["x"]
    assert [v.is_head for v in store.history(record.id)] == [True]


def test_a_new_story_s_versions_are_counted_with_its_head(store, now):
    """A new story's head and its count are written in one update: two versions of it in
    one delivery count two, and a later delivery's version adds to them."""
    from datetime import timedelta

    from helpers import deliver

    def items(*parts: bytes) -> bytes:
        return json.dumps([json.loads(p) for p in parts]).encode()

    t = now - timedelta(minutes=10)
    report = deliver(store, items(ninjs_item("urn:c:1", version=1, at=t),
                                  ninjs_item("urn:c:1", version=2, at=t + timedelta(minutes=1)),
                                  ninjs_item("urn:c:2", version=1, at=t)), now)
    assert [str(o) for _, o in report.outcomes] == ["new", "updated", "new"]
    assert store.story_by_uri("urn:c:1").version_count == 2
    assert store.story_by_uri("urn:c:2").version_count == 1
    deliver(store, items(ninjs_item("urn:c:1", version=3, at=t + timedelta(minutes=2)),
                         ninjs_item("urn:c:3", version=1, at=t)), now)
    record = store.story_by_uri("urn:c:1")
    assert record.version_count == 3 and record.story.headline == "Headline v3"
    assert store.story_by_uri("urn:c:3").version_count == 1
