"""Sources as data: poll state, leases and health per source.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

from wiredesk.store.schema import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "source_state",
        sa.Column("name", sa.String(100), sa.ForeignKey("sources.name", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("next_poll_at", UTCDateTime),
        sa.Column("lease_owner", sa.String(200)),
        sa.Column("lease_until", UTCDateTime),
        sa.Column("last_attempt_at", UTCDateTime),
        sa.Column("last_success_at", UTCDateTime),
        sa.Column("last_error_at", UTCDateTime),
        sa.Column("last_error", sa.Text),
        sa.Column("consecutive_failures", sa.Integer, nullable=False, server_default="0"),
        sa.Column("memo", sa.JSON, nullable=False),
    )
    op.create_index("ix_source_state_due", "source_state", ["next_poll_at"])
    op.create_index("ix_versions_source_received", "versions", ["source", "received_at"])


def downgrade() -> None:
    op.drop_index("ix_versions_source_received", table_name="versions")
    op.drop_table("source_state")
