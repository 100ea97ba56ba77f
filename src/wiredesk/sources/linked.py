"""Feed entries that carry only a summary and a link: find the link, read the linked page.

Some agency feeds give a headline, a teaser and a link to the full story. A source set to
`fetch_linked` fetches that page (through the SSRF guard: the link is the feed's, not ours)
and reads it with the web-page format; the story keeps the entry's uri, headline, times and
status, and takes its body, byline and dateline from the page. The page's bytes become the
version's raw bytes, because the words readers see come from them.
"""

from __future__ import annotations

import json
from urllib.parse import urljoin

from lxml import etree

from wiredesk import formats
from wiredesk.formats import FormatError
from wiredesk.story import Story

# Names the web-page format may be registered under (the formats room owns the name).
_PAGE_FORMATS = ("webpage", "web", "html")
_SAFE_XML = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                            huge_tree=False, recover=False)


def page_format() -> str | None:
    """The web-page format's name if it is registered; None means: detect by content."""
    return next((name for name in _PAGE_FORMATS if name in formats.FORMATS), None)


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def summary_link(story: Story, base: str | None = None) -> str | None:
    """The link of a feed entry that has no full content, or None (full text, or no link)."""
    raw = story.raw.lstrip()
    if not raw:
        return None
    if raw[:1] == b"{":
        try:
            item = json.loads(raw)
        except ValueError:
            return None
        if not isinstance(item, dict) or item.get("content_html") or item.get("content_text"):
            return None
        link = item.get("url") or item.get("external_url")
    else:
        try:
            el = etree.fromstring(raw, _SAFE_XML)
        except etree.XMLSyntaxError:
            return None
        link = _xml_link(el)
    if not isinstance(link, str) or not link.strip():
        return None
    return urljoin(base or "", link.strip())


def _xml_link(el: etree._Element) -> str | None:
    children = [c for c in el if isinstance(c.tag, str)]
    kind = _local(el.tag)
    if kind == "item":  # RSS 0.9x-2.0 and RSS 1.0
        if any(_local(c.tag) == "encoded" for c in children):
            return None  # content:encoded: the full story is in the feed
        for c in children:
            if _local(c.tag) == "link" and (c.text or "").strip():
                return c.text
        for c in children:
            if _local(c.tag) == "guid" and c.get("isPermaLink", "true") != "false":
                return c.text
        return None
    if kind == "entry":  # Atom
        for c in children:
            if _local(c.tag) == "content" and not c.get("src"):
                return None
        alternates = [c.get("href") for c in children if _local(c.tag) == "link"
                      and c.get("rel", "alternate") == "alternate" and c.get("href")]
        return alternates[0] if alternates else None
    return None


def merge_page(entry: Story, page_bytes: bytes, agency: str | None) -> Story:
    """The entry's story with the body (and byline, dateline, credit) read from its page.

    Raises FormatError when the page cannot be read; the caller keeps the summary then."""
    stories = formats.parse(page_bytes, page_format(), agency=agency or entry.agency)
    if not stories:
        raise FormatError("webpage", "page", "no story found on the linked page")
    page = stories[0]
    if not page.body.text.strip():
        raise FormatError(page.format or "webpage", "page", "the linked page has no text")
    return entry.with_changes(
        body=page.body,
        by=entry.by or page.by,
        located=entry.located or page.located,
        dateline=entry.dateline or page.dateline,
        creditline=entry.creditline or page.creditline,
        raw=page_bytes,
        format=f"{entry.format}+{page.format}"[:40],
    )
