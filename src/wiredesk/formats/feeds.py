"""RSS 0.90, 0.91-0.94, 1.0 (RDF), 2.0 and Atom 1.0: one Story per entry (Atom 0.3 and
RSS 2.0 in UserLand's namespace too, read as these: feeds_dialects.py).

Well-formed feeds are read straight off the lxml tree: one pass over each entry's children,
no dicts of everything, no sniffing (feedparser does all that and is ten times slower).
feedparser's loose parser is kept only for feeds lxml refuses as malformed XML.

Besides the core elements this reads Dublin Core (dc:creator, dc:date, dc:subject,
dc:rights, dc:language), DC terms (dcterms:available as the embargo, dcterms:rightsHolder,
dcterms:license), content:encoded, Creative Commons licences, Atom licence links (RFC 4946),
Atom tombstones (RFC 6721: a kill) and age:expires (the Atom feed-expiration draft).
The plain-copy rules find byline, advisories, dateline and credit line in a body.
"""

from __future__ import annotations

import copy
import html
import re
from urllib.parse import urljoin

from lxml import etree

from wiredesk.formats.contract import Format
from wiredesk.formats.errors import FormatError
from wiredesk.formats.feeds_dialects import (
    ATOM03_FEED,
    RSS2_NAMESPACES,
    atom03_as_atom,
    drop_namespace,
    utf8_declared_single_byte,
)
from wiredesk.formats.feeds_entry import (
    MARKUP_TAG,
    NAME,
    Entry,
    FeedInfo,
    NoWords,
    entry_story,
    kept,
)
from wiredesk.formats.feeds_loose import parse_loose
from wiredesk.formats.feeds_media import TAGS as MEDIA_TAGS
from wiredesk.formats.feeds_media import media_description
from wiredesk.formats.feeds_memo import MEMO
from wiredesk.formats.xmlsafe import is_feed, local, parse_xml, text_of
from wiredesk.story import Story

ATOM = "http://www.w3.org/2005/Atom"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RSS1 = ("http://purl.org/rss/1.0/", "http://my.netscape.com/rdf/simple/0.9/")  # 1.0, 0.90
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


# Clark names, built once: the hot loop only does dict look-ups.
_A = "{http://www.w3.org/2005/Atom}"
_DC = "{http://purl.org/dc/elements/1.1/}"
_DCT = "{http://purl.org/dc/terms/}"
_TOMB = "{http://purl.org/atompub/tombstones/1.0}"
_AGE_EXPIRES = "{http://purl.org/atompub/age/1.0}expires"
_CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
_ITUNES = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"
_XHTML_DIV = "{http://www.w3.org/1999/xhtml}div"
_XHTML_BODY = "{http://www.w3.org/1999/xhtml}body"
_RDF_ABOUT, _RDF_RESOURCE = f"{{{RDF}}}about", f"{{{RDF}}}resource"
_TITLE = ("title", *(f"{{{ns}}}title" for ns in _RSS1), _DC + "title")
_LINK = ("link", *(f"{{{ns}}}link" for ns in _RSS1))
_DESCRIPTION = ("description", *(f"{{{ns}}}description" for ns in _RSS1), _DC + "description")
_LICENSE = (*(c + "license" for c in ("{http://web.resource.org/cc/}",
                                      "{http://backend.userland.com/creativeCommonsRssModule}",
                                      "{http://creativecommons.org/ns#}")), _DCT + "license")
_ATOM_DATES = (("updated", (_A + "updated", _DC + "date")), ("published", (_A + "published",)),
               ("available", (_DCT + "available",)), ("expires", (_AGE_EXPIRES,)))

_DC_CREATOR, _DC_SUBJECT = _DC + "creator", _DC + "subject"
_ATOM_ENTRY, _ATOM_LINK = _A + "entry", _A + "link"
_RSS_OTHER = frozenset((_DC_CREATOR, "category", _DC_SUBJECT, *_LICENSE, _ATOM_LINK,
                        *MEDIA_TAGS, _XHTML_BODY))
_ONE_LINE = ("uri", "link", "title", "author", "rights", "rightsholder", "source", "language")
_DATE_ROLES = ("updated", "published", "available", "expires")
# RSS item children: Clark tag -> (field, rank among alternatives, name for error messages).
_RSS_FIELDS: dict[str, tuple[str, int, str]] = {
    "guid": ("uri", 0, "guid"), "author": ("author", 0, "author"),
    _CONTENT: ("content", 0, "content:encoded"),
    "pubDate": ("updated", 0, "pubDate"), _DC + "date": ("updated", 1, "dc:date"),
    _DCT + "modified": ("updated", 2, "dcterms:modified"),
    _DCT + "created": ("published", 0, "dcterms:created"),
    _DCT + "issued": ("published", 1, "dcterms:issued"),
    _DCT + "available": ("available", 0, "dcterms:available"),
    _AGE_EXPIRES: ("expires", 0, "age:expires"),
    _DC + "rights": ("rights", 0, "dc:rights"), _DCT + "rights": ("rights", 1, "dcterms:rights"),
    _DCT + "rightsHolder": ("rightsholder", 0, "dcterms:rightsHolder"),
    _DC + "language": ("language", 0, "dc:language"), "language": ("language", 1, "language"),
    "source": ("source", 0, "source"), _DC + "source": ("source", 1, "dc:source"),
    **{tag: ("link", i, "link") for i, tag in enumerate(_LINK)},
    **{tag: ("title", i, "title") for i, tag in enumerate(_TITLE)},
    **{tag: ("summary", i, "description") for i, tag in enumerate(_DESCRIPTION)},
}
# The same, for the unnamespaced ones spelt in another case.
_RSS_FOLDED = {tag.lower(): spec for tag, spec in _RSS_FIELDS.items() if tag[0] != "{"}
# Text with a tag or an HTML entity left after XML unescaping is HTML (RSS descriptions are).
_HTMLISH = re.compile(r"<[A-Za-z/!]|&(?:#\d+|#x[0-9A-Fa-f]+|[A-Za-z]+);")
# An RSS title is HTML when a closing tag or an entity is left after XML unescaping (what
# feedparser and feed readers take it for): "Q&amp;amp;A" is "Q&A", "&lt;b&gt;x&lt;/b&gt;" is x.
_TITLE_HTMLISH = re.compile(r"</[A-Za-z]|&(?:#\d+|#x[0-9A-Fa-f]+|[A-Za-z]+\d*);")
_EMAIL_NAME = re.compile(r"^\S+@\S+\s*\((?P<name>[^)]+)\)$")


def looks_like(data: bytes) -> bool:
    """Root element rss, rdf:RDF, or an Atom feed, within the first 2 KB."""
    return is_feed(data)


# -- the lxml path ------------------------------------------------------------------------


def parse(data: bytes, *, agency: str | None = None) -> list[Story]:
    if data[:5] == b"<?xml" or data[:1].isspace():  # (only a declaration names an encoding)
        data = utf8_declared_single_byte(data)
    try:
        root = parse_xml(data, NAME)
    except FormatError as exc:
        if not exc.problem.startswith("malformed XML"):
            raise  # entity declarations, oversize, binary junk: no second chance
        return parse_loose(data, agency, exc)
    tag = root.tag if isinstance(root.tag, str) else ""
    if tag in RSS2_NAMESPACES:  # feed dialects read as the standards (feeds_dialects.py)
        drop_namespace(root, tag[:tag.index("}") + 1])
        tag = "rss"
    elif tag == ATOM03_FEED:
        atom03_as_atom(root)
        tag = root.tag
    if tag == "rss":
        channel = root.find("channel")
        if channel is None:
            raise FormatError(NAME, "/rss", "expected a <channel> element")
        pairs = [(x, f"/rss/channel/item[{i}]") for i, x in enumerate(channel.iterchildren("item"), 1)]
        if not pairs:  # items beside the channel, not in it (RSS 0.9x as some wrote it)
            pairs = [(x, f"/rss/item[{i}]") for i, x in enumerate(root.iterchildren("item"), 1)]
    elif tag == f"{{{RDF}}}RDF":
        kids = [c for c in root if isinstance(c.tag, str) and etree.QName(c).namespace in _RSS1]
        channel = next((c for c in kids if local(c.tag) == "channel"), None)
        if channel is None:
            raise FormatError(NAME, "/rdf:RDF", "expected a <channel> element (RSS 1.0 / 0.90)")
        items = [c for c in kids if local(c.tag) == "item"]
        pairs = [(x, f"/rdf:RDF/item[{i}]") for i, x in enumerate(items, 1)]
    elif tag == _A + "feed":
        channel = root
        pairs = [(x, f"/feed/entry[{i}]") for i, x in enumerate(root.iterchildren(_A + "entry"), 1)]
    else:
        raise FormatError(NAME, f"/{tag or 'document'}", "expected an rss, rdf:RDF or Atom feed root")
    feed = _feed_info(channel, root)
    context = (agency, feed.title, feed.language, feed.rights, feed.rightsholder, feed.license)
    stories = []
    skipped: list[NoWords] = []
    for el, where in pairs:
        raw = etree.tostring(el, with_tail=False)
        # An entry unchanged since the last poll: its Story as made then (feeds_memo.py).
        story = MEMO.get((raw, context))
        if story is None:
            try:
                story = entry_story(_read_entry(el, where, raw), feed, agency)
            except NoWords as exc:
                skipped.append(exc)
                continue
            MEMO.put((raw, context), story)
        stories.append(story)
    tombs = channel.iterchildren(_TOMB + "deleted-entry") if tag == "rss" else \
        root.iterchildren(_TOMB + "deleted-entry")
    for i, tomb in enumerate(tombs, 1):
        stories.append(entry_story(_read_tombstone(tomb, f"/at:deleted-entry[{i}]"), feed, agency))
    return kept(stories, skipped)


def _resolved(link: str | None, el: etree._Element) -> str | None:
    """A relative link against the xml:base in scope (none: kept as given)."""
    if link is None or "://" in link[:12] or link.startswith(("urn:", "tag:", "mailto:")):
        return link
    base = el.base
    return urljoin(base, link) if base else link


_Kids = dict[str, list[etree._Element]]


def _kids(el: etree._Element) -> _Kids:
    """Children by Clark tag: one pass over an entry instead of an XPath per field."""
    out: _Kids = {}
    for child in el:
        if isinstance(child.tag, str):
            out.setdefault(child.tag, []).append(child)
    return out


def _first(k: _Kids, tags: tuple[str, ...]) -> etree._Element | None:
    for tag in tags:
        if found := k.get(tag):
            return found[0]
    return None


def _text(k: _Kids, *tags: str) -> str | None:
    el = _first(k, tags)
    if el is None or not el.text:
        return None
    return " ".join(el.text.split()) or None


def _license(k: _Kids) -> str | None:
    for link in k.get(_A + "link", ()):
        if link.get("rel") == "license" and link.get("href"):
            return link.get("href")
    el = _first(k, _LICENSE)
    if el is None:
        return None
    return el.get(_RDF_RESOURCE) or " ".join((el.text or "").split()) or None


def _atom_text(el: etree._Element | None) -> str | None:
    """An Atom text construct as plain text (type text, html or xhtml)."""
    if el is None:
        return None
    kind = el.get("type", "text")
    if kind == "xhtml":
        return text_of(el) or None
    value = el.text or ""
    if kind == "html":
        value = html.unescape(MARKUP_TAG.sub(" ", value))
    return " ".join(value.split()) or None


def _feed_info(channel: etree._Element, root: etree._Element) -> FeedInfo:
    k = _kids(channel)
    return FeedInfo(
        title=_atom_text(_first(k, (_A + "title",))) or _text(k, *_TITLE),
        language=(_text(k, "language", _DC + "language") or channel.get(XML_LANG)
                  or root.get(XML_LANG)),
        rights=(_atom_text(_first(k, (_A + "rights",)))
                or _text(k, "copyright", _DC + "rights", _DCT + "rights")),
        rightsholder=_text(k, _DCT + "rightsHolder"),
        license=_license(k),
    )


def _dates(e: Entry, k: _Kids, table: tuple[tuple[str, tuple[str, ...]], ...]) -> None:
    for role, tags in table:
        el = _first(k, tags)
        if el is not None and el.text and el.text.strip():
            e.dates[role] = (el.text.strip(), f"{e.where}/{el.prefix + ':' if el.prefix else ''}"
                             f"{local(el.tag)}")


def _read_entry(el: etree._Element, where: str, raw: bytes) -> Entry:
    e = Entry(where, raw)
    if el.tag == _ATOM_ENTRY:
        return _read_atom(el, _kids(el), e)
    # One pass over the children; of alternative elements the best-ranked one wins.
    best: dict[str, tuple[int, str, str]] = {}
    authors, categories = e.authors, e.categories
    media: list[etree._Element] = []
    atom_link = xhtml_body = None
    for child in el:
        tag = child.tag
        spec = _RSS_FIELDS.get(tag)  # type: ignore[arg-type]
        if spec is None and tag not in _RSS_OTHER:
            continue  # itunes:, media:, wfw:... never read: their text is not even made
        text = child.text
        if spec is not None:
            if text and not text.isspace():
                held = best.get(spec[0])
                if held is None or spec[1] < held[0]:
                    best[spec[0]] = (spec[1], text, spec[2])
        elif tag == _DC_CREATOR and text:
            authors.append(text)
        elif tag == "category" and text:
            categories.append((" ".join(text.split()), child.get("domain"), None))
        elif tag == _DC_SUBJECT and text:
            categories.append((" ".join(text.split()), None, None))
        elif tag == _ATOM_LINK and child.get("rel", "alternate") == "alternate":
            atom_link = atom_link or child.get("href")  # the link when <link> is missing
        elif tag in _LICENSE or tag == _ATOM_LINK and child.get("rel") == "license":
            e.license = e.license or child.get(_RDF_RESOURCE) or child.get("href") or (
                " ".join((text or "").split()) or None)
        elif tag in MEDIA_TAGS:
            media.append(child)
        elif tag == _XHTML_BODY:
            xhtml_body = child
    if "title" not in best or not ("updated" in best or "published" in best) or not (
            "link" in best or "uri" in best) or not ("summary" in best or "content" in best):
        _fold_case(el, best)  # something missing: maybe spelt in another case (rare)
    # Single-line fields, whitespace collapsed (never empty: blank text was not kept).
    one = {name: " ".join(best[name][1].split()) for name in _ONE_LINE if name in best}
    e.uri = one.get("uri") or el.get(_RDF_ABOUT)
    if e.uri and "://" not in e.uri[:12] and el.base:  # a relative permalink guid
        guid = el.find("guid")
        if guid is not None and (guid.get("isPermaLink") or "true").lower() != "false":
            e.uri = _resolved(e.uri, guid)
    e.link, e.title = one.get("link") or atom_link, one.get("title", "")
    if e.link is not None and "://" not in e.link[:12]:
        e.link = _resolved(e.link, el)
    if (";" in e.title or "</" in e.title) and _TITLE_HTMLISH.search(e.title):
        e.title_html = True
    if "content" in best:
        e.content, e.content_html = best["content"][1], True
    elif xhtml_body is not None and (len(xhtml_body) or xhtml_body.text):
        e.content, e.content_html = _inner_markup(xhtml_body), True  # as feedparser reads it
    if "summary" in best:
        e.summary = best["summary"][1]
        # Only read when there is no content: spare the search otherwise.
        e.summary_html = e.content is None and bool(_HTMLISH.search(e.summary))
    elif e.content is None:
        # No text of its own (podcasts, videos): the iTunes summary, else the Media RSS
        # description, as feedparser reads them. Looked for only here: most items have text.
        if (summary := el.find(_ITUNES + "summary")) is not None and summary.text \
                and not summary.text.isspace():
            e.summary = summary.text
            e.summary_html = bool(_HTMLISH.search(e.summary))
        elif media and (found := media_description(media)):
            e.summary, e.summary_html = found
    for role in _DATE_ROLES:
        if role in best:
            e.dates[role] = (best[role][1].strip(), f"{where}/{best[role][2]}")
    if author := one.get("author"):
        if named := _EMAIL_NAME.match(author):
            author = named.group("name")
        if "@" not in author:  # a bare address is no byline
            authors.insert(0, author)
    elif not authors and (by := el.find(_ITUNES + "author")) is not None and by.text:
        authors.append(by.text)  # a podcast episode's author, where no other is named
    e.rights, e.rightsholder = one.get("rights"), one.get("rightsholder")
    e.source = one.get("source")
    e.language = one.get("language") or el.get(XML_LANG)
    if media:
        e.media = media
    return e


def _fold_case(el: etree._Element, best: dict[str, tuple[int, str, str]]) -> None:
    """RSS elements spelt in another case (<pubdate>, <Title>), for the fields still missing:
    feedparser reads them so (XML names are case-sensitive, but such feeds are about)."""
    for child in el:
        tag = child.tag
        if tag.__class__ is str and tag[0] != "{" and tag not in _RSS_FIELDS:  # type: ignore[index]
            spec = _RSS_FOLDED.get(tag.lower())  # type: ignore[union-attr]
            text = child.text
            if spec is not None and spec[0] not in best and text and not text.isspace():
                best[spec[0]] = (spec[1], text, tag)  # type: ignore[assignment]


def _read_atom(el: etree._Element, k: _Kids, e: Entry) -> Entry:
    e.uri = _text(k, _A + "id")
    links = [x for x in k.get(_A + "link", ()) if x.get("rel", "alternate") == "alternate"]
    # Alternates differ by type (RFC 4287 4.2.7.2): the HTML page is the story's link.
    link = links[0] if len(links) == 1 else next(
        (x for x in links if "html" in (x.get("type") or "html")), links[0] if links else None)
    e.link = _resolved(link.get("href"), link) if link is not None else None
    if (title := _first(k, (_A + "title",))) is not None:
        e.title_html = title.get("type") == "html"
        e.title = text_of(title) if title.get("type") == "xhtml" else (title.text or "")
    content = _first(k, (_A + "content",))
    if content is not None and not content.get("src"):  # out-of-line content: use the summary
        e.content, e.content_html = _atom_content(content)
    if (summary := _first(k, (_A + "summary",))) is not None:
        e.summary, e.summary_html = _atom_content(summary)
    _dates(e, k, _ATOM_DATES)
    if links := k.get(_A + "link"):
        if enclosures := [x for x in links if x.get("rel") == "enclosure"]:
            e.enclosures = enclosures
    if MEDIA_TAGS.intersection(k):  # Media RSS in Atom (YouTube, news agencies' Atom)
        e.media = [c for c in el if c.tag in MEDIA_TAGS]
        if e.content is None and e.summary is None and (found := media_description(e.media)):
            e.summary, e.summary_html = found  # a video's description is its only text
    e.authors = [text_of(p.find(_A + "name")) for p in k.get(_A + "author", ())]
    e.categories = [(c.get("term", ""), c.get("scheme"), c.get("label"))
                    for c in k.get(_A + "category", ())]
    e.rights = _atom_text(_first(k, (_A + "rights",))) or _text(k, _DC + "rights")
    e.rightsholder = _text(k, _DCT + "rightsHolder")
    e.license = _license(k)
    e.language = el.get(XML_LANG)
    source = _first(k, (_A + "source",))
    e.source = _atom_text(source.find(_A + "title")) if source is not None else None
    return e


def _atom_content(el: etree._Element) -> tuple[str | None, bool]:
    kind = el.get("type", "text")
    if kind in ("xhtml", "application/xhtml+xml"):
        div = el.find(_XHTML_DIV)  # the wrapping div is not part of the content (RFC 4287)
        return _inner_markup(div if div is not None else el), True
    if kind in ("html", "text/html"):
        return el.text, True
    if kind == "text" or kind.startswith("text/"):
        return el.text, False
    return None, False  # base64 media or an unknown type: not a story body


def _inner_markup(el: etree._Element) -> str:
    """The children of an XHTML element as HTML, namespaces stripped."""
    clone = copy.deepcopy(el)
    for node in clone.iter():
        if isinstance(node.tag, str) and node.tag.startswith("{"):
            node.tag = local(node.tag)
    etree.cleanup_namespaces(clone)
    parts = [html.escape(clone.text or "", quote=False)]
    parts += [etree.tostring(c, encoding="unicode", method="html", with_tail=True) for c in clone]
    return "".join(parts)


def _read_tombstone(el: etree._Element, where: str) -> Entry:
    ref = (el.get("ref") or "").strip()
    if not ref:
        raise FormatError(NAME, where, "expected a ref attribute naming the deleted entry")
    e = Entry(where=where, raw=etree.tostring(el, with_tail=False), uri=ref, deleted=True)
    if el.get("when"):
        e.dates["updated"] = (el.get("when", ""), f"{where}/@when")
    e.comment = text_of(el.find(_TOMB + "comment")) or None
    if (by := el.find(_TOMB + "by")) is not None:
        e.authors = [text_of(by.find(_A + "name")) or text_of(by)]
    return e


FORMAT = Format(NAME, looks_like, parse)
