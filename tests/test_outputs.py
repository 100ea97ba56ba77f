"""Feeds, sitemaps, structured data and search, read back with real clients; and the one
promise across all of them: a takedown removes the story from every surface at once."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import feedparser
import pytest
from lxml import etree
from lxml import html as lxml_html

from helpers import deliver, later, ninjs_item
from wiredesk import desk, lifecycle
from wiredesk.config import Settings
from wiredesk.web.app import declared_routes
from wiredesk.web.notify import attach, purger_for

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"


def story(store, now, uri="urn:a", **extra):
    fields = dict(headline="Storm hits the coast", by="Jane Doe", at=now,
                  body="<p>Gale-force winds battered fishing towns.</p>",
                  copyrightnotice="Copyright 2026 AP", subjects=[{"name": "weather"}])
    fields.update(extra)
    deliver(store, ninjs_item(uri, **fields), now)
    return store.story_by_uri(uri)


@pytest.mark.parametrize("path", ["/feeds/atom.xml", "/feeds/rss.xml"])
def test_feeds_read_back_with_feedparser(client, store, now, path):
    record = story(store, now)
    response = client.get(path)
    assert response.status_code == 200
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    (entry,) = parsed.entries
    assert entry.title == "Storm hits the coast"
    assert entry.link == f"https://news.example/story/{record.id}/storm-hits-the-coast"
    assert entry.get("author") == "Jane Doe"
    assert "Gale-force winds battered fishing towns." in entry.get("content", [entry])[0].get("value", entry.get("summary", ""))


def test_atom_attribution_and_links(client, store, now):
    story(store, now)
    parsed = feedparser.parse(client.get("/feeds/atom.xml").content)
    entry = parsed.entries[0]
    assert entry.id == "urn:a"
    assert entry.rights == "Copyright 2026 AP"
    assert [t.term for t in entry.tags] == ["weather"]
    assert entry.source.title == "AP"
    assert "does not edit the articles" in entry.content[0].value
    assert {"rel": "self", "href": "https://news.example/feeds/atom.xml", "type": "application/atom+xml"} in parsed.feed.links


def test_json_feed_is_version_1_1_with_attribution(client, store, now):
    story(store, now)
    feed = client.get("/feeds/feed.json").json()
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    (item,) = feed["items"]
    assert item["authors"] == [{"name": "Jane Doe"}] and item["tags"] == ["weather"]
    assert item["_wiredesk"]["agency"] == "AP"


def test_per_agency_and_subject_feeds(client, store, now):
    story(store, now, "urn:a")
    story(store, now, "urn:b", headline="Cup draw", subjects=[{"name": "sport"}],
          infosources=[{"name": "AFP", "role": "originator"}])
    titles = lambda p: [e.title for e in feedparser.parse(client.get(p).content).entries]  # noqa: E731
    assert titles("/feeds/agency/AFP/atom.xml") == ["Cup draw"]
    assert titles("/feeds/subject/weather/rss.xml") == ["Storm hits the coast"]
    assert client.get("/feeds/nonsense.txt").status_code == 404


def test_feed_conditional_get(client, store, now):
    story(store, now)
    first = client.get("/feeds/atom.xml")
    assert first.headers["Last-Modified"] == "Sun, 29 Nov 2026 12:00:00 GMT"
    assert client.get("/feeds/atom.xml", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    assert client.get("/feeds/atom.xml", headers={"If-Modified-Since": first.headers["Last-Modified"]}).status_code == 304
    story(store, now, "urn:b", at=later(now, minutes=1), headline="Another")
    assert client.get("/feeds/atom.xml", headers={"If-None-Match": first.headers["ETag"]}).status_code == 200


def test_websub_links_when_a_hub_is_set(store, clock):
    from starlette.testclient import TestClient

    from wiredesk.web.app import create_app

    settings = Settings(base_url="https://news.example", websub_hub="https://hub.example/")
    with TestClient(create_app(settings, store=store, clock=clock)) as c:
        response = c.get("/feeds/atom.xml")
    assert '<https://hub.example/>; rel="hub"' in response.headers["Link"]
    assert '<https://news.example/feeds/atom.xml>; rel="self"' in response.headers["Link"]
    hubs = [link for link in feedparser.parse(response.content).feed.links if link.rel == "hub"]
    assert [link.href for link in hubs] == ["https://hub.example/"]


@pytest.mark.parametrize("kind", ["atom.xml", "rss.xml", "feed.json"])
def test_agency_names_outside_latin1_get_percent_encoded_links(store, clock, now, kind):
    """RFC 8288/3986: a header carries a URI, so ČTK's feed is named %C4%8CTK in its Link,
    its self link and the URL the WebSub hub is pinged with, all alike."""
    from starlette.testclient import TestClient

    from wiredesk.store import Changes
    from wiredesk.web.app import create_app
    from wiredesk.web.notify import Notifier

    story(store, now, "urn:ctk", infosources=[{"name": "ČTK", "role": "originator"}])
    settings = Settings(base_url="https://news.example", websub_hub="https://hub.example/ü")
    with TestClient(create_app(settings, store=store, clock=clock)) as c:
        response = c.get(f"/feeds/agency/ČTK/{kind}")
    assert response.status_code == 200 and "urn:ctk" in response.text
    topic = f"https://news.example/feeds/agency/%C4%8CTK/{kind}"
    assert response.headers["Link"] == (
        f'<https://hub.example/%C3%BC>; rel="hub", <{topic}>; rel="self"')
    assert topic in response.text
    notifier = Notifier(settings, declared_routes(settings, store))
    try:
        pinged = notifier.feed_urls(Changes(updated=[(1, "ČTK")]))
    finally:
        notifier.close()
    assert "https://news.example/feeds/agency/%C4%8CTK/atom.xml" in pinged


def test_news_sitemap_has_only_the_last_two_days(client, store, clock, now):
    story(store, now - timedelta(days=3), "urn:old", headline="Old news")
    clock.now = now
    record = story(store, now, "urn:new", headline="New news", language="en")
    root = etree.fromstring(client.get("/sitemap-news.xml").content)
    urls = root.findall(f"{SM}url")
    assert [u.findtext(f"{SM}loc") for u in urls] == [f"https://news.example/story/{record.id}/new-news"]
    news = urls[0].find(f"{NEWS}news")
    assert news.findtext(f"{NEWS}publication/{NEWS}name") == "Example News"
    assert news.findtext(f"{NEWS}publication/{NEWS}language") == "en"
    assert news.findtext(f"{NEWS}title") == "New news"
    assert news.findtext(f"{NEWS}publication_date") == "2026-11-29T12:00:00Z"
    index = etree.fromstring(client.get("/sitemap.xml").content)
    assert [s.findtext(f"{SM}loc") for s in index] == [
        "https://news.example/sitemap-news.xml", "https://news.example/sitemap-stories.xml",
        "https://news.example/sitemap-sections.xml"]
    assert "Sitemap: https://news.example/sitemap.xml" in client.get("/robots.txt").text


def test_article_structured_data(client, store, now):
    record = story(store, now, by="Jane Doe and John Roe")
    doc = lxml_html.fromstring(client.get(f"/story/{record.id}").text)
    (script,) = doc.xpath("//script[@type='application/ld+json']")
    data = json.loads(script.text)
    assert data["@type"] == "NewsArticle" and data["headline"] == "Storm hits the coast"
    assert data["datePublished"] == "2026-11-29T12:00:00Z"
    assert data["author"] == [{"@type": "Person", "name": "Jane Doe"}, {"@type": "Person", "name": "John Roe"}]
    assert data["publisher"]["name"] == "Example News"
    assert data["expires"] == "2026-12-29T12:00:00Z"
    canonical = f"https://news.example/story/{record.id}/storm-hits-the-coast"
    assert doc.xpath("//link[@rel='canonical']/@href") == [canonical]
    assert doc.xpath("//meta[@name='robots']/@content") == ["unavailable_after: 2026-12-29T12:00:00Z"]
    assert doc.xpath("//meta[@property='og:title']/@content") == ["Storm hits the coast"]


def test_structured_data_cannot_break_out_of_its_script(client, store, now):
    record = story(store, now, headline="</script><script>alert(1)</script>")
    page = client.get(f"/story/{record.id}").text
    assert "</script><script>alert(1)" not in page
    (script,) = lxml_html.fromstring(page).xpath("//script[@type='application/ld+json']")
    assert json.loads(script.text)["headline"] == "</script><script>alert(1)</script>"


def test_search_page_ranks_highlights_filters_and_pages(client, store, now):
    story(store, now - timedelta(days=5), "urn:old", headline="Storm warning", body="<p>Storm storm storm.</p>")
    story(store, now, "urn:new", headline="Storm hits the coast", body="<p>The storm moved inland.</p>")
    story(store, now, "urn:other", headline="Markets rise", body="<p>Shares up.</p>",
          infosources=[{"name": "AFP", "role": "originator"}])
    doc = lxml_html.fromstring(client.get("/search", params={"q": "storm"}).text)
    assert [a.text for a in doc.xpath("//ol[contains(@class,'results')]//h2/a")] == [
        "Storm hits the coast", "Storm warning"]
    assert doc.xpath("//p[@class='snippet']/mark")
    assert "2 stories found" in doc.xpath("//p[@class='count']")[0].text_content()
    only_afp = client.get("/search", params={"q": "storm", "agency": "AFP"}).text
    assert "0 stories found" in only_afp
    assert "1 story found" in client.get("/search", params={"q": '"moved inland"'}).text
    assert "1 story found" in client.get("/search", params={"q": "mark*"}).text
    dated = lxml_html.fromstring(client.get("/search", params={"q": "storm", "from": "2026-11-29"}).text)
    assert [a.text for a in dated.xpath("//ol[contains(@class,'results')]//h2/a")] == ["Storm hits the coast"]


@pytest.mark.parametrize("q", ['"', "AND OR NOT", "*", "(((", 'storm"', "NEAR(a b)", "a:b", "^x", "-"])
def test_odd_queries_never_500(client, store, now, q):
    story(store, now)
    response = client.get("/search", params={"q": q})
    assert response.status_code == 200


def test_bad_search_dates_get_a_friendly_message(client):
    response = client.get("/search", params={"q": "storm", "from": "yesterday"})
    assert response.status_code == 200 and "From date: use the form 2026-01-31." in response.text


def test_search_paging(client, store, now):
    items = [json.loads(ninjs_item(f"urn:{i}", at=later(now, minutes=i), headline=f"Storm {i}")) for i in range(13)]
    deliver(store, json.dumps(items).encode(), now)
    first = lxml_html.fromstring(client.get("/search", params={"q": "storm"}).text)
    second = lxml_html.fromstring(client.get("/search", params={"q": "storm", "page": 2}).text)
    titles = first.xpath("//ol//h2/a/text()") + second.xpath("//ol//h2/a/text()")
    assert len(titles) == 13 and len(set(titles)) == 13
    assert first.xpath("//a[@rel='next']")


def surfaces(client, record) -> dict[str, bool]:
    """Is the story present on each surface right now?"""
    uri, headline = record.uri, record.story.headline
    atom = feedparser.parse(client.get("/feeds/atom.xml").content)
    return {
        "article": client.get(f"/story/{record.id}").status_code == 200,
        "api": client.get(f"/api/v1/stories/{record.id}").status_code == 200,
        "api list": uri in client.get("/api/v1/stories").text,
        "front": headline in client.get("/").text,
        "atom": any(e.id == uri for e in atom.entries),
        "rss": uri in client.get("/feeds/rss.xml").text,
        "json feed": uri in client.get("/feeds/feed.json").text,
        "agency feed": uri in client.get("/feeds/agency/AP/atom.xml").text.split("deleted-entry")[0],
        "news sitemap": f"/story/{record.id}/" in client.get("/sitemap-news.xml").text,
        "sitemap": f"/story/{record.id}/" in client.get("/sitemap-stories.xml").text,
        "search": headline in client.get("/search", params={"q": "storm"}).text,
        "api search": uri in client.get("/api/v1/search", params={"q": "storm"}).text,
    }


@pytest.mark.parametrize("how", ["agency kill", "operator kill", "licence end"])
def test_a_takedown_leaves_every_surface_in_the_same_request_cycle(client, store, clock, now, how):
    record = story(store, now)
    assert all(surfaces(client, record).values()), surfaces(client, record)
    if how == "agency kill":
        deliver(store, ninjs_item("urn:a", version=2, at=now, pubstatus="canceled"), now)
    elif how == "operator kill":
        desk.kill(store, "urn:a", reason="legal", actor="ed", now=now)
    else:
        clock.now = record.ends_at  # the clock has not run: every surface already hides it
        assert not any(surfaces(client, record).values()), surfaces(client, record)
        lifecycle.tick(store, clock.now)
    present = surfaces(client, record)
    assert not any(present.values()), present
    assert client.get(f"/story/{record.id}").status_code == 410
    assert client.get(f"/api/v1/stories/{record.id}").status_code == 410
    atom = feedparser.parse(client.get("/feeds/atom.xml").content)
    root = etree.fromstring(client.get("/feeds/atom.xml").content)
    tombs = root.findall("{http://purl.org/atompub/tombstones/1.0}deleted-entry")
    assert [t.get("ref") for t in tombs] == ["urn:a"]
    assert tombs[0].get("when") == (record.ends_at if how == "licence end" else now).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert atom.entries == []


def test_tombstones_are_kept_for_seven_days(client, store, clock, now):
    story(store, now)
    desk.kill(store, "urn:a", reason="legal", actor="ed", now=now)
    clock.now = later(now, days=6, hours=23)
    assert b"deleted-entry" in client.get("/feeds/atom.xml").content
    clock.now = later(now, days=7, minutes=1)
    assert b"deleted-entry" not in client.get("/feeds/atom.xml").content


class Recorder(BaseHTTPRequestHandler):
    calls: list[tuple[str, dict[str, str], bytes]] = []

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        Recorder.calls.append((self.path, dict(self.headers), body))
        self.send_response(202)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def recorder():
    Recorder.calls = []
    server = HTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_takedown_purges_the_cdn_by_surrogate_key_and_pings_the_hub(store, now, recorder):
    settings = Settings(base_url="https://news.example", purge_url=f"{recorder}/purge",
                        websub_hub=f"{recorder}/hub")
    routes = declared_routes(settings, store)
    notifier = attach(store, settings, routes)
    purger = purger_for(settings, store, routes)  # the journal's reader (wiredesk/edge.py)
    assert purger is not None
    story(store, now)
    purger.start_cursor()
    story_id = store.story_by_uri("urn:a").id
    desk.kill(store, "urn:a", reason="legal", actor="ed", now=now)
    notifier.close()  # waits for the background calls
    assert purger.drain()
    purges = [headers for path, headers, _ in Recorder.calls if path == "/purge"]
    assert len(purges) == 1
    keys = purges[0]["Surrogate-Key"].split()
    assert {f"story-{story_id}", "stories", "agency-ap", "subject-weather", "feeds", "front"} <= set(keys)
    pings = [body for path, _, body in Recorder.calls if path == "/hub"]
    assert b"hub.mode=publish" in pings[0]
    assert b"hub.url=https%3A%2F%2Fnews.example%2Ffeeds%2Fatom.xml" in b"".join(pings)


XML_SURFACES = ("/feeds/atom.xml", "/feeds/rss.xml", "/feeds/agency/AP/atom.xml",
                "/feeds/agency/AP/rss.xml", "/feeds/subject/weather/atom.xml",
                "/feeds/subject/weather/rss.xml", "/sitemap.xml", "/sitemap-news.xml",
                "/sitemap-stories.xml")
BAD_RSS = ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
           'xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Wire</title>'
           '<link>https://wire.example/</link><description>d</description><item>'
           '<title>Rss storm hits</title><link>https://wire.example/a</link>'
           '<guid>urn:bad:rss</guid><category>weather</category><dc:creator>Rss Writer</dc:creator>'
           '<description>&lt;p&gt;Rssgale&amp;#11;force &amp;#xFFFE;rsswinds '
           '&amp;#1;battered towns&lt;/p&gt;</description></item></channel></rss>')
BAD_PLAIN = ("Plain\x0bstorm \ufffeheadline\n\nBy Plain\x01Writer\n\n"
             "LISBON (Reuters) - Plaingale\x0bforce \ufffeplainwinds \x01battered towns.\n")


def test_characters_xml_cannot_carry_never_break_an_xml_surface(client, store, now):
    from wiredesk.story import Delivery
    from wiredesk.terms import Terms

    story(store, now, "urn:bad:ninjs", headline="Ninjs\x0bstorm \ufffeheadline\x00end",
          by="Ninjs\x00Writer", body="<p>Ninjsgale\x0bforce \ufffeninjswinds \x1fbattered</p>")
    for data, fmt in ((BAD_RSS.encode(), "feed"), (BAD_PLAIN.encode(), "plain")):
        report = desk.apply(store, Delivery(data, "wire", fmt, now),
                            Terms(format=fmt, agency="AP"))
        assert report.error is None, report.error
    words = ["Ninjs", "storm", "headline", "end", "Writer", "Ninjsgale", "force",
             "ninjswinds", "battered", "Rss", "Rssgale", "rsswinds", "Plain", "Plaingale",
             "plainwinds"]
    for path in XML_SURFACES:
        response = client.get(path)
        assert response.status_code == 200, path
        etree.fromstring(response.content)  # well-formed XML 1.0
    atom = etree.fromstring(client.get("/feeds/atom.xml").content)
    text = " ".join(atom.itertext()) + " ".join(
        lxml_html.fromstring(c).text_content()
        for c in atom.xpath("//*[local-name()='content']/text()"))
    for word in words:
        assert word in text, word
    record = store.story_by_uri("urn:bad:ninjs")
    assert {w.field for w in record.story.warnings} >= {"headline", "by", "body"}


def test_a_feed_survives_a_bad_character_that_got_past_the_parsers(client, store, now):
    from wiredesk.story import Delivery
    from wiredesk.terms import Terms

    def inject(stories, _delivery):  # a transform running after the parse's cleaning
        return [s.with_changes(headline="Late\x0bstorm", by="Late\x0bwriter") for s in stories]

    data = ninjs_item("urn:late", at=now, subjects=[{"name": "weather"}])
    desk.apply(store, Delivery(data, "wire", "late", now), Terms(), transform=inject)
    for path in XML_SURFACES:
        response = client.get(path)
        assert response.status_code == 200, path
        assert b"Late storm" in response.content or path.startswith("/sitemap"), path
        etree.fromstring(response.content)
