"""Tables. The Alembic migrations in `migrations/versions` create exactly these."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    false,
    func,
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
# Partial (migration 0023): a story without an embargo or takedown has no entry to keep.
Index("ix_stories_state_embargo", stories.c.state, stories.c.embargoed,
      postgresql_where=stories.c.embargoed.is_not(None), sqlite_where=stories.c.embargoed.is_not(None))
Index("ix_stories_state_vc", stories.c.state, stories.c.versioncreated)
Index("ix_stories_takendown", stories.c.takendown_at,
      postgresql_where=stories.c.takendown_at.is_not(None),
      sqlite_where=stories.c.takendown_at.is_not(None))
Index("ix_stories_firstcreated", stories.c.firstcreated)
Index("ix_stories_vc_id", stories.c.versioncreated, stories.c.id)  # lists, newest first

# The head version's subjects, for per-subject lists and feeds.
story_subjects = Table(
    "story_subjects",
    metadata,
    Column("story_id", Integer, ForeignKey("stories.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("uri", String(500)),
)
# Readers ask by lowered name (clauses.py): the index holds what they ask (migration 0022).
Index("ix_story_subjects_lower_name", func.lower(story_subjects.c.name), story_subjects.c.story_id)
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
Index("ix_versions_raw", versions.c.raw_sha256)  # purge: is anyone else using these bytes?

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

# Deliveries refused because their source does not own the story they name (desk.py's owner
# rule): who tried, whose story it was, what it would have done. Nothing else changes.
refusals = Table(
    "refusals",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime, nullable=False),
    Column("story_id", Integer),
    Column("uri", String(500), nullable=False),
    Column("owner", String(100), nullable=False),  # the source that first delivered it
    Column("agency", String(100)),  # the story's agency
    Column("source", String(100), nullable=False),  # the source that was refused
    Column("source_agency", String(100)),  # the agency that source is configured for
    Column("pubstatus", String(12), nullable=False),  # what it tried: usable, canceled, ...
    Column("delivery_name", Text),
)
Index("ix_refusals_at", refusals.c.at)

# Small key/value facts, such as the change counter that caches compare against.
meta = Table(
    "meta",
    metadata,
    Column("key", String(50), primary_key=True),
    Column("value", BigInteger, nullable=False),
)

# Per-source poll state and health (issue 4). Kept apart from `sources` so the operator's
# settings and the worker's bookkeeping never overwrite each other.
source_state = Table(
    "source_state",
    metadata,
    Column("name", String(100), ForeignKey("sources.name", ondelete="CASCADE"),
           primary_key=True),
    Column("next_poll_at", UTCDateTime),  # NULL: never polled (push sources)
    # A worker takes a due source by lease; a dead worker's lease lapses at lease_until.
    Column("lease_owner", String(200)),
    Column("lease_until", UTCDateTime),
    Column("last_attempt_at", UTCDateTime),
    Column("last_success_at", UTCDateTime),
    Column("last_error_at", UTCDateTime),
    Column("last_error", Text),
    Column("consecutive_failures", Integer, nullable=False, server_default="0"),
    # ETag, Last-Modified, paging cursor, the folder's previous look: what the next poll needs.
    Column("memo", JSON, nullable=False, default=dict),
    # Wire to web (issue 20): from the last new story's arrival to its commit, in seconds.
    Column("last_latency", Float),
    Column("last_latency_at", UTCDateTime),
)
Index("ix_source_state_due", source_state.c.next_poll_at)

# WebSub subscriptions (issue 20): one per http source whose feed names a hub. The worker
# asks (pending); the hub's check of intent, answered by the web, makes it active until
# expires_at; the worker renews before then, and polls as usual while it is not active.
websub = Table(
    "websub",
    metadata,
    Column("source", String(100), ForeignKey("sources.name", ondelete="CASCADE"),
           primary_key=True),
    Column("hub", Text, nullable=False),
    Column("topic", Text, nullable=False),
    Column("secret", Text, nullable=False),  # hub.secret (sealed where a key is set)
    Column("state", String(12), nullable=False),  # pending | active | refused | lapsed
    Column("lease_seconds", Integer),
    Column("requested_at", UTCDateTime, nullable=False),
    Column("verified_at", UTCDateTime),
    Column("expires_at", UTCDateTime),
    Column("last_push_at", UTCDateTime),
    Column("error", Text),
)
# Health's "stories in the last 24 hours" per source.
Index("ix_versions_source_received", versions.c.source, versions.c.received_at)

# The operator console (issue 8): people who may log in, their sessions, the login attempts
# that lockout counts, and the server's signing secret when none is set in the environment.
users = Table(
    "users",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("password_hash", Text, nullable=False),  # argon2id, salt and parameters inside
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

# Only a hash of the session token is kept: a copy of the database opens no session.
sessions = Table(
    "sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_name", String(100), ForeignKey("users.name", ondelete="CASCADE"),
           nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
)
Index("ix_sessions_user", sessions.c.user_name)
Index("ix_sessions_expires", sessions.c.expires_at)

# Not a foreign key: failures for names that do not exist count towards lockout too.
login_attempts = Table(
    "login_attempts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime, nullable=False),
    Column("user_name", String(100), nullable=False),
    Column("address", String(100), nullable=False),
    Column("ok", Boolean, nullable=False),
)
Index("ix_login_attempts_user", login_attempts.c.user_name, login_attempts.c.at)
Index("ix_login_attempts_address", login_attempts.c.address, login_attempts.c.at)

server_secrets = Table(
    "server_secrets",
    metadata,
    Column("name", String(50), primary_key=True),
    Column("value", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

# Which worker runs the clock: one row, taken by lease, so the clock runs in one worker at a
# time however many share the store; a dead worker's lease lapses and another takes it.
clock_lease = Table(
    "clock_lease",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("owner", String(200)),
    Column("until", UTCDateTime),
)

# What happened to stories, in commit order: new, update, takedown. Every reader of change
# (server-sent events, subscribers' webhooks, the edge cache's purges, the takedowns list)
# reads from here, so a change made by any process reaches all of them. Written in the
# transaction that makes the change, so nothing committed is missing; holds no words.
journal = Table(
    "journal",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime, nullable=False),
    Column("kind", String(12), nullable=False),  # new | update | takedown
    Column("story_id", Integer, nullable=False),
    Column("uri", String(500), nullable=False),
    Column("agency", String(100)),
    Column("urgency", Integer),
    Column("reason", String(20)),  # takedowns: killed | expired | removed | withheld
    Column("subjects", JSON),  # takedowns: the story's subject names, for purge keys
)
Index("ix_journal_at", journal.c.at)
Index("ix_journal_story", journal.c.story_id, journal.c.id)

# How far each reader of the journal has got (the edge purger, each subscriber, ...).
journal_cursors = Table(
    "journal_cursors",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

# Event clusters (issue 18): which live stories tell the same event, across agencies. One row
# per clustered story; the features it was judged on (names, figures, place, word stems: no
# sentences) so a newcomer is checked against it without reading its text. Rows go with the
# story's takedown, in the same transaction; readers also check visibility when they read.
story_clusters = Table(
    "story_clusters",
    metadata,
    Column("story_id", Integer, ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True),
    Column("cluster_id", Integer, nullable=False),
    Column("agency", String(100)),
    Column("slug", String(200)),  # the agency's own key for a developing story (slugline)
    Column("at", UTCDateTime, nullable=False),  # first published: the window is counted from it
    Column("features", LargeBinary, nullable=False),
)
Index("ix_story_clusters_cluster", story_clusters.c.cluster_id)
Index("ix_story_clusters_slug", story_clusters.c.agency, story_clusters.c.slug, story_clusters.c.at)

# The MinHash LSH bands of each clustered story's signature: candidates for a newcomer are
# the stories sharing a band within the window, one indexed query.
cluster_bands = Table(
    "cluster_bands",
    metadata,
    Column("band", BigInteger, nullable=False),
    Column("at", UTCDateTime, nullable=False),
    # No foreign key (migration 0019): its check cost every one of a story's BANDS rows a
    # lookup; the rows are written with their story and dropped with its cluster row
    # (clusters.leave), and one left behind costs space only (candidates need a cluster row).
    Column("story_id", Integer, nullable=False),
)
# The only index: a second one (by story) would double the pages every delivery dirties;
# a story's band rows are found again from its features when it leaves (clusters.leave).
# It carries story_id so the candidate lookup reads no table row (migration 0017).
Index("ix_cluster_bands_band", cluster_bands.c.band, cluster_bands.c.at, cluster_bands.c.story_id)

# Programs told of changes by signed webhooks (hooks/); the secret is stored sealed.
subscribers = Table(
    "subscribers",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("url", String(2000), nullable=False),
    Column("secret", String(1000), nullable=False),
    Column("events", JSON, nullable=False),  # some of new, update, takedown
    Column("agency", String(100)),  # only this agency's stories, when set
    Column("allow_private", Boolean, nullable=False, server_default=false()),
    Column("created_at", UTCDateTime, nullable=False),
)

# The outbox: one row per event owed to a subscriber, written before its journal cursor
# moves (in the same transaction), kept until delivered or dead (given up after a day).
deliveries = Table(
    "deliveries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("subscriber", String(100), nullable=False),
    Column("event_id", Integer, nullable=False),
    Column("event", String(12), nullable=False),
    Column("story_id", Integer, nullable=False),
    Column("uri", String(500), nullable=False),
    Column("agency", String(100)),
    Column("reason", String(20)),
    Column("at", UTCDateTime, nullable=False),  # when the event happened
    Column("status", String(12), nullable=False),  # pending | delivered | dead
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_try", UTCDateTime, nullable=False),
    Column("last_error", String(500)),
    Column("created_at", UTCDateTime, nullable=False),
    Column("done_at", UTCDateTime),
)
Index("ux_deliveries_event", deliveries.c.subscriber, deliveries.c.event_id, unique=True)
Index("ix_deliveries_due", deliveries.c.status, deliveries.c.next_try)

# API keys for full text (web/keys.py): only a SHA-256 digest of each key is kept.
api_keys = Table(
    "api_keys",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("digest", String(64), nullable=False, unique=True),
    Column("per_minute", Integer, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

# Editorial rules (issue 14, rules.py): ordered by position, the first enabled match decides.
rules = Table(
    "rules",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("action", String(12), nullable=False),  # publish | review | ignore
    Column("enabled", Boolean, nullable=False, server_default=false()),
    Column("settings", JSON, nullable=False, default=dict),  # what it matches (rules.MATCHERS)
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

# What a rule (or then an editor) decided for a story, when it was not the default publish:
# kept so the story's updates keep the decision, and so the console can say who decided.
story_decisions = Table(
    "story_decisions",
    metadata,
    Column("story_id", Integer, ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True),
    Column("action", String(12), nullable=False),  # review | ignore | publish (by an editor)
    Column("rule", String(100)),  # the rule that first decided
    Column("actor", String(200)),  # who decided last, when an editor did
    Column("at", UTCDateTime, nullable=False),
)
# The compliance ledger's table is in store/ledger_table.py, on this same metadata.

# The picture tables are in store/picture_tables.py, on this same metadata (this module would
# pass the size limit); the store package imports them, so every Store knows all tables.

# The sections' tables are in store/section_tables.py, on this same metadata.
