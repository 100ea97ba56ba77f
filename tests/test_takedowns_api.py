"""GET /api/v1/takedowns: what a consumer that cached stories must drop, from the journal
(with event ids) and, before the journal's first event, from the stories themselves."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete

from helpers import deliver, later, ninjs_item
from wiredesk import desk
from wiredesk.store.schema import journal
from wiredesk.times import iso


def test_takedowns_since_an_event_id_and_a_time(client, store, now):
    deliver(store, ninjs_item("urn:t1", at=now, headline="One"), now)
    deliver(store, ninjs_item("urn:t2", at=now, headline="Two"), now)
    start = store.journal.latest()
    assert desk.kill(store, "urn:t1", reason="legal", actor="ed", now=later(now, minutes=1))
    answer = client.get(f"/api/v1/takedowns?since={start}")
    assert answer.status_code == 200 and answer.headers["cache-control"] == "no-cache"
    data = answer.json()
    [gone] = data["takedowns"]
    assert gone["uri"] == "urn:t1" and gone["reason"] == "removed"
    assert gone["event_id"] == data["last_event_id"] and data["more"] is False
    assert "One" not in answer.text  # never the words
    again = client.get(f"/api/v1/takedowns?since={data['last_event_id']}").json()
    assert again["takedowns"] == [] and again["last_event_id"] == data["last_event_id"]
    by_time = client.get("/api/v1/takedowns", params={"since": iso(now - timedelta(days=1))})
    assert [t["uri"] for t in by_time.json()["takedowns"]] == ["urn:t1"]


def test_takedowns_older_than_the_journal_come_from_the_stories(client, store, now):
    deliver(store, ninjs_item("urn:old", at=now, headline="Old"), now)
    assert desk.kill(store, "urn:old", reason="legal", actor="ed", now=now)
    with store.engine.begin() as c:  # the journal was pruned since
        c.execute(delete(journal))
    data = client.get("/api/v1/takedowns", params={"since": iso(now - timedelta(hours=1))}).json()
    assert [(t["uri"], t["event_id"]) for t in data["takedowns"]] == [("urn:old", None)]


def test_bad_since_is_refused_in_json(client):
    for query in ("", "?since=", "?since=yesterday", "?since=99999999999999999999999"):
        answer = client.get("/api/v1/takedowns" + query)
        assert answer.status_code == 400 and "since" in answer.json()["error"]
