"""RSS 0.9x / 1.0 / 2.0 and Atom 1.0: fixtures written to the published specifications."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from conftest import FIXTURES
from fuzzing import assert_parses_or_format_error, mutated, other_format_files, path_id
from wiredesk.formats import feeds
from wiredesk.formats.errors import FormatError
from wiredesk.story import Pubstatus, Subject

DIR = FIXTURES / "feeds"
ALL = sorted(p.name for p in DIR.iterdir())


def load(name: str) -> bytes:
    return (DIR / name).read_bytes()


def one(name: str, index: int = 0, **kw: object):
    return feeds.parse(load(name), **kw)[index]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# -- detection ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", [n for n in ALL if n != "malformed-wrong-root.xml"])
def test_looks_like_feed_fixtures(name: str) -> None:
    assert feeds.looks_like(load(name))


# sources/feed-summary.xml is a real RSS feed, kept for the source tests.
OTHERS = [p for p in other_format_files(DIR) if p != FIXTURES / "sources" / "feed-summary.xml"]


@pytest.mark.parametrize("path", OTHERS, ids=path_id)
def test_looks_like_refuses_other_formats(path: Path) -> None:
    assert not feeds.looks_like(path.read_bytes())


def test_looks_like_refuses_opml_and_html_mentioning_rss() -> None:
    assert not feeds.looks_like(load("malformed-wrong-root.xml"))
    page = b'<!DOCTYPE html><html><head><link rel="alternate" type="application/rss+xml"' \
           b' href="/rss"></head><body><p>See our &lt;rss&gt; feed</p></body></html>'
    assert not feeds.looks_like(page)
    assert feeds.looks_like(b"\xef\xbb\xbf<?xml version='1.0'?>\n<!-- wire -->\n<rss version='2.0'>")


# -- RSS 2.0 ------------------------------------------------------------------------------


def test_rss2_plain_story_with_content_encoded() -> None:
    stories = feeds.parse(load("rss2-reuters-world.xml"))
    assert len(stories) == 2
    s = stories[0]
    assert s.format == "feed"
    assert s.uri == "tag:reuters.com,2026:newsml_L8N3OP0A1"
    assert s.headline == "Portugal braces for Storm Lena as red alerts issued for coast"
    assert s.versioncreated == utc(2026, 1, 15, 7, 2)
    assert s.firstcreated is None  # RSS has one date; the desk takes it as first seen too
    assert s.pubstatus is Pubstatus.USABLE
    assert s.by == "Catarina Demony"  # dc:creator, "By " dropped
    assert (s.dateline, s.located, s.agency) == ("LISBON (Reuters)", "LISBON", "Reuters")
    assert s.language == "en-gb"
    assert s.copyrightnotice == "Copyright 2026 Thomson Reuters. All rights reserved."
    assert s.subjects == (
        Subject("20000151", uri="http://cv.iptc.org/newscodes/mediatopic/20000151", code="20000151"),
        Subject("Europe"),
    )
    assert s.creditline == "(Reporting by Catarina Demony; Editing by Andrew Heavens)"
    # content:encoded wins over description; dateline and credit line are taken out
    assert s.body.content_type == "text/html"
    assert s.body.text.split("\n") == [
        "Portugal put its entire Atlantic coast on red alert on Thursday as Storm Lena approached"
        " with gusts forecast above 120 km/h (75 mph).",
        "The civil protection agency said schools in Porto and Aveiro would stay shut and urged"
        " residents to avoid the seafront.",
        '"We are asking people to stay at home unless their journey is essential," agency'
        " spokesman Andre Fernandes told reporters.",
    ]
    assert "(Reuters)" not in s.body.received and "Reporting by" not in s.body.received
    assert (s.version, s.signals, s.ednote, s.embargoed, s.expires) == (None, (), None, None, None)
    assert (s.urgency, s.slugline, s.copyrightholder, s.usageterms) == (None, None, None, None)


def test_rss2_entry_raw_is_the_item_element() -> None:
    stories = feeds.parse(load("rss2-reuters-world.xml"))
    for story in stories:
        item = etree.fromstring(story.raw)
        assert item.tag == "item"
        assert item.findtext("guid") == story.uri
    assert stories[0].raw != stories[1].raw


def test_rss2_description_only_author_email_and_source() -> None:
    s = one("rss2-reuters-world.xml", 1)
    assert s.uri == "tag:reuters.com,2026:newsml_L4N3OP0B2"
    assert s.by == "Karen Lema"  # "editors@reuters.com (Karen Lema)"
    assert (s.dateline, s.agency) == ("MANILA (Reuters)", "Reuters")
    assert s.body.text.startswith("Philippine President Ferdinand Marcos Jr named")
    assert s.creditline is None


def test_rss2_update_same_guid_later_time_with_advisory() -> None:
    first = one("rss2-reuters-world.xml")
    update = one("rss2-reuters-world-update.xml")
    assert update.uri == first.uri
    assert update.versioncreated == utc(2026, 1, 15, 9, 15) > first.versioncreated
    assert update.headline == "Portugal shuts schools as Storm Lena makes landfall"
    assert update.version == "2"
    assert update.signals == ("update",)
    assert update.ednote == "(Adds landfall, power cuts in paragraphs 1-3)"
    # an en dash written as a character reference still ends the dateline
    assert update.dateline == "LISBON (Reuters)"
    assert update.body.text.split("\n")[0].startswith("Storm Lena made landfall near Aveiro")
    assert "(Adds landfall" not in update.body.text
    assert update.creditline == "(Reporting by Catarina Demony; Editing by Andrew Heavens)"
    assert update.agency == "Reuters"


def test_rss2_correction_and_kill() -> None:
    correction, kill = feeds.parse(load("rss2-correction-kill.xml"))
    assert correction.signals == ("correction",)
    assert correction.headline == "Euro zone bond yields fall after ECB minutes"
    assert correction.ednote == "(Corrects German 10-year yield to 2.41% from 2.14% in paragraph 2)"
    assert correction.dateline == "LONDON, Jan 15 (Reuters)"
    assert correction.versioncreated == utc(2026, 1, 15, 12, 44)
    assert correction.pubstatus is Pubstatus.USABLE
    assert correction.body.content_type == "text/plain"
    assert len(correction.body.text.split("\n")) == 2
    assert correction.creditline == "(Reporting by Harry Robertson; Editing by Sharon Singleton)"
    assert correction.language == "en-us"

    assert kill.pubstatus is Pubstatus.CANCELED
    assert kill.signals == ("withdrawn",)
    assert kill.uri == "tag:reuters.com,2026:newsml_L5N3OP0D4"
    assert kill.headline == "Louvre to open new wing for Islamic art in 2027"
    assert kill.body.text.startswith("STORY WITHDRAWN.")


def test_rss2_embargo_expiry_subjects_and_rights() -> None:
    s = one("rss2-embargo-rights.xml")
    assert s.uri == "urn:newsml:dpa.com:20090101:260129-99-112233"
    assert s.versioncreated == utc(2026, 1, 29, 6, 30)  # dc:date
    assert s.embargoed == utc(2026, 1, 29, 8, 55)  # dcterms:available
    assert s.expires == utc(2026, 2, 28)  # age:expires
    assert s.by == "dpa"
    assert (s.dateline, s.located, s.agency) == ("NUREMBERG, Germany (dpa)", "NUREMBERG, Germany", "dpa")
    assert s.language == "en"  # channel dc:language
    assert s.subjects == (
        Subject("Economy"),
        Subject("20000344", uri="http://cv.iptc.org/newscodes/mediatopic/20000344", code="20000344"),
        Subject("DE", uri="https://www.dpa.com/regions/DE", code="DE"),
    )
    assert s.copyrightnotice == "(c) dpa 2026. Embargoed until 09:55 CET."  # item beats channel
    assert s.copyrightholder == "dpa Deutsche Presse-Agentur GmbH"
    assert s.usageterms == "https://www.dpa.com/en/terms-of-use"
    assert s.body.text.split("\n") == [
        "German unemployment fell for a third month in a row in January, the Federal Labour"
        " Agency said on Thursday.",
        "The number of people out of work dropped by 12,000 to 2.91 million in seasonally"
        " adjusted terms.",
    ]


# -- RSS 0.91 and 1.0 ---------------------------------------------------------------------


def test_rss091_latin1_link_as_uri() -> None:
    s = one("rss091.xml")
    assert s.uri == "https://www.upi.com/Top_News/2026/01/15/wildfire-evacuations/"
    assert (s.dateline, s.located, s.agency) == ("LOS ANGELES, Jan. 15 (UPI)", "LOS ANGELES", "UPI")
    assert "Café owners" in s.body.text
    assert s.versioncreated is None and s.language == "en-us"


def test_rss1_rdf() -> None:
    s = one("rss1-rdf.xml")
    assert s.uri == "https://www.ansa.it/english/news/2026/01/15/etna-erupts.html"  # rdf:about
    assert s.headline == "Etna erupts again, Catania airport closed"
    assert s.versioncreated == utc(2026, 1, 15, 10, 20)
    assert (s.by, s.dateline, s.agency) == ("ANSA", "CATANIA (ANSA)", "ANSA")
    assert s.subjects == (Subject("Environment"),)
    assert s.copyrightnotice == "Copyright ANSA"
    assert s.usageterms == "https://www.ansa.it/english/terms"  # cc:license rdf:resource
    assert s.language == "en"


# -- Atom ---------------------------------------------------------------------------------


def test_atom_entry_xhtml_content_categories_and_rights() -> None:
    entry, plain, tomb = feeds.parse(load("atom-afp.xml"))
    assert entry.uri == "urn:afp:newsml:afp.com:20260115:TX-PAR-FRA42"
    assert entry.headline == "Louvre unveils plans for new Islamic art wing"  # type="html"
    assert entry.firstcreated == utc(2026, 1, 15, 7, 10)
    assert entry.versioncreated == utc(2026, 1, 15, 8, 5)
    assert entry.by == "Sarah Martin and Jean Dupont"
    assert (entry.dateline, entry.located, entry.agency) == ("Paris (AFP)", "Paris", "AFP")
    assert entry.language == "en"  # the entry's xml:lang beats the feed's
    assert entry.subjects == (
        Subject("arts, culture and entertainment",
                uri="http://cv.iptc.org/newscodes/subjectcode/01000000", code="01000000"),
        Subject("museums"),
    )
    assert entry.copyrightnotice == "Copyright AFP 2026. All rights reserved."
    assert entry.usageterms == "https://www.afp.com/en/terms-of-use"  # feed link rel=license
    assert "<strong>3,000 square metres</strong>" in entry.body.html
    assert "xmlns" not in entry.body.received and "<div" not in entry.body.received
    assert entry.body.text.split("\n")[0].startswith("The Louvre museum on Thursday")

    assert plain.language == "fr" and plain.by == "Claire Lefebvre"
    assert plain.agency == "AFP - Monde"  # no dateline, no source: the feed title
    assert plain.copyrightnotice == "Copyright AFP 2026"
    assert plain.body.content_type == "text/plain"
    assert plain.versioncreated == utc(2026, 1, 15, 9, 30) and plain.firstcreated is None


def test_atom_tombstone_is_a_kill() -> None:
    tomb = one("atom-afp.xml", 2)
    assert tomb.uri == "urn:afp:newsml:afp.com:20260114:TX-PAR-FRA07"
    assert tomb.pubstatus is Pubstatus.CANCELED
    assert tomb.signals == ("withdrawn",)
    assert tomb.versioncreated == utc(2026, 1, 15, 9, 45)
    assert tomb.ednote == "KILL: story withdrawn, the museum has not announced an opening date."
    assert tomb.by == "AFP desk"
    assert tomb.body.text == ""
    assert b"deleted-entry" in tomb.raw


def test_agency_argument_comes_before_the_feed_title() -> None:
    plain = one("atom-afp.xml", 1, agency="AFP")
    assert plain.agency == "AFP"
    entry = one("atom-afp.xml", 0, agency="Somebody")
    assert entry.agency == "AFP"  # the dateline names the agency


# -- malformed ----------------------------------------------------------------------------


def test_malformed_but_recoverable_feed_goes_through_feedparser() -> None:
    (s,) = feeds.parse(load("recoverable-entities.xml"))  # &nbsp; and a bare & in a link
    assert s.uri == "https://apnews.com/article/fed-rates-0f1e2d3c"
    assert s.headline == "Fed holds rates steady, signals patience"
    assert s.versioncreated == utc(2026, 1, 28, 19, 2)
    assert (s.dateline, s.agency) == ("WASHINGTON (AP)", "AP")
    assert s.body.text.startswith("The Federal Reserve left its key rate unchanged")
    assert s.raw.startswith(b"<item>") and s.raw.endswith(b"</item>")


def test_truncated_feed_with_no_complete_entry() -> None:
    with pytest.raises(FormatError) as err:
        feeds.parse(load("malformed-truncated.xml"))
    assert err.value.format == "feed"
    assert err.value.where.startswith("line ")
    assert "no complete feed entry" in err.value.problem


def test_truncated_feed_keeps_only_complete_entries() -> None:
    data = load("rss2-reuters-world.xml")
    cut = data[: data.index(b"MANILA (Reuters)")]
    stories = feeds.parse(cut)
    assert [s.uri for s in stories] == ["tag:reuters.com,2026:newsml_L8N3OP0A1"]


def test_a_date_nobody_reads_is_dropped_with_a_warning_naming_the_element() -> None:
    """The entry stays a story (its words are all there); the desk then dates it by arrival.
    Liberal as ninjs and G2 are: one odd pubDate used to cost the whole feed."""
    first, second = feeds.parse(load("malformed-bad-date.xml"))
    assert first.versioncreated is not None and not first.warnings
    assert second.headline == "Second story" and second.versioncreated is None
    (warning,) = second.warnings
    assert warning.field == "versioncreated" and warning.action == "dropped"
    assert warning.problem.startswith("/rss/channel/item[2]/pubDate: ")
    assert "yesterday afternoon" in warning.problem


def test_an_embargo_nobody_reads_still_refuses_the_feed() -> None:
    """When readers may see a story is never guessed: dropping it would publish early."""
    data = (b'<rss xmlns:dcterms="http://purl.org/dc/terms/"><channel><item><title>T</title>'
            b"<description>Words.</description><dcterms:available>after lunch</dcterms:available>"
            b"</item></channel></rss>")
    with pytest.raises(FormatError) as err:
        feeds.parse(data)
    assert err.value.where == "/rss/channel/item[1]/dcterms:available"


@pytest.mark.parametrize("loose", [False, True])
def test_an_entry_without_words_costs_only_itself(loose: bool, caplog) -> None:
    """An item with only a link has nothing to show: left out (logged, naming it), the
    feed's other entries kept; on the malformed-XML path too. A feed of nothing else fails."""
    bare = b"&" if loose else b""  # a bare ampersand: lxml refuses, the loose path reads it
    data = (b"<rss><channel><title>T " + bare + b"</title>"
            b"<item><title>Kept</title><description>Words.</description></item>"
            b"<item><link>https://x.example/2</link></item></channel></rss>")
    with caplog.at_level("WARNING", logger="wiredesk.formats.feeds"):
        stories = feeds.parse(data)
    assert [s.headline for s in stories] == ["Kept"]
    assert "1 feed entry with neither a title nor text left out" in caplog.text
    assert "title or a description/content" in caplog.text
    with pytest.raises(FormatError) as err:
        feeds.parse(b"<rss><channel><item><link>https://x.example/2</link></item>"
                    b"</channel></rss>")
    assert err.value.where == "/rss/channel/item[1]"


def test_wrong_root_and_missing_channel() -> None:
    with pytest.raises(FormatError) as err:
        feeds.parse(load("malformed-wrong-root.xml"))
    assert err.value.where == "/opml" and "rss, rdf:RDF or Atom" in err.value.problem
    with pytest.raises(FormatError) as err:
        feeds.parse(load("malformed-no-channel.xml"))
    assert err.value.where == "/rss"


@pytest.mark.parametrize("data", [
    b"",
    b"\x00\x01\x02binary",
    b"not xml at all",
    b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaa">]><rss><channel/></rss>',
    b"<rss><channel><item><link>https://x</link></item></channel></rss>",
])
def test_junk_raises_format_error(data: bytes) -> None:
    with pytest.raises(FormatError):
        feeds.parse(data)


def test_entity_declarations_are_refused_not_retried_loosely() -> None:
    data = b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>' \
           b"<rss><channel><item><title>&x;</title></item></channel></rss>"
    with pytest.raises(FormatError) as err:
        feeds.parse(data)
    assert "entity" in err.value.problem


def test_feedparser_is_never_handed_a_file_name() -> None:
    # Malformed bytes that are also a path: feedparser would read the file if given bytes.
    with pytest.raises(FormatError):
        feeds.parse(b"/etc/hostname")


def test_item_without_guid_or_link_gets_a_stable_urn() -> None:
    data = b"<rss><channel><title>Reuters</title><item><title>UPDATE 2-Oil rises</title>" \
           b"<description>LONDON (Reuters) - Oil rose.</description></item></channel></rss>"
    (s,) = feeds.parse(data)
    assert s.uri == "urn:wiredesk:plain:reuters:oil-rises"
    assert s.version == "3"


# -- robustness ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ALL)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_mutated_fixtures_parse_or_raise_format_error(name: str, data: st.DataObject) -> None:
    stories = assert_parses_or_format_error(feeds.parse, data.draw(mutated([DIR / name])), "feed")
    assert all(isinstance(s.uri, str) for s in stories or ())


def test_categories_repeated_within_and_across_entries_give_each_subject_once() -> None:
    items = "".join(
        f"<item><title>Story {i}</title><description>Body {i}</description>"
        '<category domain="http://cv.example/topics/">energy</category>'
        '<category domain="http://cv.example/topics">energy</category>'  # the same concept
        "<category>Markets</category><dc:subject>Markets</dc:subject><category> </category>"
        "</item>" for i in range(3))
    data = ('<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
            f"<title>t</title>{items}</channel></rss>").encode()
    stories = feeds.parse(data)
    expected = (Subject("energy", uri="http://cv.example/topics/energy", code="energy"),
                Subject("Markets"))
    assert [s.subjects for s in stories] == [expected] * 3
    (lone,) = feeds.parse(data.replace(items.encode(), b"<item><title>x</title>"
                                       b"<category>Markets</category></item>"))
    assert lone.subjects == (Subject("Markets"),)


# -- pictures (issue 13) ------------------------------------------------------------------


def test_media_rss_group_and_content_give_pictures_with_caption_and_credit() -> None:
    story = one("rss2-media.xml")
    # The video is no picture; the SVG is kept only to be fetched and quarantined.
    group, single, svg = story.pictures
    assert [(r.href, r.contenttype) for r in svg.renditions] == [
        ("https://media.wire.example/4412/overlay.svg", "image/svg+xml")]
    assert [(r.name, r.href, r.width, r.height, r.size) for r in group.renditions] == [
        (None, "https://media.wire.example/4412/large.jpg", 1400, 933, 412345),
        (None, "https://media.wire.example/4412/small.jpg", 640, 427, None),
        ("thumbnail", "https://media.wire.example/4412/thumb.jpg", 150, 100, None)]
    assert group.headline == "Cranes stand idle"
    assert group.caption == "Cranes stand idle at the container terminal in Rotterdam, March 4, 2026."
    assert group.creditline == "REUTERS/Piroschka van de Wouw"
    assert group.by == "Piroschka van de Wouw"
    assert group.copyrightnotice == "Copyright 2026 Wire Example"
    assert single.caption == "Union leaders address strikers."
    assert single.creditline is None  # the entry has no credit of its own to lend
    (warning,) = story.warnings
    assert warning.field == "pictures" and "overlay.svg" in warning.problem
    assert warning.action == "quarantined"


def test_rss_image_enclosure_and_entry_thumbnail_make_one_picture() -> None:
    story = one("rss2-media.xml", 1)
    (picture,) = story.pictures  # the audio enclosure is no picture
    assert [(r.name, r.href, r.contenttype, r.size) for r in picture.renditions] == [
        (None, "/photos/heron.jpg", "image/jpeg", 204800),  # relative: resolved at fetch time
        ("thumbnail", "/photos/heron-thumb.jpg", None, None)]
    assert picture.by == "Jan Jansen"  # the entry's media:credit applies to all its media
    thumb_only = one("rss2-media.xml", 2)
    (picture,) = thumb_only.pictures
    assert picture.renditions[0].name == "thumbnail"
    assert "data: URL" in thumb_only.warnings[0].problem


def test_atom_enclosure_links_are_pictures_when_they_are_images() -> None:
    story = one("atom-enclosure.xml")
    assert story.body.text.startswith("Dock workers")  # the enclosure is not the link
    (picture,) = story.pictures
    assert [(r.href, r.contenttype, r.size) for r in picture.renditions] == [
        ("https://media.wire.example/4412/large.jpg", "image/jpeg", 412345),
        ("https://media.wire.example/4412/thumb.jpg", None, None)]
    assert picture.caption == "Cranes stand idle in Rotterdam."
    assert "javascript: URL" in story.warnings[0].problem


def test_a_feed_without_media_has_no_pictures_and_a_recovered_feed_keeps_its_enclosure() -> None:
    assert all(s.pictures == () for s in feeds.parse(load("rss2-reuters-world.xml")))
    broken = load("rss2-media.xml").replace(b"<title>Heron", b"<title>Heron &nbsp; &")
    stories = feeds.parse(broken)  # lxml refuses it: feedparser's loose path reads it
    heron = next(s for s in stories if s.uri == "urn:wire-example:heron")
    assert [r.href for p in heron.pictures for r in p.renditions] == ["/photos/heron.jpg"]
    assert heron.pictures[0].by == "Jan Jansen"
