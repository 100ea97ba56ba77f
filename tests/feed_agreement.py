"""wiredesk's feed parser against feedparser, the field's reference for what a feed says.

`disagreements(data)` parses the same bytes with both and lists where they differ on what a
reader of the feed would see: the number of entries, each entry's title, its id (or link),
its published and updated instants, its author, and the words of its text (feedparser's
sanitised content, else its summary, tags stripped: each must be somewhere in the story).

wiredesk's deliberate rules are not counted as disagreements (feeds.py, feeds_entry.py,
wirerules.py): agency tags come off a headline ("UPDATE 2-"), a byline, dateline, advisory
or credit line leaves the body for its own field, content wins over the summary, RSS has one
date (versioncreated; firstcreated is left empty), an entry without an id is named by its
link and then by a urn of the headline, hrefs are kept as the feed gives them (feedparser
resolves them against xml:base), a bare e-mail address is no byline, and Atom tombstones
are stories (feedparser skips them).

    PYTHONPATH=src:tests:bench python tests/feed_agreement.py [scale]    # corpus + shapes
    PYTHONPATH=src:tests python tests/feed_agreement.py feed.xml ...      # feeds of your own
"""

from __future__ import annotations

import calendar
import html
import io
import re
import sys
from datetime import UTC, datetime
from typing import Any

import feedparser

from wiredesk.formats import feeds
from wiredesk.formats.wirerules import headline_rules
from wiredesk.story import Story

_TAG = re.compile(r"<[^>]*>")
_WORD = re.compile(r"\w+")
_DROPPED = re.compile(r"<(noscript|iframe|object|embed|template)\b.*?</\1\s*>", re.I | re.S)
_BY = re.compile(r"^by\s+", re.I)
_EMAIL_NAME = re.compile(r"^\S+@\S+\s*\(([^)]+)\)$")


def _norm(value: str | None) -> str:
    return " ".join((value or "").split())


def _plain(value: str | None, is_html: bool) -> str:
    """Markup as a reader sees it: tags out, entities decoded, whitespace collapsed."""
    text = value or ""
    if is_html:
        text = html.unescape(_TAG.sub(" ", text))
    return _norm(text)


def _instant(parsed: Any) -> datetime | None:
    if not parsed:
        return None
    return datetime.fromtimestamp(calendar.timegm(parsed), UTC)


def _second(moment: datetime | None) -> datetime | None:
    """feedparser's struct_time holds no fraction of a second."""
    return moment.replace(microsecond=0) if moment else None


def _fp_text(x: Any) -> tuple[str, bool]:
    """The text feedparser gives an entry, in wiredesk's order: content, else summary."""
    # (wiredesk reads text, HTML and XHTML content only: base64 media is no story body)
    contents = [c for c in x.get("content") or [] if (c.get("type") or "text").startswith(
        ("text/", "application/xhtml"))]
    main = next((c for c in contents if "html" in (c.get("type") or "")), None) or (
        contents[0] if contents else None)
    if main is not None and main.get("value"):
        return main["value"], "html" in (main.get("type") or "")
    detail = x.get("summary_detail") or {}
    return x.get("summary") or "", "html" in (detail.get("type") or "")


def _story_text(s: Story) -> str:
    fields = (s.body.text, s.headline, s.by, s.dateline, s.ednote, s.creditline,
              *(p.caption for p in s.pictures), *(p.headline for p in s.pictures))
    # "by": wiredesk takes a byline paragraph's "By" off with the byline (wirerules.py)
    return "\n".join(f for f in fields if f).casefold() + ("\nby" if s.by else "")


def compare_entry(x: Any, s: Story, atom: bool) -> list[str]:
    """What one feedparser entry says and the story does not."""
    out = []
    title_detail = x.get("title_detail") or {}
    fp_title = _plain(x.get("title"), "html" in (title_detail.get("type") or ""))
    expected = headline_rules(fp_title)[0]  # agency tags off: a wiredesk rule
    if expected and expected != s.headline:
        out.append(f"title: feedparser {expected!r}, wiredesk {s.headline!r}")
    fp_id = _norm(x.get("id")) or _norm(x.get("link"))
    if fp_id and fp_id != s.uri and not (atom and x.get("link") == s.uri):
        out.append(f"id: feedparser {fp_id!r}, wiredesk {s.uri!r}")
    # plain dict look-ups: feedparser's updated -> published alias is deprecated
    updated = _instant(dict.get(x, "updated_parsed"))
    published = _instant(dict.get(x, "published_parsed"))
    if atom:
        if published and published != _second(s.firstcreated):
            out.append(f"published: feedparser {published}, wiredesk {s.firstcreated}")
        if (updated or published) and (updated or published) != _second(s.versioncreated):
            out.append(f"updated: feedparser {updated or published}, wiredesk {s.versioncreated}")
    elif (published or updated) and (published or updated) != _second(s.versioncreated):
        # RSS: feedparser files pubDate as published, dc:date and the like as updated;
        # wiredesk's one date ranks pubDate first (feeds.py _RSS_FIELDS)
        out.append(f"date: feedparser {published or updated}, wiredesk {s.versioncreated}")
    author = _norm((x.get("author_detail") or {}).get("name") or x.get("author"))
    raw_author = _norm(x.get("author"))
    if not atom and "@" in raw_author:  # feedparser cuts "desk@a.example (Ana Costa)" and "a@x.example"
        named = _EMAIL_NAME.match(raw_author)  # badly; wiredesk takes only the "(Name)" form
        author = named.group(1) if named else ""
    author = _BY.sub("", author)  # wiredesk drops a leading "By" (join_names)
    if author and "@" not in author:
        if not s.by or not set(_WORD.findall(author.casefold())) <= set(
                _WORD.findall(s.by.casefold())):
            out.append(f"author: feedparser {author!r}, wiredesk {s.by!r}")
    value, is_html = _fp_text(x)
    if is_html:  # wiredesk's sanitiser drops these with their content (bodies.py)
        value = _DROPPED.sub(" ", value)
    words = {w.casefold() for w in _WORD.findall(_plain(value, is_html))}
    text = _story_text(s)
    have = set(_WORD.findall(text))
    # (a word feedparser splits at an inline tag, "H<sub>2</sub>O", is one word to wiredesk)
    if missing := {w for w in words - have if w not in text}:
        out.append(f"text: {len(missing)} of feedparser's words missing, e.g. "
                   f"{sorted(missing)[:6]}")
    return out


def disagreements(data: bytes) -> list[str]:
    """Every difference between feedparser's reading of a feed and wiredesk's."""
    fp = feedparser.parse(io.BytesIO(data))
    stories = [s for s in feeds.parse(data) if not (s.body.text == "" and s.ednote and
                                                    s.pubstatus == "canceled")]
    atom = str(fp.get("version") or "").startswith("atom")
    entries = fp.entries
    out = []
    if len(entries) != len(stories):
        out.append(f"entries: feedparser {len(entries)}, wiredesk {len(stories)}")
    for i, (x, s) in enumerate(zip(entries, stories, strict=False), 1):
        out += [f"entry {i}: {d}" for d in compare_entry(x, s, atom)]
    return out


# ---- shapes from the published specifications ------------------------------------------

_DC = 'xmlns:dc="http://purl.org/dc/elements/1.1/"'
_CONTENT = 'xmlns:content="http://purl.org/rss/1.0/modules/content/"'
_MEDIA = 'xmlns:media="http://search.yahoo.com/mrss/"'
_ITUNES = 'xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"'
_ATOM_NS = 'xmlns:atom="http://www.w3.org/2005/Atom"'


def _rss(items: str, version: str = "2.0", ns: str = "") -> bytes:
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="{version}" {ns}><channel>'
            f"<title>Shapes</title><link>https://shapes.example/</link><description>d"
            f"</description>{items}</channel></rss>").encode()


def _atom(entries: str, ns: str = 'xmlns="http://www.w3.org/2005/Atom"', prefix: str = "",
          base: str = "") -> bytes:
    p = f"{prefix}:" if prefix else ""
    return (f'<?xml version="1.0" encoding="utf-8"?><{p}feed {ns}{base}><{p}title>Shapes'
            f"</{p}title><{p}id>urn:shapes</{p}id><{p}updated>2026-01-15T09:00:00Z</{p}updated>"
            f"{entries}</{p}feed>").encode()


def _item(body: str) -> str:
    return f"<item>{body}</item>"


def _entry(body: str, id_: str = "urn:e:1") -> str:
    return f"<entry><id>{id_}</id><updated>2026-01-15T09:00:00Z</updated>{body}</entry>"


_HUGE = "".join(f"<p>Paragraph {i} tells of harbour cranes and strike votes.</p>"
                for i in range(3000))

SHAPES: dict[str, bytes] = {
    "rss2-core": _rss(_item(
        "<title>Storm Lena reaches the coast</title><link>https://shapes.example/a</link>"
        "<guid>https://shapes.example/a</guid><pubDate>Thu, 15 Jan 2026 07:02:00 GMT</pubDate>"
        "<author>desk@shapes.example (Ana Costa)</author><description>Schools shut in Porto."
        "</description>")),
    "rss2-content-encoded-dc-creator": _rss(_item(
        "<title>Fed holds rates</title><link>https://shapes.example/b</link><dc:creator>"
        "Jo Smith</dc:creator><pubDate>Thu, 15 Jan 2026 07:02:00 +0000</pubDate><description>"
        "Teaser text.</description><content:encoded><![CDATA[<p>The <b>Federal Reserve</b> "
        "held rates &amp; signalled patience.</p>]]></content:encoded>"), ns=f"{_DC} {_CONTENT}"),
    "rss2-guid-not-permalink": _rss(_item(
        '<title>Guid</title><link>https://shapes.example/c</link><guid isPermaLink="false">'
        "urn:shapes:c-17</guid><description>Text.</description>")),
    "rss2-no-title-description-only": _rss(_item(
        "<link>https://shapes.example/d</link><description>Only a description here, "
        "no title at all.</description>")),
    "rss2-no-link-guid-url": _rss(_item(
        "<title>No link</title><guid>https://shapes.example/e</guid><description>Text."
        "</description>")),
    "rss2-atom-link": _rss(_item(
        '<title>Atom link</title><atom:link href="https://shapes.example/f" rel="alternate"/>'
        "<guid>urn:shapes:f</guid><description>Text f.</description>"), ns=_ATOM_NS),
    "rss2-cdata-entities": _rss(_item(
        "<title><![CDATA[Tom & Jerry's <cheese> caper]]></title><link>https://shapes.example/g"
        "</link><description><![CDATA[<p>Caf&eacute; &amp; bar &#8212; &ldquo;quoted&rdquo;"
        "</p>]]></description>")),
    "rss2-escaped-entities-title": _rss(_item(
        "<title>Ben &amp;amp; Jerry &#8217;s &lt;b&gt;bold&lt;/b&gt;</title><link>"
        "https://shapes.example/h</link><description>Body h.</description>")),
    "rss2-date-est": _rss(_item(
        "<title>EST</title><link>https://shapes.example/i</link><pubDate>Thu, 15 Jan 2026 "
        "07:02:00 EST</pubDate><description>x</description>")),
    "rss2-date-edt-pst": _rss(_item(
        "<title>EDT</title><link>https://shapes.example/i2</link><pubDate>Thu, 15 Jan 2026 "
        "07:02:00 EDT</pubDate><description>x</description>") + _item(
        "<title>PST</title><link>https://shapes.example/i3</link><pubDate>Thu, 15 Jan 2026 "
        "07:02:00 PST</pubDate><description>y</description>")),
    "rss2-date-no-seconds": _rss(_item(
        "<title>No seconds</title><link>https://shapes.example/j</link><pubDate>Thu, 15 Jan "
        "2026 07:02 +0100</pubDate><description>x</description>")),
    "rss2-date-no-weekday": _rss(_item(
        "<title>No weekday</title><link>https://shapes.example/k</link><pubDate>15 Jan 2026 "
        "07:02:00 -0800</pubDate><description>x</description>")),
    "rss2-date-single-digit-day": _rss(_item(
        "<title>Short day</title><link>https://shapes.example/k2</link><pubDate>Thu, 5 Feb 2026 "
        "7:02:00 GMT</pubDate><description>x</description>")),
    "rss2-date-w3c": _rss(_item(
        "<title>W3C date</title><link>https://shapes.example/l</link><pubDate>2026-01-15T07:02:00"
        "+01:00</pubDate><description>x</description>")),
    "rss2-date-missing": _rss(_item(
        "<title>Undated</title><link>https://shapes.example/m</link><description>x"
        "</description>")),
    "rss2-date-two-digit-year": _rss(_item(
        "<title>Year 26</title><link>https://shapes.example/m2</link><pubDate>Thu, 15 Jan 26 "
        "07:02:00 GMT</pubDate><description>x</description>")),
    "rss2-date-full-month": _rss(_item(
        "<title>Month name</title><link>https://shapes.example/m3</link><pubDate>Thursday, 15 "
        "January 2026 07:02:00 GMT</pubDate><description>x</description>")),
    "rss2-date-no-time": _rss(_item(
        "<title>No time</title><link>https://shapes.example/nt</link><pubDate>Thu, 15 Jan 2026"
        "</pubDate><description>x</description>")),
    "rss2-date-sept": _rss(_item(
        "<title>Sept</title><link>https://shapes.example/sept</link><pubDate>Tue, 15 Sept 2026 "
        "07:02:00 GMT</pubDate><description>x</description>") + _item(
        "<title>September</title><link>https://shapes.example/sept2</link><pubDate>Tuesday, 15 "
        "September 2026 07:02 EDT</pubDate><description>x</description>")),
    "rss2-dc-date-reduced": _rss(_item(
        "<title>Year</title><link>https://shapes.example/y</link><dc:date>2026</dc:date>"
        "<description>x</description>") + _item(
        "<title>Month</title><link>https://shapes.example/ym</link><dc:date>2026-03</dc:date>"
        "<description>x</description>"), ns=_DC),
    "atom-leap-second": _atom(_entry("<title>Leap</title><summary>x</summary>").replace(
        "2026-01-15T09:00:00Z</updated>", "2016-12-31T23:59:60Z</updated>")),
    "rss2-dc-date-only": _rss(_item(
        "<title>DC</title><link>https://shapes.example/n</link><dc:date>2026-01-15T07:02:00Z"
        "</dc:date><description>x</description>"), ns=_DC),
    "rss2-media-itunes": _rss(_item(
        "<title>Episode 4</title><link>https://shapes.example/o</link><guid isPermaLink=\"false\">"
        "ep4</guid><pubDate>Thu, 15 Jan 2026 07:02:00 GMT</pubDate><itunes:author>Host Name"
        "</itunes:author><itunes:summary>Episode summary words.</itunes:summary><description>"
        "Show notes words.</description><enclosure url=\"https://shapes.example/4.mp3\" length="
        '"1" type="audio/mpeg"/><media:content url="https://shapes.example/4.jpg" medium="image">'
        "<media:description>Studio photo.</media:description></media:content>"),
        ns=f"{_ITUNES} {_MEDIA}"),
    "rss2-itunes-summary-only": _rss(_item(
        "<title>Episode 5</title><guid isPermaLink=\"false\">ep5</guid><itunes:summary>Only "
        "an itunes summary for this episode.</itunes:summary>"), ns=_ITUNES),
    "rss2-media-description-only": _rss(_item(
        "<title>Video</title><link>https://shapes.example/v</link><media:group><media:content "
        'url="https://shapes.example/v.mp4" type="video/mp4"/><media:description>Video words '
        "here.</media:description></media:group>"), ns=_MEDIA),
    "rss091": (b'<?xml version="1.0" encoding="ISO-8859-1"?><rss version="0.91"><channel><title>'
               b"Old</title><link>https://old.example/</link><description>d</description>"
               b"<language>en-us</language><item><title>Caf\xe9 opens</title><link>https://old."
               b"example/1</link><description>The caf\xe9 opened.</description></item></channel>"
               b"</rss>"),
    "rss092": _rss(_item("<title>Ninety-two</title><link>https://shapes.example/92</link>"
                         "<description>&lt;p&gt;Escaped &lt;b&gt;HTML&lt;/b&gt; body.&lt;/p&gt;"
                         '</description><enclosure url="https://shapes.example/92.mp3" '
                         'length="1" type="audio/mpeg"/>'), version="0.92"),
    "rss1-rdf": (b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-'
                 b'syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/'
                 b'elements/1.1/"><channel rdf:about="https://r.example/"><title>R</title><link>'
                 b"https://r.example/</link><description>d</description></channel><item rdf:"
                 b'about="https://r.example/1"><title>RDF item</title><link>https://r.example/1'
                 b"</link><description>RDF body.</description><dc:date>2026-01-15T07:02+01:00"
                 b"</dc:date><dc:creator>R. Writer</dc:creator></item></rdf:RDF>"),
    "rss090": (b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-'
               b'syntax-ns#" xmlns="http://my.netscape.com/rdf/simple/0.9/"><channel><title>N'
               b"</title><link>https://n.example/</link><description>d</description></channel>"
               b"<item><title>Netscape item</title><link>https://n.example/1</link></item>"
               b"</rdf:RDF>"),
    "rss2-default-namespace-prefixed-content": _rss(_item(
        "<title>Prefix</title><link>https://shapes.example/p</link><c:encoded><![CDATA[<p>"
        "Body via an odd prefix.</p>]]></c:encoded><d:creator>Odd Prefix</d:creator>"),
        ns='xmlns:c="http://purl.org/rss/1.0/modules/content/" '
           'xmlns:d="http://purl.org/dc/elements/1.1/"'),
    "rss2-huge-entry": _rss(_item(
        f"<title>Huge</title><link>https://shapes.example/huge</link><content:encoded>"
        f"<![CDATA[{_HUGE}]]></content:encoded>"), ns=_CONTENT),
    "atom-core": _atom(_entry(
        '<title>Atom core</title><link href="https://a.example/1"/><published>2026-01-15T07:'
        "00:00+01:00</published><author><name>Ann Author</name><email>a@a.example</email>"
        '</author><summary>Summary words.</summary><content type="text">Content words.'
        "</content>")),
    "atom-html-content": _atom(_entry(
        '<title type="html">A &amp;lt;em&amp;gt;big&amp;lt;/em&amp;gt; day</title><link '
        'rel="alternate" href="https://a.example/2"/><content type="html">&lt;p&gt;HTML '
        "&amp;amp; content&lt;/p&gt;</content>")),
    "atom-xhtml-content": _atom(_entry(
        '<title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">XHTML <b>title</b>'
        '</div></title><link href="https://a.example/3"/><content type="xhtml"><div xmlns="'
        'http://www.w3.org/1999/xhtml"><p>XHTML <i>body</i> words.</p></div></content>')),
    "atom-summary-only": _atom(_entry(
        '<title>Summary only</title><summary type="html">&lt;p&gt;Just a summary.&lt;/p&gt;'
        "</summary>")),
    "atom-no-title": _atom(_entry('<summary>An untitled entry.</summary>')),
    "atom-prefixed": _atom(
        '<a:entry><a:id>urn:p:1</a:id><a:title>Prefixed Atom</a:title><a:updated>'
        '2026-01-15T09:00:00Z</a:updated><a:link href="https://p.example/1"/><a:content>'
        "Prefixed words.</a:content><a:author><a:name>Pre Fix</a:name></a:author></a:entry>",
        ns='xmlns:a="http://www.w3.org/2005/Atom"', prefix="a"),
    "atom-xml-base-relative": _atom(
        '<entry xml:base="/2026/"><id>tag:b.example,2026:1</id><title>Base</title><updated>'
        '2026-01-15T09:00:00Z</updated><link href="post-1"/><content type="html">&lt;a href='
        '"x"&gt;link&lt;/a&gt; words</content></entry>', base=' xml:base="https://b.example/"'),
    "atom-no-id-link-only": _atom(
        '<entry><title>No id</title><updated>2026-01-15T09:00:00Z</updated><link href="https:'
        '//a.example/noid"/><summary>x</summary></entry>'),
    "atom-dates-zones": _atom(_entry(
        "<title>Zones</title><published>2026-01-15T07:00:00.5-05:00</published><summary>x"
        "</summary>").replace("2026-01-15T09:00:00Z</updated>", "2026-01-15T09:00:00+05:30"
                              "</updated>")),
    "atom-multiple-authors": _atom(_entry(
        "<title>Two</title><author><name>One Person</name></author><author><name>Two Person"
        "</name></author><summary>x</summary>")),
    "atom-content-text-markup": _atom(_entry(
        '<title type="text">Less &lt;than&gt; sign</title><content type="text">a &lt; b and '
        "c &amp; d</content>")),
    "atom-media-group-youtube": _atom(_entry(
        '<title>Video</title><link href="https://y.example/v"/><media:group><media:title>'
        'Video</media:title><media:content url="https://y.example/v.swf" type="application/'
        'x-shockwave-flash"/><media:thumbnail url="https://y.example/v.jpg" width="480" '
        'height="360"/><media:description>What the video shows.</media:description>'
        "</media:group>"), ns=f'xmlns="http://www.w3.org/2005/Atom" {_MEDIA}'),
    "rss2-atom-link-only": _rss(_item(
        '<title>Only an atom link</title><atom:link href="https://shapes.example/al" '
        'rel="alternate"/><description>Text al.</description>'), ns=_ATOM_NS),
    "rss2-xml-base-relative-link": _rss(_item(
        '<title>Relative</title><link>/rel/1</link><description>Text rel.</description>'
        ).replace("<item>", '<item xml:base="https://shapes.example/">')),
    "rss2-two-dc-creators": _rss(_item(
        "<title>Two</title><link>https://shapes.example/two</link><dc:creator>Ann One"
        "</dc:creator><dc:creator>Bob Two</dc:creator><description>x</description>"), ns=_DC),
    "rss2-userland-namespace": (
        b'<?xml version="1.0"?><rss version="2.0" xmlns="http://backend.userland.com/rss2">'
        b"<channel><title>U</title><link>https://u.example/</link><description>d</description>"
        b"<item><title>Userland</title><link>https://u.example/1</link><description>Body u."
        b"</description></item></channel></rss>"),
    "rss091-netscape-doctype": (
        b'<?xml version="1.0"?><!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91'
        b'//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd"><rss version="0.91">'
        b"<channel><title>N</title><link>https://n.example/</link><description>d</description>"
        b"<language>en</language><item><title>Doctype</title><link>https://n.example/1</link>"
        b"<description>Body n.</description></item></channel></rss>"),
    "rss2-html-entities-undeclared": _rss(_item(
        "<title>Caf&eacute;&nbsp;news</title><link>https://shapes.example/ent</link>"
        "<description>Na&iuml;ve &copy; text.</description>")),
    "rss2-nbsp-in-escaped-description": _rss(_item(
        "<title>Nbsp</title><link>https://shapes.example/nb</link><description>&lt;p&gt;One"
        "&amp;nbsp;two &amp;amp; three&lt;/p&gt;</description>")),
    "rss2-description-html-no-title": _rss(_item(
        "<guid>urn:x:nt</guid><description>&lt;p&gt;&lt;b&gt;Untitled&lt;/b&gt; html body."
        "&lt;/p&gt;</description>")),
    "atom-content-src": _atom(_entry(
        '<title>Out of line</title><content src="https://a.example/c.html" type="text/html"/>'
        "<summary>The summary stands in.</summary>")),
    "atom-content-mime-types": _atom(_entry(
        '<title>Mime</title><content type="text/plain">Plain mime words.</content>') + _entry(
        '<title>XHTML mime</title><content type="application/xhtml+xml"><div xmlns="http://www'
        '.w3.org/1999/xhtml"><p>Xml mime words.</p></div></content>', "urn:e:2")),
    "atom-title-cdata-html": _atom(_entry(
        '<title type="html"><![CDATA[Rock &amp; <i>roll</i>]]></title><summary>x</summary>')),
    "rss092-items-beside-channel": (
        b'<rss version="0.92"><channel><title>C</title><link>https://c.example/</link>'
        b"<description>d</description></channel><item><title>Beside</title><link>https://c."
        b"example/1</link><description>Beside the channel.</description></item></rss>"),
    "rss2-xhtml-body": _rss(_item(
        '<title>Xhtml body</title><link>https://shapes.example/xb</link><body xmlns="http://'
        'www.w3.org/1999/xhtml"><p>Xhtml <b>body</b> words.</p></body>')),
    "rss2-dc-creator-by": _rss(_item(
        "<title>By</title><link>https://shapes.example/by</link><dc:creator>By Jane Doe"
        "</dc:creator><description>x</description>"), ns=_DC),
    "rss2-author-bare-address": _rss(_item(
        "<title>Address</title><link>https://shapes.example/ad</link><author>jane@x.example"
        "</author><description>x</description>")),
    "rss2-permalink-guid-relative": _rss(
        '<item xml:base="https://x.example/"><title>Guid</title><guid isPermaLink="true">/p/1'
        '</guid><description>x</description></item><item xml:base="https://x.example/"><title>'
        'Guid 2</title><guid isPermaLink="false">p-2</guid><description>x</description></item>'),
    "atom-alternates-by-type": _atom(
        '<entry><title>Alternates</title><updated>2026-01-15T09:00:00Z</updated><link rel="self"'
        ' href="https://a.example/self"/><link rel="alternate" type="application/pdf" href="'
        'https://a.example/pdf"/><link rel="alternate" type="text/html" href="https://a.example/'
        'html"/><summary>x</summary></entry>'),
    "atom-content-base64": _atom(_entry(
        '<title>Base64</title><content type="image/png">iVBORw0KGgo=</content><summary>The '
        "summary stands in.</summary>")),
    "atom-source-author": _atom(_entry(
        "<title>Source</title><source><id>urn:s</id><title>Source feed</title><author><name>"
        "Source Author</name></author></source><summary>x</summary>")),
    "rss2-element-case": _rss(_item(
        "<Title>Upper case</Title><Link>https://shapes.example/uc</Link><pubdate>Thu, 15 Jan "
        "2026 07:02:00 GMT</pubdate><Description>Upper words.</Description>")),
    "rss2-utf8-declared-latin1": (
        '<?xml version="1.0" encoding="ISO-8859-1"?><rss version="2.0"><channel><title>E'
        "</title><link>https://e.example/</link><description>d</description><item><title>"
        "Caf\u00e9 \u2014 na\u00efve</title><link>https://e.example/1</link><description>"
        "Stra\u00dfe words.</description></item></channel></rss>").encode("utf-8"),
    "atom-03": (
        b'<?xml version="1.0"?><feed version="0.3" xmlns="http://purl.org/atom/ns#"><title>Old'
        b"</title><modified>2026-01-15T09:00:00Z</modified><entry><title>Atom 0.3</title><id>"
        b'urn:a03:1</id><link rel="alternate" type="text/html" href="https://a03.example/1"/>'
        b"<issued>2026-01-15T09:00:00Z</issued><modified>2026-01-15T09:00:00Z</modified>"
        b'<content type="text/html" mode="escaped">&lt;p&gt;Old atom.&lt;/p&gt;</content>'
        b"</entry></feed>"),
}


def shapes() -> list[tuple[str, bytes]]:
    return list(SHAPES.items())


def main(args: list[str]) -> int:
    """Files named: each checked; else the corpus at a scale (default 0.05) and the shapes."""
    from pathlib import Path

    if args and not args[0].replace(".", "", 1).isdigit():
        cases = [(a, Path(a).read_bytes()) for a in args]
    else:
        from feedcorpus import feeds as corpus

        cases = corpus(float(args[0]) if args else 0.05) + shapes()
    differ = 0
    for name, data in cases:
        try:
            found = disagreements(data)
        except Exception as exc:  # noqa: BLE001  # a report, not a test
            found = [f"raised {type(exc).__name__}: {exc}"]
        differ += bool(found)
        print(f"{name:<40} {'agrees' if not found else f'{len(found)} differences'}")
        for line in found[:8]:
            print("    " + line[:220])
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
