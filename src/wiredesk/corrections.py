"""Corrections and version labels as readers see them, derived from the stored Story alone.

A version is a correction when its copy says so: the `correction` signal the formats set
(Reuters CORRECTED-, AP's Correction type, NewsML-G2 `sig:correction`, ninjs `signals`, dpa's
Berichtigung, ANPA's Correction field), or an editor's note that words one (a Reuters REFILE
with its "(Corrects ...)" line, AP's "This story has been corrected to show ..."). The
notice quotes the agency: its correction line as it sent it, found in the editor's note
(Reuters' "(Corrects ...)", AP's "This story has been corrected to show ...", dpa's
"Berichtigung: ...") or, where the copy puts it there, at the start or end of the text. The
body is never changed: the words are only read.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from wiredesk.story import Story
from wiredesk.web.i18n import N_

_KEYWORD = r"(?:Corrects|Correcting|Corrected|Correction|Berichtigung|Korrektur|Rectificaci[oó]n|Rectificatif)"
_PAREN = re.compile(rf"\((?P<words>{_KEYWORD}\b[:\s][^()]+)\)", re.I)
_SENTENCE = re.compile(
    r"(?P<words>(?:This (?:story|article|version|item) (?:has been corrected|was corrected|"
    r"corrects)|An earlier version of this (?:story|article)|In an? (?:earlier|previous) "
    r"version of this (?:story|article))\b.*?(?:\.(?=\s|$)|$))", re.I | re.S)
_LEAD = re.compile(rf"^\s*(?:Eds?:\s*)?(?P<words>{_KEYWORD}\b[:\s-].+?)\s*$", re.I | re.S)
MAX_WORDS = 600  # characters of the agency's wording a notice quotes at most


@dataclass(frozen=True, slots=True)
class Correction:
    """What the article says at its top: the agency's words (None when it sent none)."""

    words: str | None
    agency: str | None


def wording(text: str | None) -> str | None:
    """The correction line(s) in a note or a paragraph, as the agency wrote them."""
    if not text or not re.search(r"(?i)correct|berichtig|korrektur|rectif", text):
        return None  # nearly all text: one search
    found = [m.group("words") for m in _PAREN.finditer(text)]
    found += [m.group("words") for m in _SENTENCE.finditer(text)]
    if not found and (lead := _LEAD.match(text)):
        found.append(lead.group("words"))
    words = " ".join(" ".join(w.split()) for w in dict.fromkeys(found))
    return words[:MAX_WORDS] or None


def correction(story: Story) -> Correction | None:
    """The correction this version announces, or None for a plain version or update."""
    signalled = "correction" in story.signals
    words = wording(story.ednote)  # AP's "This story has been corrected ..." is signal enough
    if not signalled and words is None:
        return None
    if words is None:
        paragraphs = [p for p in story.body.text.split("\n") if p.strip()]
        for paragraph in (*paragraphs[:2], *paragraphs[-2:]):
            if words := wording(paragraph):
                break
    if words is None and story.ednote:
        words = " ".join(story.ednote.split())[:MAX_WORDS]  # the agency's note is the notice
    return Correction(words, story.agency)


def version_label(story: Story, ordinal: int, words: Callable[[str], str] = str) -> str:
    """A reader's name for a version: the agency's own label ("UPDATE 2", "CORRECTED",
    "1st Ld-Writethru"), else "First version" for the first, else "Version N" by the
    agency's number or, when it gives none, by arrival (`ordinal` counts from 1).
    `words` translates the site's own two (the public history's gettext; the console's
    English by default); the agency's label is its own and stays as sent."""
    if story.label:
        return story.label
    if ordinal <= 1:
        return words(N_("First version"))
    return words(N_("Version {number}")).format(number=story.version_number or ordinal)
