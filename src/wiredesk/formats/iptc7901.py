"""IPTC 7901, the text wire of dpa and other European agencies.

One message (several may follow each other in one stream):

    SOH <service id><message number> <priority 1-6> <category> <word count>  [<attribution>] [<ref>]
    <keyword line(s)>/ (markers such as "(Zusammenfassung)", "(Berichtigung)", "(Löschung)")
    STX <headline> =                 title lines end with " =" (Sperrfrist, byline, markers too)
    Von <author>, dpa =
                                     a blank line ends the title block
    Berlin (dpa) - Body text, wrapped; a blank line or an indent starts a paragraph.
    Copyright (c) 2026 dpa ... Alle Rechte vorbehalten. / Nutzung nur ...   (rights)
    Die folgenden Informationen sind nicht zur Veröffentlichung bestimmt     (ednote block)
    dpa xy zz                        signature: agency and editors' initials -> creditline
    271734 Nov 26                    date-time group (ddhhmm [zone] Mon yy; UTC unless a zone)
    ETX EOT

Detection: SOH (never preceded by SYN), then service letters + number, a space, ONE priority
digit, a space, a category of 1-3 letters and a word count. ANPA 1312 instead has one
service-level letter and exactly four digits, and a second header line "<letter> <letter>".

Priority 1-6 is the urgency as is (1 flash ... 6 lowest). The uri is the attribution (else
the agency option) and the keyword line without version markers, so "(Zusammenfassung)"
writethrus stay one story: the original is version "1", "(Zusammenfassung)" "2",
"(2. Zusammenfassung)" "3"; a correction or a repeat names no version of its own: it follows
the version it corrects, and the desk orders it by time (store/writes.py add_version).
A "Sperrfrist" becomes `embargoed` only when the date can be placed in a year (an explicit
year, or the message's own date-time group); its text always goes to ednote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import NamedTuple

from wiredesk.formats.bodies import body_from_paragraphs
from wiredesk.formats.contract import Format
from wiredesk.formats.dates import ZONES, english_embargo, resolve, zone
from wiredesk.formats.errors import FormatError
from wiredesk.formats.spacing import collapsed_lines, single_spaced
from wiredesk.formats.teletype import Frame, frames, match_dateline, split_rights, story_uri
from wiredesk.formats.wirerules import AGENCIES
from wiredesk.story import Pubstatus, Story, Subject

NAME = "iptc7901"

CATEGORIES = {
    "pol": "Politics", "wi": "Economy", "wir": "Economy", "spo": "Sport", "sp": "Sport",
    "s": "Sport", "kul": "Culture", "ku": "Culture", "vm": "Miscellaneous",
    "wis": "Science", "mod": "Lifestyle", "med": "Media", "bil": "Education",
    "rs": "Service", "i": "International",
}

_SNIFF = re.compile(
    rb"\A[\r\n ]*\x01[\r\n ]*[A-Za-z][A-Za-z0-9]{0,7}\d{1,6} +[1-9] +[A-Za-z]{1,3} +\d{1,6}\b")
# "dpa0187 4 pol 286 dpa 1734"; dpa's "eca062 4 i 211 ccccb dpa 061" (a selector code before
# the attribution); KNA's "bkn014 4 pl 171 vvvvb KNA 170123-89-00065#2"; keywords may trail.
_HEADER = re.compile(
    r"^(?P<svc>[A-Za-z][A-Za-z0-9]{0,7}?)(?P<num>\d{1,6}) +(?P<pri>[1-9]) +"
    r"(?P<cat>[A-Za-z]{1,3}) +(?P<wc>\d{1,6})(?P<rest>(?: +\S+){0,12}) *$"
)
_REF = re.compile(r"^[\w#./-]*\d[\w#./-]*$")
_SELECTOR = re.compile(r"^[a-z]{4,8}$")  # "ccccb", "vvvvb": routing, not an attribution
_MARKER = re.compile(r"\(([^()]{1,400})\)")
_SUMMARY = re.compile(
    r"(?:(?P<n>\d+)\. ?)?(?:Zusammenfassung|Neufassung)|(?:(?P<e>\d+) ?(?:st|nd|rd|th) )?"
    r"(?:Ld-)?Writethru", re.I,
)
_CORRECTION = re.compile(r"\b(?:Berichtigung|Korrektur|berichtigt|correction|corrected)\b", re.I)
_REPEAT = re.compile(r"\b(?:Wiederholung|repeat|repetition)\b", re.I)
_KILL = re.compile(r"(?:Löschung|Loeschung|zurückgezogen|zurueckgezogen|\bkill\b|\bwithdrawn\b)",
                   re.I)
_VERSION_WORD = re.compile(f"{_SUMMARY.pattern}|{_CORRECTION.pattern}|{_REPEAT.pattern}|"
                           f"{_KILL.pattern}", re.I)
_EMBARGO_MARK = re.compile(r"(?i)sperrfrist|embargo")
_EMBARGO_LINE = re.compile(r"(?i)embargo")
_BYLINE = re.compile(r"^(?:Von|By) (?P<by>[A-ZÄÖÜ].{1,150})$")
_BY_AGENCY = re.compile(r",? *\(?(?:dpa(?:-[A-Za-z]+)?|AFP|AP|Reuters|KNA|epd)\)?$")
_BY_AGENCY_ENDS = ("AFP", "AP", "Reuters", "KNA", "epd", ")")
_NOT_FOR_PUB = re.compile(
    r"nicht (?:zur|für die) Veröffentlichung bestimmt|not (?:intended )?for publication", re.I
)
_SIGNATURE = re.compile(r"^[a-z][a-z-]{1,11}(?: [a-z]{1,5}(?:/[a-z]{1,5})?){1,5}$")
_TRAILER = re.compile(r"^(?P<before>.*\S) (?P<rights>(?:\(c\)|©) ?[\w .-]{2,60})$", re.I)
_SEPARATOR = re.compile(r"^[*_#= -]{3,}$")
_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "mär": 3, "mrz": 3, "apr": 4, "may": 5, "mai": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "okt": 10, "nov": 11, "dec": 12, "dez": 12,
}
_DTG = re.compile(
    r"^(?P<d>\d{2})(?P<h>\d{2})(?P<mi>\d{2}) ?(?P<tz>GMT|UTC|MEZ|MESZ|CET|CEST)? "
    r"(?P<mon>[A-Za-zä]{3})[a-zä]*\.? (?P<y>\d{4}|\d{2})$"
)
_GERMAN_MONTHS = {
    "januar": 1, "jänner": 1, "februar": 2, "märz": 3, "maerz": 3, "april": 4, "mai": 5,
    "juni": 6, "juli": 7, "august": 8, "september": 9, "oktober": 10, "november": 11,
    "dezember": 12,
}
_SPERRFRIST = re.compile(
    r"Sperrfrist:? ?(?:(?:Montag|Dienstag|Mittwoch|Donnerstag|Freitag|Samstag|Sonnabend|"
    r"Sonntag),? )?(?:(?P<day>\d{1,2})\. ?(?:(?P<mon>\d{1,2})\.|(?P<month>[A-Za-zä]{3,9}))"
    r" ?(?P<year>\d{4})?,? ?)?(?:(?P<h>\d{1,2})[.:](?P<mi>\d{2}) ?(?:Uhr)?)? ?"
    r"(?P<tz>MESZ|MEZ|CEST|CET|GMT|UTC)?", re.I,
)


def looks_like(data: bytes) -> bool:
    return bool(_SNIFF.match(data[:1024]))


def parse(data: bytes, *, agency: str | None = None) -> list[Story]:
    return [_story(frame, agency) for frame in frames(data, NAME)]


def _story(frame: Frame, agency_arg: str | None) -> Story:
    head, keyword, markers, text_lines = _header(frame)
    title = _title_block(text_lines, markers, frame.where)
    text = _text(_paragraphs(text_lines[title.end:]), frame.where)
    markers += text.marks
    by = title.by or text.by
    sperrfrist = [*title.sperrfrist, *text.sperrfrist]
    sperrfrist += [m for m in markers if _EMBARGO_MARK.search(m)]
    markers = [m for m in markers if m not in sperrfrist]  # "(Sperrfrist ...)" is no version mark
    embargoed = None
    for line in sperrfrist:
        embargoed = embargoed or _sperrfrist(line, text.versioncreated, frame.where)
    attribution = head.attr
    if attribution and attribution.split("-")[0].lower() in AGENCIES:
        attribution = attribution.split("-")[0]  # "dpa-tns": dpa sending a partner's copy
    agency = AGENCIES.get((attribution or "").lower(), attribution) or agency_arg or text.dl_agency
    headline = title.headline
    prefix = headline.split(":", 1)[0].strip() if ":" in headline else ""
    flagged = [prefix] if _VERSION_WORD.fullmatch(prefix) else []  # "Berichtigung: <headline>"
    version, signals, pubstatus = _version([*markers, *flagged])
    category = head.cat.lower()
    return Story(
        uri=story_uri(NAME, agency, keyword or headline, _MARKER),
        headline=headline,
        body=body_from_paragraphs(text.paras),
        version=version,
        firstcreated=text.versioncreated if version == "1" else None,
        versioncreated=text.versioncreated,
        pubstatus=pubstatus,
        embargoed=embargoed,
        urgency=int(head.pri),
        slugline=keyword or None,
        by=_without_agency(by),
        located=text.located,
        dateline=text.dateline,
        agency=agency,
        subjects=(Subject(CATEGORIES.get(category, category), code=category,
                          uri=f"urn:wiredesk:iptc7901:category:{category}"),),
        copyrightholder=text.holder,
        copyrightnotice=text.notice,
        usageterms=text.terms,
        ednote=" ".join([*sperrfrist, *(f"({m})" for m in markers), *text.note]) or None,
        creditline=text.credit,
        signals=signals,
        label=_label([*markers, *flagged]),
        raw=frame.raw,
        format=NAME,
    )


class _Head(NamedTuple):
    """The header line's fields; what trails the word count sorted into its kinds."""

    pri: str
    cat: str
    attr: str | None = None
    ref: str | None = None
    keywords: tuple[str, ...] = ()


_USUAL = re.compile(r" +([A-Za-z][\w.-]{0,30})(?: +(\d{1,6}))? *")  # " dpa 1734"


def _head_fields(found: re.Match[str], more: list[str]) -> _Head:
    """Selector codes, the attribution (an agency, or the first other word), a reference
    (any token with a digit) and trailing keywords, from the first line and any second
    line that carries only such codes (four-line headers)."""
    rest = found["rest"]
    if not more and (not rest or ((usual := _USUAL.fullmatch(rest))
                                  and not _SELECTOR.match(usual[1]))):
        return _Head(found["pri"], found["cat"], usual[1] if rest else None,
                     usual[2] if rest else None)  # the usual "dpa 1734", or nothing
    attr = ref = None
    keywords: list[str] = []
    for token in [*rest.split(), *more]:
        name = token.replace("/", "-").split("-")[0].lower()  # "dpa-tmn", "dpa/tmn"
        if attr is None and (name in AGENCIES or (token[:1].isupper() and len(token) <= 12
                                                  and "/" not in token and not keywords)):
            attr = token
        elif _SELECTOR.match(token) and attr is None and len(set(token)) <= 2:
            continue
        elif _REF.match(token) and ref is None and not keywords:
            ref = token
        elif attr is None and token.isalpha() and token.islower() and not keywords:
            attr = token
        else:
            keywords.append(token)
    return _Head(found["pri"], found["cat"], attr, ref, tuple(keywords))


_CODES = re.compile(r"^(?:[a-z]{4,8} )?[A-Za-z][\w-]{1,15}(?: [\w#./-]*\d[\w#./-]*)?$")


def _without_agency(by: str | None) -> str | None:
    """"Anna Müller, dpa" -> "Anna Müller": the agency after the name is not part of it."""
    if not by or not ("dpa" in by or by.endswith(_BY_AGENCY_ENDS)):
        return by
    return _BY_AGENCY.sub("", by).strip() or by


def _newlines(text: str) -> str:
    """CR LF and a lone CR as LF: splitting on LF then gives the lines a regex split on all three would."""
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def _header(frame: Frame) -> tuple[_Head, str, list[str], list[str]]:
    """The header line, read; the keyword without version words, and the markers in
    brackets; the text lines (less the keyword line when a sender puts it after STX)."""
    lines = [line for line in collapsed_lines(_newlines(frame.header)) if line]
    found = _HEADER.match(lines[0]) if lines else None
    if not found:
        got = lines[0][:40] if lines else ""
        raise FormatError(NAME, f"{frame.where}, header line 1", "expected '<service><number> "
                          f"<priority> <category> <word count> [attribution]', got {got!r}")
    more = []
    if len(lines) > 2 and not found["rest"].strip() and "/" not in lines[1] \
            and _CODES.match(lines[1]):
        more = lines.pop(1).split()  # "ccccb dpa 061" on a line of its own
    head = _head_fields(found, more)
    text_lines = [line.rstrip() for line in _newlines(frame.text).split("\n")]
    keyword_lines = lines[1:]
    if not keyword_lines and head.keywords:
        keyword_lines = [" ".join(head.keywords)]  # keywords trailing the header line
    if not keyword_lines and text_lines and text_lines[0].strip().endswith("/"):
        keyword_lines = [text_lines.pop(0).strip()]  # some senders put the keyword after STX
    keyword_text = " ".join(keyword_lines)
    markers = _MARKER.findall(keyword_text)
    keyword = _MARKER.sub("", keyword_text)
    kept = []
    for part in keyword.split("/"):
        if part := part.strip():  # "Haushalt/Berichtigung/": the version word is a marker
            (markers if _VERSION_WORD.fullmatch(part) else kept).append(part)
    keyword = "/".join(kept)
    return head, keyword, markers, text_lines


@dataclass
class _Title:
    headline: str
    by: str | None
    sperrfrist: list[str]
    end: int  # the index of the first text line after the title block


def _title_block(text_lines: list[str], markers: list[str], where: str) -> _Title:
    """The first line, then lines ending "=", markers, Sperrfrist, byline; markers found
    here are added to `markers`."""
    headline = by = None
    sperrfrist: list[str] = []
    titles, seen = 0, False
    while titles < len(text_lines):
        raw = text_lines[titles].strip()
        if not raw:
            if seen:
                break
            titles += 1  # blank lines between STX and the headline
            continue
        line = raw.rstrip("=").strip()
        marker = _MARKER.fullmatch(line)
        if seen and not (raw.endswith("=") or marker or line.startswith("Sperrfrist")
                         or (by is None and _BYLINE.match(line))):
            break
        titles, seen = titles + 1, True
        if marker:
            markers.append(marker.group(1))
        elif line.startswith("Sperrfrist") or _EMBARGO_LINE.match(line):
            sperrfrist.append(line)
        elif (found := _BYLINE.match(line)) and by is None:
            by = found["by"].strip()
        elif headline is None and line:
            headline = line
    if not headline:
        raise FormatError(NAME, f"{where}, text", "expected a headline line after STX")
    return _Title(headline, by, sperrfrist, titles)


@dataclass
class _Text:
    paras: list[str]
    versioncreated: datetime | None = None
    credit: str | None = None
    note: list[str] = field(default_factory=list)  # after "not for publication"
    sperrfrist: list[str] = field(default_factory=list)  # a Sperrfrist opening the text
    holder: str | None = None
    notice: str | None = None
    terms: str | None = None
    dateline: str | None = None
    located: str | None = None
    dl_agency: str | None = None
    by: str | None = None  # "Von NAME, dpa" as a paragraph of its own
    marks: list[str] = field(default_factory=list)  # "(Berichtigung: ...)" opening the text


def _text(paras: list[str], where: str) -> _Text:
    """The story text and what closes it: date-time group, signature, editors' note block,
    separators, rights; a Sperrfrist or a dateline opening it."""
    dtg = _DTG.match(paras[-1]) if paras else None
    out = _Text(paras[:-1] if dtg else paras, _dtg(dtg, where) if dtg else None)
    paras = out.paras
    if paras and ("(c)" in paras[-1] or "(C)" in paras[-1] or "©" in paras[-1]) \
            and (trailer := _TRAILER.match(paras[-1])):
        paras[-1:] = [trailer["before"], trailer["rights"]]  # "dpa jn yydd" / "(c) dpa" wrapped
    out.credit = paras.pop() if paras and _SIGNATURE.match(paras[-1]) else None
    for index, para in enumerate(paras if _may_hold_note(paras) else ()):
        if _NOT_FOR_PUB.search(para):
            out.note, paras = paras[index + 1:], paras[:index]
            break
    while paras and _SEPARATOR.match(paras[-1]):
        paras.pop()
    if paras and paras[0].startswith("Sperrfrist"):
        out.sperrfrist.append(paras.pop(0))
    while len(paras) > 1 and paras[0][:1] == "(" and (mark := _MARKER.fullmatch(paras[0])) \
            and _VERSION_WORD.search(mark.group(1)):
        out.marks.append(mark.group(1))
        paras.pop(0)
    first = paras[0] if len(paras) > 1 and paras[0].startswith(("Von ", "By ")) else ""
    first = first.rstrip(" =") if len(first) <= 120 else ""
    if first and len(first.split()) <= 8 and not first.endswith((".", "!", "?")) \
            and (byline := _BYLINE.match(paras[0])) \
            and (_BY_AGENCY.search(first) or match_dateline(paras[1])):
        # "Von Anna Müller, dpa" on its own, not a paragraph opening "Von Berlin aus ..."
        out.by = byline["by"].strip().rstrip("=").strip()
        paras.pop(0)
    paras, out.holder, out.notice, out.terms = split_rights(paras)
    if out.credit is None and paras and _SIGNATURE.match(paras[-1]):
        out.credit = paras.pop()  # the signature before a "(c) dpa" trailer
    if paras and (found_dl := match_dateline(paras[0])):
        out.dateline, out.located, out.dl_agency, rest = found_dl
        paras = [rest, *paras[1:]] if rest else paras[1:]
    out.paras = paras
    return out


def _may_hold_note(paras: list[str]) -> bool:
    """Whether _NOT_FOR_PUB can match: each of its phrases holds one of these words, which
    lower() finds unless a character re.IGNORECASE folds specially (dotted or dotless i)
    stands in it. One test of the whole text instead of a regex over every paragraph."""
    text = "\n".join(paras)
    low = text.lower()
    return ("ffentlichung" in low or "publication" in low or "\u0130" in text
            or "\u0131" in text)


def _paragraphs(lines: list[str]) -> list[str]:
    """Wrapped lines joined; a blank line or an indented line starts a paragraph."""
    paras: list[list[str]] = []
    current: list[str] | None = None
    single = single_spaced("\n".join(lines))  # then stripping a line collapses it
    for line in lines:
        if not line.strip():
            current = None
            continue
        if current is None or line[0] in "\t ":
            current = []
            paras.append(current)
        current.append(line.strip(" ") if single else " ".join(line.split()))
    return [" ".join(p) for p in paras]


def _label(markers: list[str]) -> str | None:
    """The markers that name a version, as the agency words them ("2. Zusammenfassung",
    "Berichtigung"); of a long marker ("Berichtigung: Im zweiten Absatz ...") its word."""
    words = [m if len(m) <= 30 else found.group(0) for m in markers
             if (found := _VERSION_WORD.search(m))]
    return ", ".join(dict.fromkeys(w.strip() for w in words)) or None


def _version(markers: list[str]) -> tuple[str | None, tuple[str, ...], Pubstatus]:
    text = " ".join(markers)
    signals: list[str] = []
    version: str | None = "1"
    summary = _SUMMARY.search(text)
    if summary:
        ordinal = summary["n"] or summary["e"]
        version = str(int(ordinal) + 1) if ordinal else "2"
        signals.append("update")
    if _CORRECTION.search(text):
        signals.append("correction")
        version = version if summary else None  # follows the head it corrects
    if _REPEAT.search(text):
        signals.append("refile")
        version = version if summary else None  # a repeat names no version of its own
    if _KILL.search(text):
        return None, (*signals, "withdrawn"), Pubstatus.CANCELED
    return version, tuple(signals), Pubstatus.USABLE


_ZONE_TZ = {name: timezone(timedelta(hours=hours)) for name, hours in ZONES.items()}


def _dtg(found: re.Match[str], where: str) -> datetime:
    month = _MONTHS.get(found["mon"].lower())
    year = int(found["y"])
    year += 0 if year >= 100 else 2000
    tz = _ZONE_TZ[found["tz"].upper()] if found["tz"] else UTC
    try:
        if month is None:
            raise ValueError(f"unknown month {found['mon']!r}")
        stamp = datetime(year, month, int(found["d"]), int(found["h"]), int(found["mi"]), tzinfo=tz)
    except ValueError as exc:
        raise FormatError(NAME, f"{where}, date-time group", f"{found.group(0)!r}: {exc}") from exc
    return stamp.astimezone(UTC)


def _sperrfrist(line: str, ref: datetime | None, where: str) -> datetime | None:
    """'Sperrfrist 29. November, 18.00 Uhr MEZ' -> UTC; None when it cannot be placed."""
    found = _SPERRFRIST.search(line)
    if not found or not (found["day"] or found["h"]):
        return english_embargo(line, ref, f"{where}, embargo", NAME, "Europe/Berlin", 1)
    month = None
    if found["mon"]:
        month = int(found["mon"])
    elif found["month"]:
        month = _GERMAN_MONTHS.get(found["month"].lower()) or _MONTHS.get(found["month"][:3].lower())
        if month is None:
            raise FormatError(NAME, f"{where}, Sperrfrist", f"unknown month in {line[:60]!r}")
    hour, minute = (int(found["h"]), int(found["mi"])) if found["h"] else (0, 0)
    if not (1 <= (month or 1) <= 12) or hour > 23 or minute > 59:
        raise FormatError(NAME, f"{where}, Sperrfrist", f"bad date or time in {line[:60]!r}")
    day = int(found["day"]) if found["day"] else None
    year = int(found["year"]) if found["year"] else None
    return resolve(year, month, day, hour, minute, zone(found["tz"], "Europe/Berlin", 1), ref,
                   NAME, f"{where}, Sperrfrist")


FORMAT = Format(NAME, looks_like, parse)
