"""Search index (FTS5 on SQLite, tsvector + GIN on PostgreSQL) and story subjects.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

from wiredesk.store.search import create_index_sql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "story_subjects",
        sa.Column("story_id", sa.Integer, sa.ForeignKey("stories.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("uri", sa.String(500)),
    )
    op.create_index("ix_story_subjects_name", "story_subjects", ["name", "story_id"])
    op.create_index("ix_story_subjects_story", "story_subjects", ["story_id"])
    # The news sitemap's "first published in the last two days" and the page cache's next
    # window boundary both look stories up by first publication.
    op.create_index("ix_stories_firstcreated", "stories", ["firstcreated"])
    # Purging a story's raw bytes asks whether any other version still points at them.
    op.create_index("ix_versions_raw", "versions", ["raw_sha256"])
    # Every list (front page, feeds, API, sitemaps) walks stories newest first to a LIMIT.
    op.create_index("ix_stories_vc_id", "stories", ["versioncreated", "id"])
    for statement in create_index_sql(op.get_bind().dialect.name):
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS story_search")
    op.drop_index("ix_stories_firstcreated", "stories")
    op.drop_index("ix_versions_raw", "versions")
    op.drop_index("ix_stories_vc_id", "stories")
    op.drop_table("story_subjects")
