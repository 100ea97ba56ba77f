"""Picture waits: pushed deliveries whose remote pictures the worker still has to fetch
(store/picture_waits.py).

Revision ID: 0018
Revises: 0017
"""

import sqlalchemy as sa
from alembic import op

from wiredesk.store.schema import UTCDateTime

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "picture_waits",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("source", sa.String(100), nullable=False),
        sa.Column("name", sa.String(200)),
        sa.Column("content_type", sa.String(200)),
        sa.Column("data", sa.LargeBinary, nullable=False),
        sa.Column("received_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_picture_waits_source", "picture_waits", ["source", "id"])


def downgrade() -> None:
    op.drop_index("ix_picture_waits_source", "picture_waits")
    op.drop_table("picture_waits")
