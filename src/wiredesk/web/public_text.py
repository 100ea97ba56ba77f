"""How much of a story the public API and feeds give: a source's `public_text` setting.

    full      the whole story (the default: the site's behaviour before the setting)
    summary   headline and the first paragraph (at most SUMMARY_CHARS), no body
    headline  the headline and the story's facts, no text at all

A request with an API key (web/keys.py) always gets the full text. Settings are looked up per
source and remembered for TTL seconds; cached pages made before a change keep their text
until the next change to the stories (or their max-age).
"""

from __future__ import annotations

import time
from dataclasses import replace
from html import escape
from typing import Any

from wiredesk.store import Store, StoryRecord
from wiredesk.story import Body, Story

LEVELS = ("full", "summary", "headline")
SUMMARY_CHARS = 400
TTL = 30.0


def summary_of(story: Story) -> str:
    """The first paragraph of the text, cut at a word near SUMMARY_CHARS."""
    text = (story.body.text or "").strip()
    first = text.split("\n", 1)[0].strip() if text else ""
    if len(first) > SUMMARY_CHARS:
        first = first[:SUMMARY_CHARS].rsplit(" ", 1)[0] + " …"
    return first


class PublicText:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.seen: dict[str, tuple[str, float]] = {}

    def level(self, source: str) -> str:
        now = time.monotonic()
        found = self.seen.get(source)
        if found is not None and found[1] > now:
            return found[0]
        row = self.store.sources.get(source)
        value = (row.settings or {}).get("public_text", "full") if row is not None else "full"
        level = value if value in LEVELS else "full"
        if len(self.seen) > 10_000:
            self.seen.clear()
        self.seen[source] = (level, now + TTL)
        return level

    def trim(self, item: dict[str, Any], source: str, story: Story) -> dict[str, Any]:
        """A ninjs item (any profile) cut to what the source lets the public have."""
        level = self.level(source)
        if level == "full":
            return item
        for key in ("bodies", "body_html", "body_text"):
            item.pop(key, None)
        if level == "headline":
            item.pop("descriptions", None)
            for key in [k for k in item if k.startswith("description_")]:
                item.pop(key)
            return item
        summary = summary_of(story)
        if summary:
            if "headline" in item:  # ninjs 1.6
                item["description_summary"] = summary
            else:
                item["descriptions"] = [*item.get("descriptions", []),
                                        {"role": "summary", "value": summary}]
        return item


def for_public(record: StoryRecord, level: str) -> StoryRecord:
    """The record with its body cut to `level`, for surfaces that render the body (feeds)."""
    if level == "full":
        return record
    text = summary_of(record.story) if level == "summary" else ""
    body = Body(received=text, content_type="text/plain",
                html=f"<p>{escape(text)}</p>" if text else "", text=text)
    return replace(record, story=replace(record.story, body=body))
