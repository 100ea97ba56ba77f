"""The first store: sources, stories, versions, raw bytes, quarantine, audit, meta.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

from wiredesk.store.schema import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sources",
        sa.Column("name", sa.String(100), primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False, server_default="cli"),
        sa.Column("agency", sa.String(100)),
        sa.Column("licence_days", sa.Integer, nullable=False, server_default="30"),
        sa.Column("settings", sa.JSON, nullable=False),
        sa.Column("paused", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "stories",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("uri", sa.String(500), nullable=False, unique=True),
        sa.Column("source", sa.String(100), nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("head_version_id", sa.Integer),
        sa.Column("version_count", sa.Integer, nullable=False, server_default="1"),
        sa.Column("headline", sa.Text, nullable=False),
        sa.Column("agency", sa.String(100)),
        sa.Column("located", sa.String(200)),
        sa.Column("urgency", sa.Integer),
        sa.Column("language", sa.String(20)),
        sa.Column("firstcreated", UTCDateTime, nullable=False),
        sa.Column("versioncreated", UTCDateTime, nullable=False),
        sa.Column("embargoed", UTCDateTime),
        sa.Column("ends_at", UTCDateTime, nullable=False),
        sa.Column("takendown_at", UTCDateTime),
        sa.Column("takedown_reason", sa.String(20)),
        sa.Column("takedown_detail", sa.Text),
        sa.Column("updated_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_stories_state_ends", "stories", ["state", "ends_at"])
    op.create_index("ix_stories_state_embargo", "stories", ["state", "embargoed"])
    op.create_index("ix_stories_state_vc", "stories", ["state", "versioncreated"])
    op.create_index("ix_stories_takendown", "stories", ["takendown_at"])
    op.create_table(
        "raws",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("data", sa.LargeBinary, nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
    )
    op.create_table(
        "versions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("story_id", sa.Integer, sa.ForeignKey("stories.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("version", sa.String(50)),
        sa.Column("version_number", sa.BigInteger, nullable=False),
        sa.Column("versioncreated", UTCDateTime, nullable=False),
        sa.Column("received_at", UTCDateTime, nullable=False),
        sa.Column("pubstatus", sa.String(12), nullable=False),
        sa.Column("format", sa.String(40), nullable=False),
        sa.Column("source", sa.String(100), nullable=False),
        sa.Column("delivery_name", sa.Text),
        sa.Column("raw_sha256", sa.String(64), nullable=False),
        sa.Column("meta", sa.JSON, nullable=False),
        sa.Column("body_received", sa.Text),
        sa.Column("body_content_type", sa.String(40)),
        sa.Column("body_html", sa.Text),
        sa.Column("body_text", sa.Text),
        sa.Column("purged", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.create_index("ix_versions_story", "versions", ["story_id", "version_number"])
    op.create_index("ix_versions_sha", "versions", ["story_id", "raw_sha256"])
    op.create_table(
        "quarantine",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("source", sa.String(100), nullable=False),
        sa.Column("name", sa.Text),
        sa.Column("received_at", UTCDateTime, nullable=False),
        sa.Column("format", sa.String(40)),
        sa.Column("error", sa.Text, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
        sa.Column("status", sa.String(12), nullable=False, server_default="open"),
    )
    op.create_table(
        "audit",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("story_id", sa.Integer),
        sa.Column("uri", sa.String(500), nullable=False),
        sa.Column("headline", sa.Text, nullable=False),
        sa.Column("agency", sa.String(100)),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("reason", sa.String(20), nullable=False),
        sa.Column("detail", sa.Text),
        sa.Column("actor", sa.String(200)),
    )
    op.create_index("ix_audit_at", "audit", ["at"])
    op.create_table(
        "meta",
        sa.Column("key", sa.String(50), primary_key=True),
        sa.Column("value", sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    for table in ("meta", "audit", "quarantine", "versions", "raws", "stories", "sources"):
        op.drop_table(table)
