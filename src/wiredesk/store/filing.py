"""The story_topics rows of a story's head version: the SQL half of store/topics.py, which
the writer calls when it sets a head (rows wait with the other pending rows of a new story)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, delete

from wiredesk.store import bulk
from wiredesk.store.section_tables import story_topics
from wiredesk.store.topics import story_topics as codes_of
from wiredesk.story import Story


def rows(story_id: int, story: Story) -> list[dict[str, Any]]:
    return [{"story_id": story_id, "code": code} for code in codes_of(story.subjects)]


def write(c: Connection, pending: list[dict[str, Any]]) -> None:
    bulk.append(c, story_topics, pending)


def clear(c: Connection, story_id: int) -> None:
    """Before a new head's rows: the old head's codes go."""
    c.execute(delete(story_topics).where(story_topics.c.story_id == story_id))
