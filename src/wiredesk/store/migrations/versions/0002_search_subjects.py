"""Search index (FTS5 on SQLite, tsvector + GIN on PostgreSQL) and story subjects.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

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
    # The index as it was first made; 0009 rebuilds it with stemming (search.create_index_sql).
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE TABLE story_search (story_id INTEGER PRIMARY KEY REFERENCES "
                   "stories(id) ON DELETE CASCADE, document tsvector NOT NULL, body TEXT NOT NULL)")
        op.execute("CREATE INDEX ix_story_search_document ON story_search USING GIN (document)")
    else:
        op.execute("CREATE VIRTUAL TABLE story_search USING fts5(headline, body, "
                   "tokenize='unicode61 remove_diacritics 2', prefix='2 3')")


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS story_search")
    op.drop_index("ix_stories_firstcreated", "stories")
    op.drop_index("ix_versions_raw", "versions")
    op.drop_index("ix_stories_vc_id", "stories")
    op.drop_table("story_subjects")
