"""Wire-copy rules, shared by every format: the agency names datelines credit, the dateline
itself, headline tags and the signals they carry, bylines, advisory and credit lines, kill
notices, the page furniture around copied stories, and the uri of copy that names none.

`read_copy` applies them to plain text (plain copy, web pages); `wire_body` to a body that
arrives inside another format (RSS, Atom, JSON Feed): byline and advisory paragraphs first,
the dateline opening the first paragraph, the credit line last.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

from wiredesk.formats.bodies import body_from_html, body_from_paragraphs, body_from_text
from wiredesk.formats.spacing import collapsed_lines
from wiredesk.story import Body

if TYPE_CHECKING:
    from lxml import etree

# Agency names as they appear in datelines, mapped to the name we credit.
AGENCIES = {
    "reuters": "Reuters",
    "ap": "AP",
    "afp": "AFP",
    "dpa": "dpa",
    "ansa": "ANSA",
    "efe": "EFE",
    "upi": "UPI",
    "xinhua": "Xinhua",
    "kyodo": "Kyodo",
    "pa": "PA",
    "aap": "AAP",
    "cp": "CP",
    "ntb": "NTB",
    "kna": "KNA",
}
_AGENCY_ALT = "|".join(sorted((re.escape(k) for k in AGENCIES), key=len, reverse=True))
_WEEKDAY = r"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day"
_MONTH_DAY = (r"(?:(?:Jan|Feb|March|April|May|June|July|Aug|Sept?|Oct|Nov|Dec)[a-z]*\.? \d{1,2}"
              r"|\d{1,2} [a-z]{3,10}\.?)")  # "Nov 3"; EFE's "2 dic"
# "TOKYO (Reuters) -", "WASHINGTON, Monday (Reuters) -", "GROSSETO, Italy (AP) --",
# "Paris (AFP) -", "BERLIN, Nov 3 (Reuters) -"; dash may be -, --, en or em dash; EFE's
# "Madrid, 2 dic (EFE).-" and NTB's "Oslo (NTB):" too.
DATELINE = re.compile(
    rf"^(?P<dateline>(?P<place>[A-Z][\w.'’ -]*?(?:, (?!{_WEEKDAY}\b|{_MONTH_DAY}\b)[A-Z][\w.'’ -]*?)?)"
    rf"(?:, (?P<when>{_WEEKDAY}|{_MONTH_DAY}))?"
    rf" \((?P<agency>{_AGENCY_ALT})\))\.?\s*(?:-{{1,2}}|[—–:])\s*",
    re.IGNORECASE,
)
# Reuters puts these in front of a headline: "UPDATE 2-", "CORRECTED-UPDATE 1-", "REFILE-".
HEADLINE_TAG = re.compile(
    r"^(?P<tag>(?:UPDATE|WRAPUP|CORRECTED|REFILE|EXCLUSIVE|BRIEF|RPT|REPEAT|INSIGHT|ANALYSIS|"
    r"FACTBOX|TIMELINE|BREAKINGVIEWS|WITHDRAWN|KILL|SPECIAL REPORT|FEATURE|GLOBAL MARKETS|"
    r"URGENT|FLASH|HIGHLIGHTS|CORRECTION|ADVISORY)(?: \d+)?)\s*-\s*(?=\S)"
)
BYLINE = re.compile(r"^By (?P<by>[A-Z][^\n]{1,150})$")
CREDIT = re.compile(
    r"^\((?:(?:Additional )?Reporting|Writing|Editing|Compiled|Reported|Research|Translated|"
    r"Graphics|Production)\b[^\n]*\)$",
    re.IGNORECASE,
)
ADVISORY = re.compile(
    r"^\((?:Adds|Updates|Recasts|Corrects|Refiles|Repeats|Changes|Fixes|Removes|Inserts|"
    r"Rewrites|Moves|Advisory)\b[^\n]*\)$",
    re.IGNORECASE,
)
WITHDRAWN = re.compile(r"\bSTORY (?:WITHDRAWN|KILLED)\b|\bKILL KILL KILL\b")
WITHDRAWN_REF = re.compile(
    r"(?:story|article) (?:headlined|entitled|titled) [\"“'‘](?P<headline>[^\"”’]+?)[\"”'’]", re.I
)
# Lines that belong to the page around a story, never to the story.
_CHROME = re.compile(
    r"^(?:Now Reading:?.*|Text size(?: Aa)*|A+ ?A+|Aa Aa|Share(?: this (?:article|story))?:?|"
    r"Share on \w+|Tweet|Print(?: this)?|E-?mail|Advertisement|Read more:?|Related(?: stories| articles)?:?|"
    r"Continue reading|Skip to (?:main )?content|Most read|Comments?|Sign up.*newsletter.*)$",
    re.IGNORECASE,
)
_SITE_NOTICE = re.compile(
    r"does not edit the articles|articles appear on .{0,60}for a limited time|"
    r"provides breaking news articles from",
    re.IGNORECASE,
)
# Cheap tests before the regexes, which otherwise try every position of every paragraph:
# each finds nothing unless its test passes. _CHROME's alternatives begin with these letters
# (and re.IGNORECASE also lets the long s stand for s); every _SITE_NOTICE alternative holds
# "articles", which lower() finds unless a character re.IGNORECASE folds specially (dotted
# and dotless i, long s) stands in it.
_CHROME_FIRST = frozenset("NnTtAaSsPpEeRrCcMm\u017f")
_SIGNALS = {
    "UPDATE": "update", "WRAPUP": "update", "CORRECTED": "correction",
    "CORRECTION": "correction", "REFILE": "refile", "RPT": "refile", "REPEAT": "refile",
    "WITHDRAWN": "withdrawn", "KILL": "withdrawn",
}
_UPDATE_N = re.compile(r"(UPDATE|WRAPUP) (\d+)")
_BY_PREFIX = re.compile(r"^by\s+", re.I)
_BY = re.compile(r"^(?:by|par|von|por)\s+", re.I)  # "By", and AFP/dpa/EFE's own words
_BY_AGENCY = re.compile(rf",\s*(?:{_AGENCY_ALT})$", re.I)
# Long names agencies give themselves, to the short name plain copy credits.
_ALIASES = {
    "associated press": "ap", "agence france-presse": "afp", "agence france presse": "afp",
    "thomson reuters": "reuters", "deutsche presse-agentur": "dpa", "press association": "pa",
    "australian associated press": "aap", "pa media": "pa", "agencia efe": "efe",
    "dpa deutsche presse-agentur gmbh": "dpa", "norsk telegrambyrå": "ntb",
}
_FIRST_P = re.compile(r"\s*<p\b[^>]*>\s*(?P<text>[^<]*)</p>\s*")
_LAST_P = re.compile(r"<p\b[^>]*>\s*(?P<text>[^<]*)</p>\s*$")
_LEADING_TAGS = re.compile(r"(?:\s|<[^>]*>)*")


# ---- headlines --------------------------------------------------------------------------

def strip_tags(headline: str) -> tuple[str, list[str]]:
    """A headline without its agency tags ("UPDATE 2-"), and the tags, upper-cased."""
    tags = []
    while match := HEADLINE_TAG.match(headline):
        tags.append(match.group("tag").upper())
        headline = headline[match.end():]
    return headline.strip(), tags


def signal(tag: str) -> str:
    """The signal a headline tag carries ("update", "correction"...), or ""."""
    return _SIGNALS.get(tag.split()[0], "")


def headline_rules(title: str) -> tuple[str, list[str], str | None, bool]:
    """A title without agency tags; the signals and version the tags carry; a kill tag."""
    headline, tags = strip_tags(" ".join(title.split()))
    if not tags:  # most titles carry none: skip building the rest
        return headline, [], None, False
    signals = [s for s in (signal(tag) for tag in tags) if s]
    version = None
    for tag in tags:
        if number := _UPDATE_N.search(tag):
            version = str(int(number.group(2)) + 1)
    return headline, signals, version, any(t.startswith(("WITHDRAWN", "KILL")) for t in tags)


def withdrawn_notice(text: str) -> bool:
    """Reuters' "STORY WITHDRAWN" / "KILL KILL KILL" notice in a body is a kill."""
    return ("WITHDRAWN" in text or "KILL" in text) and bool(WITHDRAWN.search(text))


def plain_uri(agency: str | None, headline: str) -> str:
    """Copy that carries no id: the agency and the untagged headline name the story."""
    slug = re.sub(r"[^a-z0-9]+", "-", headline.lower()).strip("-")[:120] or "untitled"
    return f"urn:wiredesk:plain:{(agency or 'unknown').lower()}:{slug}"


# ---- names: bylines and agencies --------------------------------------------------------

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


def strip_by(text: str | None) -> str | None:
    """A byline without its "By" (or "par", "von", "por"), a closing agency name ("Von Jan
    Petersen, dpa") and stray separators."""
    text = _BY.sub("", " ".join((text or "").split())).strip(" ,;")
    return _BY_AGENCY.sub("", text) or text or None


def agency_name(value: str | None) -> str | None:
    """'reuters.com', 'nprov:REUTERS', 'AFP' -> the name we credit."""
    if not value:
        return None
    if (known := _AGENCY_NAMES.get(value)) is not None:
        return known
    if not value.strip():
        return None
    word = value.strip().rsplit(":", 1)[-1].lower().removeprefix("www.")
    word = _ALIASES.get(word.removeprefix("the "), word)
    name = AGENCIES.get(word) or AGENCIES.get(word.split(".")[0]) or value.strip()
    if len(_AGENCY_NAMES) < _CACHE_MAX:
        _AGENCY_NAMES[value] = name
    return name


# The items of a delivery name the same provider and status: answers are kept, up to a bound.
_CACHE_MAX, _AGENCY_NAMES = 1024, dict[str, str]()


# ---- datelines --------------------------------------------------------------------------

class Dateline(NamedTuple):
    text: str  # as written, e.g. "TOKYO (Reuters)"
    place: str
    agency: str


def parse_dateline(text: str | None) -> Dateline | None:
    """Place and agency of a dateline given on its own ("MOSCOW, Monday (Reuters)")."""
    match = DATELINE.match(" ".join((text or "").split()) + " - ")
    if not match:
        return None
    return Dateline(match.group("dateline").strip(), match.group("place").strip(),
                    AGENCIES[match.group("agency").lower()])


def split_lead_dateline(paragraph: str) -> tuple[Dateline | None, str]:
    """'TOKYO (Reuters) - Japan...' -> (the dateline, 'Japan...'), as plain copy does."""
    if "(" not in paragraph:  # every dateline names its agency in brackets: skip the regex
        return None, paragraph
    text = " ".join(paragraph.split())
    match = DATELINE.match(text)
    if not match:
        return None, paragraph
    dateline = Dateline(match.group("dateline").strip(), match.group("place").strip(),
                        AGENCIES[match.group("agency").lower()])
    return dateline, text[match.end():]


def take_lead_dateline(container: etree._Element) -> Dateline | None:
    """Remove a dateline that opens the first paragraph under `container` (tree is ours)."""
    first = next(container.iter("{*}p"), None)  # p in any namespace or none, as local() == "p"
    if first is None or not first.text:
        return None
    dateline, rest = split_lead_dateline(first.text)
    if dateline is not None:
        first.text = rest + (" " if first.text[-1:].isspace() and len(first) else "")
    return dateline


# ---- plain copy: a story as text --------------------------------------------------------

@dataclass
class CopyParts:
    """The agency's parts of a story given as text, the page around it dropped."""

    headline: str = ""
    tags: list[str] = field(default_factory=list)
    by: str | None = None
    advisories: list[str] = field(default_factory=list)
    dateline: str | None = None
    located: str | None = None
    agency: str | None = None
    paragraphs: list[str] = field(default_factory=list)
    credit: str | None = None


def _site_notice(paragraph: str) -> bool:
    """_SITE_NOTICE.search(paragraph)"""
    return ("articles" in paragraph.lower() or "\u0130" in paragraph or "\u0131" in paragraph
            or "\u017f" in paragraph) and bool(_SITE_NOTICE.search(paragraph))


def _blocks(text: str) -> list[list[str]]:
    """Lines, whitespace collapsed, grouped into blocks separated by blank lines."""
    blocks: list[list[str]] = [[]]
    for line in collapsed_lines(text):
        if line:
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    return blocks


def read_copy(text: str) -> CopyParts:
    """Headline (tags apart), byline, advisories, dateline, paragraphs and credit line of a
    story given as text; repeated headlines, page furniture and the site's notice dropped."""
    parts = CopyParts()
    seen_headlines: set[str] = set()
    in_body = False
    for block in _blocks(text):
        kept = []
        for line in block:
            if not parts.headline:
                parts.headline, parts.tags = strip_tags(line)
                seen_headlines = {line, parts.headline}
                continue
            if line in seen_headlines or (line[0] in _CHROME_FIRST and _CHROME.match(line)):
                continue  # page furniture: repeated headline, "Now Reading:", "Text size Aa Aa"
            kept.append(line)
        if not kept:
            continue
        paragraph = " ".join(kept)
        if parts.credit is not None:
            continue  # after the credit line comes only the page around the story
        if _site_notice(paragraph):
            continue
        if CREDIT.match(paragraph):
            parts.credit = paragraph
            continue
        if not in_body and _lead(parts, paragraph):
            continue
        dateline = DATELINE.match(paragraph) if not in_body else None
        if dateline:
            parts.dateline = dateline.group("dateline").strip()
            parts.located = dateline.group("place").strip()
            parts.agency = AGENCIES[dateline.group("agency").lower()]
            paragraph = paragraph[dateline.end():]
        in_body = True
        parts.paragraphs.append(paragraph)
    return parts


def _lead(out: CopyParts | WireBody, paragraph: str) -> bool:
    """Take a byline or advisory paragraph that comes before the story text."""
    if ADVISORY.match(paragraph):
        out.advisories.append(paragraph)
        return True
    by = BYLINE.match(paragraph)
    if by and out.by is None:
        out.by = by.group("by").strip()
        return True
    return False


# ---- bodies inside other formats --------------------------------------------------------

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
    if len(paragraphs) > 1 and CREDIT.match(paragraphs[-1]):
        out.creditline = paragraphs.pop()
    changed = out.by or out.advisories or out.dateline or out.creditline
    out.body = body_from_paragraphs(paragraphs) if changed else body_from_text(content)
    return out


def _dateline(text: str) -> re.Match[str] | None:
    """The dateline at the start of a paragraph; a cheap test first, as most have none."""
    return DATELINE.match(text) if "(" in text[:100] else None


def _set_dateline(out: WireBody, match: re.Match[str]) -> None:
    out.dateline = match.group("dateline").strip()
    out.located = match.group("place").strip()
    out.agency = AGENCIES[match.group("agency").lower()]


_NO_BODY = Body.empty()  # a placeholder until the body is made; Body is immutable


def _html_body(markup: str) -> WireBody:
    out = WireBody(_NO_BODY)
    while first := _FIRST_P.match(markup):
        # Only "(Advisory ...)" and "By ..." paragraphs are taken (ADVISORY, BYLINE), and
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
        if credit.startswith("(") and markup[:at].strip() and CREDIT.match(credit):
            out.creditline = credit
            markup = markup[:at]
    out.body = body_from_html(markup)
    return out


def text_body(text: str, *, dateline_known: bool) -> tuple[Body, Dateline | None]:
    """Plain text body; a dateline opening it is lifted out unless given separately."""
    blocks = re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip())
    if len(blocks) == 1:
        blocks = blocks[0].split("\n")
    paragraphs = [" ".join(b.split()) for b in blocks]
    lead = None
    if paragraphs and not dateline_known:
        lead, paragraphs[0] = split_lead_dateline(paragraphs[0])
    return body_from_paragraphs(paragraphs, received=text), lead


def trailing_credit(body: Body) -> str | None:
    """'(Reporting by ...; Editing by ...)' closing the body: the credit line, left in place."""
    # Text not ending in ")" (nearly all) has none: no need to split it.
    lines = body.text.splitlines() if body.text.rstrip().endswith(")") else ()
    return lines[-1] if lines and CREDIT.match(lines[-1]) else None
