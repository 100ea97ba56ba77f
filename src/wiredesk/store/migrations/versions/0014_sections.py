"""Sections (the 17 IPTC top levels by default) and the IPTC codes each story is filed under.

Revision ID: 0014
Revises: 0011
"""

import json

import sqlalchemy as sa
from alembic import op

from wiredesk.store.sections import default_rows
from wiredesk.store.topics import story_topics
from wiredesk.story import Subject

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

BATCH = 1000


def upgrade() -> None:
    table = op.create_table(
        "sections",
        sa.Column("slug", sa.String(60), primary_key=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("subjects", sa.JSON, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
    )
    op.bulk_insert(table, default_rows())
    topics = op.create_table(
        "story_topics",
        sa.Column("story_id", sa.Integer, sa.ForeignKey("stories.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("code", sa.String(40), nullable=False),
    )
    op.create_index("ix_story_topics_code", "story_topics", ["code", "story_id"])
    op.create_index("ix_story_topics_story", "story_topics", ["story_id"])
    # Stories already stored: their head version's subjects, as the writer files new ones.
    bind = op.get_bind()
    rows = bind.execute(sa.text(
        "SELECT s.id, v.meta FROM stories s JOIN versions v ON v.id = s.head_version_id")).all()
    pending: list[dict[str, object]] = []
    for story_id, meta in rows:
        if isinstance(meta, str):  # SQLite hands JSON back as text to a plain query
            meta = json.loads(meta)
        subjects = [Subject(name=n, uri=u, code=c) for n, u, c in (meta or {}).get("subjects", [])]
        pending += [{"story_id": story_id, "code": code} for code in story_topics(subjects)]
        if len(pending) >= BATCH:
            op.bulk_insert(topics, pending)
            pending = []
    if pending:
        op.bulk_insert(topics, pending)


def downgrade() -> None:
    op.drop_table("story_topics")
    op.drop_table("sections")
