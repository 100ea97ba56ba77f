"""Pictures: bytes by SHA-256, picture items, story links, renditions.

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

from wiredesk.store.schema import UTCDateTime

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "picture_bytes",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("data", sa.LargeBinary, nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("mime", sa.String(40), nullable=False),
        sa.Column("width", sa.Integer, nullable=False),
        sa.Column("height", sa.Integer, nullable=False),
    )
    op.create_table(
        "pictures",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("uri", sa.String(500), nullable=False, unique=True),
        sa.Column("source", sa.String(100), nullable=False),
        sa.Column("agency", sa.String(100)),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("sha256", sa.String(64)),
        sa.Column("width", sa.Integer),
        sa.Column("height", sa.Integer),
        sa.Column("mime", sa.String(40)),
        sa.Column("headline", sa.Text),
        sa.Column("caption", sa.Text),
        sa.Column("alt", sa.Text),
        sa.Column("by", sa.String(300)),
        sa.Column("creditline", sa.String(300)),
        sa.Column("copyrightholder", sa.String(300)),
        sa.Column("copyrightnotice", sa.Text),
        sa.Column("usageterms", sa.Text),
        sa.Column("expires", UTCDateTime),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.Column("gone_at", UTCDateTime),
        sa.Column("gone_reason", sa.String(20)),
    )
    op.create_index("ix_pictures_state_expires", "pictures", ["state", "expires"])
    op.create_index("ix_pictures_sha", "pictures", ["sha256"])
    op.create_table(
        "story_pictures",
        sa.Column("story_id", sa.Integer, sa.ForeignKey("stories.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("picture_id", sa.Integer, sa.ForeignKey("pictures.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("role", sa.String(40)),
        sa.Column("position", sa.Integer, nullable=False),
    )
    op.create_index("ix_story_pictures_picture", "story_pictures", ["picture_id"])
    op.create_table(
        "picture_renditions",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("width", sa.Integer, primary_key=True),
        sa.Column("format", sa.String(8), primary_key=True),
        sa.Column("height", sa.Integer, nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("picture_renditions")
    op.drop_index("ix_story_pictures_picture", "story_pictures")
    op.drop_table("story_pictures")
    op.drop_index("ix_pictures_sha", "pictures")
    op.drop_index("ix_pictures_state_expires", "pictures")
    op.drop_table("pictures")
    op.drop_table("picture_bytes")
