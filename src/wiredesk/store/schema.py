"""Tables. The Alembic migrations in `migrations/versions` create exactly these."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    false,
)
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; pass aware UTC times")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if getattr(dialect, "name", "") == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


metadata = MetaData()

sources = Table(
    "sources",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("kind", String(20), nullable=False, server_default="cli"),
    Column("agency", String(100)),
    Column("licence_days", Integer, nullable=False, server_default="30"),
    Column("settings", JSON, nullable=False, default=dict),
    Column("paused", Boolean, nullable=False, server_default=false()),
    Column("created_at", UTCDateTime, nullable=False),
)

# One row per agency item (uri): what readers may see of it now.
stories = Table(
    "stories",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("uri", String(500), nullable=False, unique=True),
    Column("source", String(100), nullable=False),
    # live | embargoed | withheld | takendown
    Column("state", String(12), nullable=False),
    Column("head_version_id", Integer),  # the newest version by the agency's order
    Column("version_count", Integer, nullable=False, server_default="1"),
    Column("headline", Text, nullable=False),
    Column("agency", String(100)),
    Column("located", String(200)),
    Column("urgency", Integer),
    Column("language", String(20)),
    Column("firstcreated", UTCDateTime, nullable=False),
    Column("versioncreated", UTCDateTime, nullable=False),
    Column("embargoed", UTCDateTime),
    Column("ends_at", UTCDateTime, nullable=False),  # licence end or the story's own expiry
    Column("takendown_at", UTCDateTime),
    Column("takedown_reason", String(20)),  # expired | killed | removed
    Column("takedown_detail", Text),
    Column("updated_at", UTCDateTime, nullable=False),
)
# The clock's and the front page's queries: each touches only what changes or what is shown.
Index("ix_stories_state_ends", stories.c.state, stories.c.ends_at)
Index("ix_stories_state_embargo", stories.c.state, stories.c.embargoed)
Index("ix_stories_state_vc", stories.c.state, stories.c.versioncreated)
Index("ix_stories_takendown", stories.c.takendown_at)

# The head version's subjects, for per-subject lists and feeds.
story_subjects = Table(
    "story_subjects",
    metadata,
    Column("story_id", Integer, ForeignKey("stories.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("uri", String(500)),
)
Index("ix_story_subjects_name", story_subjects.c.name, story_subjects.c.story_id)
Index("ix_story_subjects_story", story_subjects.c.story_id)

raws = Table(
    "raws",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("data", LargeBinary, nullable=False),
    Column("size", Integer, nullable=False),
)

# Every version ever received, newest or not; bodies and raw bytes are purged at takedown.
versions = Table(
    "versions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("story_id", Integer, ForeignKey("stories.id", ondelete="CASCADE"), nullable=False),
    Column("version", String(50)),
    Column("version_number", BigInteger, nullable=False),
    Column("versioncreated", UTCDateTime, nullable=False),
    Column("received_at", UTCDateTime, nullable=False),
    Column("pubstatus", String(12), nullable=False),
    Column("format", String(40), nullable=False),
    Column("source", String(100), nullable=False),
    Column("delivery_name", Text),
    Column("raw_sha256", String(64), nullable=False),
    Column("meta", JSON, nullable=False),  # every Story field but the bodies and raw bytes
    Column("body_received", Text),
    Column("body_content_type", String(40)),
    Column("body_html", Text),
    Column("body_text", Text),
    Column("purged", Boolean, nullable=False, server_default=false()),
)
Index("ix_versions_story", versions.c.story_id, versions.c.version_number)
Index("ix_versions_sha", versions.c.story_id, versions.c.raw_sha256)

quarantine = Table(
    "quarantine",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source", String(100), nullable=False),
    Column("name", Text),
    Column("received_at", UTCDateTime, nullable=False),
    Column("format", String(40)),
    Column("error", Text, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("data", LargeBinary, nullable=False),
    Column("status", String(12), nullable=False, server_default="open"),
)

# The takedown log: stays after the body is purged.
audit = Table(
    "audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("story_id", Integer),
    Column("uri", String(500), nullable=False),
    Column("headline", Text, nullable=False),
    Column("agency", String(100)),
    Column("at", UTCDateTime, nullable=False),
    Column("reason", String(20), nullable=False),
    Column("detail", Text),
    Column("actor", String(200)),
)
Index("ix_audit_at", audit.c.at)

# Small key/value facts, such as the change counter that caches compare against.
meta = Table(
    "meta",
    metadata,
    Column("key", String(50), primary_key=True),
    Column("value", BigInteger, nullable=False),
)
