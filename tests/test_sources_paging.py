"""Feeds that are never done: an AP Media API style `data.next_page` followed until caught up
and resumed from where the last poll ended; Atom/RSS `<link rel="next">` pages followed."""

from __future__ import annotations

import json
import threading
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from helpers import ninjs_item
from wiredesk.sources import http
from wiredesk.sources.config import ConfigError
from wiredesk.sources.fetch import HostLimiter
from wiredesk.sources.kind import Run
from wiredesk.sources.kinds import build


class Wire:
    """An AP-style feed on 127.0.0.1: page `seq` holds the stories sent after `seq - 1`, and
    always names the next page; an empty page means caught up (its next page is the cursor)."""

    def __init__(self, at: datetime) -> None:
        self.pages: dict[int, list[dict]] = {}
        self.asked: list[str] = []
        self.at = at
        wire = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                wire.asked.append(self.path)
                parts = urlsplit(self.path)
                if parts.path == "/atom":
                    body, kind = wire.atom(parts.query), "application/atom+xml"
                else:
                    seq = int(parse_qs(parts.query).get("seq", ["1"])[0])
                    body = json.dumps({"data": {"items": wire.pages.get(seq, []),
                                                "next_page": f"/feed?seq={seq + 1}"}}).encode()
                    kind = "application/json"
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True).start()
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def story(self, n: int) -> dict:
        return json.loads(ninjs_item(f"urn:page:{n}", at=self.at))

    def atom(self, query: str) -> bytes:
        page = int(parse_qs(query).get("page", ["1"])[0])
        after = '<link rel="next" href="/atom?page=2"/>' if page == 1 else ""
        return f"""<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom">
          <title>W</title><id>urn:w</id><updated>2026-11-29T11:00:00Z</updated>{after}
          <entry><title>Atom {page}</title><id>urn:atom:{page}</id>
          <updated>2026-11-29T11:00:00Z</updated><content>Text {page}.</content></entry>
          </feed>""".encode()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def wire(now):
    w = Wire(now)
    yield w
    w.close()


def step(store, cfg, memo: dict, now: datetime):
    return http.run(cfg, Run(store, memo, lambda: now, lambda: False, lambda m: None,
                             HostLimiter()))


def test_next_page_is_followed_until_caught_up_and_resumed_next_poll(store, wire, now):
    cfg = build("ap", "http", {"url": f"{wire.base}/feed", "allow_private": True,
                               "paging": {"mode": "next", "field": "data.next_page",
                                          "items": "data.items", "max_pages": 2,
                                          "resume": True}})
    wire.pages = {1: [wire.story(1)], 2: [wire.story(2)], 3: [wire.story(3)]}
    first = step(store, cfg, {}, now)
    assert first.totals == {"new": 2} and first.again == 0.0  # pages left: at once
    assert first.memo["next_url"].endswith("/feed?seq=3")
    second = step(store, cfg, first.memo, now)
    # page 3 had a story, page 4 none: caught up; the next poll starts at page 5
    assert second.totals == {"new": 1} and second.again is None
    assert second.memo["next_url"].endswith("/feed?seq=5")
    assert [p for p in wire.asked] == ["/feed", "/feed?seq=2", "/feed?seq=3", "/feed?seq=4"]
    wire.pages[5] = [wire.story(5)]
    third = step(store, cfg, second.memo, now)
    assert third.totals == {"new": 1} and wire.asked[4] == "/feed?seq=5"
    assert all(store.story_by_uri(f"urn:page:{n}") for n in (1, 2, 3, 5))


def test_without_resume_each_poll_starts_at_the_url(store, wire, now):
    cfg = build("ap", "http", {"url": f"{wire.base}/feed", "allow_private": True,
                               "paging": {"mode": "next", "field": "data.next_page",
                                          "items": "data.items", "max_pages": 3}})
    wire.pages = {1: [wire.story(1)]}
    ran = step(store, cfg, {}, now)
    # max_pages with a next page left, but the next poll would start over: it waits
    assert "next_url" not in ran.memo and ran.again is None
    step(store, cfg, ran.memo, now)
    assert wire.asked[3] == "/feed"


def test_atom_link_rel_next_is_followed(store, wire, now):
    cfg = build("w", "http", {"url": f"{wire.base}/atom", "allow_private": True,
                              "paging": "link"})
    ran = step(store, cfg, {}, now)
    assert ran.totals == {"new": 2} and wire.asked == ["/atom", "/atom?page=2"]


def test_resume_is_only_for_next_and_link():
    with pytest.raises(ConfigError, match="resume is for the next and link modes"):
        build("ap", "http", {"url": "https://x.example/f", "paging": {
            "mode": "cursor", "field": "c", "resume": True}})
