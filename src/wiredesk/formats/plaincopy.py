"""Plain agency copy: a story as text, often copied off a syndicating page.

Recognises the agency's own parts (headline with Reuters tags, byline, dateline, body,
advisory and credit lines, withdrawal notices) and drops the page around them ("Now
Reading:", repeated headlines, text-size widgets, share prompts, the site's own notice).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from wiredesk.formats.errors import FormatError
from wiredesk.formats.textcodec import decode
from wiredesk.story import Body, Pubstatus, Story

NAME = "plain"

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
}
_AGENCY_ALT = "|".join(sorted((re.escape(k) for k in AGENCIES), key=len, reverse=True))
_WEEKDAY = r"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day"
_MONTH_DAY = r"(?:Jan|Feb|March|April|May|June|July|Aug|Sept?|Oct|Nov|Dec)[a-z]*\.? \d{1,2}"
# "TOKYO (Reuters) -", "WASHINGTON, Monday (Reuters) -", "GROSSETO, Italy (AP) --",
# "Paris (AFP) -", "BERLIN, Nov 3 (Reuters) -"; dash may be -, --, en or em dash.
_DATELINE = re.compile(
    rf"^(?P<dateline>(?P<place>[A-Z][\w.'’ -]*?(?:, (?!{_WEEKDAY}\b|{_MONTH_DAY}\b)[A-Z][\w.'’ -]*?)?)"
    rf"(?:, (?P<when>{_WEEKDAY}|{_MONTH_DAY}))?"
    rf" \((?P<agency>{_AGENCY_ALT})\))\s*(?:-{{1,2}}|[—–])\s*",
    re.IGNORECASE,
)
# Reuters puts these in front of a headline: "UPDATE 2-", "CORRECTED-UPDATE 1-", "REFILE-".
_TAG = re.compile(
    r"^(?P<tag>(?:UPDATE|WRAPUP|CORRECTED|REFILE|EXCLUSIVE|BRIEF|RPT|REPEAT|INSIGHT|ANALYSIS|"
    r"FACTBOX|TIMELINE|BREAKINGVIEWS|WITHDRAWN|KILL|SPECIAL REPORT|FEATURE|GLOBAL MARKETS|"
    r"URGENT|FLASH|HIGHLIGHTS|CORRECTION|ADVISORY)(?: \d+)?)\s*-\s*(?=\S)"
)
_BYLINE = re.compile(r"^By (?P<by>[A-Z][^\n]{1,150})$")
_CREDIT = re.compile(
    r"^\((?:(?:Additional )?Reporting|Writing|Editing|Compiled|Reported|Research|Translated|"
    r"Graphics|Production)\b[^\n]*\)$",
    re.IGNORECASE,
)
_ADVISORY = re.compile(
    r"^\((?:Adds|Updates|Recasts|Corrects|Refiles|Repeats|Changes|Fixes|Removes|Inserts|"
    r"Rewrites|Moves|Advisory)\b[^\n]*\)$",
    re.IGNORECASE,
)
_WITHDRAWN = re.compile(r"\bSTORY (?:WITHDRAWN|KILLED)\b|\bKILL KILL KILL\b")
_WITHDRAWN_REF = re.compile(
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


def _withdrawn(text: str) -> bool:
    """_WITHDRAWN.search(text): both alternatives hold an upper-case literal."""
    return ("STORY " in text or "KILL KILL KILL" in text) and bool(_WITHDRAWN.search(text))


def _site_notice(paragraph: str) -> bool:
    """_SITE_NOTICE.search(paragraph)"""
    return ("articles" in paragraph.lower() or "\u0130" in paragraph or "\u0131" in paragraph
            or "\u017f" in paragraph) and bool(_SITE_NOTICE.search(paragraph))


@dataclass
class _Parts:
    headline: str = ""
    tags: list[str] = field(default_factory=list)
    by: str | None = None
    advisories: list[str] = field(default_factory=list)
    dateline: str | None = None
    located: str | None = None
    agency: str | None = None
    paragraphs: list[str] = field(default_factory=list)
    credit: str | None = None


def looks_like(text: str) -> bool:
    """Plain copy is the fallback: readable text with a first line and some body."""
    lines = [line for line in text.splitlines() if line.strip()]
    return len(lines) >= 2 and not text.lstrip().startswith(("<", "{", "["))


def parse(data: bytes, *, agency: str | None = None, uri: str | None = None) -> list[Story]:
    text = decode(data, NAME).replace("\r\n", "\n").replace("\r", "\n")
    parts = _split(text)
    if not parts.headline:
        raise FormatError(NAME, "line 1", "expected a headline line, found no text")
    withdrawn = _withdrawn(text)
    if not parts.paragraphs and not withdrawn:
        raise FormatError(NAME, "body", "expected story paragraphs after the headline, found none")
    pubstatus = Pubstatus.USABLE
    signals = [_signal(tag) for tag in parts.tags]
    target_headline = parts.headline
    if withdrawn or any(t.startswith(("WITHDRAWN", "KILL")) for t in parts.tags):
        pubstatus = Pubstatus.CANCELED
        signals.append("withdrawn")
        ref = _WITHDRAWN_REF.search(text)
        if ref:
            target_headline = _strip_tags(ref.group("headline").strip())[0]
    version = None
    for tag in parts.tags:
        number = re.search(r"(UPDATE|WRAPUP) (\d+)", tag)
        if number:
            version = str(int(number.group(2)) + 1)
    agency_name = parts.agency or agency
    return [
        Story(
            uri=uri or plain_uri(agency_name, target_headline),
            headline=parts.headline,
            body=Body.from_paragraphs(parts.paragraphs),
            version=version,
            pubstatus=pubstatus,
            by=parts.by,
            located=parts.located,
            dateline=parts.dateline,
            agency=agency_name,
            ednote=" ".join(parts.advisories) or None,
            creditline=parts.credit,
            signals=tuple(dict.fromkeys(s for s in signals if s)),
            raw=data,
            format=NAME,
        )
    ]


def plain_uri(agency: str | None, headline: str) -> str:
    """Plain copy carries no id: the agency and the untagged headline name the story."""
    slug = re.sub(r"[^a-z0-9]+", "-", headline.lower()).strip("-")[:120] or "untitled"
    return f"urn:wiredesk:plain:{(agency or 'unknown').lower()}:{slug}"


def _strip_tags(headline: str) -> tuple[str, list[str]]:
    tags = []
    while match := _TAG.match(headline):
        tags.append(match.group("tag").upper())
        headline = headline[match.end():]
    return headline.strip(), tags


def _signal(tag: str) -> str:
    word = tag.split()[0]
    return {
        "UPDATE": "update", "WRAPUP": "update", "CORRECTED": "correction",
        "CORRECTION": "correction", "REFILE": "refile", "RPT": "refile", "REPEAT": "refile",
        "WITHDRAWN": "withdrawn", "KILL": "withdrawn",
    }.get(word, "")


def _split(text: str) -> _Parts:
    parts = _Parts()
    lines = [" ".join(line.split()) for line in text.split("\n")]
    blocks: list[list[str]] = [[]]
    for line in lines:
        if line:
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    seen_headlines: set[str] = set()
    in_body = False
    for block in blocks:
        kept = []
        for line in block:
            if not parts.headline:
                parts.headline, parts.tags = _strip_tags(line)
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
        if _CREDIT.match(paragraph):
            parts.credit = paragraph
            continue
        if not in_body:
            if _ADVISORY.match(paragraph):
                parts.advisories.append(paragraph)
                continue
            by = _BYLINE.match(paragraph)
            if by and parts.by is None:
                parts.by = by.group("by").strip()
                continue
        dateline = _DATELINE.match(paragraph) if not in_body else None
        if dateline:
            parts.dateline = dateline.group("dateline").strip()
            parts.located = dateline.group("place").strip()
            parts.agency = AGENCIES[dateline.group("agency").lower()]
            paragraph = paragraph[dateline.end():]
        in_body = True
        parts.paragraphs.append(paragraph)
    return parts
