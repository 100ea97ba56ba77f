"""The compliance ledger: received, shown, versions, embargo lifts, takedowns and CDN purges
per story, with hashes and times and no words (store/ledger.py).

Revision ID: 0015
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

from wiredesk.store.schema import UTCDateTime

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ledger",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("story_id", sa.Integer, nullable=False),
        sa.Column("uri", sa.String(500), nullable=False),
        sa.Column("agency", sa.String(100)),
        sa.Column("source", sa.String(100)),
        sa.Column("sha256", sa.String(64)),
        sa.Column("format", sa.String(40)),
        sa.Column("size", sa.Integer),
        sa.Column("parsed_with", sa.String(100)),
        sa.Column("due_at", UTCDateTime),
        sa.Column("done_at", UTCDateTime),
        sa.Column("seconds", sa.Float),
        sa.Column("reason", sa.String(20)),
        sa.Column("actor", sa.String(200)),
        sa.Column("licence_days", sa.Integer),
        sa.Column("shown", sa.Boolean),
        sa.Column("answer", sa.String(300)),
    )
    op.create_index("ix_ledger_agency_at", "ledger", ["agency", "at"])
    op.create_index("ix_ledger_story", "ledger", ["story_id", "id"])
    op.create_index("ix_ledger_at", "ledger", ["at"])


def downgrade() -> None:
    op.drop_index("ix_ledger_at", "ledger")
    op.drop_index("ix_ledger_story", "ledger")
    op.drop_index("ix_ledger_agency_at", "ledger")
    op.drop_table("ledger")
