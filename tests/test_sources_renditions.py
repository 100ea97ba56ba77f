"""AP Media API through an http source against a real server on 127.0.0.1: the NITF
rendition fetched with the source's API key through its guarded fetch, its words taken into
the AP item's story, the story withheld until they arrive, retried on later polls, and
never fetched with the key from another host. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from conftest import FIXTURES
from test_sources_http import Handler, LocalServer, poll, source
from wiredesk import desk
from wiredesk.sources import renditions
from wiredesk.story import Pubstatus

AP = FIXTURES / "apmedia"
NITF = (FIXTURES / "nitf" / "ap-media-rendition.xml").read_bytes()
FED = "tag:ap.org,2011:6f2a8e1c0b3d4e5f9a7b0c1d2e3f4a5b"
KEY = "k3y-for-tests"
ORIGIN = "https://api.ap.org/media/v"


@pytest.fixture
def now() -> datetime:
    return datetime(2026, 1, 28, 20, 0, tzinfo=UTC)  # the fixtures' day: licences current


class Api:
    """The AP feed and its rendition on one server; the rendition answers only with the key,
    and fails while `down` is set."""

    def __init__(self, server: LocalServer, feed: str = "feed.json") -> None:
        self.server, self.down, self.rendition_gets = server, False, 0
        page = (AP / feed).read_text(encoding="utf-8").replace(ORIGIN, server.base + "/media/v")
        server.routes["/media/v/content/feed"] = lambda h: h.reply(200, page.encode())
        path = "/media/v/content/6f2a8e1c0b3d4e5f9a7b0c1d2e3f4a5b/download"
        server.routes[path] = self.rendition

    def rendition(self, h: Handler) -> None:
        self.rendition_gets += 1
        if h.headers.get("x-api-key") != KEY:
            h.reply(401, b'{"error": "no key"}')
        elif self.down:
            h.reply(502, b"bad gateway")
        else:
            h.reply(200, NITF, content_type="text/xml")

    def source(self, **values: object):
        return source(self.server.url("/media/v/content/feed"), auth=f"header:x-api-key:{KEY}",
                      **values)


def test_the_rendition_is_fetched_with_the_key_and_its_words_taken(server, store, now):
    api = Api(server)
    result = poll(store, api.source(), now)
    assert result.totals["new"] == 1 and result.totals["withheld"] == 1  # the advisory
    record = store.story_by_uri(FED)
    story = record.story
    assert record.state == "live"
    assert story.headline == "Fed holds rates steady, signals two cuts this year"  # the item's
    assert story.body.text.startswith("The Federal Reserve left its key interest rate unchanged")
    assert story.dateline == "WASHINGTON (AP)"  # from the NITF
    assert story.by == "CHRISTOPHER RUGABER"  # the NITF's byline
    assert story.located == "Washington, D.C."  # the item's
    assert story.versioncreated == datetime(2026, 1, 28, 19, 5, 12, tzinfo=UTC)
    assert story.pubstatus is Pubstatus.USABLE and story.format == "apmedia+nitf"
    assert desk.held_reason(story) is None
    assert api.rendition_gets == 1
    assert all(headers.get("x-api-key") == KEY for _, headers in server.seen)
    # The next poll serves the same page: the text is not fetched again, nothing changes.
    again = poll(store, api.source(), now, result.memo)
    assert api.rendition_gets == 1
    assert "new" not in again.totals and "updated" not in again.totals


def test_items_split_from_a_paged_feed_take_their_text_too(server, store, now):
    api = Api(server)
    cfg = api.source(paging={"mode": "next", "field": "data.next_page", "items": "data.items"})
    poll(store, cfg, now)
    assert store.story_by_uri(FED).state == "live"


def test_until_its_text_arrives_the_story_is_withheld_then_a_later_poll_takes_it(server, store, now):
    api = Api(server)
    api.down = True
    first = poll(store, api.source(), now)
    record = store.story_by_uri(FED)
    assert record.state == "withheld" and record.story.body.text == ""
    assert desk.held_reason(record.story).startswith("waiting for its text from http://127.0.0.1")
    assert any("text for " + FED in w for w in first.warnings)
    assert FED in first.memo[renditions.PENDING]
    # The feed moves on (a cursor would not serve the item again): the memo retries it.
    server.routes["/media/v/content/feed"] = lambda h: h.reply(
        200, json.dumps({"data": {"items": [], "next_page": None}}).encode())
    api.down = False
    second = poll(store, api.source(), now, first.memo)
    record = store.story_by_uri(FED)
    assert record.state == "live" and "key interest rate" in record.story.body.text
    assert record.version_count == 2  # the waiting version, then the one with its words
    assert FED not in second.memo.get(renditions.PENDING, {})


def test_the_key_is_never_sent_to_a_rendition_on_another_host(server, store, now):
    other = LocalServer()
    try:
        api = Api(server)
        page = (AP / "item-story.json").read_text(encoding="utf-8").replace(
            ORIGIN, other.base + "/media/v")
        server.routes["/media/v/content/feed"] = lambda h: h.reply(200, page.encode())
        result = poll(store, api.source(), now)
        assert other.seen == []
        assert store.story_by_uri(FED).state == "withheld"
        assert any("not on the source's host" in w for w in result.warnings)
    finally:
        other.close()


def test_kills_and_held_items_are_not_fetched(server, store, now):
    api = Api(server, "feed-daybook-withhold.json")
    result = poll(store, api.source(), now)
    assert result.totals["withheld"] == 2 and api.rendition_gets == 0


def test_a_rendition_that_cannot_be_read_leaves_the_story_withheld(server, store, now):
    api = Api(server)
    path = "/media/v/content/6f2a8e1c0b3d4e5f9a7b0c1d2e3f4a5b/download"
    server.routes[path] = lambda h: h.reply(200, b"<html><p>Access denied</p>", content_type="text/xml")
    result = poll(store, api.source(), now)
    assert store.story_by_uri(FED).state == "withheld"
    assert any(w.startswith(f"text for {FED}:") for w in result.warnings)
    assert FED in result.memo[renditions.PENDING]
