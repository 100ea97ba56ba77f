"""What a reader or a subscriber is told about one journal event, said once for /events,
the live pages and the webhooks.

The journal holds no words of a story (store/journal.py): the headline is looked up here, and
only while the story is visible, so a takedown never carries the words it takes down. The
event's subjects and agency are kept for filtering (`?section=`, a subscriber's agency) but
only the agency is told.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from wiredesk.store import Store
from wiredesk.store.journal import StoryEvent
from wiredesk.times import iso


@dataclass(frozen=True, slots=True)
class EventData:
    event_id: int
    kind: str  # new | update | takedown
    story_id: int
    agency: str | None
    subjects: tuple[str, ...]
    urgency: int | None
    data: dict[str, Any]  # the JSON told to readers and subscribers

    def matches_section(self, section: str) -> bool:
        """`section` names an agency or a subject, as written or as its slug."""
        wanted = section.strip().lower()
        names = [n for n in (self.agency, *self.subjects) if n]
        return any(wanted in (n.lower(), slug(n)) for n in names)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def describe(store: Store, event: StoryEvent, now: datetime) -> EventData:
    """The public account of `event`; the headline only while the story is visible now."""
    data: dict[str, Any] = {"event_id": event.id, "event": event.kind, "id": event.story_id,
                            "uri": event.uri, "agency": event.agency, "time": iso(event.at),
                            "path": f"/story/{event.story_id}"}
    subjects = event.subjects
    urgency = event.urgency
    if event.kind == "takedown":
        data["reason"] = event.reason or "removed"
    else:
        record = store.story(event.story_id)
        if record is not None and record.state != "takendown" and record.visible(now):
            story = record.story
            data["headline"] = story.headline
            data["path"] = f"/story/{event.story_id}/{slug(story.headline)[:80] or 'story'}"
            urgency = urgency if urgency is not None else story.urgency
            subjects = subjects or tuple(s.name for s in story.subjects if s.name)
        data["urgency"] = urgency
    return EventData(event.id, event.kind, event.story_id, event.agency, subjects, urgency, data)
