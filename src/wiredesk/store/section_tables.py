"""The reader site's sections and the IPTC codes each story is filed under (issue 14;
store/sections.py, store/filing.py)."""

from __future__ import annotations

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, String, Table

from wiredesk.store.schema import metadata

# Sections of the reader site (store/sections.py): a slug, a title and the subjects it takes
# (IPTC codes such as medtop:15000000, or subject names), in the order the header lists them.
sections = Table(
    "sections",
    metadata,
    Column("slug", String(60), primary_key=True),
    Column("title", String(200), nullable=False),
    Column("subjects", JSON, nullable=False),
    Column("position", Integer, nullable=False),
)

# Every IPTC code a story's head version is filed under, with the codes above it
# (store/topics.py): what a section's page and feeds look stories up by.
story_topics = Table(
    "story_topics",
    metadata,
    Column("story_id", Integer, ForeignKey("stories.id", ondelete="CASCADE"), nullable=False),
    Column("code", String(40), nullable=False),
)
Index("ix_story_topics_code", story_topics.c.code, story_topics.c.story_id)
Index("ix_story_topics_story", story_topics.c.story_id)
