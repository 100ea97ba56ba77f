"""Deliveries refused by the owner rule: a source may change only the stories it owns.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

from wiredesk.store.schema import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "refusals",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("story_id", sa.Integer),
        sa.Column("uri", sa.String(500), nullable=False),
        sa.Column("owner", sa.String(100), nullable=False),
        sa.Column("agency", sa.String(100)),
        sa.Column("source", sa.String(100), nullable=False),
        sa.Column("source_agency", sa.String(100)),
        sa.Column("pubstatus", sa.String(12), nullable=False),
        sa.Column("delivery_name", sa.Text),
    )
    op.create_index("ix_refusals_at", "refusals", ["at"])


def downgrade() -> None:
    op.drop_index("ix_refusals_at", "refusals")
    op.drop_table("refusals")
