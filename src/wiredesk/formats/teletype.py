"""What the teletype wires share (ANPA 1312 and IPTC 7901): control-character framing
(SOH header STX text ETX [EOT]), uris from the agency and keyword, datelines in their 7-bit
forms, and the copyright and usage lines that close the text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from wiredesk.formats.errors import FormatError
from wiredesk.formats.textcodec import decode
from wiredesk.formats.wirerules import AGENCIES, DATELINE

_FRAMING_CHARS = "\x01\x02\x03\x04\x16"
_FRAMING = re.compile(f"[{_FRAMING_CHARS}]")
_DATELINE_ALT = re.compile(  # "San Diego (tca/dpa) -", "Berlin/Hamburg (dpa) -", KNA's
    # "Berlin (KNA) Die ..." (no dash)
    r"^(?P<dateline>(?P<place>[A-ZÄÖÜ][\w.'’/ -]{0,60}?(?:, [A-Z][\w.'’ -]{0,40}?)?)"
    r" \((?P<agency>[\w-]+(?:/[\w-]+)*)\))(?:\s*(?:-{1,2}|[—–_]))?\s+(?=\S)"
)
_RIGHTS = re.compile(
    r"^(?P<notice>(?:Copyright\b ?(?:©|\(c\))?|©|\(c\)) ?(?P<year>\d{4})? ?(?P<holder>[^.]{2,80}?)(?:\.|$)"
    r"(?: ?(?:All rights reserved|Alle Rechte vorbehalten)\.)?)(?: (?P<terms>\S.*))?$",
    re.I,
)
_TERMS = re.compile(
    r"^(?:This material may not|Nutzung nur|Verwendung nur|Nur (?:zur|für)|Use (?:only|of this)|"
    r"Not for (?:sale|resale|distribution)|For (?:editorial )?use only)", re.I,
)
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


@dataclass(frozen=True)
class Frame:
    """One SOH ... STX ... ETX [... EOT] message, decoded; raw is its own bytes."""

    where: str
    raw: bytes
    header: str
    text: str
    post: str


def frames(data: bytes, fmt: str) -> list[Frame]:
    """Split a stream on SOH; each message must carry STX ... ETX and may end with EOT."""
    starts = _frame_starts(data)
    if not starts:
        raise FormatError(fmt, "byte 0", "expected SOH (0x01) opening a message, found none")
    if data[: starts[0]].strip():
        raise FormatError(fmt, "byte 0", "expected the stream to start with SOH (0x01)")
    out = []
    bounds = [*starts, len(data)]
    for index, (start, end) in enumerate(zip(bounds, bounds[1:], strict=False), 1):
        chunk = data[start:end]
        where = f"message {index} (byte {start})"
        eot_byte = chunk.find(b"\x04")
        raw = chunk[: eot_byte + 1] if eot_byte >= 0 else chunk.rstrip()
        try:
            text = decode(chunk, fmt)
        except FormatError as exc:
            raise FormatError(fmt, f"{where}, {exc.where}", exc.problem) from exc
        soh = text.index("\x01")
        stx = text.find("\x02", soh)
        if stx < 0:
            raise FormatError(fmt, where, "expected STX (0x02) after the header: truncated or unframed")
        etx = text.find("\x03", stx)
        if etx < 0:
            raise FormatError(fmt, where, "expected ETX (0x03) ending the text: message truncated")
        eot = text.find("\x04", etx)
        post = text[etx + 1:] if eot < 0 else text[etx + 1:eot]
        if eot >= 0 and text[eot + 1:].strip():
            raise FormatError(fmt, where, "expected only whitespace between EOT and the next SOH")
        parts = (("header", text[soh + 1:stx]), ("text", text[stx + 1:etx]), ("after ETX", post))
        # The usual message holds no framing character but its own STX, ETX and EOT (after
        # EOT comes only whitespace): five counts over it stand for a scan of each part.
        framing = sum(map(text.count, _FRAMING_CHARS, (soh + 1,) * 5))
        for name, part in parts if framing != 2 + (eot >= 0) else ():
            bad = _FRAMING.search(part)
            if bad:
                raise FormatError(fmt, f"{where}, {name}", f"unexpected control character "
                                  f"0x{ord(bad.group()):02X}; expected SOH header STX text ETX EOT")
        out.append(Frame(where, raw if len(starts) > 1 else data, parts[0][1], parts[1][1], post))
    return out


def _frame_starts(data: bytes) -> list[int]:
    """Where each SOH's message starts, the SYNs just before it included: the starts of the
    matches of \\x16*\\x01, found with bytes.find (memchr) instead of a regex, which would
    try every byte as its pattern opens with a repeat."""
    starts = []
    at = data.find(b"\x01")
    while at >= 0:
        start = at
        while start and data[start - 1] == 0x16:  # SYN
            start -= 1
        starts.append(start)
        at = data.find(b"\x01", at + 1)
    return starts


def slug(text: str) -> str:
    """ASCII slug: German letters spelled out, other accents dropped ("Fußball" -> "fussball")."""
    folded = unicodedata.normalize("NFKD", text.lower().translate(_FOLD))
    return _NOT_SLUG.sub("-", folded.encode("ascii", "ignore").decode()).strip("-")


def story_uri(fmt: str, agency: str | None, keyword: str, drop: re.Pattern[str]) -> str:
    """Stable across versions: the agency and the keyword (slug), nothing that changes."""
    keyword_slug = slug(drop.sub("", keyword.strip())) or "untitled"
    return f"urn:wiredesk:{fmt}:{slug(agency or '') or 'unknown'}:{keyword_slug}"


def match_dateline(paragraph: str) -> tuple[str, str, str, str] | None:
    """(dateline, place, agency, rest of the paragraph) when it opens with a dateline."""
    probe = paragraph.replace(") _ ", ") — ", 1)  # AP's 7-bit dash; same length, same offsets
    found = DATELINE.match(probe)
    if found:
        agency = AGENCIES[found["agency"].lower()]
    else:
        found = _DATELINE_ALT.match(probe)
        names = found["agency"].split("/") if found else []
        known = [AGENCIES[n.lower()] for n in names if n.lower() in AGENCIES]
        if not found or not known:
            return None
        agency = known[-1]
    return found["dateline"].strip(), found["place"].strip(), agency, paragraph[found.end():]


def split_rights(paras: list[str]) -> tuple[list[str], str | None, str | None, str | None]:
    """Trailing copyright and usage lines: (body, holder, notice, terms)."""
    paras = list(paras)
    holder = notice = None
    terms: list[str] = []
    for _ in range(3):
        if not paras:
            break
        last = paras[-1]
        rights = _RIGHTS.match(last)
        if rights and notice is None:
            notice, holder = rights["notice"], rights["holder"].strip()
            terms.insert(0, rights["terms"] or "")
        elif _TERMS.match(last):
            terms.insert(0, last)
        else:
            break
        paras.pop()
    return paras, holder, notice, " ".join(t for t in terms if t) or None
