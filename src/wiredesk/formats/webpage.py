"""A news article page (HTML): the agency story inside a syndicating site's page.

The article text comes from trafilatura (given a string it does no I/O), checked against
the page's own <article> element: trafilatura decides where the story starts and ends, and
within those bounds every paragraph of the article element is kept, so a paragraph its
heuristics drop (a short quote, a one-line paragraph) is never lost: the verbatim promise
comes before its taste. Metadata comes from schema.org NewsArticle JSON-LD (also inside
@graph), then canonical / Open Graph tags. The plain-copy rules then find the byline,
dateline, credit line and advisories, and drop what is left of the page ("Now Reading:",
repeated headlines, text-size widgets, share prompts, the site's notice).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin

import lxml.html
from lxml import etree

from wiredesk.formats.bodies import body_from_paragraphs
from wiredesk.formats.contract import Format
from wiredesk.formats.dates import safe_datetime
from wiredesk.formats.errors import FormatError
from wiredesk.formats.pictures import Pictures
from wiredesk.formats.revisions import label_of
from wiredesk.formats.textcodec import decode
from wiredesk.formats.wirerules import (
    BYLINE,
    CREDIT,
    CopyParts,
    headline_rules,
    join_names,
    plain_uri,
    read_copy,
    withdrawn_notice,
)
from wiredesk.formats.xmlsafe import is_feed
from wiredesk.story import Pubstatus, Story, Subject

NAME = "webpage"
MAX_BYTES = 5 * 1024 * 1024  # an article page; anything larger is not one

logging.getLogger("trafilatura").setLevel(logging.ERROR)  # it warns about every odd page

_NEWS_TYPES = {"NewsArticle", "ReportageNewsArticle", "AnalysisNewsArticle",
               "BackgroundNewsArticle", "OpinionNewsArticle", "ReviewNewsArticle",
               "AskPublicNewsArticle"}
_ARTICLE_TYPES = _NEWS_TYPES | {"Article", "BlogPosting", "Report"}
_HTML_START = re.compile(rb"^(?:\s|<!--.*?-->|<\?xml[^>]*>)*<(?:!doctype\s+html|html)[\s>]",
                         re.I | re.S)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._-]+)""", re.I)
_BLOCKS = ("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre")
_SKIP_TAGS = {"aside", "nav", "footer", "header", "form", "button", "figure", "script",
              "style", "noscript", "template", "select", "label", "iframe", "svg"}
# Page furniture by class or id: share bars, related links, ads, consent banners.
_SKIP_CLASS = re.compile(r"share|social|related|newsletter|cookie|consent|promo|advert|ad-slot|"
                         r"outbrain|taboola|recirc|most-read|subscribe|paywall", re.I)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
# trafilatura reads the clock for a date bound unless given one; parsers never read it.
_DATE_PARAMS = {"original_date": True, "extensive_search": False, "max_date": "9999-12-31"}


def looks_like(data: bytes) -> bool:
    head = data[:1024].lstrip(b"\xef\xbb\xbf")
    return _HTML_START.match(head) is not None and not is_feed(data)


def parse(data: bytes, *, agency: str | None = None) -> list[Story]:
    text, tree = _page(data)
    ld = _json_ld(tree)
    meta = _meta(tree)
    headline = (_plain(ld.get("headline")) or meta.get("og:title") or _first_text(tree, "h1")
                or _first_text(tree, "title"))
    if not headline:
        raise FormatError(NAME, "head", "expected a headline (JSON-LD headline, og:title, <h1>)")
    parts = _copy(text, tree, headline, meta)
    title, signals, version, kill_tag = headline_rules(headline)
    body = body_from_paragraphs(parts.paragraphs)
    canceled = kill_tag or withdrawn_notice(body.text)
    correction = ld.get("correction")
    correction = _plain(correction.get("text") if isinstance(correction, dict) else correction)
    if correction:
        signals.append("correction")
    if canceled:
        signals.append("withdrawn")
    uri = (_id(ld.get("identifier")) or _id(ld.get("url")) or _id(ld.get("mainEntityOfPage"))
           or meta.get("canonical") or meta.get("og:url"))
    agency_name = parts.agency or agency or _name(ld.get("sourceOrganization")) \
        or _name(ld.get("publisher")) or meta.get("og:site_name")
    published = _when(ld, "datePublished") or _when(meta, "article:published_time")
    pictures = _pictures(ld, meta, meta.get("canonical") or meta.get("og:url"))
    return [Story(
        uri=uri or plain_uri(agency_name, title),
        headline=parts.headline,
        body=body,
        version=_plain(ld.get("version")) or version,
        firstcreated=published,
        versioncreated=(_when(ld, "dateModified") or _when(meta, "article:modified_time")
                        or published),
        pubstatus=Pubstatus.CANCELED if canceled else Pubstatus.USABLE,
        expires=_when(ld, "expires"),
        by=parts.by or join_names(_names(ld.get("author"))) or meta.get("author"),
        located=parts.located,
        dateline=parts.dateline,
        agency=agency_name,
        language=_language(ld.get("inLanguage")) or meta.get("lang"),
        subjects=_subjects(ld),
        copyrightholder=_name(ld.get("copyrightHolder")),
        copyrightnotice=_plain(ld.get("copyrightNotice")),
        usageterms=_id(ld.get("license")) or _id(ld.get("usageInfo")),
        ednote=" ".join([*parts.advisories, *([correction] if correction else [])]) or None,
        creditline=parts.credit or _plain(ld.get("creditText")),
        signals=tuple(dict.fromkeys(signals)),
        label=label_of(headline) if signals else None,
        raw=data,
        format=NAME,
        pictures=pictures.result(),
        warnings=tuple(pictures.warnings),
    )]


# -- pictures -----------------------------------------------------------------------------


def _pictures(ld: dict[str, Any], meta: dict[str, str], base: str | None) -> Pictures:
    """JSON-LD `image` (a URL, an ImageObject, or a list of either), then the Open Graph
    picture (og:image with its width, height, alt and type; twitter:image when there is no
    og:image); the first is the lead. Relative URLs are resolved against the page's own URL
    (canonical or og:url) when it gives one; one URL is one picture."""
    kit = Pictures()
    images = ld.get("image")
    for index, image in enumerate(images if isinstance(images, list) else [images]):
        where = f"JSON-LD image[{index}]"
        if isinstance(image, str):
            kit.add([kit.rendition(_resolve(image, base), where=where)], offered=1,
                    role=None if kit.found else "main")
        elif isinstance(image, dict):
            href = _id(image.get("contentUrl")) or _id(image.get("url")) or _id(image.get("@id"))
            if not href:
                continue
            kit.add([kit.rendition(_resolve(href, base), width=_size(image.get("width")),
                                   height=_size(image.get("height")),
                                   contenttype=_plain(image.get("encodingFormat")), where=where)],
                    offered=1, role=None if kit.found else "main",
                    headline=_plain(image.get("name")),
                    caption=_plain(image.get("caption")) or _plain(image.get("description")),
                    by=join_names(_names(image.get("author") or image.get("creator"))) or None,
                    creditline=_plain(image.get("creditText")),
                    copyrightholder=_name(image.get("copyrightHolder")),
                    copyrightnotice=_plain(image.get("copyrightNotice")),
                    usageterms=_id(image.get("license")))
    og = meta.get("og:image:secure_url") or meta.get("og:image") or meta.get("og:image:url") \
        or meta.get("twitter:image")
    if og:
        kit.add([kit.rendition(_resolve(og, base), width=meta.get("og:image:width"),
                               height=meta.get("og:image:height"),
                               contenttype=meta.get("og:image:type"), where="meta og:image")],
                offered=1, role=None if kit.found else "main",
                alt=meta.get("og:image:alt") or meta.get("twitter:image:alt"))
    return kit


def _size(value: Any) -> Any:
    """schema.org width/height: a number, "1200", "1200 px" or a QuantitativeValue."""
    return value.get("value") if isinstance(value, dict) else value


def _resolve(href: str, base: str | None) -> str:
    """`href` against the page's URL, when that is an http(s) URL and href is relative."""
    href = href.strip()
    if base and base.lower().startswith(("http://", "https://")) and not _SCHEME.match(href):
        try:
            return urljoin(base, href)
        except ValueError:  # a malformed page URL ("https://[host"): the href as given
            return href
    return href


# -- the article text ---------------------------------------------------------------------


def _page(data: bytes) -> tuple[str, etree._Element]:
    """The page as text (its declared charset, else as plain text is decoded) and as a tree."""
    if len(data) > MAX_BYTES:
        raise FormatError(NAME, "document", f"{len(data)} bytes is over the {MAX_BYTES} byte limit")
    declared = _META_CHARSET.search(data[:4096])
    text = decode(data, NAME, declared.group(1).decode("ascii") if declared else None)
    try:
        tree = lxml.html.document_fromstring(
            text.encode("utf-8"), parser=lxml.html.HTMLParser(encoding="utf-8", no_network=True))
    except (etree.ParserError, ValueError) as exc:
        raise FormatError(NAME, "document", f"expected an HTML page: {exc}") from exc
    return text, tree


def _copy(text: str, tree: etree._Element, headline: str, meta: dict[str, str]) -> CopyParts:
    """The article's paragraphs read as plain copy under the headline: byline, dateline,
    advisories and credit line found, page furniture dropped."""
    # The page repeats its headline (h1, og:title, <title>), not always as JSON-LD words it.
    repeats = {headline, meta.get("og:title"), _first_text(tree, "h1"), _first_text(tree, "title")}
    paragraphs = [p for p in _article_paragraphs(text, tree) if p not in repeats]
    if not paragraphs:
        raise FormatError(NAME, "body", "expected article text, found none")
    parts = read_copy("\n\n".join([headline, *paragraphs]))
    if not parts.paragraphs:
        raise FormatError(NAME, "body", "expected story paragraphs, found only page furniture")
    return parts


def _article_paragraphs(text: str, tree: etree._Element) -> list[str]:
    """trafilatura's paragraphs, widened to every paragraph of the <article> between them."""
    import trafilatura  # heavy: loaded by the first page, not by every wiredesk command

    extracted = trafilatura.extract(
        text, output_format="txt", include_comments=False, include_tables=True,
        include_images=False, include_links=False, include_formatting=False,
        favor_precision=True, with_metadata=False, deduplicate=False,
        date_extraction_params=_DATE_PARAMS,
    ) or ""
    found = [" ".join(line.split()) for line in extracted.split("\n")]
    found = [line for line in found if line]
    own = _own_paragraphs(tree)
    if not own:
        return found
    if not found:
        return own
    # Where each trafilatura paragraph sits among the article's own; if one is not there,
    # trafilatura read text from outside the article element and its choice stands.
    places, at = [], 0
    for line in found:
        while at < len(own) and line not in own[at]:
            at += 1
        if at == len(own):
            return found
        places.append(at)
    first, last = places[0], places[-1]
    before = [p for p in own[:first] if BYLINE.match(p)]  # trafilatura drops bylines
    after = [p for p in own[last + 1:] if CREDIT.match(p)][:1]
    return [*before, *own[first:last + 1], *after]


def _own_paragraphs(tree: etree._Element) -> list[str]:
    """Block text of the article element, without asides, share bars and the like."""
    container = next(iter(tree.xpath('//*[@itemprop="articleBody"]')), None)
    if container is None:
        articles = tree.xpath("//article")
        if not articles:
            return []
        container = max(articles, key=lambda a: sum(len(p.text_content()) for p in a.iter("p")))
    out = []
    for el in container.iter(*_BLOCKS):
        if any(True for _ in el.iterdescendants(*_BLOCKS)) or _skipped(el, container):
            continue
        line = " ".join(el.text_content().split())
        if line:
            out.append(line)
    return out


def _skipped(el: etree._Element, container: etree._Element) -> bool:
    node: etree._Element | None = el
    while node is not None and node is not container:
        if node.tag in _SKIP_TAGS or _SKIP_CLASS.search(f"{node.get('class', '')} {node.get('id', '')}"):
            return True
        node = node.getparent()
    return False


# -- metadata -----------------------------------------------------------------------------


def _json_ld(tree: etree._Element) -> dict[str, Any]:
    """The page's NewsArticle (else Article) object; unreadable JSON-LD blocks are skipped,
    since a broken metadata block does not make the article unreadable."""
    best: dict[str, Any] = {}
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        try:
            doc = json.loads(script.text or "")
        except (ValueError, RecursionError):
            continue
        for obj in _objects(doc):
            declared = obj.get("@type")
            types = {t for t in (declared if isinstance(declared, list) else [declared])
                     if isinstance(t, str)}
            if types & _NEWS_TYPES:
                return obj
            if types & _ARTICLE_TYPES and not best:
                best = obj
    return best


def _objects(doc: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    if depth > 4:
        return
    if isinstance(doc, list):
        for entry in doc:
            yield from _objects(entry, depth + 1)
    elif isinstance(doc, dict):
        yield doc
        if "@graph" in doc:
            yield from _objects(doc["@graph"], depth + 1)


def _meta(tree: etree._Element) -> dict[str, str]:
    out: dict[str, str] = {}
    for el in tree.iter("meta"):
        key = (el.get("property") or el.get("name") or "").strip().lower()
        value = " ".join((el.get("content") or "").split())
        if key and value and key not in out:
            out[key] = value
    for el in tree.iter("link"):
        if "canonical" in (el.get("rel") or "").lower().split() and el.get("href"):
            out.setdefault("canonical", el.get("href", "").strip())
    if lang := (tree.get("lang") or "").strip():
        out["lang"] = lang
    return out


def _first_text(tree: etree._Element, tag: str) -> str | None:
    el = next(tree.iter(tag), None)
    return " ".join(el.text_content().split()) or None if el is not None else None


def _plain(value: Any) -> str | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return " ".join(value.split()) or None if isinstance(value, str) else None


def _name(value: Any) -> str | None:
    """A schema.org Person/Organization, a list of them, or a plain name."""
    if isinstance(value, list):
        value = value[0] if value else None
    return _plain(value.get("name")) if isinstance(value, dict) else _plain(value)


def _names(value: Any) -> list[str]:
    values = value if isinstance(value, list) else [value]
    return [n for n in (_name(v) for v in values) if n]


def _id(value: Any) -> str | None:
    """A URL or identifier given as text, as {"@id"}, {"url"} or a PropertyValue."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("@id") or value.get("url") or value.get("value")
    return _plain(value)


def _language(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("alternateName") or value.get("name")
    return _plain(value)


def _subjects(ld: dict[str, Any]) -> tuple[Subject, ...]:
    names: list[str] = []
    for key in ("articleSection", "keywords"):
        value = ld.get(key)
        values = value if isinstance(value, list) else [value]
        for v in values:
            if isinstance(v, str):
                names += v.split(",") if key == "keywords" else [v]
    clean = dict.fromkeys(" ".join(n.split()) for n in names)
    return tuple(Subject(name=n) for n in clean if n)


def _when(source: dict[str, Any], key: str) -> Any:
    value = source.get(key)
    if value is None or isinstance(value, str):
        return safe_datetime(value, NAME, f"JSON-LD/meta {key}")
    raise FormatError(NAME, f"JSON-LD {key}", f"expected a date-time string, got {type(value).__name__}")


FORMAT = Format(NAME, looks_like, parse)
