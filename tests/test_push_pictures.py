"""Pushed deliveries get their remote pictures: the push is answered at once without any
fetch, and the worker fetches them later through the SSRF guard, with the push source's
picture credentials sent to its picture hosts only. Against a real server on 127.0.0.1."""

from __future__ import annotations

import json

import pytest
from lxml import html as lxml_html
from starlette.testclient import TestClient

from helpers import ninjs_item
from test_pictures import jpeg
from test_pictures_hostile import SVG
from wiredesk.config import Settings
from wiredesk.sources.config import ConfigError
from wiredesk.sources.kinds import build
from wiredesk.sources.push import HEADER, sign
from wiredesk.sources.registry import add_source
from wiredesk.sources.worker import Worker
from wiredesk.web.app import create_app

SECRET = "a-shared-secret"
KEY = "picture-key"


def make_client(store, now, **settings):
    add_source(store, build("ap", "push", {"secret": SECRET, "agency": "AP", **settings}), now,
               check=False)
    return TestClient(create_app(Settings(), store=store, clock=lambda: now))


def story(now, hrefs: list[str], uri: str = "urn:ap:1", headline: str = "Pushed story") -> bytes:
    item = json.loads(ninjs_item(uri, at=now, headline=headline))
    item["associations"] = [{"name": "featureimage" if n == 0 else f"picture{n}",
                             "uri": f"urn:pic:{uri}:{n}", "type": "picture",
                             "descriptions": [{"role": "caption", "value": f"Caption {n}"}],
                             "renditions": [{"name": "original", "href": href}]}
                            for n, href in enumerate(hrefs)]
    return json.dumps(item).encode()


def push(client, body: bytes):
    return client.post("/push/ap", content=body, headers={
        "Content-Type": "application/json", HEADER: sign(SECRET, body)})


def test_a_push_is_answered_before_any_fetch_and_the_worker_adds_its_pictures(
        store, server, now):
    photo = jpeg()
    server.routes["/own.jpg"] = lambda h: h.reply(200, photo, content_type="image/jpeg")
    server.routes["/other.jpg"] = lambda h: h.reply(200, jpeg(800, 500), content_type="image/jpeg")
    port = server.base.rsplit(":", 1)[1]
    body = story(now, [server.url("/own.jpg"), f"http://localhost:{port}/other.jpg"])
    with make_client(store, now, allow_private=True, picture_auth=f"header:x-api-key:{KEY}",
                     picture_hosts=[f"127.0.0.1:{port}"]) as client:
        answer = push(client, body)
        assert answer.status_code == 202, answer.text
        assert answer.json()["outcomes"] == {"urn:ap:1": "new"}
        assert answer.json()["pictures"] == "2 to fetch"
        assert server.seen == []  # the request fetched nothing
        record = store.story_by_uri("urn:ap:1")
        assert record.state == "live" and store.pictures.shown(record.id, now) == []
        assert store.picture_waits.count("ap") == 1

        assert Worker(store, clock=lambda: now).run_once() >= 1
        shown = store.pictures.shown(record.id, now)
        assert [p.caption for p in shown] == ["Caption 0", "Caption 1"]
        assert store.picture_waits.count("ap") == 0 and store.quarantine.records() == []
        seen = dict(server.seen)
        assert seen["/own.jpg"].get("x-api-key") == KEY
        assert "x-api-key" not in seen["/other.jpg"]  # not a picture host: no credentials
        page = client.get(f"/story/{record.id}")
        doc = lxml_html.fromstring(page.text)
        assert doc.xpath("//article//figure[@class='story-picture']//img")
        # Once kept, the same push again fetches nothing more.
        server.seen.clear()
        assert push(client, body).json()["outcomes"] == {"urn:ap:1": "unchanged"}
        Worker(store, clock=lambda: now).run_once()
        assert server.seen == []


def test_a_pushed_picture_on_a_private_address_is_refused_by_the_guard(store, server, now):
    server.routes["/p.jpg"] = lambda h: h.reply(200, jpeg(), content_type="image/jpeg")
    with make_client(store, now) as client:  # allow_private is off: loopback is refused
        assert push(client, story(now, [server.url("/p.jpg")])).status_code == 202
        Worker(store, clock=lambda: now).run_once()
    assert server.seen == []
    record = store.story_by_uri("urn:ap:1")
    assert record.state == "live" and store.pictures.shown(record.id, now) == []
    (kept,) = store.quarantine.records()
    assert kept.format == "picture" and "loopback" in kept.error and "p.jpg" in kept.error


def test_a_hostile_pushed_picture_is_quarantined_and_the_story_stays(store, server, now):
    server.routes["/chart.svg"] = lambda h: h.reply(200, SVG, content_type="image/svg+xml")
    with make_client(store, now, allow_private=True) as client:
        assert push(client, story(now, [server.url("/chart.svg")])).status_code == 202
        Worker(store, clock=lambda: now).run_once()
    record = store.story_by_uri("urn:ap:1")
    assert record.state == "live" and store.pictures.shown(record.id, now) == []
    (kept,) = store.quarantine.records()
    assert "an SVG document" in kept.error and store.quarantine.item(kept.id).data == SVG


def test_a_newer_version_before_the_fetch_keeps_its_own_pictures(store, server, now):
    server.routes["/old.jpg"] = lambda h: h.reply(200, jpeg(), content_type="image/jpeg")
    with make_client(store, now, allow_private=True) as client:
        push(client, story(now, [server.url("/old.jpg")]))
        newer = json.loads(story(now, [], headline="Pushed story, updated"))
        newer["version"] = "2"
        newer.pop("associations")
        assert push(client, json.dumps(newer).encode()).json()["outcomes"] == {
            "urn:ap:1": "updated"}
        Worker(store, clock=lambda: now).run_once()
    record = store.story_by_uri("urn:ap:1")
    assert record.story.headline == "Pushed story, updated"
    assert store.pictures.shown(record.id, now) == []  # the old version's picture: not linked


def test_picture_auth_needs_the_hosts_it_may_go_to():
    with pytest.raises(ConfigError, match="picture-host"):
        build("ap", "push", {"secret": SECRET, "picture_auth": f"bearer:{KEY}"})
    cfg = build("ap", "push", {"secret": SECRET, "picture_auth": f"bearer:{KEY}",
                               "picture_hosts": ["photos.ap.example"]})
    assert cfg.picture_hosts == ("photos.ap.example",) and cfg.picture_auth.type == "bearer"


def test_removing_a_push_source_forgets_its_waiting_pictures(store, server, now):
    with make_client(store, now) as client:
        push(client, story(now, [server.url("/p.jpg")]))
    assert store.picture_waits.count("ap") == 1
    assert store.sources.remove("ap")
    assert store.picture_waits.count("ap") == 0


def test_a_push_during_the_workers_run_is_not_lost(store, now):
    """The worker's run ends by scheduling the source; a push that made it due meanwhile
    keeps it due, so its pictures are not left waiting for the next push."""
    from datetime import timedelta

    add_source(store, build("ap", "push", {"secret": SECRET}), now, check=False)
    store.picture_waits.add("ap", name="one", content_type=None, data=b"{}", received_at=now,
                            now=now)
    assert len(store.sources.claim_due("w1", now, timedelta(minutes=5), 10)) == 1
    started = now + timedelta(seconds=1)
    pushed = now + timedelta(seconds=2)  # a push while the run drains the first one
    store.picture_waits.add("ap", name="two", content_type=None, data=b"{}", received_at=pushed,
                            now=pushed)
    month = now + timedelta(days=30)
    assert store.sources.finish("ap", "w1", now=now + timedelta(seconds=3), error=None,
                                next_poll_at=month, memo={}, started=started)
    assert store.sources.claim_due("w2", pushed, timedelta(minutes=5), 10)  # due again
    later = pushed + timedelta(seconds=1)
    assert store.sources.finish("ap", "w2", now=later, error=None, next_poll_at=month,
                                memo={}, started=later)
    # Nothing made it due during that run: a month, as the step asked.
    assert store.sources.claim_due("w3", later + timedelta(days=1), timedelta(minutes=5),
                                   10) == []
