"""The feed parser reads feeds as feedparser, the field's reference, does (feed_agreement.py):
the real-world-shaped corpus and shapes written from the specifications agree, and each
disagreement found and fixed has its own small feed here."""

from __future__ import annotations

import re
import sys
from datetime import UTC, datetime

import pytest
from lxml import etree

from conftest import ROOT
from feed_agreement import disagreements, shapes
from wiredesk.formats import feeds
from wiredesk.story import Body

sys.path.insert(0, str(ROOT / "bench"))
from feedcorpus import feeds as corpus  # noqa: E402

ITUNES = 'xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"'
MEDIA = 'xmlns:media="http://search.yahoo.com/mrss/"'


def rss(items: str, ns: str = "") -> bytes:
    return (f'<rss version="2.0" {ns}><channel><title>T</title><link>https://t.example/</link>'
            f"<description>d</description>{items}</channel></rss>").encode()


def atom(entries: str, ns: str = "") -> bytes:
    return (f'<feed xmlns="http://www.w3.org/2005/Atom" {ns}><title>T</title><id>urn:t</id>'
            f"<updated>2026-01-15T09:00:00Z</updated>{entries}</feed>").encode()


# -- the whole corpus ---------------------------------------------------------------------


CORPUS = corpus(0.01)


@pytest.mark.parametrize("data", [d for _, d in CORPUS], ids=[n for n, _ in CORPUS])
def test_real_world_shaped_corpus_agrees_with_feedparser(data: bytes) -> None:
    # entry count, titles, ids/links, dates, authors and the words of each entry's text
    assert disagreements(data) == []


SHAPES = shapes()


@pytest.mark.parametrize("data", [d for _, d in SHAPES], ids=[n for n, _ in SHAPES])
def test_spec_shapes_agree_with_feedparser(data: bytes) -> None:
    assert disagreements(data) == []


@pytest.mark.parametrize("data", [d for _, d in SHAPES], ids=[n for n, _ in SHAPES])
def test_spec_shapes_agree_when_recovered_from_malformed_xml(data: bytes) -> None:
    # a bare ampersand in the feed's own title: lxml refuses it, feedparser's loose parser
    # reads it for wiredesk (feeds_loose.py), and the entries still say the same
    broken = re.sub(rb"<((?:a:)?title)>", rb"<\1>Broken & ", data, count=1)
    with pytest.raises(etree.XMLSyntaxError):
        etree.fromstring(broken)
    assert disagreements(broken) == []


def test_the_check_sees_each_kind_of_difference(monkeypatch: pytest.MonkeyPatch) -> None:
    data = corpus(0.002)[0][1]  # WordPress
    assert disagreements(data) == []
    parse = feeds.parse

    def broken(raw: bytes) -> list:
        stories = parse(raw)
        first = stories[0].with_changes(
            headline="x", uri="urn:x", by="Nobody", body=Body.empty(),
            versioncreated=stories[0].versioncreated.replace(second=0))
        return [first, *stories[1:-1]]

    monkeypatch.setattr(feeds, "parse", broken)
    found = "\n".join(disagreements(data))
    for kind in ("entries:", "entry 1: title:", "entry 1: id:", "entry 1: date:",
                 "entry 1: author:", "entry 1: text:"):
        assert kind in found, found


# -- the disagreements fixed --------------------------------------------------------------


def test_rss_title_with_entities_or_closing_tags_is_html() -> None:
    data = rss("<item><title>Ben &amp;amp; Jerry &lt;b&gt;rule&lt;/b&gt;</title>"
               "<description>x</description></item>"
               "<item><title>Tom &amp; Jerry's &lt;cheese&gt; caper</title>"
               "<description>x</description></item>"
               "<item><title>5 &lt; 6 &amp; AT&amp;T</title><description>x</description></item>")
    assert [s.headline for s in feeds.parse(data)] == [
        "Ben & Jerry rule", "Tom & Jerry's <cheese> caper", "5 < 6 & AT&T"]


def test_html_title_tags_come_out_before_entities_are_decoded() -> None:
    # type="html": "&lt;em&gt;" in the HTML is the text "<em>", not a tag (RFC 4287 3.1.1.2)
    data = atom('<entry><id>urn:1</id><updated>2026-01-15T09:00:00Z</updated><title type="html">'
                "A &amp;lt;em&amp;gt; tag &lt;b&gt;bold&lt;/b&gt;</title><summary>x</summary>"
                "</entry>")
    assert feeds.parse(data)[0].headline == "A <em> tag bold"


def test_itunes_summary_and_author_when_the_item_has_no_other() -> None:
    data = rss("<item><title>Episode 5</title><guid isPermaLink='false'>ep5</guid>"
               "<itunes:author>Host Name</itunes:author><itunes:summary>What the episode is "
               "about.</itunes:summary></item>"
               "<item><title>Episode 6</title><guid isPermaLink='false'>ep6</guid>"
               "<author>desk@t.example (Ana Costa)</author><itunes:author>Host Name"
               "</itunes:author><description>Show notes.</description><itunes:summary>Other"
               "</itunes:summary></item>", ns=ITUNES)
    five, six = feeds.parse(data)
    assert (five.by, five.body.text) == ("Host Name", "What the episode is about.")
    assert (six.by, six.body.text) == ("Ana Costa", "Show notes.")  # the item's own win


def test_media_description_is_the_text_of_an_entry_without_any() -> None:
    video = ("<media:group><media:title>Video</media:title><media:content url='https://y.example/"
             "v.swf' type='application/x-shockwave-flash'/><media:description>What the video "
             "shows.</media:description></media:group>")
    (youtube,) = feeds.parse(atom(f"<entry><id>yt:video:1</id><title>Video</title><updated>"
                                  f"2026-01-15T09:00:00Z</updated>{video}</entry>", ns=MEDIA))
    assert youtube.body.text == "What the video shows."
    (item,) = feeds.parse(rss(f"<item><title>Video</title><guid>urn:v</guid>{video}</item>",
                              ns=MEDIA))
    assert item.body.text == "What the video shows."
    # an entry with its own text keeps it; the description stays the picture's caption
    (news,) = feeds.parse(rss(
        "<item><title>N</title><guid>urn:n</guid><description>Own text.</description>"
        "<media:content url='https://t.example/p.jpg' medium='image'/><media:description>"
        "Caption.</media:description></item>", ns=MEDIA))
    assert (news.body.text, news.pictures[0].caption) == ("Own text.", "Caption.")


def test_rss_atom_link_is_the_link_when_link_is_missing() -> None:
    data = rss('<item><title>T</title><atom:link href="https://t.example/a" rel="self"/>'
               '<atom:link href="https://t.example/b"/><description>x</description></item>',
               ns='xmlns:atom="http://www.w3.org/2005/Atom"')
    assert feeds.parse(data)[0].uri == "https://t.example/b"


def test_relative_links_resolve_against_xml_base() -> None:
    data = rss('<item xml:base="https://t.example/news/"><title>T</title><link>2026/a</link>'
               "<description>x</description></item><item><title>U</title><link>/b</link>"
               "<description>x</description></item>")
    assert [s.uri for s in feeds.parse(data)] == ["https://t.example/news/2026/a", "/b"]
    data = atom('<entry xml:base="/2026/"><title>T</title><updated>2026-01-15T09:00:00Z</updated>'
                '<link href="post-1"/><summary>x</summary></entry>',
                ns='xml:base="https://b.example/blog/"')
    assert feeds.parse(data)[0].uri == "https://b.example/2026/post-1"


def test_rss_items_beside_the_channel_are_read() -> None:
    data = (b'<rss version="0.92"><channel><title>C</title></channel><item><title>Beside</title>'
            b"<link>https://c.example/1</link><description>Text.</description></item></rss>")
    (s,) = feeds.parse(data)
    assert (s.uri, s.headline, s.body.text) == ("https://c.example/1", "Beside", "Text.")


def test_rss_xhtml_body_is_the_content() -> None:
    data = rss('<item><title>X</title><guid>urn:x</guid><body xmlns="http://www.w3.org/1999/'
               'xhtml"><p>Xhtml <b>body</b>.</p></body></item>')
    (s,) = feeds.parse(data)
    assert s.body.text == "Xhtml body." and "<b>body</b>" in s.body.html


def test_atom_html_alternate_wins_over_other_types() -> None:
    data = atom('<entry><title>T</title><updated>2026-01-15T09:00:00Z</updated><link rel="alt'
                'ernate" type="application/pdf" href="https://a.example/pdf"/><link href="https:'
                '//a.example/html" type="text/html"/><summary>x</summary></entry>')
    assert feeds.parse(data)[0].uri == "https://a.example/html"


def test_a_relative_permalink_guid_resolves_a_plain_one_does_not() -> None:
    data = rss('<item xml:base="https://x.example/"><title>T</title><guid>/p/1</guid>'
               '<description>x</description></item><item xml:base="https://x.example/"><title>U'
               '</title><guid isPermaLink="false">p-2</guid><description>x</description></item>')
    assert [s.uri for s in feeds.parse(data)] == ["https://x.example/p/1", "p-2"]


def test_rss_elements_in_another_case_are_read() -> None:
    data = rss("<item><Title>Upper</Title><GUID>urn:u</GUID><pubdate>Thu, 15 Jan 2026 07:02:00 "
               "GMT</pubdate><Description>Words.</Description><comments>x</comments></item>")
    (s,) = feeds.parse(data)
    assert (s.headline, s.uri, s.body.text, s.versioncreated.hour) == ("Upper", "urn:u",
                                                                      "Words.", 7)


def test_rss2_in_the_userland_default_namespace() -> None:
    data = (b'<rss version="2.0" xmlns="http://backend.userland.com/rss2"><channel><title>U'
            b"</title><item><title>Userland</title><link>https://u.example/1</link>"
            b"<pubDate>Thu, 15 Jan 2026 07:02:00 GMT</pubDate><description>Body u.</description>"
            b"</item></channel></rss>")
    (s,) = feeds.parse(data)
    assert (s.uri, s.headline, s.body.text, s.agency) == (
        "https://u.example/1", "Userland", "Body u.", "U")
    assert s.versioncreated.hour == 7


@pytest.mark.parametrize("value,expected", [
    ("Thu, 15 Jan 2026", datetime(2026, 1, 15, tzinfo=UTC)),  # no time: midnight UTC
    ("Tue, 15 Sept 2026 07:02:00 GMT", datetime(2026, 9, 15, 7, 2, tzinfo=UTC)),
    ("Tuesday, 15 September 2026 07:02 EDT", datetime(2026, 9, 15, 11, 2, tzinfo=UTC)),
    ("2026", datetime(2026, 1, 1, tzinfo=UTC)),  # W3C-DTF reduced precision (dc:date)
    ("2026-03", datetime(2026, 3, 1, tzinfo=UTC)),
    ("2016-12-31T23:59:60Z", datetime(2017, 1, 1, tzinfo=UTC)),  # a leap second, as POSIX
])
def test_dates_feedparser_reads_are_read(value: str, expected: datetime) -> None:
    data = rss(f"<item><title>T</title><link>https://t.example/1</link><dc:date>{value}"
               f"</dc:date><description>x</description></item>",
               ns='xmlns:dc="http://purl.org/dc/elements/1.1/"')
    assert feeds.parse(data)[0].versioncreated == expected


@pytest.mark.parametrize("value", ["Thu, 15 Foo 2026", "2026-01-15T07:60:00Z", "26"])
def test_dates_nobody_reads_still_name_the_element(value: str) -> None:
    """Dropped with a warning naming the element; the entry stays a story."""
    data = rss(f"<item><title>T</title><pubDate>{value}</pubDate><description>x</description>"
               "</item>")
    (story,) = feeds.parse(data)
    assert story.versioncreated is None
    assert [(w.field, w.action) for w in story.warnings] == [("versioncreated", "dropped")]
    assert story.warnings[0].problem.startswith("/rss/channel/item[1]/pubDate: ")


def test_table_cells_keep_their_words_apart() -> None:
    data = rss("<item><title>T</title><guid>urn:t</guid><description>&lt;p&gt;Results:&lt;/p&gt;"
               "&lt;table&gt;&lt;tr&gt;&lt;th&gt;Party&lt;/th&gt;&lt;td&gt;Seats&lt;/td&gt;&lt;/tr"
               "&gt;&lt;/table&gt;</description></item>")
    (s,) = feeds.parse(data)
    assert s.body.text.split() == ["Results:", "Party", "Seats"]  # not "PartySeats"


@pytest.mark.parametrize("declared", ["ISO-8859-1", "windows-1252", "us-ascii"])
def test_utf8_bytes_declared_single_byte_are_read_as_utf8(declared: str) -> None:
    text = (f'<?xml version="1.0" encoding="{declared}"?><rss version="2.0"><channel><title>E'
            "</title><item><title>Caf\u00e9 \u2014 na\u00efve</title><guid>urn:e</guid>"
            "<description>Stra\u00dfe.</description></item></channel></rss>")
    (s,) = feeds.parse(text.encode("utf-8"))
    assert (s.headline, s.body.text) == ("Caf\u00e9 \u2014 na\u00efve", "Stra\u00dfe.")
    # latin-1 bytes that are no UTF-8 are read as declared
    latin = text.replace(" \u2014", "").replace(declared, "ISO-8859-1").encode("latin-1")
    assert feeds.parse(latin)[0].headline == "Caf\u00e9 na\u00efve"


def test_atom_03_is_read_as_atom() -> None:
    data = (b'<?xml version="1.0"?><feed version="0.3" xmlns="http://purl.org/atom/ns#"><title>'
            b"Old</title><entry><title>Atom 0.3</title><id>urn:a03:1</id><issued>2026-01-15T08:"
            b"00:00Z</issued><modified>2026-01-15T09:00:00Z</modified><author><name>Ann</name>"
            b'</author><content type="text/html" mode="escaped">&lt;p&gt;Old &lt;b&gt;atom'
            b'&lt;/b&gt;.&lt;/p&gt;</content><summary type="text/plain" mode="base64">AAAA'
            b"</summary></entry></feed>")
    assert feeds.looks_like(data)
    (s,) = feeds.parse(data)
    assert (s.uri, s.headline, s.body.text, s.by, s.agency) == (
        "urn:a03:1", "Atom 0.3", "Old atom.", "Ann", "Old")
    assert (s.firstcreated.hour, s.versioncreated.hour) == (8, 9)
