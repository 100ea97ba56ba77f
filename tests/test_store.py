"""The store itself: migrations, WAL, UTC times, and bytes kept as received."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import text

from helpers import deliver, ninjs_item
from wiredesk.store import Store
from wiredesk.store.engine import is_current


def test_migrations_bring_a_new_store_to_head_and_rerun_safely(tmp_path):
    url = f"sqlite:///{tmp_path / 'x.db'}"
    store = Store.open(url)
    assert is_current(store.engine)
    Store.open(url).close()  # a second start migrates nothing and fails nothing
    with store.engine.connect() as c:
        assert c.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    store.close()


def test_opening_an_uninitialised_store_without_create_is_a_clear_error(tmp_path):
    with pytest.raises(RuntimeError, match="wiredesk init"):
        Store.open(f"sqlite:///{tmp_path / 'none.db'}", create=False)


def test_times_come_back_as_aware_utc(store):
    at = datetime(2026, 1, 15, 10, 0, tzinfo=timezone(timedelta(hours=2)))
    deliver(store, ninjs_item(at=at), at)
    record = store.story_by_uri("urn:test:1")
    assert record.versioncreated == datetime(2026, 1, 15, 8, 0, tzinfo=UTC)
    assert record.versioncreated.tzinfo is UTC


def test_raw_bytes_and_sha_are_kept_as_received(store, now):
    data = ninjs_item(at=now)
    deliver(store, data, now)
    (version,) = store.history(store.story_by_uri("urn:test:1").id)
    assert store.raw_bytes(version.raw_sha256) == data
    import hashlib

    assert version.raw_sha256 == hashlib.sha256(data).hexdigest()
