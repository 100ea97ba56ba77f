"""`wiredesk backup PATH` on both stores, and the documented restore of what it wrote."""

from __future__ import annotations

import subprocess
import uuid

import pytest
from sqlalchemy import create_engine, make_url, text

from conftest import PG_URL
from helpers import deliver, later, ninjs_item
from wiredesk import desk
from wiredesk.cli import main
from wiredesk.store import Store
from wiredesk.store.backup import BackupError, backup


def filled(store: Store, now) -> None:
    deliver(store, ninjs_item("urn:a", at=now, headline="Storm coast"), now)
    deliver(store, ninjs_item("urn:a", version=2, at=later(now, minutes=5), headline="Storm inland"),
            now)
    deliver(store, ninjs_item("urn:b", at=now, headline="Doomed"), now, name="b")
    desk.kill(store, "urn:b", reason="legal", actor="ed", now=now)


def same_stories(copy: Store, now) -> None:
    record = copy.story_by_uri("urn:a")
    assert record.story.headline == "Storm inland" and record.version_count == 2
    assert [v.version for v in copy.history(record.id)] == ["1", "2"]
    assert copy.takedowns()[0].detail == "removed by editor ed: legal"
    assert [r.uri for r, _ in copy.search("storm", later(now, minutes=6)).results] == ["urn:a"]
    assert copy.story_by_uri("urn:later") is None  # written after the backup: not in it


@pytest.fixture
def restored(store_url):
    """Where the backup is restored, as docs/deployment.md says: SQLite, the file itself;
    PostgreSQL, pg_restore into a new empty database."""
    made: list[str] = []

    def restore(path) -> Store:
        if store_url.startswith("sqlite"):
            return Store.open(f"sqlite:///{path}", create=False)
        name = f"wd_restore_{uuid.uuid4().hex[:10]}"
        made.append(name)
        admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        target = make_url(PG_URL).set(drivername="postgresql", database=name)
        subprocess.run(["pg_restore", "--no-owner", f"--dbname={target.render_as_string(False)}",
                        str(path)], check=True, capture_output=True)
        return Store.open(store_url.replace(f"/{make_url(PG_URL).database}?", f"/{name}?"),
                          create=False)

    yield restore
    if made:
        admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            for name in made:
                c.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


def test_a_backup_restores_to_the_same_stories(store, store_url, tmp_path, now, restored, capsys):
    filled(store, now)
    path = tmp_path / "wiredesk.backup"
    assert main(["--database", store_url, "backup", str(path)]) == 0
    said = capsys.readouterr().out
    assert said.startswith(f"backup written: {path} (") and path.stat().st_size > 0
    if store_url.startswith("sqlite"):
        assert ", 2 stories)" in said
    assert not path.with_name(path.name + ".part").exists()
    deliver(store, ninjs_item("urn:later", at=now), now, name="later")  # the live store goes on
    copy = restored(path)
    try:
        same_stories(copy, now)
    finally:
        copy.close()


def test_a_backup_never_overwrites_a_file(store, store_url, tmp_path, capsys):
    path = tmp_path / "taken"
    path.write_text("an older backup")
    assert main(["--database", store_url, "backup", str(path)]) == 2
    assert "exists already" in capsys.readouterr().err and path.read_text() == "an older backup"
    with pytest.raises(BackupError, match="no folder"):
        backup(store_url, tmp_path / "missing" / "file")


def test_without_pg_dump_the_error_names_it(pg_url, tmp_path, monkeypatch):
    Store.open(pg_url).close()
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no pg_dump anywhere
    with pytest.raises(BackupError, match="pg_dump, which is not on PATH"):
        backup(pg_url, tmp_path / "dump")
    assert not list(tmp_path.iterdir())


def test_a_failing_pg_dump_says_why(tmp_path):
    url = "postgresql+psycopg://nobody@127.0.0.1:1/none"  # nothing listens on port 1
    with pytest.raises(BackupError, match="pg_dump failed: .*"):
        backup(url, tmp_path / "dump")
    assert not list(tmp_path.iterdir())
