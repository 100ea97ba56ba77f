"""A delivery's rows in few statements (store/bulk.py): the same rows as one at a time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import event, select

from helpers import ninjs_item
from wiredesk import clustering, formats
from wiredesk.store import Store, bulk
from wiredesk.store.cluster_assign import assign_many
from wiredesk.store.schema import cluster_bands, journal, raws, stories, story_clusters


def _rows(uris: list[str], when: datetime) -> list[dict]:
    return [{"uri": uri, "headline": f"Story {uri}", "agency": "AP", "located": None,
             "urgency": 3, "language": "en", "firstcreated": when, "versioncreated": when,
             "embargoed": None} for uri in uris]


def test_new_stories_are_made_once_and_a_taken_uri_is_left_out(store: Store, now):
    with store.write() as w:
        made = bulk.create_stories(w.c, _rows(["urn:a", "urn:b"], now), source="cli", now=now)
        again = bulk.create_stories(w.c, _rows(["urn:b", "urn:c"], now), source="cli", now=now)
    assert set(made) == {"urn:a", "urn:b"} and set(again) == {"urn:c"}
    with store.engine.connect() as c:
        row = c.execute(select(stories).where(stories.c.uri == "urn:c")).one()
    assert row.id == again["urn:c"] and row.state == "withheld" and row.version_count == 0
    assert row.headline == "Story urn:c" and row.urgency == 3 and row.source == "cli"
    assert row.firstcreated.replace(tzinfo=UTC) == now  # stored in UTC, read back the same


def test_a_naive_time_is_refused_as_by_every_other_write(store: Store, now):
    rows = _rows(["urn:naive"], now)
    rows[0]["versioncreated"] = now.replace(tzinfo=None)
    with pytest.raises(Exception, match="naive"), store.write() as w:
        bulk.create_stories(w.c, rows, source="cli", now=now)


def test_postgresql_locks_a_files_stories_with_one_array_parameter(store: Store, now):
    """500 separate parameters got a generic plan that read every story once psycopg had
    prepared the statement; one array is probed in the uri index however often it runs."""
    if store.engine.dialect.name != "postgresql":
        pytest.skip("the lookup binds an array on PostgreSQL only")
    seen: list[object] = []

    def grab(conn, cursor, statement, params, context, executemany):  # noqa: ARG001
        if "FOR UPDATE" in statement:
            seen.append(params)

    event.listen(store.engine, "before_cursor_execute", grab)
    uris = [f"urn:lock:{i}" for i in range(40)]
    with store.write() as w:
        made = bulk.create_stories(w.c, _rows(uris[:20], now), source="cli", now=now)
    for _ in range(7):  # past psycopg's prepare threshold (5)
        with store.write() as w:
            w.lock_many(uris)
            found = {uri: w.lock_story(uri) for uri in uris}
        assert {u: s.id for u, s in found.items() if s is not None} == made
    event.remove(store.engine, "before_cursor_execute", grab)
    assert seen and all(isinstance(p, dict) and len(p) == 1 for p in seen)


def test_band_rows_are_each_storys_bands_at_its_time(store: Store, now):
    items = []
    with store.write() as w:
        for n in range(3):
            # names and figures enough to join another (a story with fewer has no bands)
            story = formats.parse(ninjs_item(f"urn:band:{n}", headline=f"Flood {n} in Lyon",
                                             body=f"<p>The Rhone rose {n} metres, Mayor Anne "
                                                  f"Dupont said.</p>"), "ninjs")[0]
            [sid] = bulk.create_stories(w.c, _rows([story.uri], now), source="cli",
                                        now=now).values()
            items.append((sid, story, now - timedelta(minutes=n)))
        assign_many(w.c, items)
    expected = set()
    for sid, story, at in items:
        found = clustering.features(story.headline, story.body.text, located=story.located)
        assert len(found.keys) >= clustering.MIN_SHARED_KEYS
        expected |= {(band, at, sid) for band in clustering.feature_bands(found)}
    with store.engine.connect() as c:
        got = {(r.band, r.at.replace(tzinfo=UTC), r.story_id)
               for r in c.execute(select(cluster_bands))}
    assert got == expected



def test_appended_rows_read_back_as_inserted_ones(store: Store, now):
    """COPY on PostgreSQL: times in UTC, JSON, bytes and NULLs as INSERT would store them,
    whatever order each row's keys come in."""
    with store.write() as w:
        [sid] = bulk.create_stories(w.c, _rows(["urn:append"], now), source="cli",
                                    now=now).values()
        bulk.append(w.c, story_clusters, [
            {"story_id": sid, "cluster_id": 7, "agency": None, "slug": "a\tb\\c\nd",
             "at": now.astimezone(timezone(timedelta(hours=2))), "features": b"\x00\xff\\"}])
        bulk.append(w.c, journal, [
            {"at": now, "kind": "new", "story_id": sid, "uri": "urn:append", "agency": "AP",
             "urgency": None, "reason": None, "subjects": None},
            {"subjects": ["Oil", "Ölpreis"], "reason": "killed", "urgency": 2, "agency": None,
             "uri": "urn:append", "story_id": sid, "kind": "takedown", "at": now}])
    with store.engine.connect() as c:
        cluster = c.execute(select(story_clusters)).one()
        events = c.execute(select(journal).order_by(journal.c.id)).all()
    assert cluster.slug == "a\tb\\c\nd" and cluster.features == b"\x00\xff\\"
    assert cluster.at.replace(tzinfo=UTC) == now and cluster.agency is None
    assert [(e.kind, e.urgency, e.reason, e.subjects) for e in events] == [
        ("new", None, None, None), ("takedown", 2, "killed", ["Oil", "Ölpreis"])]


def test_an_appended_naive_time_is_refused(store: Store, now):
    with pytest.raises(Exception, match="naive"), store.write() as w:
        bulk.append(w.c, journal, [{"at": now.replace(tzinfo=None), "kind": "new",
                                    "story_id": 1, "uri": "urn:x", "agency": None,
                                    "urgency": None, "reason": None, "subjects": None}])


def test_new_heads_are_set_in_one_go_nulls_and_counts_included(store: Store, now):
    with store.write() as w:
        made = bulk.create_stories(w.c, _rows(["urn:h1", "urn:h2"], now), source="cli", now=now)
        later = now + timedelta(hours=1)
        bulk.set_new_heads(w.c, [
            {"sid": made[uri], "head_version_id": None, "state": "live", "headline": f"New {uri}",
             "agency": None, "located": None, "urgency": None, "language": None,
             "versioncreated": later, "embargoed": None, "ends_at": later,
             "updated_at": later, "n": n} for n, uri in enumerate(["urn:h1", "urn:h2"], 1)])
    with store.engine.connect() as c:
        rows = c.execute(select(stories).order_by(stories.c.uri)).all()
    assert [(r.state, r.headline, r.agency, r.urgency, r.version_count) for r in rows] == [
        ("live", "New urn:h1", None, None, 1), ("live", "New urn:h2", None, None, 2)]
    assert {r.ends_at.replace(tzinfo=UTC) for r in rows} == {later}


def test_raw_bytes_are_kept_once_and_exactly(store: Store):
    data = bytes(range(256)) * 3  # every byte value, NUL and backslash included
    with store.write() as w:
        bulk.keep_raws(w.c, [{"sha256": "a" * 64, "data": data, "size": len(data)},
                             {"sha256": "a" * 64, "data": b"later", "size": 5},
                             {"sha256": "b" * 64, "data": b"", "size": 0}])
        bulk.keep_raws(w.c, [{"sha256": "b" * 64, "data": b"again", "size": 5}])
    with store.engine.connect() as c:
        rows = c.execute(select(raws).order_by(raws.c.sha256)).all()
    assert [(r.sha256[0], bytes(r.data), r.size) for r in rows] == [
        ("a", data, len(data)), ("b", b"", 0)]


def test_appended_numbers_flags_and_times_read_back_as_given(store: Store, now):
    """PostgreSQL's binary COPY sends each value in its column's own binary form: a float,
    a flag, a 64-bit number and every time as INSERT would store them."""
    from wiredesk.store.ledger_table import ledger

    with store.write() as w:
        [sid] = bulk.create_stories(w.c, _rows(["urn:l"], now), source="cli", now=now).values()
        bulk.append(w.c, ledger, [
            {"at": now, "kind": "done", "story_id": sid, "uri": "urn:l", "agency": "AP",
             "source": "cli", "sha256": "ab" * 32, "format": "ninjs", "size": 2**31 - 1,
             "parsed_with": None, "due_at": now - timedelta(hours=1), "done_at": now,
             "seconds": 0.25, "reason": None, "actor": None, "licence_days": 0,
             "shown": False, "answer": "é"}])
    with store.engine.connect() as c:
        row = c.execute(select(ledger)).one()
    assert (row.size, row.seconds, row.shown, row.licence_days, row.answer) == (
        2**31 - 1, 0.25, False, 0, "é")
    assert row.due_at.replace(tzinfo=UTC) == now - timedelta(hours=1)


def test_a_table_with_a_type_binary_copy_does_not_send_is_appended_as_text(store: Store):
    from sqlalchemy import Column, Integer, MetaData, Numeric, Table

    odd = Table("bulk_odd", MetaData(), Column("n", Integer), Column("amount", Numeric(10, 2)))
    with store.write() as w:
        odd.create(w.c)
        bulk.append(w.c, odd, [{"n": 1, "amount": "12.50"}, {"n": 2, "amount": None}])
        got = w.c.execute(select(odd).order_by(odd.c.n)).all()
        odd.drop(w.c)
    assert [(r.n, None if r.amount is None else str(r.amount)) for r in got] == [
        (1, "12.50"), (2, None)]
