"""Subscribers (signed webhooks) and their delivery outbox; API keys.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

from wiredesk.store.schema import UTCDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "subscribers",
        sa.Column("name", sa.String(100), primary_key=True),
        sa.Column("url", sa.String(2000), nullable=False),
        sa.Column("secret", sa.String(1000), nullable=False),
        sa.Column("events", sa.JSON, nullable=False),
        sa.Column("agency", sa.String(100)),
        sa.Column("allow_private", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("subscriber", sa.String(100), nullable=False),
        sa.Column("event_id", sa.Integer, nullable=False),
        sa.Column("event", sa.String(12), nullable=False),
        sa.Column("story_id", sa.Integer, nullable=False),
        sa.Column("uri", sa.String(500), nullable=False),
        sa.Column("agency", sa.String(100)),
        sa.Column("reason", sa.String(20)),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_try", UTCDateTime, nullable=False),
        sa.Column("last_error", sa.String(500)),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("done_at", UTCDateTime),
    )
    op.create_index("ux_deliveries_event", "deliveries", ["subscriber", "event_id"], unique=True)
    op.create_index("ix_deliveries_due", "deliveries", ["status", "next_try"])
    op.create_table(
        "api_keys",
        sa.Column("name", sa.String(100), primary_key=True),
        sa.Column("digest", sa.String(64), nullable=False, unique=True),
        sa.Column("per_minute", sa.Integer, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("api_keys")
    op.drop_index("ix_deliveries_due", "deliveries")
    op.drop_index("ux_deliveries_event", "deliveries")
    op.drop_table("deliveries")
    op.drop_table("subscribers")
