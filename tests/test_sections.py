"""Sections (issue 14): IPTC codes and their ancestors, the default sections, section and
agency pages and feeds, the sitemap, the header, and the CLI that changes them."""

from __future__ import annotations

import json
import time

import feedparser
import pytest
from lxml import etree
from lxml import html as lxml_html

from helpers import deliver, later, ninjs_item
from wiredesk import desk
from wiredesk.cli.main import main
from wiredesk.store import ListFilter
from wiredesk.store.sections import defaults
from wiredesk.store.topics import ancestors, code_of, expand, story_topics
from wiredesk.story import Delivery, Subject
from wiredesk.terms import Terms
from wiredesk.web.presentation import sections_of


def subjects(*uris: str) -> list[dict[str, str]]:
    return [{"name": u, "uri": u} for u in uris]


MEDTOP = "http://cv.iptc.org/newscodes/mediatopic/"
SUBJ = "http://cv.iptc.org/newscodes/subjectcode/"


# --- codes, pure ------------------------------------------------------------------------

@pytest.mark.parametrize(("subject", "code"), [
    (Subject("football", code="medtop:15054000"), "medtop:15054000"),
    (Subject("x", uri=MEDTOP + "15073000"), "medtop:15073000"),
    (Subject("x", code="subj:15000000"), "subj:15000000"),
    (Subject("x", uri=SUBJ + "04000000"), "subj:04000000"),
    (Subject("x", code="15008000"), "subj:15008000"),  # NITF, NewsML 1: bare legacy codes
    (Subject("x", code="MEDTOP:11000000"), "medtop:11000000"),
    (Subject("Sport"), None),
    (Subject("x", code="abc:15000000"), None),
    (Subject("x", code="medtop:150"), None),
])
def test_an_iptc_code_is_read_from_a_qcode_a_uri_or_a_bare_subject_code(subject, code):
    assert code_of(subject) == code


def test_a_code_is_kept_with_the_codes_its_digits_put_above_it():
    assert ancestors("medtop:15073001") == ["medtop:15073001", "medtop:15073000", "medtop:15000000"]
    assert ancestors("medtop:15073000") == ["medtop:15073000", "medtop:15000000"]
    assert ancestors("subj:15000000") == ["subj:15000000"]
    assert ancestors("medtop:20000123") == ["medtop:20000123"]  # no parent in its digits
    assert story_topics([Subject("a", code="medtop:15073000"), Subject("b", code="medtop:15000000"),
                         Subject("c")]) == ["medtop:15073000", "medtop:15000000"]
    assert expand("medtop:15000000") == ["medtop:15000000", "subj:15000000"]
    assert expand("medtop:15054000") == ["medtop:15054000"]


def test_the_defaults_are_the_17_iptc_top_levels_under_their_names():
    found = defaults()
    assert len(found) == 17 and len({s.slug for s in found}) == 17
    by_slug = {s.slug: s for s in found}
    assert by_slug["sport"].subjects == ("medtop:15000000",)
    assert by_slug["business"].subjects == ("medtop:04000000",)
    assert by_slug["politics"].subjects == ("medtop:11000000",)
    assert by_slug["arts"].title == "Arts, culture, entertainment and media"
    assert by_slug["weather"].subjects == ("medtop:17000000",)
    assert [s.slug for s in found][:2] == ["arts", "crime"]


def test_a_story_is_in_the_sections_of_its_codes_their_ancestors_and_names():
    from wiredesk.story import Story

    sport = Story("u", "h", subjects=(Subject("x", code="medtop:15073000"),))
    legacy = Story("u", "h", subjects=(Subject("x", code="subj:04000000"),))
    none = Story("u", "h", subjects=(Subject("Gossip"),))
    assert [s.slug for s in sections_of(sport, defaults())] == ["sport"]
    assert [s.slug for s in sections_of(legacy, defaults())] == ["business"]
    assert sections_of(none, defaults()) == []


# --- on both stores ---------------------------------------------------------------------

def test_the_store_has_the_defaults_and_they_can_be_changed(store):
    assert [s.slug for s in store.sections.all()] == [s.slug for s in defaults()]
    store.sections.add("football", "Football", ["medtop:15054000", "Soccer"])
    assert store.sections.get("football").subjects == ("medtop:15054000", "Soccer")
    assert store.sections.all()[-1].slug == "football"
    store.sections.add("sport", "Sports", ["medtop:15000000"])  # replaced in its place
    assert store.sections.all()[14].title == "Sports"
    assert store.sections.remove("football") and not store.sections.remove("football")
    with pytest.raises(ValueError, match="not an IPTC code"):
        store.sections.add("bad", "Bad", ["medtop:1"])
    with pytest.raises(ValueError, match="slug"):
        store.sections.add("Bad Slug", "Bad", ["medtop:15000000"])
    with pytest.raises(ValueError, match="takes no subject"):
        store.sections.add("empty", "Empty", [" "])
    store.sections.reset()
    assert [s.slug for s in store.sections.all()] == [s.slug for s in defaults()]


def filed(store, now):
    """Five stories: sport by a child Media Topic, by a legacy code, business, and two
    with no IPTC code (one of them by a subject name only)."""
    deliver(store, ninjs_item("urn:s:1", at=now, headline="Cup final tonight",
                              subjects=subjects(MEDTOP + "15073000")), now)
    deliver(store, ninjs_item("urn:s:2", at=later(now, minutes=1), headline="Old code sport",
                              subjects=subjects(SUBJ + "15000000")), now)
    deliver(store, ninjs_item("urn:s:3", at=later(now, minutes=2), headline="Markets rally",
                              subjects=subjects(MEDTOP + "04000000")), now)
    deliver(store, ninjs_item("urn:s:4", at=later(now, minutes=3), headline="Nothing filed"), now)
    deliver(store, ninjs_item("urn:s:5", at=later(now, minutes=4), headline="Named soccer",
                              subjects=[{"name": "Soccer"}]), now)


def test_section_lists_take_codes_below_theirs_legacy_codes_and_names(store, now):
    filed(store, now)
    at = later(now, minutes=10)
    sport = store.sections.get("sport")
    assert [r.uri for r in store.live_stories(at, where=ListFilter(section=sport))] == [
        "urn:s:2", "urn:s:1"]
    assert store.count_live(at, where=ListFilter(section=sport)) == 2
    business = store.sections.get("business")
    assert [r.uri for r in store.live_stories(at, where=ListFilter(section=business))] == ["urn:s:3"]
    football = store.sections.add("football", "Football", ["soccer", "medtop:15073000"])
    assert {r.uri for r in store.live_stories(at, where=ListFilter(section=football))} == {
        "urn:s:1", "urn:s:5"}
    # A newer version with other subjects moves the story.
    deliver(store, ninjs_item("urn:s:3", version=2, at=later(now, minutes=5), headline="Markets",
                              subjects=subjects(MEDTOP + "11000000")), now)
    assert store.live_stories(at, where=ListFilter(section=business)) == []
    politics = store.sections.get("politics")
    assert [r.uri for r in store.live_stories(at, where=ListFilter(section=politics))] == ["urn:s:3"]


def test_section_page_lists_its_stories_and_links_its_feeds(client, store, now, clock):
    filed(store, now)
    clock.now = later(now, minutes=10)
    page = client.get("/sections/sport")
    assert page.status_code == 200
    doc = lxml_html.fromstring(page.text)
    assert doc.xpath("//h1/text()") == ["Sport"]
    assert doc.xpath("//ol[@class='stories']//h2/a/text()") == ["Old code sport", "Cup final tonight"]
    assert doc.xpath("//link[@type='application/atom+xml']/@href") == ["/sections/sport/atom.xml"]
    assert "sections" in page.headers["surrogate-key"].split()
    assert {"story-1", "story-2"} <= set(page.headers["surrogate-key"].split())
    # The header's navigation names every section, this one as the current page.
    assert len(doc.xpath("//nav[@class='sections-nav']//a")) == 17
    assert doc.xpath("//nav[@class='sections-nav']//a[@aria-current='page']/text()") == ["Sport"]
    empty = client.get("/sections/weather")
    assert empty.status_code == 200 and "No stories here right now." in empty.text
    assert client.get("/sections/nope").status_code == 404
    for nonsense in ("2", "0", "x", "99999999999"):
        assert client.get("/sections/sport", params={"page": nonsense}).status_code == 404


def test_section_pages_are_numbered(client, store, now, clock, monkeypatch):
    from wiredesk.web import pages, sections

    monkeypatch.setattr(pages, "PAGE_SIZE", 2)
    monkeypatch.setattr(sections, "PAGE_SIZE", 2)
    for n in range(5):
        deliver(store, ninjs_item(f"urn:p:{n}", at=later(now, minutes=n), headline=f"Match {n}",
                                  subjects=subjects(MEDTOP + "15000000")), now)
    clock.now = later(now, minutes=10)
    first = lxml_html.fromstring(client.get("/sections/sport").text)
    assert first.xpath("//ol[@class='stories']//h2/a/text()") == ["Match 4", "Match 3"]
    assert first.xpath("//ol[@class='pages']//a/text()") == ["1", "2", "3"]
    assert first.xpath("//a[@rel='next']/@href") == ["/sections/sport?page=2"]
    last = lxml_html.fromstring(client.get("/sections/sport?page=3").text)
    assert last.xpath("//ol[@class='stories']//h2/a/text()") == ["Match 0"]
    assert last.xpath("//ol[@class='pages']//a[@aria-current='page']/text()") == ["3"]
    assert client.get("/sections/sport?page=4").status_code == 404


def test_section_feeds_in_three_kinds(client, store, now, clock):
    filed(store, now)
    clock.now = later(now, minutes=10)
    atom = client.get("/sections/sport/atom.xml")
    assert atom.headers["content-type"].startswith("application/atom+xml")
    parsed = feedparser.parse(atom.content)
    assert parsed.feed.title == "Example News: Sport"
    assert [e.title for e in parsed.entries] == ["Old code sport", "Cup final tonight"]
    rss = feedparser.parse(client.get("/sections/sport/rss.xml").content)
    assert [e.title for e in rss.entries] == ["Old code sport", "Cup final tonight"]
    items = json.loads(client.get("/sections/sport/feed.json").content)["items"]
    assert [i["title"] for i in items] == ["Old code sport", "Cup final tonight"]
    assert client.get("/sections/sport/other.xml").status_code == 404
    assert client.get("/sections/nope/atom.xml").status_code == 404
    # A takedown leaves the section's feed and says so in a tombstone.
    desk.kill(store, "urn:s:1", reason="test", actor="t", now=clock.now)
    parsed = feedparser.parse(client.get("/sections/sport/atom.xml").content)
    assert [e.title for e in parsed.entries] == ["Old code sport"]
    assert b"urn:s:1" in client.get("/sections/sport/atom.xml").content  # at:deleted-entry
    assert "Cup final" not in client.get("/sections/sport").text


def test_agency_pages_and_links(client, store, now, clock):
    deliver(store, ninjs_item("urn:a:1", at=now, headline="From CTK",
                              infosources=[{"name": "ČTK", "role": "originator"}]), now)
    deliver(store, ninjs_item("urn:a:2", at=now, headline="From AP"), now)
    clock.now = later(now, minutes=1)
    page = client.get("/agencies/ctk")
    assert page.status_code == 200
    doc = lxml_html.fromstring(page.text)
    assert doc.xpath("//h1/text()") == ["ČTK"]
    assert doc.xpath("//ol[@class='stories']//h2/a/text()") == ["From CTK"]
    assert client.get("/agencies/nobody").status_code == 404
    front = lxml_html.fromstring(client.get("/").text)
    assert set(front.xpath("//a[@class='agency']/@href")) == {"/agencies/ctk", "/agencies/ap"}
    desk.kill(store, "urn:a:1", reason="test", actor="t", now=clock.now)
    assert client.get("/agencies/ctk").status_code == 404  # no live story of its own


def test_sections_and_agencies_in_the_sitemap(client, store, now, clock):
    filed(store, now)
    clock.now = later(now, minutes=10)
    index = etree.fromstring(client.get("/sitemap.xml").content)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    assert "https://news.example/sitemap-sections.xml" in index.xpath("//s:loc/text()", namespaces=ns)
    urls = etree.fromstring(client.get("/sitemap-sections.xml").content).xpath(
        "//s:loc/text()", namespaces=ns)
    assert "https://news.example/sections/sport" in urls
    assert "https://news.example/agencies/ap" in urls
    assert len([u for u in urls if "/sections/" in u]) == 17


def eventually(client, path: str, status: int) -> None:
    """The CLI is another process: the cache hears of its commit within its watch period."""
    deadline = time.monotonic() + 5
    while client.get(path).status_code != status:
        assert time.monotonic() < deadline, f"{path} never answered {status}"
        time.sleep(0.05)


def test_the_cli_changes_the_sections_readers_see(client, store, store_url, now, clock, capsys):
    filed(store, now)
    clock.now = later(now, minutes=10)
    assert client.get("/sections/football").status_code == 404
    assert main(["--database", store_url, "sections", "add", "football", "--title", "Football",
                 "--subject", "medtop:15073000", "--subject", "Soccer"]) == 0
    eventually(client, "/sections/football", 200)
    doc = lxml_html.fromstring(client.get("/sections/football").text)
    assert doc.xpath("//ol[@class='stories']//h2/a/text()") == ["Named soccer", "Cup final tonight"]
    assert "Football" in doc.xpath("//nav[@class='sections-nav']//a/text()")
    assert main(["--database", store_url, "sections", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out.split("\n", 1)[1])
    assert listed[-1] == {"slug": "football", "title": "Football",
                          "subjects": ["medtop:15073000", "Soccer"]}
    assert main(["--database", store_url, "sections", "remove", "football"]) == 0
    eventually(client, "/sections/football", 404)
    assert main(["--database", store_url, "sections", "remove", "football"]) == 2
    assert main(["--database", store_url, "sections", "add", "x", "--title", "X",
                 "--subject", "foo:1"]) == 2
    assert "not an IPTC code" in capsys.readouterr().err


def test_correction_signal_reaches_the_label(client, store, now, clock):
    def correction(stories, _delivery):
        return [s.with_changes(signals=("correction",)) for s in stories]

    desk.apply(store, Delivery(ninjs_item("urn:c:1", at=now, headline="Fixed"), "test", "c", now),
               Terms(licence_days=30), transform=correction)
    clock.now = later(now, minutes=1)
    doc = lxml_html.fromstring(client.get("/").text)
    assert doc.xpath("//li[contains(@class,'item')]//span[contains(@class,'corrected')]/text()") == [
        "Corrected"]


def test_migration_0014_files_the_stories_already_stored(store, now):
    from alembic import command

    from wiredesk.store.engine import _alembic_config

    filed(store, now)
    store.sections.add("football", "Football", ["soccer"])
    cfg = _alembic_config()
    for target in ("0011", "head"):  # drop both tables, then make them again from the rows
        with store.engine.connect() as connection:
            cfg.attributes["connection"] = connection
            (command.downgrade if target == "0011" else command.upgrade)(cfg, target)
            connection.commit()
    at = later(now, minutes=10)
    sport = store.sections.get("sport")
    assert [r.uri for r in store.live_stories(at, where=ListFilter(section=sport))] == [
        "urn:s:2", "urn:s:1"]
    assert store.sections.get("football") is None  # the defaults again
    assert len(store.sections.all()) == 17
