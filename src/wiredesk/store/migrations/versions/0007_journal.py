"""The story journal: new, update and takedown events in commit order, and readers' cursors.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

from wiredesk.store.schema import UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "journal",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("story_id", sa.Integer, nullable=False),
        sa.Column("uri", sa.String(500), nullable=False),
        sa.Column("agency", sa.String(100)),
        sa.Column("urgency", sa.Integer),
        sa.Column("reason", sa.String(20)),
        sa.Column("subjects", sa.JSON),
    )
    op.create_index("ix_journal_at", "journal", ["at"])
    op.create_index("ix_journal_story", "journal", ["story_id", "id"])
    op.create_table(
        "journal_cursors",
        sa.Column("name", sa.String(100), primary_key=True),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("journal_cursors")
    op.drop_index("ix_journal_story", "journal")
    op.drop_index("ix_journal_at", "journal")
    op.drop_table("journal")
