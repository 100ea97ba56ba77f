"""Remote pictures through a polled source against a real server on 127.0.0.1: fetched with
the source's credentials on its own host only, through the SSRF guard, within the size cap."""

from __future__ import annotations

import json

from helpers import ninjs_item
from test_pictures import jpeg
from test_sources_http import LocalServer, poll, source
from wiredesk import desk
from wiredesk.sources.fetch import Fetcher
from wiredesk.sources.pictures import PictureFetch
from wiredesk.story import Delivery
from wiredesk.terms import Terms

KEY = "picture-key"


def feed(server: LocalServer, now, hrefs: list[str]) -> bytes:
    item = json.loads(ninjs_item("urn:s:remote", at=now, headline="Remote pictures"))
    item["associations"] = [{"name": f"picture{n}", "uri": f"urn:pic:r{n}", "type": "picture",
                             "renditions": [{"name": "original", "href": href}]}
                            for n, href in enumerate(hrefs)]
    return json.dumps(item).encode()


def test_credentials_go_only_to_the_sources_own_host(server, store, now):
    photo = jpeg()
    server.routes["/media/own.jpg"] = lambda h: h.reply(200, photo, content_type="image/jpeg")
    server.routes["/media/other.jpg"] = lambda h: h.reply(200, photo, content_type="image/jpeg")
    port = server.base.rsplit(":", 1)[1]
    page = feed(server, now, ["/media/own.jpg", f"http://localhost:{port}/media/other.jpg"])
    server.routes["/feed.json"] = lambda h: h.reply(200, page)
    cfg = source(server.url("/feed.json"), auth=f"header:x-api-key:{KEY}", agency="Reuters")
    result = poll(store, cfg, now)
    assert result.totals == {"new": 1}, result.warnings
    record = store.story_by_uri("urn:s:remote")
    assert len(store.pictures.shown(record.id, now)) == 2
    seen = dict(server.seen)
    assert seen["/media/own.jpg"].get("x-api-key") == KEY
    assert "x-api-key" not in seen["/media/other.jpg"]  # another host: no credentials


def test_the_ssrf_guard_and_the_size_cap_hold_for_pictures(server, store, now):
    server.routes["/big.jpg"] = lambda h: h.reply(200, jpeg() + b"\0" * 300_000,
                                                  content_type="image/jpeg")
    private = source(server.url("/feed.json"), allow_private=False)
    guarded = source(server.url("/feed.json"))
    data = feed(server, now, [server.url("/big.jpg")])
    with Fetcher(private) as fetcher:
        report = desk.apply(store, Delivery(data, "wire", "one", now), Terms(agency="Reuters"),
                            pictures=PictureFetch(store, fetcher=fetcher,
                                                  base_url=server.url("/feed.json")))
    assert report.counts() == {"new": 1}
    assert "private" in report.pictures_refused[0] or "blocked" in report.pictures_refused[0], \
        report.pictures_refused
    data = feed(server, now, [server.url("/big.jpg")]).replace(b"urn:pic:r0", b"urn:pic:r9")
    with Fetcher(guarded) as fetcher:
        report = desk.apply(store, Delivery(data, "wire", "two", now), Terms(agency="Reuters"),
                            pictures=PictureFetch(store, fetcher=fetcher, max_bytes=100_000,
                                                  base_url=server.url("/feed.json")))
    assert "over the picture limit" in report.pictures_refused[0]
    assert len(store.quarantine.records()) == 2
