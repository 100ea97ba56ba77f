"""`wiredesk store copy`: a SQLite store moved to PostgreSQL whole, and checked."""

from __future__ import annotations

import pytest

from helpers import deliver, later, ninjs_item
from wiredesk import desk
from wiredesk.store import Store
from wiredesk.store.copy import CopyError, copy_store


@pytest.fixture
def pg_target(pg_url):
    target = Store.open(pg_url)
    yield target
    target.close()


def test_copy_sqlite_to_postgresql_keeps_history_audit_quarantine_and_search(tmp_path, now, pg_target):
    source = Store.open(f"sqlite:///{tmp_path / 'source.db'}")
    deliver(source, ninjs_item("urn:a", at=now, headline="Storm coast", subjects=[{"name": "weather"}]), now)
    deliver(source, ninjs_item("urn:a", version=2, at=later(now, minutes=5), headline="Storm inland"), now)
    deliver(source, ninjs_item("urn:b", at=now, headline="Doomed"), now)
    desk.kill(source, "urn:b", reason="legal", actor="ed", now=now)
    deliver(source, b"{ broken", now, name="bad.json")
    report = copy_store(source, pg_target)
    assert report.ok, report.counts
    assert report.counts["versions"] == (3, 3) and report.counts["audit"] == (1, 1)
    assert report.counts["quarantine"] == (1, 1) and report.indexed == 1
    record = pg_target.story_by_uri("urn:a")
    assert record.story.headline == "Storm inland" and record.version_count == 2
    assert [v.version for v in pg_target.history(record.id)] == ["1", "2"]
    assert pg_target.takedowns()[0].detail == "removed by editor ed: legal"
    assert pg_target.search("storm", later(now, minutes=6)).total == 1
    # the copy goes on working: new ids do not collide with copied ones
    deliver(pg_target, ninjs_item("urn:c", at=now), now)
    assert pg_target.story_by_uri("urn:c").id > record.id
    with pytest.raises(CopyError, match="not empty"):
        copy_store(source, pg_target)
    source.close()


def test_store_copy_command(tmp_path, now, pg_url):
    import subprocess
    import sys

    source = Store.open(f"sqlite:///{tmp_path / 'w.db'}")
    deliver(source, ninjs_item("urn:a", at=now), now)
    source.close()
    cli = [sys.executable, "-m", "wiredesk.cli", "--database", f"sqlite:///{tmp_path / 'w.db'}"]
    done = subprocess.run([*cli, "store", "copy", "--to", pg_url], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert "copy verified" in done.stdout and "versions" in done.stdout
    again = subprocess.run([*cli, "store", "copy", "--to", pg_url], capture_output=True, text=True,
                           timeout=120)
    assert again.returncode == 2 and "not empty" in again.stderr
