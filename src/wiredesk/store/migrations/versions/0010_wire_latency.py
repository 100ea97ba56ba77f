"""Wire-to-web latency per source, and WebSub subscriptions (issue 20).

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

from wiredesk.store.schema import UTCDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("source_state") as batch:
        batch.add_column(sa.Column("last_latency", sa.Float))
        batch.add_column(sa.Column("last_latency_at", UTCDateTime))
    op.create_table(
        "websub",
        sa.Column("source", sa.String(100), sa.ForeignKey("sources.name", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("hub", sa.Text, nullable=False),
        sa.Column("topic", sa.Text, nullable=False),
        sa.Column("secret", sa.Text, nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("lease_seconds", sa.Integer),
        sa.Column("requested_at", UTCDateTime, nullable=False),
        sa.Column("verified_at", UTCDateTime),
        sa.Column("expires_at", UTCDateTime),
        sa.Column("last_push_at", UTCDateTime),
        sa.Column("error", sa.Text),
    )


def downgrade() -> None:
    op.drop_table("websub")
    with op.batch_alter_table("source_state") as batch:
        batch.drop_column("last_latency_at")
        batch.drop_column("last_latency")
