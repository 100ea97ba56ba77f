"""Plain copy as agencies send it: the parts wirerules' `read_copy` leaves in the text.

- AP's two-line byline, "By NAME and NAME" then "Associated Press": the agency line is
  no part of the byline (`drop_agency_line`).
- The credit that closes a story and is not body: AFP's sign-off codes ("jm/lb",
  "burs-jm/lb") and everything after AP's "___" separator (`split_credit`).
- A key the copy carries to name the story by, so that an update whose headline was
  rewritten stays the same story (`take_key`): AP's slug line ("BC-US--Fed-Rates,1st
  Ld-Writethru/540"), Reuters' keyword line ("USA-FED/RATES (UPDATE 2)"), dpa's keyword
  line ("Bundestag/Haushalt/"), or a labelled one ("Slug: ...", "Stichwort: ...").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_AGENCY_LINE = r"(?:The )?(?:Associated Press|AP(?: [A-Z][\w-]*)*? Writers?|AP)"
_AP_BYLINE = re.compile(
    rf"^(?P<by>[ \t]*By [^\n]+?)[ \t]*\n(?:[ \t]*\n)?[ \t]*{_AGENCY_LINE}[ \t]*$", re.M)
_BY_SUFFIX = re.compile(rf",? {_AGENCY_LINE}$")
_SIGN_OFF = re.compile(r"^[a-z]{1,6}(?:-[a-z]{1,6})*(?:/[a-z]{1,6}){1,4}$")  # AFP: jm/lb
_SEPARATOR = re.compile(r"^_{3,}$")
_AP_SLUG = re.compile(r"^BC-(?P<slug>[^,/\s][^,/]*?)(?P<rest>(?:,[^,/]*)*)(?:/\d+)?$")
_AP_LEAD = re.compile(r"(?:(?P<n>\d+)(?:st|nd|rd|th) )?Ld-Writethru", re.I)
_REUTERS_KEY = re.compile(r"^(?P<slug>[A-Z0-9]+(?:[-/][A-Z0-9]+)+/?)(?: \((?P<rest>[^)]*)\))?$")
_UPDATE = re.compile(r"\b(?:UPDATE|WRAPUP) (?P<n>\d+)\b")
_LABELLED = re.compile(r"^(?:Slug|Keywords?|Key|Stichworte?)\s*:\s*(?P<slug>\S.{0,100})$", re.I)
_DPA_KEY = re.compile(r"^(?P<slug>[\wÄÖÜäöüß][\wÄÖÜäöüß .-]{0,60}(?:/[\wÄÖÜäöüß .()-]{1,60})*)/$")
_AP_LABEL = re.compile(r"(?i)Writethru|Correct|Refile|Repeat|Advisory")
_REUTERS_LABEL = re.compile(r"^\s*(?:(?:UPDATE|WRAPUP|CORRECTED|REFILE|RPT)(?: \d+)?-?)+\s*$")
_FIRST_LINE = re.compile(r"\n*([^\n]*)\n")
_LAST_LABEL = re.compile(r"\n[ \t]*(?:Slug|Keywords?|Key|Stichworte?)[ \t]*:[ \t]*"
                         r"(?P<slug>\S[^\n]{0,100})\s*$", re.I)
_MARKER = re.compile(r"\s*\([^()]*\)")
_DPA_SUMMARY = re.compile(r"(?:(?P<n>\d+)\. ?)?(?:Zusammenfassung|Neufassung)", re.I)
_DPA_VERSION = re.compile(r"^(?:\d+\. ?)?(?:Zusammenfassung|Neufassung|Berichtigung|"
                          r"Korrektur|Wiederholung)$", re.I)


def drop_agency_line(text: str) -> tuple[str, bool]:
    """The text with AP's agency line under the byline removed, and whether one was."""
    at = text.find("By ", 0, 1200)
    while at >= 0:  # each "By " that opens a line: the pattern only where the next line
        start = text.rfind("\n", 0, at) + 1  # could name the agency (cheap finds first)
        end = text.find("\n", at)
        if end < 0:
            break
        after = text[end:end + 80]
        if not text[start:at].strip() and ("Press" in after or "AP" in after) \
                and (found := _AP_BYLINE.match(text, start)):
            return text[:start] + found["by"] + text[found.end():], True
        at = text.find("By ", at + 3, 1200)
    return text, False


def clean_by(by: str | None) -> str | None:
    """A byline without an agency line joined onto it ("... Associated Press")."""
    if not by or not by.endswith(("Press", "Writer", "Writers", "AP")):
        return by
    return _BY_SUFFIX.sub("", by).strip() or by


def split_credit(paragraphs: list[str]) -> tuple[list[str], list[str]]:
    """(body, credit): AP's "___" and all after it, then AFP's sign-off codes, closing."""
    body, credit = paragraphs, []
    for index in range(1, len(body)):
        if body[index].startswith("___") and _SEPARATOR.match(body[index]):
            credit = [p for p in body[index + 1:] if not _SEPARATOR.match(p)]
            body = body[:index]
            break
    if len(body) > 1 and "/" in body[-1] and _SIGN_OFF.match(body[-1]):
        body = body[:-1]
        credit.insert(0, paragraphs[len(body)])
    return body, credit


@dataclass(frozen=True)
class Key:
    """What names the story across its versions, and what the key line says of the version."""

    slug: str
    version: str | None = None
    signals: tuple[str, ...] = ()
    label: str | None = None  # the version as the key line words it: "1st Ld-Writethru"


def take_key(text: str) -> tuple[Key | None, str]:
    """The key line opening the copy (or a labelled one closing it), and the text without it."""
    first = _FIRST_LINE.match(text)
    if first is not None and (key := _key(first.group(1).strip())) is not None:
        rest = text[first.end():]
        if rest.strip():
            return key, rest
    tail = len(text) - 200 if len(text) > 200 else 0
    if ":" in text[tail:] and (found := _LAST_LABEL.search(text, tail)):
        return Key(found["slug"].strip()), text[: found.start()]
    return None, text


def _key(line: str) -> Key | None:
    if not line or len(line) > 120 or not ("/" in line or "-" in line or ":" in line):
        return None  # every key line holds one of these: most headlines are skipped here
    if found := _AP_SLUG.match(line):
        lead = _AP_LEAD.search(found["rest"])
        version = str(int(lead["n"] or 1) + 1) if lead else None
        signals = ("update",) if lead else ()
        if re.search(r"(?i)\bcorrect", found["rest"]):
            signals += ("correction",)
        words = [w.strip() for w in found["rest"].split(",")]
        label = ", ".join(w for w in words if _AP_LABEL.search(w)) or None
        return Key(found["slug"].strip(), version, signals, label)
    if found := _LABELLED.match(line):
        return Key(found["slug"].strip())
    if found := _REUTERS_KEY.match(line):
        update = _UPDATE.search(found["rest"] or "")
        label = found["rest"].strip() if _REUTERS_LABEL.match(found["rest"] or "") else None
        return Key(found["slug"].rstrip("/"),
                   str(int(update["n"]) + 1) if update else None, ("update",) if update else (),
                   label)
    if "/" in line and (found := _DPA_KEY.match(_MARKER.sub("", line).strip())):
        parts = [p.strip() for p in found["slug"].split("/")]
        slug = "/".join(p for p in parts if p and not _DPA_VERSION.match(p))
        marks = " ".join([*re.findall(r"\(([^()]*)\)", line), *parts])
        summary = _DPA_SUMMARY.search(marks)
        version = str(int(summary["n"] or 1) + 1) if summary else None
        signals = ("update",) if summary else ()
        if re.search(r"(?i)Berichtigung|Korrektur", marks):
            signals += ("correction",)
        label = ", ".join(m for m in [*re.findall(r"\(([^()]*)\)", line), *parts]
                          if _DPA_VERSION.match(m.strip())) or None
        return Key(slug, version, signals, label) if slug else None
    return None
