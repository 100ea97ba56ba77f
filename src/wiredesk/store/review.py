"""The review queue's writes: an editor's Publish or Ignore, inside one `Store.write()`.

Publishing changes no word: the head version goes out as it was stored, with the licence end
set when it arrived (counted from the agency's first publication), so the editor's delay
costs the story time on the site, never adds to it. Showing a story writes its journal row
(`new`) in the same transaction, so /events, webhooks and the edge purger hear of it like
any other new story; an embargoed one is left to the clock, which announces it at its lift.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update

from wiredesk.store import clusters
from wiredesk.store.codec import story_from_row
from wiredesk.store.rules import record_decision
from wiredesk.store.schema import stories, versions
from wiredesk.store.writes import LockedStory, Writer
from wiredesk.story import Story


@dataclass(frozen=True, slots=True)
class Waiting:
    """A locked story and what an editor decides on: its head version and licence end."""

    locked: LockedStory
    story: Story
    ends_at: datetime
    embargoed: datetime | None


def lock(w: Writer, uri: str) -> Waiting | None:
    locked = w.lock_story(uri)
    if locked is None:
        return None
    row = w.c.execute(
        select(stories.c.ends_at, stories.c.embargoed, stories.c.urgency, versions.c.meta,
               versions.c.body_received, versions.c.body_content_type, versions.c.body_html,
               versions.c.body_text)
        .join(versions, versions.c.id == stories.c.head_version_id)
        .where(stories.c.id == locked.id)).first()
    if row is None:  # no version shown yet (a kill for a story never had)
        return None
    return Waiting(locked, story_from_row(row.meta, row), row.ends_at, row.embargoed)


def show(w: Writer, waiting: Waiting, state: str, *, actor: str, now: datetime) -> None:
    """Make a story in review (or ignored) `live` or `embargoed`, as it is."""
    sid, story = waiting.locked.id, waiting.story
    w.c.execute(update(stories).where(stories.c.id == sid).values(state=state, updated_at=now))
    record_decision(w.c, sid, "publish", rule=None, actor=actor, now=now)
    clusters.assign(w.c, sid, story, fresh=False, at=story.firstcreated or waiting.locked.firstcreated)
    w.changes.updated.append((sid, story.agency))
    if state == "live":
        w.events.append({"kind": "new", "story_id": sid, "uri": story.uri,
                         "agency": story.agency, "urgency": story.urgency})
    w.changed = True


def ignore(w: Writer, waiting: Waiting, *, actor: str, now: datetime) -> None:
    """Keep a story in review for the record, never shown (it was never shown: no event)."""
    sid = waiting.locked.id
    w.c.execute(update(stories).where(stories.c.id == sid).values(state="ignored",
                                                                  updated_at=now))
    record_decision(w.c, sid, "ignore", rule=None, actor=actor, now=now)
