"""Event clusters: which live stories tell the same event, and their LSH bands.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

from wiredesk.store.schema import UTCDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "story_clusters",
        sa.Column("story_id", sa.Integer, sa.ForeignKey("stories.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("cluster_id", sa.Integer, nullable=False),
        sa.Column("agency", sa.String(100)),
        sa.Column("slug", sa.String(200)),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("features", sa.LargeBinary, nullable=False),
    )
    op.create_index("ix_story_clusters_cluster", "story_clusters", ["cluster_id"])
    op.create_index("ix_story_clusters_slug", "story_clusters", ["agency", "slug", "at"])
    op.create_table(
        "cluster_bands",
        sa.Column("band", sa.BigInteger, nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("story_id", sa.Integer, sa.ForeignKey("stories.id", ondelete="CASCADE"),
                  nullable=False),
    )
    op.create_index("ix_cluster_bands_band", "cluster_bands", ["band", "at"])


def downgrade() -> None:
    op.drop_index("ix_cluster_bands_band", "cluster_bands")
    op.drop_table("cluster_bands")
    op.drop_index("ix_story_clusters_slug", "story_clusters")
    op.drop_index("ix_story_clusters_cluster", "story_clusters")
    op.drop_table("story_clusters")
