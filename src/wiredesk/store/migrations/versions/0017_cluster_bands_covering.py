"""Cluster bands: the band index carries the story id, so a newcomer's candidates are read
from the index alone (no table row per matching band; issue 18's cost).

Revision ID: 0017
Revises: 0011
"""

from alembic import op

revision = "0017"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_cluster_bands_band", "cluster_bands")
    op.create_index("ix_cluster_bands_band", "cluster_bands", ["band", "at", "story_id"])


def downgrade() -> None:
    op.drop_index("ix_cluster_bands_band", "cluster_bands")
    op.create_index("ix_cluster_bands_band", "cluster_bands", ["band", "at"])
