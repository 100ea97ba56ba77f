"""The front page and article page of issue 14: the lead story, summaries, labels, numbered
pages, relative times, "More from" lists, right-to-left stories and readable slugs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from lxml import html as lxml_html

from helpers import deliver, later, ninjs_item
from wiredesk.story import Body, Story
from wiredesk.web.presentation import ago, rtl, summary
from wiredesk.web.render import slug

SPORT = [{"name": "sport", "uri": "http://cv.iptc.org/newscodes/mediatopic/15073000"}]


# --- pure rules -------------------------------------------------------------------------

@pytest.mark.parametrize(("headline", "expected"), [
    ("Bahn kündigt Streik in München an", "bahn-kundigt-streik-in-munchen-an"),
    ("Straße über Øresund und Łódź", "strasse-uber-oresund-und-lodz"),
    ("Путин заявил о переговорах", "путин-заявил-о-переговорах"),
    ("الرئيس يزور القاهرة", "الرئيس-يزور-القاهرة"),
    ("Ça va? 100% «sûr»", "ca-va-100-sur"),
    ("!!!", "story"),
])
def test_slugs_keep_words_readable(headline, expected):
    assert slug(headline) == expected


def test_long_slugs_end_at_a_word():
    made = slug("word " * 40)
    assert len(made) <= 80 and made.endswith("word") and not made.endswith("-")


@pytest.mark.parametrize(("language", "expected"), [
    ("ar", True), ("he-IL", True), ("fa", True), ("ur", True), ("yi", True), ("AR_eg", True),
    ("az-Arab", True), ("en", False), ("de-DE", False), ("ku-Latn", False), (None, False),
    ("", False), ("tr", False),
])
def test_right_to_left_languages(language, expected):
    assert rtl(language) is expected


def test_relative_times():
    now = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
    assert ago(now - timedelta(seconds=20), now) == "just now"
    assert ago(now - timedelta(minutes=12, seconds=50), now) == "12 min ago"
    assert ago(now - timedelta(hours=3, minutes=5), now) == "3 h ago"
    assert ago(now - timedelta(days=1, hours=2), now) == "1 day ago"
    assert ago(now - timedelta(days=4), now) == "4 days ago"
    assert ago(None, now) == ""


def test_summary_is_the_description_else_the_first_paragraph():
    body = Body("", "text/plain", "", "BERLIN (dpa) - First paragraph here.\nSecond one.")
    assert summary(Story("u", "h", body=body, description="The agency's own summary.")) == (
        "The agency's own summary.")
    assert summary(Story("u", "h", body=body, dateline="BERLIN (dpa)")) == "First paragraph here."
    long = Story("u", "h", body=Body("", "text/plain", "", "word " * 100))
    cut = summary(long)
    assert len(cut) <= 281 and cut.endswith("word…")
    assert summary(Story("u", "h")) == ""


# --- the front page ---------------------------------------------------------------------

def test_front_page_lead_is_the_newest_urgent_story_else_the_newest(client, store, now, clock):
    deliver(store, ninjs_item("urn:f:1", at=now, headline="Urgent but older", urgency=1), now)
    deliver(store, ninjs_item("urn:f:2", at=later(now, minutes=5), headline="Newest calm"), now)
    clock.now = later(now, minutes=10)
    doc = lxml_html.fromstring(client.get("/").text)
    items = doc.xpath("//ol[@class='stories']/li")
    assert "lead" in items[0].get("class") and items[0].xpath(".//h2/a/text()") == ["Urgent but older"]
    assert items[1].xpath(".//h2/a/text()") == ["Newest calm"] and "lead" not in items[1].get("class")
    deliver(store, ninjs_item("urn:f:1", version=2, at=later(now, minutes=6),
                              headline="No longer urgent", urgency=5), now)
    doc = lxml_html.fromstring(client.get("/").text)
    assert doc.xpath("//li[contains(@class,'lead')]//h2/a/text()") == ["No longer urgent"]


def test_front_page_items_have_summaries_labels_and_times(client, store, now, clock):
    deliver(store, ninjs_item("urn:f:1", at=now, headline="With description",
                              descriptions=[{"role": "summary", "value": "Told in one line."}],
                              body="<p>Not this.</p>"), now)
    deliver(store, ninjs_item("urn:f:2", at=now, headline="First paragraph",
                              body="<p>Opening words.</p><p>More.</p>"), now)
    deliver(store, ninjs_item("urn:f:2", version=2, at=later(now, minutes=3),
                              headline="First paragraph", body="<p>Opening words.</p>"), now)
    clock.now = later(now, minutes=15)
    doc = lxml_html.fromstring(client.get("/").text)
    by_headline = {li.xpath(".//h2/a/text()")[0]: li for li in doc.xpath("//ol[@class='stories']/li")}
    assert by_headline["With description"].xpath(".//p[@class='summary']/text()") == ["Told in one line."]
    updated = by_headline["First paragraph"]
    assert updated.xpath(".//p[@class='summary']/text()") == ["Opening words."]
    assert updated.xpath(".//span[contains(@class,'updated')]/text()") == ["Updated"]
    assert not by_headline["With description"].xpath(".//span[contains(@class,'label')]")
    time = updated.xpath(".//time")[0]
    assert time.get("datetime") == "2026-11-29T12:03:00Z" and time.text == "12 min ago"
    assert time.get("title") == "29 Nov 2026, 12:03 UTC"
    scripts = doc.xpath("//script/@src")
    assert any("/static/times." in s for s in scripts)
    assert not doc.xpath("//script[not(@src)][not(@type='application/ld+json')]")  # CSP: none inline


def test_front_page_numbers_its_pages_and_404s_past_the_end(client, store, now, clock, monkeypatch):
    from wiredesk.web import pages

    monkeypatch.setattr(pages, "PAGE_SIZE", 2)
    for n in range(5):
        deliver(store, ninjs_item(f"urn:n:{n}", at=later(now, minutes=n), headline=f"Story {n}"), now)
    clock.now = later(now, minutes=10)
    first = lxml_html.fromstring(client.get("/").text)
    assert first.xpath("//ol[@class='pages']//a/text()") == ["1", "2", "3"]
    assert first.xpath("//ol[@class='pages']//a[@aria-current='page']/text()") == ["1"]
    third = client.get("/?page=3")
    assert third.status_code == 200
    assert lxml_html.fromstring(third.text).xpath("//ol[@class='stories']//h2/a/text()") == ["Story 0"]
    assert client.get("/?page=4").status_code == 404
    assert client.get("/?page=999").status_code == 404
    assert client.get("/?page=abc").status_code == 404


def test_page_numbers_are_counted_only_two_pages_ahead(client, store, now, clock, monkeypatch):
    from wiredesk.web import pages

    monkeypatch.setattr(pages, "PAGE_SIZE", 2)
    for n in range(11):
        deliver(store, ninjs_item(f"urn:n:{n}", at=later(now, minutes=n), headline=f"Story {n}"), now)
    clock.now = later(now, minutes=20)
    first = lxml_html.fromstring(client.get("/").text)
    assert first.xpath("//ol[@class='pages']//a/text()") == ["1", "2", "3"]
    assert first.xpath("//ol[@class='pages']/li[@class='gap']")  # more follow
    fourth = lxml_html.fromstring(client.get("/?page=4").text)
    assert fourth.xpath("//ol[@class='pages']//a/text()") == ["1", "2", "3", "4", "5", "6"]
    assert not fourth.xpath("//ol[@class='pages']/li[@class='gap'][last()]/following-sibling::*")
    assert fourth.xpath("//ol[@class='stories']//h2/a/text()") == ["Story 4", "Story 3"]
    assert client.get("/?page=6").status_code == 200 and client.get("/?page=7").status_code == 404
    assert store.count_live(clock.now, cap=5) == 5 and store.count_live(clock.now) == 11


def test_front_page_has_section_blocks(client, store, now, clock):
    deliver(store, ninjs_item("urn:b:1", at=now, headline="Goal!", subjects=SPORT), now)
    deliver(store, ninjs_item("urn:b:2", at=now, headline="Unfiled"), now)
    clock.now = later(now, minutes=1)
    doc = lxml_html.fromstring(client.get("/").text)
    blocks = doc.xpath("//section[@class='section-block']")
    assert [b.xpath("./h2/a/text()")[0] for b in blocks] == ["Sport"]
    assert blocks[0].xpath(".//li/a/text()") == ["Goal!"]
    assert doc.xpath("//ol[@class='stories']//a[@href='/sections/sport']/text()") == ["Sport"]
    assert "story-1" in client.get("/").headers["surrogate-key"].split()
    assert not lxml_html.fromstring(client.get("/?page=1").text).xpath(
        "//section[@class='section-block']//a[text()='Unfiled']")


# --- the article page -------------------------------------------------------------------

def test_article_has_more_from_its_section_and_agency(client, store, now, clock):
    deliver(store, ninjs_item("urn:m:1", at=now, headline="Main match", subjects=SPORT), now)
    deliver(store, ninjs_item("urn:m:2", at=later(now, minutes=1), headline="Other match",
                              subjects=SPORT,
                              infosources=[{"name": "dpa", "role": "originator"}]), now)
    deliver(store, ninjs_item("urn:m:3", at=later(now, minutes=2), headline="AP politics"), now)
    clock.now = later(now, minutes=5)
    record = store.story_by_uri("urn:m:1")
    page = client.get(f"/story/{record.id}")
    doc = lxml_html.fromstring(page.text)
    lists = {n.xpath("./h2")[0].text_content(): n.xpath(".//li/a/text()")
             for n in doc.xpath("//nav[@class='more-from']")}
    assert lists == {"More from Sport": ["Other match"], "More from AP": ["AP politics"]}
    assert doc.xpath("//nav[@class='more-from']/h2/a/@href") == ["/sections/sport", "/agencies/ap"]
    assert doc.xpath("//p[@class='kicker']/a/@href") == ["/agencies/ap"]
    assert doc.xpath("//article//ul[@class='section-links']//a/@href") == ["/sections/sport"]
    keys = page.headers["surrogate-key"].split()
    other = store.story_by_uri("urn:m:2").id
    assert f"story-{other}" in keys  # its takedown purges this page
    from wiredesk import desk

    desk.kill(store, "urn:m:2", reason="test", actor="t", now=clock.now)
    assert "Other match" not in client.get(f"/story/{record.id}").text


def test_right_to_left_articles_say_so(client, store, now, clock):
    deliver(store, ninjs_item("urn:r:1", at=now, headline="الرئيس يزور القاهرة", language="ar"), now)
    deliver(store, ninjs_item("urn:r:2", at=now, headline="English", language="en"), now)
    clock.now = later(now, minutes=1)
    arabic = lxml_html.fromstring(client.get(f"/story/{store.story_by_uri('urn:r:1').id}").text)
    assert arabic.xpath("//article/@dir") == ["rtl"] and arabic.xpath("//article/@lang") == ["ar"]
    english = lxml_html.fromstring(client.get(f"/story/{store.story_by_uri('urn:r:2').id}").text)
    assert english.xpath("//article/@dir") == []
    front = lxml_html.fromstring(client.get("/").text)
    assert front.xpath("//ol[@class='stories']/li[@dir='rtl']//h2/a/text()") == ["الرئيس يزور القاهرة"]


def test_readable_slugs_and_old_slugs_redirect_to_the_canonical_one(client, store, now, clock):
    deliver(store, ninjs_item("urn:u:1", at=now, headline="Bahn kündigt Streik in München an"), now)
    deliver(store, ninjs_item("urn:u:2", at=now, headline="Путин заявил"), now)
    clock.now = later(now, minutes=1)
    first = store.story_by_uri("urn:u:1").id
    front = lxml_html.fromstring(client.get("/").text)
    assert f"/story/{first}/bahn-kundigt-streik-in-munchen-an" in front.xpath("//h2/a/@href")
    page = client.get(f"/story/{first}/bahn-kundigt-streik-in-munchen-an", follow_redirects=False)
    assert page.status_code == 200
    assert f'href="https://news.example/story/{first}/bahn-kundigt-streik-in-munchen-an"' in page.text
    old = client.get(f"/story/{first}/bahn-k-ndigt-streik-in-m-nchen-an", follow_redirects=False)
    assert old.status_code == 301
    assert old.headers["location"] == f"/story/{first}/bahn-kundigt-streik-in-munchen-an"
    second = store.story_by_uri("urn:u:2").id
    encoded = f"/story/{second}/%D0%BF%D1%83%D1%82%D0%B8%D0%BD-%D0%B7%D0%B0%D1%8F%D0%B2%D0%B8%D0%BB"
    assert client.get(encoded, follow_redirects=False).status_code == 200  # the router decodes
    stale = client.get(f"/story/{second}/story", follow_redirects=False)
    assert stale.status_code == 301 and stale.headers["location"] == encoded
    assert client.get(f"/story/{second}", follow_redirects=False).status_code == 200


def test_print_styles_hide_everything_to_click():
    from wiredesk.web.assets import directory

    css = (directory() / "site.css").read_text()
    printed = css[css.index("@media print"):]
    hidden = next(rule for rule in printed.split("}") if "display: none" in rule)
    selectors = {s.strip() for s in hidden.split("{")[0].replace("\n", " ").split(",")}
    for selector in (".now-reading", ".textsize", ".masthead .sitesearch", ".sections-nav",
                     "button", "nav", "form", ".live-status"):
        assert selector in selectors, selector  # the browser test prints a page too
