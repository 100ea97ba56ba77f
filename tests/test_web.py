"""The reader site over a real store: pages, takedowns, the text size control, verbatim bodies."""

from __future__ import annotations

from datetime import timedelta

import pytest
from lxml import html as lxml_html

from conftest import SAMPLES
from helpers import deliver, later, ninjs_item
from wiredesk import desk, formats, lifecycle
from wiredesk.demo import shift_to_now
from wiredesk.story import Delivery
from wiredesk.verbatim import agency_words, check, page_words, words


def story_url(store, uri: str) -> str:
    return f"/story/{store.story_by_uri(uri).id}"


def test_front_page_lists_live_stories_newest_first_with_urgent_marked(client, store, now):
    deliver(store, ninjs_item("urn:a", at=now, headline="Older story"), now)
    deliver(store, ninjs_item("urn:b", at=later(now, minutes=5), headline="Newer story", urgency=1,
                              located="PARIS"), now)
    page = client.get("/")
    assert page.status_code == 200
    assert page.text.index("Newer story") < page.text.index("Older story")
    doc = lxml_html.fromstring(page.text)
    urgent = doc.xpath("//li[contains(@class,'urgent')]")
    assert len(urgent) == 1 and "Newer story" in urgent[0].text_content()
    assert "PARIS" in page.text and "AP" in page.text


def test_article_page_has_every_part(client, store, now):
    data = (SAMPLES / "00-reuters-via-euronews.txt").read_bytes()
    desk.apply(store, Delivery(data, "test", "seed", now))
    (record,) = store.live_stories(now)
    page = client.get(f"/story/{record.id}")
    assert page.status_code == 200
    doc = lxml_html.fromstring(page.text)
    bar = doc.xpath("//*[contains(@class,'now-reading')]")[0]
    assert "Now Reading:" in bar.text_content()
    assert record.story.headline in bar.text_content()
    assert doc.xpath("//h1")[0].text_content() == record.story.headline
    assert "Phil Stewart and Tim Kelly" in doc.xpath("//*[@class='byline']")[0].text_content()
    assert doc.xpath("//*[@class='dateline']")[0].text_content().startswith("TOKYO (Reuters)")
    assert "(Reporting by Phil Stewart" in doc.xpath("//*[@class='credit']")[0].text_content()
    assert "Example News provides breaking news articles from Reuters" in page.text
    assert "Available on Example News until" in page.text
    assert doc.xpath("//form[@action='/textsize']//button[@value='larger']")
    assert "Updated" not in doc.xpath("//*[@class='times']")[0].text_content()


def test_updated_shows_when_a_newer_version_replaced_the_first(client, store, now):
    deliver(store, ninjs_item(at=now), now)
    deliver(store, ninjs_item(version=2, at=later(now, minutes=30)), now)
    page = client.get(story_url(store, "urn:test:1"))
    times = lxml_html.fromstring(page.text).xpath("//*[@class='times']")[0].text_content()
    assert "Published" in times and "Updated" in times


def test_unknown_story_is_404_and_taken_down_is_410(client, store, now):
    assert client.get("/story/999").status_code == 404
    assert client.get("/no/such/page").status_code == 404
    deliver(store, ninjs_item(at=now, headline="Doomed story"), now)
    url = story_url(store, "urn:test:1")
    assert client.get(url).status_code == 200
    desk.kill(store, "urn:test:1", reason="test", actor="t", now=now)
    gone = client.get(url)
    assert gone.status_code == 410
    assert "no longer available" in gone.text and "Doomed story" not in gone.text
    assert "Doomed story" not in client.get("/").text


def test_agency_kill_takes_the_story_off_every_page(client, store, now):
    deliver(store, ninjs_item(at=now, headline="Killed story"), now)
    url = story_url(store, "urn:test:1")
    deliver(store, ninjs_item(version=2, at=now, pubstatus="canceled"), now)
    assert client.get(url).status_code == 410
    assert "Killed story" not in client.get("/").text


def test_licence_end_gives_410_the_moment_it_passes(client, store, clock, now):
    deliver(store, ninjs_item(at=now, headline="Short licence"), now, licence_days=1)
    url = story_url(store, "urn:test:1")
    clock.now = later(now, days=1) - timedelta(seconds=1)
    assert client.get(url).status_code == 200
    clock.now = later(now, days=1)  # the clock has not run yet: still gone
    assert client.get(url).status_code == 410
    assert "Short licence" not in client.get("/").text
    lifecycle.tick(store, clock.now)  # and the clock makes it permanent, body purged
    record = store.story_by_uri("urn:test:1")
    assert record.state == "takendown" and record.story.body.html == ""
    assert client.get(url).status_code == 410
    assert store.takedowns()[0].reason == "expired"


def test_embargoed_and_held_stories_are_not_found_until_usable(client, store, clock, now):
    deliver(store, ninjs_item("urn:e", at=now, embargoed=later(now, hours=1), headline="Embargoed"), now)
    deliver(store, ninjs_item("urn:h", at=now, pubstatus="withheld", headline="Held"), now)
    assert client.get(story_url(store, "urn:e")).status_code == 404
    assert client.get(story_url(store, "urn:h")).status_code == 404
    assert "Embargoed" not in client.get("/").text
    clock.now = later(now, hours=1)
    assert client.get(story_url(store, "urn:e")).status_code == 200
    assert "Embargoed" in client.get("/").text


def test_text_size_works_without_javascript_and_is_remembered(client, store, now):
    deliver(store, ninjs_item(at=now), now)
    url = story_url(store, "urn:test:1")
    assert 'class="ts-1"' in client.get(url).text
    step = client.get("/textsize", params={"size": "larger", "next": url}, follow_redirects=False)
    assert step.status_code == 303 and step.headers["location"] == url
    assert 'class="ts-2"' in client.get(url).text
    assert 'class="ts-2"' in client.get("/").text  # remembered across pages
    for _ in range(10):
        client.get("/textsize", params={"size": "larger", "next": url})
    assert 'class="ts-4"' in client.get(url).text  # bounded
    client.get("/textsize", params={"size": "smaller", "next": url})
    assert 'class="ts-3"' in client.get(url).text


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"])
def test_text_size_redirect_stays_on_site(client, target):
    step = client.get("/textsize", params={"size": "larger", "next": target}, follow_redirects=False)
    assert step.headers["location"] == "/"


@pytest.mark.parametrize("path", sorted(SAMPLES.iterdir()), ids=lambda p: p.name)
def test_verbatim_promise_for_every_sample(client, store, clock, path):
    """The words a reader sees in the article body are the words the agency sent."""
    delivery = Delivery(path.read_bytes(), "samples", path.name, clock.now)
    (story,) = shift_to_now(clock.now)(formats.parse(delivery.data), delivery)
    desk.apply(store, delivery, transform=shift_to_now(clock.now))
    record = store.story_by_uri(story.uri)
    if story.embargoed:
        clock.now = story.embargoed  # read it when its time has come
    url = f"/story/{record.id}"
    if record.state in ("withheld", "takendown"):  # a hold or a kill: no page to read at all
        assert client.get(url).status_code in (404, 410)
        assert story.headline not in client.get("/").text
        return
    page = client.get(url)
    assert page.status_code == 200
    # The check `wiredesk verify` makes too (wiredesk/verbatim.py).
    assert check(page.text, story) is None, check(page.text, story)
    seen = page_words(page.text)
    assert seen == agency_words(story)  # the samples' datelines stand apart from the body
    if path.suffix == ".txt":  # and those words stand in the file in the same order
        raw = iter(words(path.read_text(encoding="utf-8")))
        assert all(any(w == r for r in raw) for w in seen)


def test_front_page_numbers_past_the_stories_and_nonsense_are_404(client, store, now):
    deliver(store, ninjs_item(at=now), now)
    assert client.get("/?page=1").status_code == 200
    assert client.get("/?page=2").status_code == 404  # no such page: past the last story
    for nonsense in ("99999999999999999999", "0", "-1", "two", "1.5"):  # issue 14: 404, not 400
        assert client.get("/", params={"page": nonsense}).status_code == 404, nonsense
