"""The Story model: one version of one agency item, named as in IPTC ninjs.

The same Story travels from a parser to the store and out of the API. Nothing here imports
another wiredesk module; bodies are made safe here so every path gets the same sanitiser.
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

import nh3


class Pubstatus(StrEnum):
    USABLE = "usable"
    WITHHELD = "withheld"
    CANCELED = "canceled"

    @classmethod
    def parse(cls, value: str | None) -> Pubstatus:
        """Map an agency's status word to ours; Reuters' `withdrawn` is a kill."""
        word = (value or "usable").strip().lower()
        word = word.rsplit(":", 1)[-1]  # stat:usable -> usable
        if word in ("canceled", "cancelled", "withdrawn", "killed", "kill"):
            return cls.CANCELED
        if word in ("withheld", "held", "hold"):
            return cls.WITHHELD
        if word == "usable":
            return cls.USABLE
        raise ValueError(f"unknown pubstatus {value!r} (expected usable, withheld or canceled)")


@dataclass(frozen=True, slots=True)
class Subject:
    name: str
    uri: str | None = None
    code: str | None = None


# Markup a story body may keep for display. Everything else (script, style, iframe, object,
# forms, event handlers, javascript: URLs) is removed by nh3; text content is never dropped.
_ALLOWED_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "code",
    "b", "strong", "i", "em", "u", "s", "sub", "sup", "small", "mark", "q", "cite",
    "abbr", "span", "div", "ul", "ol", "li", "dl", "dt", "dd", "a",
    "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "figure", "figcaption",
}
_ALLOWED_ATTRS = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "q": {"cite"},
    "blockquote": {"cite"},
}
# nh3 drops these elements together with their content; for anything else it keeps the text.
_CLEAN_CONTENT_TAGS = {"script", "style", "template", "noscript", "iframe", "object", "embed"}
_BLOCK_BREAK = re.compile(
    r"<\s*/?\s*(p|div|br|li|tr|h[1-6]|blockquote|pre|table|ul|ol|dl|dt|dd|figure|figcaption)\b[^>]*>",
    re.I,
)
_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"[ \t\r\f\v\u00a0]+")


_FOREIGN = re.compile(r"<\s*(svg|math)\b", re.I)


def _unwrap_foreign(markup: str) -> str:
    """SVG and MathML are dropped whole by the sanitiser, text and all; their text is part of
    what the agency wrote, so turn their elements into spans first and keep the words."""
    from lxml import html as lxml_html

    fragments = lxml_html.fragments_fromstring(markup)
    out = []
    for fragment in fragments:
        if isinstance(fragment, str):
            out.append(html.escape(fragment, quote=False))
            continue
        roots = [e for e in fragment.iter() if isinstance(e.tag, str)
                 and e.tag.rsplit("}", 1)[-1].lower() in ("svg", "math")]
        for root in roots:
            for element in list(root.iter()):
                name = element.tag.rsplit("}", 1)[-1].lower() if isinstance(element.tag, str) else ""
                if name and name not in ("script", "style"):
                    element.tag = "span"
                    element.attrib.clear()
        out.append(lxml_html.tostring(fragment, encoding="unicode"))
    return "".join(out)


def sanitize_html(markup: str) -> str:
    """A display copy of agency HTML: scripts, handlers, foreign frames and styles removed."""
    if _FOREIGN.search(markup):
        markup = _unwrap_foreign(markup)
    return _CLEANER.clean(markup)


# One cleaner for the process: nh3 builds its rule set once instead of on every call.
_CLEANER = nh3.Cleaner(
    tags=_ALLOWED_TAGS,
    attributes=_ALLOWED_ATTRS,
    clean_content_tags=_CLEAN_CONTENT_TAGS,
    url_schemes={"http", "https", "mailto"},
    link_rel="noopener noreferrer nofollow",
    strip_comments=True,
)


def html_to_text(markup: str) -> str:
    """Plain text of (already sanitised) HTML: one paragraph per line, entities decoded."""
    text = _BLOCK_BREAK.sub("\n", markup)
    text = _TAG.sub("", text)
    if "&" in text:
        text = html.unescape(text)
    # _SPACE visits every character (its class has a non-ASCII member) and rewrites each
    # single space as itself: run it only when something would change (5x fewer
    # instructions on a typical body; RSS parsing goes from 8x to 10x feedparser).
    if ("  " in text or "\t" in text or "\r" in text or "\f" in text or "\v" in text
            or "\u00a0" in text):
        text = _SPACE.sub(" ", text)
    return "\n".join([s for line in text.split("\n") if (s := line.strip())])


def paragraphs_to_html(paragraphs: list[str]) -> str:
    return "".join(f"<p>{html.escape(p, quote=False)}</p>" for p in paragraphs)


@dataclass(frozen=True, slots=True)
class Body:
    """A story body three ways: as the agency sent it, safe for display, and plain text."""

    received: str
    content_type: str  # "text/html" or "text/plain": what `received` holds
    html: str
    text: str

    @classmethod
    def from_html(cls, markup: str) -> Body:
        display = sanitize_html(markup)
        return cls(received=markup, content_type="text/html", html=display,
                   text=html_to_text(display))

    @classmethod
    def from_paragraphs(cls, paragraphs: list[str], received: str | None = None) -> Body:
        paras = [p.strip() for p in paragraphs if p.strip()]
        return cls(
            received=received if received is not None else "\n\n".join(paras),
            content_type="text/plain",
            html=paragraphs_to_html(paras),
            text="\n".join(paras),
        )

    @classmethod
    def from_text(cls, text: str) -> Body:
        """Plain text with paragraphs separated by blank lines (or single newlines)."""
        blocks = re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip())
        if len(blocks) == 1:
            blocks = text.strip().split("\n")
        paras = [" ".join(b.split()) for b in blocks]
        return cls.from_paragraphs(paras, received=text)

    @classmethod
    def empty(cls) -> Body:
        return cls(received="", content_type="text/plain", html="", text="")


@dataclass(frozen=True, slots=True)
class Story:
    """One version of one agency item. Field names follow ninjs 2.x."""

    uri: str
    headline: str
    body: Body = field(default_factory=Body.empty)
    version: str | None = None
    firstcreated: datetime | None = None
    versioncreated: datetime | None = None
    pubstatus: Pubstatus = Pubstatus.USABLE
    embargoed: datetime | None = None
    expires: datetime | None = None
    urgency: int | None = None
    slugline: str | None = None
    by: str | None = None
    located: str | None = None
    dateline: str | None = None  # as the agency wrote it, e.g. "TOKYO (Reuters)"
    agency: str | None = None  # the provider; ninjs infosources role "originator"
    language: str | None = None
    subjects: tuple[Subject, ...] = ()
    copyrightholder: str | None = None
    copyrightnotice: str | None = None
    usageterms: str | None = None
    ednote: str | None = None
    creditline: str | None = None  # e.g. "(Reporting by ...; Editing by ...)"
    signals: tuple[str, ...] = ()  # "update", "correction", "refile", "withdrawn"...
    raw: bytes = b""
    format: str = ""

    @property
    def raw_sha256(self) -> str:
        return hashlib.sha256(self.raw).hexdigest()

    @property
    def version_number(self) -> int:
        """The agency's version as a number for ordering; 0 when it gave none we can read."""
        try:
            return int(str(self.version).strip())
        except (TypeError, ValueError):
            return 0

    def with_changes(self, **changes: object) -> Story:
        return replace(self, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class Delivery:
    """Bytes as they arrived, and from where: the unit the desk applies whole or not at all."""

    data: bytes
    source: str
    name: str | None
    received: datetime
    content_type: str | None = None
