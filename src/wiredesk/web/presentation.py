"""Small rules of how a story is shown in lists and on its page: its summary, its sections,
its agency's page, "12 min ago", right-to-left languages. Pure: time is passed in."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from wiredesk.store.records import Section, StoryRecord
from wiredesk.store.topics import expand, story_topics
from wiredesk.story import Story
from wiredesk.web.slugs import slug

SUMMARY_LENGTH = 280
# Languages written right to left (ISO 639-1 and -3 where they differ), by their primary tag.
RTL = frozenset({"ar", "arc", "ckb", "dv", "fa", "ha-arab", "he", "iw", "khw", "ks", "ku-arab",
                 "ps", "sd", "syr", "ug", "ur", "yi", "ara", "heb", "fas", "per", "urd",
                 "pus", "yid", "uig", "div", "snd"})
_RTL_SCRIPTS = frozenset({"arab", "hebr", "thaa", "syrc", "nkoo", "adlm", "rohg"})


def rtl(language: str | None) -> bool:
    """Is text in this language (a BCP 47 tag: ar, he-IL, fa, ur, az-Arab...) written right
    to left? A script subtag decides where there is one."""
    if not language:
        return False
    parts = language.strip().lower().replace("_", "-").split("-")
    script = next((p for p in parts[1:] if len(p) == 4 and p.isalpha()), None)
    if script is not None:
        return script in _RTL_SCRIPTS
    return parts[0] in RTL


def summary(story: Story, limit: int = SUMMARY_LENGTH) -> str:
    """The agency's description, else the first paragraph of the text, cut at a word."""
    text = (story.description or "").strip()
    if not text:
        paragraphs = [p.strip() for p in story.body.text.split("\n") if p.strip()]
        text = paragraphs[0] if paragraphs else ""
        if story.dateline and text.startswith(story.dateline):
            text = text[len(story.dateline):].lstrip(" -–—:")
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",;:.-–— ") + "…"


def sections_of(story: Story, sections: Iterable[Section]) -> list[Section]:
    """The sections a story is in, in the site's order: what store/clauses.section_clause
    asks of the store, worked out from the Story itself."""
    codes = set(story_topics(story.subjects))
    names = {s.name.lower() for s in story.subjects if s.name}
    found = []
    for section in sections:
        if any(c in codes for code in section.codes for c in expand(code)) or (
                names.intersection(section.names)):
            found.append(section)
    return found


def agency_path(agency: str) -> str:
    return f"/agencies/{slug(agency)}"


def corrected(record: StoryRecord) -> bool:
    return any(s.lower() == "correction" for s in record.story.signals)


def ago(moment: datetime | None, now: datetime) -> str:
    """'just now', '12 min ago', '3 h ago', '2 days ago': said of a past moment."""
    if moment is None:
        return ""
    seconds = int((now - moment).total_seconds())
    if seconds < 60:
        return "just now"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min ago"
    hours = minutes // 60
    if hours < 24:
        return f"{hours} h ago"
    days = hours // 24
    return "1 day ago" if days == 1 else f"{days} days ago"
