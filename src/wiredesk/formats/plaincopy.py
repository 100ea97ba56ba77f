"""Plain agency copy: a story as text, often copied off a syndicating page.

Recognises the agency's own parts (headline with Reuters tags, byline, dateline, body,
advisory and credit lines, withdrawal notices) and drops the page around them ("Now
Reading:", repeated headlines, text-size widgets, share prompts, the site's own notice):
the rules are wirerules' `read_copy`.
"""

from __future__ import annotations

import re

from wiredesk.formats.bodies import body_from_paragraphs
from wiredesk.formats.contract import Format
from wiredesk.formats.copyrules import clean_by, drop_agency_line, split_credit, take_key
from wiredesk.formats.errors import FormatError
from wiredesk.formats.revisions import tags_label
from wiredesk.formats.textcodec import decode
from wiredesk.formats.wirerules import (
    WITHDRAWN_REF,
    plain_uri,
    read_copy,
    signal,
    strip_tags,
    withdrawn_notice,
)
from wiredesk.story import Pubstatus, Story

NAME = "plain"

_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def looks_like(data: bytes) -> bool:
    """Plain copy is the fallback: readable text with a first line and some body. Not framed
    wire copy (SOH, STX, ETX...), whose header no other format could read: that is a broken
    ANPA or IPTC 7901 file."""
    head = data[:8192]
    if _CONTROL.search(head):
        return False
    text = head.decode("utf-8", errors="replace")
    lines = [line for line in text.splitlines() if line.strip()]
    return len(lines) >= 2 and not text.lstrip().startswith(("<", "{", "["))


def parse(data: bytes, *, agency: str | None = None) -> list[Story]:
    text = decode(data, NAME).replace("\r\n", "\n").replace("\r", "\n")
    key, text = take_key(text)  # a slug or keyword line names the story across rewrites
    text, ap_line = drop_agency_line(text)  # "By A and B" / "Associated Press"
    parts = read_copy(text)
    if not parts.headline:
        raise FormatError(NAME, "line 1", "expected a headline line, found no text")
    withdrawn = withdrawn_notice(text)
    if not parts.paragraphs and not withdrawn:
        raise FormatError(NAME, "body", "expected story paragraphs after the headline, found none")
    pubstatus = Pubstatus.USABLE
    signals = [signal(tag) for tag in parts.tags]
    target_headline = parts.headline
    if withdrawn or any(t.startswith(("WITHDRAWN", "KILL")) for t in parts.tags):
        pubstatus = Pubstatus.CANCELED
        signals.append("withdrawn")
        ref = WITHDRAWN_REF.search(text)
        if ref:
            target_headline = strip_tags(ref.group("headline").strip())[0]
    version = key.version if key else None
    for tag in parts.tags:
        number = re.search(r"(UPDATE|WRAPUP) (\d+)", tag)
        if number:
            version = str(int(number.group(2)) + 1)
    signals += key.signals if key else ()
    if version is None and not any(signals):
        version = "1"  # copy that signals nothing is the first version; CORRECTED- names none
    agency_name = parts.agency or ("AP" if ap_line else None) or agency
    paragraphs, credit = parts.paragraphs, []
    if b"___" in data or b"/" in data[-300:]:  # AP's "___" section, AFP's "jm/lb" sign-off
        paragraphs, credit = split_credit(parts.paragraphs)
    creditline = " ".join(c for c in (parts.credit, *credit) if c) or None
    return [
        Story(
            uri=plain_uri(agency_name, f"key {key.slug}" if key else target_headline),
            headline=parts.headline,
            body=body_from_paragraphs(paragraphs),
            version=version,
            pubstatus=pubstatus,
            slugline=key.slug if key else None,
            by=clean_by(parts.by),
            located=parts.located,
            dateline=parts.dateline,
            agency=agency_name,
            ednote=" ".join(parts.advisories) or None,
            creditline=creditline,
            signals=tuple(dict.fromkeys(s for s in signals if s)),
            label=tags_label(parts.tags) or (key.label if key else None),
            raw=data,
            format=NAME,
        )
    ]


FORMAT = Format(NAME, looks_like, parse)
