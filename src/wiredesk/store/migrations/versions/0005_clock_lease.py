"""The clock's lease: one worker at a time runs lifecycle.tick.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

from wiredesk.store.schema import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "clock_lease",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("owner", sa.String(200)),
        sa.Column("until", UTCDateTime),
    )


def downgrade() -> None:
    op.drop_table("clock_lease")
