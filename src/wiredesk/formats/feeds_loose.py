"""feedparser's loose parser, for the feeds lxml refuses as malformed XML (kept apart: only
such feeds pay for importing feedparser)."""

from __future__ import annotations

import bisect
import io
import re
from typing import Any

from wiredesk.formats.errors import FormatError
from wiredesk.formats.feeds_entry import NAME, Entry, FeedInfo, NoWords, entry_story, kept
from wiredesk.formats.feeds_media import read_loose
from wiredesk.formats.textcodec import decode
from wiredesk.story import Story

_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_LOOSE_OPEN = re.compile(rb"<(?:[\w.-]+:)?(?:item|entry)[\s>/]", re.I)  # <a:entry> too
_LOOSE_CLOSE = re.compile(rb"</(?:[\w.-]+:)?(?:item|entry)\s*>", re.I)


def parse_loose(data: bytes, agency: str | None, error: FormatError) -> list[Story]:
    import feedparser  # only malformed feeds pay for importing it

    # Our own decoding (BOMs, cp1252 sent as UTF-8, NUL bytes refused) and UTF-8 without a
    # declaration: feedparser trips over a mangled encoding name with a bare ValueError.
    # A stream, never bytes or str: feedparser would take those for a file name or a URL.
    text = _XML_DECLARATION.sub("", decode(data, NAME), count=1)
    try:
        result = feedparser.parse(
            io.BytesIO(text.encode("utf-8")), sanitize_html=False, resolve_relative_uris=False,
            response_headers={"content-type": "application/xml; charset=utf-8"})
    except (ValueError, KeyError, IndexError, TypeError, AttributeError, RecursionError) as exc:
        # feedparser's own bugs on junk (a KeyError closing an unopened licence element...):
        # the recovery failed, and the lxml error says best what is wrong with the bytes.
        raise FormatError(NAME, error.where, f"{error.problem}; unrecoverable") from exc
    entries = list(result.get("entries") or [])
    if not entries:
        raise FormatError(NAME, error.where, f"{error.problem}; no feed entries could be recovered")
    # Keep only entries whose element is closed in the bytes: in a truncated feed the last
    # entry is cut short, and a story without the end of its body must not go out.
    slices: list[tuple[int, int]] = []
    closes = [m.end() for m in _LOOSE_CLOSE.finditer(data)]
    for m in _LOOSE_OPEN.finditer(data):
        at = bisect.bisect_right(closes, m.start())
        if at < len(closes) and (not slices or m.start() >= slices[-1][1]):
            slices.append((m.start(), closes[at]))
    if not slices:
        raise FormatError(NAME, error.where, f"{error.problem}; no complete feed entry found")
    entries = entries[:len(slices)]
    raws = [data[a:b] for a, b in slices] if len(slices) == len(entries) else [data] * len(entries)
    f = result.get("feed") or {}
    feed = FeedInfo(title=f.get("title") or None, language=f.get("language") or None,
                 rights=f.get("rights") or None, license=f.get("license") or None)
    atom = str(result.get("version") or "").startswith("atom")
    stories, skipped = [], []
    for i, x in enumerate(entries):
        try:
            stories.append(entry_story(_loose_entry(x, i, raws[i], atom), feed, agency))
        except NoWords as exc:
            skipped.append(exc)
    return kept(stories, skipped)


def _loose_entry(x: Any, i: int, raw: bytes, atom: bool) -> Entry:
    where = f"entry {i + 1} (recovered from malformed XML)"
    e = Entry(where=where, raw=raw, uri=x.get("id") or None, link=x.get("link") or None)
    e.title = x.get("title") or ""
    e.title_html = "html" in ((x.get("title_detail") or {}).get("type") or "")  # and xhtml
    # text, HTML or XHTML, as the lxml path reads: base64 media is no story body
    contents = [c for c in x.get("content") or [] if (c.get("type") or "text/").startswith(
        ("text/", "application/xhtml"))]
    main = next((c for c in contents if "html" in (c.get("type") or "")), None) or (
        contents[0] if contents else None)
    if main is not None and main.get("value"):
        e.content, e.content_html = main["value"], "html" in (main.get("type") or "")
    if x.get("summary"):
        e.summary = x["summary"]
        e.summary_html = "html" in ((x.get("summary_detail") or {}).get("type") or "")
    # feedparser files RSS pubDate under "published"; the lxml path reads it as the update time.
    dates = (("updated", "updated"), ("published", "published")) if atom else \
        (("updated", "updated"), ("updated", "published"))
    for role, key in (*dates, ("available", "dcterms_available"), ("expires", "age_expires")):
        if role in e.dates:
            continue
        if value := dict.get(x, key):  # plain dict access: no updated->published aliasing
            e.dates[role] = (str(value), f"{where}/{key}")
    e.authors = [a.get("name") for a in x.get("authors") or [] if a.get("name")]
    e.categories = [(t.get("term") or "", t.get("scheme"), t.get("label")) for t in x.get("tags") or []]
    e.rights = x.get("rights") or None
    e.license = x.get("license") or None
    e.source = (x.get("source") or {}).get("title") or None
    if x.get("media_content") or x.get("enclosures") or x.get("media_thumbnail"):
        e.pictures, e.picture_warnings = read_loose(x, where)
    return e
