"""The rules of acceptance, one delivery per transaction."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from helpers import deliver, later, ninjs_item
from wiredesk import desk, lifecycle
from wiredesk.cli.stories import collect_files, ingest_files
from wiredesk.desk import Outcome
from wiredesk.terms import Terms


def outcome(report) -> Outcome:
    ((_, result),) = report.outcomes
    return result


def test_new_then_newer_version_replaces_and_history_keeps_both(store, now):
    assert outcome(deliver(store, ninjs_item(version=1, at=now), now)) is Outcome.NEW
    assert outcome(deliver(store, ninjs_item(version=2, at=later(now, minutes=5)), later(now, minutes=5))) is Outcome.UPDATED
    record = store.story_by_uri("urn:test:1")
    assert record.story.headline == "Headline v2"
    assert record.version_count == 2 and record.updated
    history = store.history(record.id)
    assert [v.version for v in history] == ["1", "2"]
    assert [v.is_head for v in history] == [False, True]


def test_late_older_version_goes_to_history_and_is_never_shown(store, now):
    deliver(store, ninjs_item(version=3, at=later(now, minutes=10)), now)
    report = deliver(store, ninjs_item(version=2, at=later(now, minutes=5)), later(now, minutes=11))
    assert outcome(report) is Outcome.STALE
    record = store.story_by_uri("urn:test:1")
    assert record.story.headline == "Headline v3"
    assert len(store.history(record.id)) == 2


def test_same_version_number_orders_by_versioncreated(store, now):
    deliver(store, ninjs_item(version=1, at=later(now, minutes=5), headline="newer"), now)
    assert outcome(deliver(store, ninjs_item(version=1, at=now, headline="older"), now)) is Outcome.STALE
    assert store.story_by_uri("urn:test:1").story.headline == "newer"


def test_same_bytes_twice_change_nothing(store, now):
    data = ninjs_item(at=now)
    deliver(store, data, now)
    generation = store.generation()
    assert outcome(deliver(store, data, later(now, minutes=1))) is Outcome.UNCHANGED
    assert store.generation() == generation
    assert store.status(now).versions == 1


def test_kill_takes_every_version_down_and_purges(store, now):
    deliver(store, ninjs_item(version=1, at=now), now)
    deliver(store, ninjs_item(version=2, at=later(now, minutes=1)), now)
    kill = ninjs_item(version=3, at=later(now, minutes=2), pubstatus="canceled", ednote="Legal kill")
    assert outcome(deliver(store, kill, later(now, minutes=2))) is Outcome.KILLED
    record = store.story_by_uri("urn:test:1")
    assert record.state == "takendown" and record.takedown_reason == "killed"
    assert store.live_stories(later(now, minutes=3)) == []
    history = store.history(record.id)
    assert all(v.purged and v.story.body.html == "" for v in history)
    assert all(store.raw_bytes(v.raw_sha256) is None for v in history)
    (log,) = store.takedowns()
    assert (log.uri, log.reason, log.detail, log.headline) == (
        "urn:test:1", "killed", "killed by AP: Legal kill", "Headline v2")


def test_a_late_older_kill_still_kills(store, now):
    deliver(store, ninjs_item(version=5, at=now), now)
    old_kill = ninjs_item(version=1, at=now - timedelta(hours=1), pubstatus="canceled")
    assert outcome(deliver(store, old_kill, now)) is Outcome.KILLED


def test_nothing_comes_back_after_a_kill(store, now):
    deliver(store, ninjs_item(version=1, at=now, pubstatus="canceled"), now)
    assert outcome(deliver(store, ninjs_item(version=2, at=later(now, minutes=1)), now)) is Outcome.REFUSED
    assert store.live_stories(now) == []


def test_withheld_hides_until_a_usable_version(store, now):
    deliver(store, ninjs_item(version=1, at=now), now)
    assert outcome(deliver(store, ninjs_item(version=2, at=later(now, minutes=1), pubstatus="withheld"), now)) is Outcome.WITHHELD
    assert store.live_stories(later(now, minutes=2)) == []
    assert store.status(now).held == 1
    assert outcome(deliver(store, ninjs_item(version=3, at=later(now, minutes=2)), now)) is Outcome.UPDATED
    assert [r.story.headline for r in store.live_stories(later(now, minutes=3))] == ["Headline v3"]


def test_embargoed_story_appears_only_when_its_time_comes(store, now):
    lift = later(now, hours=1)
    report = deliver(store, ninjs_item(at=now, embargoed=lift), now)
    assert outcome(report) is Outcome.EMBARGOED
    assert store.live_stories(later(now, minutes=59)) == []
    assert store.status(now).embargoed == 1
    assert len(store.live_stories(lift)) == 1  # readers see it at its time, clock or not
    assert lifecycle.tick(store, lift).embargoes_lifted == 1
    assert store.story_by_uri("urn:test:1").state == "live"


def test_licence_window_is_the_earlier_of_licence_and_expires(store, now):
    deliver(store, ninjs_item("urn:a", at=now), now, licence_days=2)
    deliver(store, ninjs_item("urn:b", at=now, expires=later(now, hours=5)), now, licence_days=2)
    assert store.story_by_uri("urn:a").ends_at == later(now, days=2)
    assert store.story_by_uri("urn:b").ends_at == later(now, hours=5)


def test_licence_counts_from_first_publication_not_from_updates(store, now):
    deliver(store, ninjs_item(version=1, at=now), now, licence_days=1)
    deliver(store, ninjs_item(version=2, at=later(now, hours=20)), later(now, hours=20), licence_days=1)
    assert store.story_by_uri("urn:test:1").ends_at == later(now, days=1)


def test_story_already_past_its_licence_is_taken_down_on_arrival(store, now):
    old = now - timedelta(days=40)
    assert outcome(deliver(store, ninjs_item(at=old), now)) is Outcome.EXPIRED
    assert store.story_by_uri("urn:test:1").state == "takendown"


def test_operator_kill_is_logged_with_reason_and_actor(store, now):
    deliver(store, ninjs_item(at=now), now)
    assert desk.kill(store, "urn:test:1", reason="Court order", actor="ed", now=now)
    assert not desk.kill(store, "urn:test:1", reason="again", actor="ed", now=now)
    (log,) = store.takedowns()
    assert (log.reason, log.detail, log.actor) == ("removed", "removed by editor ed: Court order", "ed")


def test_bad_file_is_quarantined_with_its_bytes_and_a_message(store, now):
    report = deliver(store, b'{"uri": "urn:x", "urgency": "high"', now, name="bad.json")
    assert outcome(report) is Outcome.QUARANTINED
    assert "ninjs" in report.error and "line 1" in report.error
    (q,) = store.quarantine.records()
    assert q.name == "bad.json" and q.size == len(b'{"uri": "urn:x", "urgency": "high"')


def test_malformed_file_in_a_folder_is_quarantined_while_the_rest_ingests(store, tmp_path: Path, now):
    folder = tmp_path / "drop"
    folder.mkdir()
    for n in range(5):
        (folder / f"{n}-story.json").write_bytes(ninjs_item(f"urn:s{n}", at=now))
    (folder / "2-broken.json").write_bytes(b'{"uri": "urn:broken", "headlines": [')
    (folder / "3-binary.bin").write_bytes(b"\x00\x01\xff junk")
    totals = ingest_files(store, collect_files([folder]), source="drop",
                          terms=Terms(licence_days=30))
    assert totals["new"] == 5 and totals["quarantined"] == 2
    assert store.status(now).live == 5
    errors = {q.name.rsplit("/", 1)[-1]: q.error for q in store.quarantine.records()}
    assert "invalid JSON" in errors["2-broken.json"]
    assert "binary data" in errors["3-binary.bin"]


def test_a_delivery_is_applied_whole_or_not_at_all(store, now, monkeypatch):
    import json

    items = [json.loads(ninjs_item(f"urn:m{n}", at=now)) for n in range(3)]
    original = desk._apply_story
    calls = []

    def failing(w, story, delivery, licence):
        calls.append(story.uri)
        if story.uri == "urn:m2":
            raise RuntimeError("disk full")
        return original(w, story, delivery, licence)

    monkeypatch.setattr(desk, "_apply_story", failing)
    try:
        deliver(store, json.dumps(items).encode(), now)
    except RuntimeError:
        pass
    assert calls == ["urn:m0", "urn:m1", "urn:m2"]
    assert store.status(now).versions == 0 and store.live_stories(now) == []


def test_text_warnings_are_logged_and_kept_with_the_version(store, now, caplog):
    import logging

    caplog.set_level(logging.INFO, logger="wiredesk.desk")
    deliver(store, ninjs_item("urn:w", at=now, by="Jane\x0bDoe"), now, name="w.json")
    record = store.story_by_uri("urn:w")
    assert record.story.by == "Jane Doe"
    (warning,) = record.story.warnings  # read back from the version's stored meta
    assert warning.field == "by" and "U+000B" in warning.problem
    assert any(r.levelno == logging.INFO and "w.json" in r.getMessage()
               and "by: 1 character XML cannot carry (U+000B)" in r.getMessage()
               for r in caplog.records)


def test_a_picture_item_alone_is_never_a_story_of_its_own(store, now):
    # Parsers return it as a Story of type "picture" (issue 13); the desk publishes no story.
    report = deliver(store, ninjs_item("urn:pic:1", type="picture"), now)
    assert report.outcomes[0][1] is Outcome.PICTURE and store.story_by_uri("urn:pic:1") is None
    assert store.pictures.by_uri("urn:pic:1") is not None  # kept for the stories that name it
    with_story = b"[" + ninjs_item("urn:pic:2", type="picture") + b"," + ninjs_item("urn:s:1", at=now) + b"]"
    report = deliver(store, with_story, now)
    assert report.outcomes == [("urn:pic:2", Outcome.PICTURE), ("urn:s:1", Outcome.NEW)]
