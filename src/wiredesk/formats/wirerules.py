"""The plain-copy rules applied to bodies that arrive inside other formats (RSS, Atom, JSON
Feed, web pages): byline and advisory paragraphs first, the dateline opening the first
paragraph, the credit line last; and the headline tags, kill notices and bylines they share.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import datetime

from wiredesk.formats.dates import parse_datetime
from wiredesk.formats.errors import FormatError
from wiredesk.formats.plaincopy import (
    _ADVISORY,
    _BYLINE,
    _CREDIT,
    _DATELINE,
    _WITHDRAWN,
    AGENCIES,
    _signal,
    _strip_tags,
)
from wiredesk.story import Body

_UPDATE_N = re.compile(r"(UPDATE|WRAPUP) (\d+)")
_BY_PREFIX = re.compile(r"^by\s+", re.I)
_FIRST_P = re.compile(r"\s*<p\b[^>]*>\s*(?P<text>[^<]*)</p>\s*")
_LAST_P = re.compile(r"<p\b[^>]*>\s*(?P<text>[^<]*)</p>\s*$")
_LEADING_TAGS = re.compile(r"(?:\s|<[^>]*>)*")


def headline_rules(title: str) -> tuple[str, list[str], str | None, bool]:
    """A title without agency tags; the signals and version the tags carry; a kill tag."""
    headline, tags = _strip_tags(" ".join(title.split()))
    if not tags:  # most titles carry none: skip building the rest
        return headline, [], None, False
    signals = [s for s in (_signal(tag) for tag in tags) if s]
    version = None
    for tag in tags:
        if number := _UPDATE_N.search(tag):
            version = str(int(number.group(2)) + 1)
    return headline, signals, version, any(t.startswith(("WITHDRAWN", "KILL")) for t in tags)


def withdrawn_notice(text: str) -> bool:
    """Reuters' "STORY WITHDRAWN" / "KILL KILL KILL" notice in a body is a kill."""
    return ("WITHDRAWN" in text or "KILL" in text) and bool(_WITHDRAWN.search(text))


def join_names(names: list[str]) -> str | None:
    """Author names as a byline: "A", "A and B", "A, B and C"; a leading "By" dropped."""
    if len(names) == 1:  # the usual case, without the de-duplicating lists
        name = " ".join(names[0].split()) if names[0] else ""
        return (_BY_PREFIX.sub("", name) if name[:1] in ("b", "B") else name) or None
    clean = [_BY_PREFIX.sub("", " ".join(n.split())) for n in names if n]
    clean = list(dict.fromkeys(n for n in clean if n))
    if not clean:
        return None
    return clean[0] if len(clean) == 1 else ", ".join(clean[:-1]) + " and " + clean[-1]


@dataclass
class WireBody:
    """A body with the plain-copy rules applied: byline, advisories, dateline, credit taken out."""

    body: Body
    by: str | None = None
    advisories: list[str] = field(default_factory=list)
    dateline: str | None = None
    located: str | None = None
    agency: str | None = None
    creditline: str | None = None

    @property
    def ednote(self) -> str | None:
        return " ".join(self.advisories) or None


def wire_body(content: str, is_html: bool) -> WireBody:
    """Apply the plain-copy rules to a body: leading byline and advisory paragraphs, the
    dateline at the start of the first paragraph, the credit line as the last paragraph."""
    if is_html:
        return _html_body(content)
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", content.strip())]
    if len(paragraphs) == 1:
        paragraphs = [" ".join(p.split()) for p in content.strip().split("\n")]
    paragraphs = [p for p in paragraphs if p]
    out = WireBody(Body.empty())
    while len(paragraphs) > 1 and _lead(out, paragraphs[0]):
        paragraphs.pop(0)
    if paragraphs and (line := _dateline(paragraphs[0])):
        _set_dateline(out, line)
        paragraphs[0] = paragraphs[0][line.end():]
    if len(paragraphs) > 1 and _CREDIT.match(paragraphs[-1]):
        out.creditline = paragraphs.pop()
    changed = out.by or out.advisories or out.dateline or out.creditline
    out.body = Body.from_paragraphs(paragraphs) if changed else Body.from_text(content)
    return out


def _lead(out: WireBody, paragraph: str) -> bool:
    """Take a byline or advisory paragraph that comes before the story text."""
    if _ADVISORY.match(paragraph):
        out.advisories.append(paragraph)
        return True
    by = _BYLINE.match(paragraph)
    if by and out.by is None:
        out.by = by.group("by").strip()
        return True
    return False


def _dateline(text: str) -> re.Match[str] | None:
    """The dateline at the start of a paragraph; a cheap test first, as most have none."""
    return _DATELINE.match(text) if "(" in text[:100] else None


def _set_dateline(out: WireBody, match: re.Match[str]) -> None:
    out.dateline = match.group("dateline").strip()
    out.located = match.group("place").strip()
    out.agency = AGENCIES[match.group("agency").lower()]


_NO_BODY = Body.empty()  # a placeholder until the body is made; Body is immutable


def _html_body(markup: str) -> WireBody:
    out = WireBody(_NO_BODY)
    while first := _FIRST_P.match(markup):
        # Only "(Advisory ...)" and "By ..." paragraphs are taken (_ADVISORY, _BYLINE), and
        # the text starts with no space (the pattern's \s* took it): test its first character
        # ("&" may be an escaped "(") before unescaping, splitting and copying the rest.
        text = first.group("text")
        if text[:1] not in ("(", "B", "&"):
            break
        para = " ".join(html.unescape(text).split())
        if not para.startswith(("(", "By ")) or not markup[first.end():].strip() \
                or not _lead(out, para):
            break
        markup = markup[first.end():]
    start = _LEADING_TAGS.match(markup).end()  # type: ignore[union-attr]  # matches empty
    end = markup.find("<", start)
    end = len(markup) if end < 0 else end
    chunk = markup[start:end]
    text = html.unescape(chunk) if "&" in chunk else chunk
    if line := _dateline(text):
        _set_dateline(out, line)
        # Keep the agency's bytes when nothing in the chunk was escaped.
        rest = chunk[line.end():] if text is chunk else html.escape(text[line.end():], quote=False)
        markup = markup[:start] + rest + markup[end:]
    at = markup.rfind("<p")
    last = _LAST_P.match(markup, at) if at > 0 else None
    if last and last.group("text")[:1] in ("(", "&"):  # a credit line opens with "("
        credit = " ".join(html.unescape(last.group("text")).split())
        if credit.startswith("(") and markup[:at].strip() and _CREDIT.match(credit):
            out.creditline = credit
            markup = markup[:at]
    out.body = Body.from_html(markup)
    return out


def safe_datetime(value: object, fmt: str, where: str) -> datetime | None:
    """parse_datetime, with a date at the edge of the calendar ("0001-01-01T00:00+05:00"
    overflows when moved to UTC) reported as bad input rather than escaping as OverflowError."""
    try:
        return parse_datetime(value, fmt, where)
    except OverflowError as exc:
        raise FormatError(fmt, where, f"date-time out of range: {str(value)[:40]!r}") from exc
