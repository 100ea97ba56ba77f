"""ANPA 1312, the Associated Press' classic wire: control-character framed messages.

One message, as AP and other ANPA-1312 senders transmit it:

    SYN SYN SOH <service level><story number: 4 digits>[US]<selector codes> CR LF
    <priority> SP <category>[DC3|DC4][DC1|DC2] SP <keyword> [<version>] <mm-dd> <word count> CR LF
    STX ^<keyword>, <version>,<word count><          header lines start with a caret
        ^<headline><
        ^Eds: <editor's note><
        ^By <NAME>=  ^<title>=
        <TAB>   CITY (AP) _ First paragraph ...      an indented line starts a paragraph
    ETX <agency>-<initials>-<mm-dd-yy> <hhmm><zone>< EOT   (date-time group; may be the last text line)

Detection: an ANPA message opens with (SYN)* SOH, then ONE service-level letter and exactly
FOUR digits, and its second header line is "<priority letter> <category letter>". IPTC 7901
opens with SOH and "<service letters><number> <priority digit> <category> <word count>", so
neither sniffer claims the other's files (and 7901 never sends SYN).

Priority -> urgency (ninjs, 1 most urgent): f flash 1, b bulletin 2, u urgent 3, r regular 5,
a advance 6, d deferred 7; other letters leave urgency unset.

Writethrus are versions of one story: the uri is built from the sending agency and the keyword
(slug), and the version from the writethru ordinal (original "1", "1st Ld-Writethru" "2",
"2nd Ld-Writethru" "3"; an unnumbered Writethru or Correction "2"). Takes and adds ("Take 2",
"Add 1") are separate pieces with their own uri (":take-2", ":add-1").
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone

from wiredesk.formats.bodies import body_from_html, body_from_paragraphs
from wiredesk.formats.contract import Format
from wiredesk.formats.dates import ZONES, english_embargo
from wiredesk.formats.errors import FormatError
from wiredesk.formats.teletype import Frame, frames, match_dateline, slug, split_rights, story_uri
from wiredesk.formats.wirerules import AGENCIES, BYLINE
from wiredesk.story import Body, Pubstatus, Story, Subject

NAME = "anpa"

URGENCY = {"f": 1, "b": 2, "u": 3, "r": 5, "a": 6, "d": 7}
# AP's ANPA category codes.
CATEGORIES = {
    "a": "Domestic general news", "b": "Special events", "c": "Special events",
    "d": "Food", "e": "Entertainment", "f": "Financial", "i": "International",
    "k": "Commentary", "l": "Lifestyle", "n": "State and regional", "o": "Weather",
    "p": "Politics", "q": "Sports results", "r": "Racing", "s": "Sports", "t": "Travel",
    "v": "Advisories", "w": "Washington",
}

_SNIFF = re.compile(rb"\A[\r\n ]*\x16*\x01[A-Za-z]\d{4}[^\r\n]*[\r\n][\r\n ]*[A-Za-z] [A-Za-z]")
_SNIFF_7901 = re.compile(rb"\A[\r\n ]*\x01[\r\n ]*[A-Za-z]{1,8}\d{1,6} +\d +[A-Za-z]{1,3} +\d")
_LINE1 = re.compile(r"^(?P<sld>[A-Za-z])(?P<num>\d{4})\x1f?(?P<sel>[^\r\n]*)$")
_LINE2 = re.compile(
    r"^(?P<pri>[A-Za-z]) (?P<cat>[A-Za-z])(?P<fmt>[\x13\x14]?)(?P<tab>[\x11\x12]?) *"
    r"(?P<kw>[^\s,]+)(?P<ver>.*?)(?: +(?P<md>\d{1,2}-\d{1,2}))?(?: +(?P<wc>\d{1,5}))? *$"
)
_TRAILER = re.compile(
    r"^(?P<agency>[A-Z]{2,8})-(?P<desk>[A-Z0-9]{1,4})-(?P<mo>\d{1,2})-(?P<d>\d{1,2})-"
    r"(?P<y>\d{4}|\d{2}) +(?P<hm>\d{4}) ?(?P<tz>GMT|UTC|[ECMP][SD]T)<?$"
)
_CYCLE = re.compile(r"^(?:AM|PM|BC|AP)-", re.I)
_WRITETHRU = re.compile(
    r"(?:(?P<n>\d+) ?(?:st|nd|rd|th) ?)?(?:Ld ?-? ?)?Write-?thru|(?P<m>\d+) ?(?:st|nd|rd|th) ?Ld\b",
    re.I,
)
_TAKE = re.compile(r"\bTake ?(?P<t>\d+)|(?P<a1>\d+) ?(?:st|nd|rd|th) ?Add\b|\bAdd ?(?P<a2>\d+)", re.I)
_CORRECTION = re.compile(r"\bCorrect(?:ion|ive|ed|s)?\b|\bCorrecci[oó]n\b", re.I)
_KILL = re.compile(r"\b(?:Kill|Elimination|Eliminaci[oó]n)\b", re.I)
_WITHHOLD = re.compile(r"\bWithhold\b", re.I)
_KILL_LINE = re.compile(
    r"^(?:AP[- ])?(?:MANDATORY )?(?:KILL|ELIMINATION|ELIMINACI[OÓ]N|WITHHOLD)(?: (?:KILL|ELIMINATION))*"
    r"\W*$", re.I,
)
_URGENT_LINE = re.compile(r"^(?:URGENT|BULLETIN|FLASH)\W*$", re.I)
_EDNOTE = re.compile(r"^(?:Eds?:|EDITOR'?S NOTE|Editors?'? Note|(?:With )?AP Photos?\b|Advance\b)", re.I)
_ENDMARK = re.compile(r"^(?:-0-|-30-|END(?:IT)?|\(END\)|\([a-z]{1,4}(?:[-/][a-z]{1,4})*\))$")
_EMBARGO_HINT = re.compile(r"\bembargo|\bhold for release\b|\bfor release\b", re.I)


@dataclass
class _Copy:
    heads: list[tuple[str, bool]] = field(default_factory=list)  # (^ line, ended with "=")
    paras: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)  # verbatim text lines, for tabular copy
    trailer: re.Match[str] | None = None


def looks_like(data: bytes) -> bool:
    head = data[:1024]
    return bool(_SNIFF.match(head)) and not _SNIFF_7901.match(head)


def parse(data: bytes, *, agency: str | None = None) -> list[Story]:
    return [_story(frame, agency) for frame in frames(data, NAME)]


def _story(frame: Frame, agency_arg: str | None) -> Story:
    two = _header(frame)
    copy = _read(frame.text)
    trailer = _trailer(frame, copy.trailer)
    versioncreated = _trailer_time(trailer, frame.where) if trailer else None
    keyword, keyline, version_text, head_lines = _keyword(two, copy.heads)
    heads = _read_heads(head_lines, version_text, two["pri"], versioncreated, frame.where)
    paras, holder, notice, terms = split_rights(copy.paras or heads.extras)
    dateline = located = dl_agency = None
    if paras and (found := match_dateline(paras[0])):
        dateline, located, dl_agency, rest = found
        paras = [rest, *paras[1:]] if rest else paras[1:]
    headline = _headline(heads, paras, keyline or f"{keyword}, {version_text}", frame.where)
    sender = trailer["agency"] if trailer else None
    agency = AGENCIES.get((sender or "").lower(), sender) or agency_arg or dl_agency
    version, signals, piece = _version(version_text)
    pubstatus = Pubstatus.USABLE
    if heads.killed:
        pubstatus, version = Pubstatus.CANCELED, None
        signals = (*signals, "withdrawn")
    elif heads.withheld:
        pubstatus, version = Pubstatus.WITHHELD, None
    category = two["cat"].lower()
    return Story(
        uri=story_uri(NAME, agency, keyword, _CYCLE) + (f":{piece}" if piece else ""),
        headline=headline, body=_body(copy, two["tab"], paras), version=version,
        versioncreated=versioncreated,
        firstcreated=versioncreated if version == "1" and not piece else None,
        pubstatus=pubstatus, embargoed=heads.embargoed, urgency=heads.urgency,
        slugline=keyword + (f" {piece.replace('-', ' ').title()}" if piece else ""),
        by=heads.by, located=located, dateline=dateline, agency=agency,
        subjects=(Subject(CATEGORIES.get(category, f"ANPA category {category}"),
                          uri=f"urn:wiredesk:anpa:category:{category}", code=category),),
        copyrightholder=holder, copyrightnotice=notice, usageterms=terms,
        ednote=" ".join(heads.ednotes) or None, signals=tuple(dict.fromkeys(signals)),
        label=_label(version_text),
        raw=frame.raw, format=NAME,
    )


def _header(frame: Frame) -> re.Match[str]:
    """The two header lines, checked; the second (priority, category, keyword...) matched."""
    lines = [line.strip() for line in re.split(r"\r\n|\r|\n", frame.header) if line.strip()]
    if len(lines) < 2:
        raise FormatError(NAME, f"{frame.where}, header", "expected two header lines before STX")
    if len(lines) > 2:
        raise FormatError(NAME, f"{frame.where}, header line 3", "expected STX after two lines")
    one, two = _LINE1.match(lines[0]), _LINE2.match(lines[1])
    if not one:
        raise FormatError(NAME, f"{frame.where}, header line 1", "expected <service level letter>"
                          f"<4-digit story number>[US]<selectors>, got {lines[0][:40]!r}")
    if not two:
        raise FormatError(NAME, f"{frame.where}, header line 2", "expected '<priority> <category>"
                          f" <keyword> <version> <mm-dd> <word count>', got {lines[1][:40]!r}")
    if two["md"]:
        month, day = (int(x) for x in two["md"].split("-"))
        if not (1 <= month <= 12 and 1 <= day <= 31):
            raise FormatError(NAME, f"{frame.where}, header line 2", f"bad date {two['md']!r}")
    return two


def _trailer(frame: Frame, in_text: re.Match[str] | None) -> re.Match[str] | None:
    """The date-time group: after ETX when anything is there, else the text's last line."""
    post = frame.post.strip()
    if not post:
        return in_text
    trailer = _TRAILER.match(post)
    if not trailer:
        raise FormatError(NAME, f"{frame.where}, after ETX", "expected the date-time group "
                          f"like 'AP-XX-11-29-26 1734GMT' or EOT, got {post[:40]!r}")
    return trailer


def _keyword(two: re.Match[str], heads: list[tuple[str, bool]]
             ) -> tuple[str, str | None, str, list[tuple[str, bool]]]:
    """The keyword, the keyword line (without its word count), the version text, and the
    header lines after the keyword line."""
    heads = list(heads)
    keyword, versions, keyline = two["kw"], [two["ver"].strip()], None
    if heads and _is_keyline(heads[0][0], keyword):
        keyline = heads.pop(0)[0]
        parts = [p.strip() for p in keyline.split(",")]
        keyword = parts[0]
        versions += [p for p in parts[1:] if p and not p.isdigit()]
        keyline = ", ".join([keyword, *versions[1:]])  # without the word count
    # The header field and the keyword line usually repeat one version ("1stLd-Writethru").
    unique: dict[str, str] = {}
    for text in versions:
        if text:
            unique.setdefault(slug(text), text)
    return keyword, keyline, " ".join(unique.values()), heads


@dataclass
class _Heads:
    """What the ^ header lines of the text say."""

    headline: str | None = None
    by: str | None = None
    ednotes: list[str] = field(default_factory=list)
    extras: list[str] = field(default_factory=list)  # summary lines repeating the lede
    killed: bool = False
    withheld: bool = False
    urgency: int | None = None
    embargoed: datetime | None = None


def _read_heads(heads: list[tuple[str, bool]], version_text: str, priority: str,
                versioncreated: datetime | None, where: str) -> _Heads:
    """Kill and urgency lines, editors' notes and embargoes, byline, headline, extras."""
    out = _Heads(killed=_KILL.search(version_text) is not None,
                 withheld=_WITHHOLD.search(version_text) is not None,
                 urgency=URGENCY.get(priority.lower()))
    # "Urgent" in the version field
    for word in re.findall(r"\b(?:Urgent|Bulletin|Flash)\b", version_text, re.I):
        out.urgency = min(out.urgency or 9, URGENCY[word[0].lower()])
    in_by = False
    for text, ended_eq in heads:
        if _KILL_LINE.match(text):
            out.withheld = out.withheld or "withhold" in text.lower()
            out.killed = out.killed or "withhold" not in text.lower()
            continue
        if _URGENT_LINE.match(text):
            out.urgency = min(out.urgency or 9, URGENCY[text[0].lower()])
            continue
        if _EMBARGO_HINT.search(text) or _EDNOTE.match(text):
            out.ednotes.append(text)
            out.embargoed = out.embargoed or english_embargo(
                text, versioncreated, f"{where}, embargo", NAME, "America/New_York", -5)
            continue
        byline = BYLINE.match(text)
        if byline and out.by is None:
            out.by, in_by = byline["by"].strip(), ended_eq
            continue
        if in_by and ended_eq and out.by is not None:
            out.by = f"{out.by}, {text}"  # "AP Sports Writer", "Associated Press"
            continue
        in_by = False
        if out.headline is None:
            out.headline = text
        else:
            out.extras.append(text)  # a summary line repeating the lede; kept out of the body
    return out


def _headline(heads: _Heads, paras: list[str], fallback: str, where: str) -> str:
    """The ^headline; for an alert the lede; for a bare kill the keyword line."""
    headline = heads.headline
    if headline is None and paras:
        headline = paras[0]  # an alert: no ^headline, the lede is all there is
    elif headline is None and (heads.killed or heads.withheld):
        headline = fallback
    if not headline:
        raise FormatError(NAME, f"{where}, text", "expected a headline line (^...<) or text")
    return headline


def _body(copy: _Copy, tab: str, paras: list[str]) -> Body:
    if copy.lines and tab == "\x12":  # DC2: tabular copy keeps its columns
        return body_from_html("<pre>" + html.escape("\n".join(copy.lines), quote=False) + "</pre>")
    return body_from_paragraphs(paras)


def _read(text: str) -> _Copy:
    copy = _Copy()
    paras: list[list[str]] = []
    current: list[str] | None = None
    for line in re.split(r"\r\n|\r|\n", text):
        stripped = line.strip()
        if not stripped:
            current = None
            continue
        if stripped.startswith("^"):
            content = stripped[1:].rstrip()
            copy.heads.append((content.rstrip("<=").strip(), content.endswith("=")))
            current = None
            continue
        trailer = _TRAILER.match(stripped)
        if trailer:
            copy.trailer, current = trailer, None
            continue
        copy.lines.append(line.rstrip())
        if current is None or line[0] in "\t ":
            current = [stripped]
            paras.append(current)
        else:
            current.append(stripped)
    copy.paras = [" ".join(p) for p in paras]
    while copy.paras and _ENDMARK.match(copy.paras[-1]):
        copy.paras.pop()
        copy.lines.pop()
    return copy


def _is_keyline(line: str, keyword: str) -> bool:
    first = slug(line.split(",")[0])
    kw = slug(keyword)
    short = min(len(first), len(kw), 12)
    return bool(_CYCLE.match(line)) or (short >= 4 and first[:short] == kw[:short])


def _version(text: str) -> tuple[str, tuple[str, ...], str | None]:
    """The version string, signals and take/add suffix named by the version field."""
    signals: list[str] = []
    version = "1"
    wt = _WRITETHRU.search(text)
    if wt:
        ordinal = wt["n"] or wt["m"]
        version = str(int(ordinal) + 1) if ordinal else "2"
        signals.append("update")
    if _CORRECTION.search(text):
        signals.append("correction")
        version = version if wt else "2"
    take = _TAKE.search(text)
    piece = None
    if take and not wt:
        number = take["t"] or take["a1"] or take["a2"]
        kind = "take" if take["t"] else "add"
        piece = f"{kind}-{int(number)}" if kind == "add" or int(number) > 1 else None
    return version, tuple(signals), piece


def _label(text: str) -> str | None:
    """The version field's words that name a version ("1st Ld-Writethru", "Correction")."""
    found = [m.group(0).strip() for pattern in (_WRITETHRU, _CORRECTION)
             if (m := pattern.search(text))]
    return ", ".join(found) or None


def _trailer_time(match: re.Match[str], where: str) -> datetime:
    year = int(match["y"])
    year += 0 if year >= 100 else (2000 if year < 70 else 1900)
    try:
        stamp = datetime(year, int(match["mo"]), int(match["d"]), int(match["hm"][:2]),
                         int(match["hm"][2:]), tzinfo=timezone(timedelta(hours=ZONES[match["tz"]])))
    except ValueError as exc:
        raise FormatError(NAME, f"{where}, date-time group", f"{match.group(0)!r}: {exc}") from exc
    return stamp.astimezone(UTC)


FORMAT = Format(NAME, looks_like, parse)
