"""SQLite's rows straight to the driver (store/sqlite_rows.py) store exactly what
SQLAlchemy's own executemany stores: the same rows written both ways, compared as stored."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

from wiredesk.store import Store, bulk, sqlite_rows
from wiredesk.store.ledger_table import ledger
from wiredesk.store.schema import (
    journal,
    raws,
    stories,
    story_clusters,
    story_subjects,
    versions,
)
from wiredesk.store.section_tables import story_topics

TABLES = (stories, raws, versions, story_subjects, story_topics, story_clusters, ledger, journal)


def _write(store: Store, now: datetime) -> None:
    plus2 = timezone(timedelta(hours=2))
    odd = datetime(2026, 3, 29, 1, 59, 59, 999999, tzinfo=plus2)  # microseconds, an offset
    with store.write() as w:
        made = bulk.create_stories(w.c, [
            {"uri": f"urn:{i}", "headline": f"Ölpreis {i}", "agency": "AP", "located": None,
             "urgency": i, "language": "de", "firstcreated": now, "versioncreated": odd,
             "embargoed": None if i else odd} for i in range(3)], source="cli", now=now)
        sids = sorted(made.values())
        bulk.keep_raws(w.c, [{"sha256": str(i) * 64, "data": bytes(range(256)) * i, "size": i}
                             for i in range(3)] + [{"sha256": "0" * 64, "data": b"x", "size": 1}])
        bulk.append(w.c, versions, [
            {"id": 10 + n, "story_id": sid, "version": None if n else "1", "version_number": n,
             "versioncreated": odd if n else now, "received_at": now.astimezone(plus2),
             "pubstatus": "usable", "format": "ninjs", "source": "cli", "delivery_name": "d",
             "raw_sha256": str(n) * 64, "meta": {"subjects": ["Öl", None, 1.5], "n": n},
             "body_received": "<p>a\tb\\c\nd</p>", "body_content_type": "text/html",
             "body_html": "<p>x</p>", "body_text": "x", "purged": bool(n % 2)}
            for n, sid in enumerate(sids)])
        bulk.set_new_heads(w.c, [
            {"sid": sid, "head_version_id": 10 + n, "state": "live", "headline": "H",
             "agency": None, "located": "Kiel", "urgency": None, "language": "en",
             "versioncreated": odd, "embargoed": None if n else now, "ends_at": odd,
             "updated_at": now, "n": n + 1} for n, sid in enumerate(sids)])
        bulk.append(w.c, story_subjects, [{"story_id": sid, "name": "Öl", "uri": None}
                                          for sid in sids])
        bulk.append(w.c, story_topics, [{"story_id": sid, "code": "04000000"} for sid in sids])
        bulk.append(w.c, story_clusters, [
            {"story_id": sid, "cluster_id": sids[0], "agency": None, "slug": "s",
             "at": odd, "features": b"\x00\xff\\"} for sid in sids])
        bulk.append(w.c, ledger, [
            {"at": now, "kind": "takedown", "story_id": sid, "uri": "urn:x", "agency": None,
             "source": "cli", "sha256": None, "format": "ninjs", "size": 3,
             "parsed_with": None, "due_at": odd, "done_at": None, "seconds": 1.25 * n,
             "reason": "licence", "actor": None, "licence_days": n, "shown": bool(n % 2),
             "answer": None} for n, sid in enumerate(sids)])
        bulk.append(w.c, journal, [
            {"at": odd, "kind": "takedown", "story_id": sid, "uri": "urn:x", "agency": "AP",
             "urgency": None, "reason": "killed", "subjects": ["Öl"] if n else None}
            for n, sid in enumerate(sids)])


def _stored(store: Store) -> dict[str, list[tuple]]:
    """Every row as SQLite holds it: values and their storage classes, unconverted."""
    with store.engine.connect() as c:
        return {table.name: [tuple(row) for row in c.exec_driver_sql(
            str(select(table).compile(dialect=c.dialect))).all()] for table in TABLES}


def test_rows_sent_to_the_driver_are_stored_as_sqlalchemy_stores_them(tmp_path: Path, now,
                                                                       monkeypatch):
    fast = Store.open(f"sqlite:///{tmp_path / 'fast.db'}")
    taken: list[bool] = []
    executemany = sqlite_rows.executemany

    def watch(*args):
        taken.append(executemany(*args))
        return taken[-1]

    monkeypatch.setattr(sqlite_rows, "executemany", watch)
    _write(fast, now)
    assert taken and all(taken)  # every write above went to the driver
    monkeypatch.setattr(sqlite_rows, "executemany", lambda *args: False)  # SQLAlchemy's way
    slow = Store.open(f"sqlite:///{tmp_path / 'slow.db'}")
    _write(slow, now)
    got, expected = _stored(fast), _stored(slow)
    fast.close()
    slow.close()
    assert all(expected[table.name] for table in TABLES)
    assert got == expected
    assert [type(v) for v in got["versions"][0]] == [type(v) for v in expected["versions"][0]]


def test_a_naive_time_is_refused_at_the_driver_too(tmp_path: Path, now):
    store = Store.open(f"sqlite:///{tmp_path / 'naive.db'}")
    rows = [{"at": now, "kind": "new", "story_id": 1, "uri": "urn:x", "agency": None,
             "urgency": None, "reason": None, "subjects": None} for _ in range(2)]
    rows[1]["at"] = now.replace(tzinfo=None)  # equal to the first's fields, but naive
    with pytest.raises(ValueError, match="naive"), store.write() as w:
        bulk.append(w.c, journal, rows)
    store.close()
