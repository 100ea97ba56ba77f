"""Editorial rules and the decisions they made (issue 14).

Revision ID: 0013
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

from wiredesk.store import search
from wiredesk.store.codec import story_from_row
from wiredesk.store.schema import UTCDateTime, stories, versions

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rules",
        sa.Column("name", sa.String(100), primary_key=True),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("action", sa.String(12), nullable=False),
        sa.Column("enabled", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("settings", sa.JSON, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "story_decisions",
        sa.Column("story_id", sa.Integer, sa.ForeignKey("stories.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("action", sa.String(12), nullable=False),
        sa.Column("rule", sa.String(100)),
        sa.Column("actor", sa.String(200)),
        sa.Column("at", UTCDateTime, nullable=False),
    )
    # The search index now holds held stories too (the console finds them by words).
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(stories.c.id, versions.c.meta, versions.c.body_received,
                  versions.c.body_content_type, versions.c.body_html, versions.c.body_text)
        .join(versions, versions.c.id == stories.c.head_version_id)
        .where(stories.c.state == "withheld")).all()
    search.index_many(bind, search.index_rows(bind.dialect.name,
                                              [(r.id, story_from_row(r.meta, r)) for r in rows]))


def downgrade() -> None:
    op.drop_table("story_decisions")
    op.drop_table("rules")
