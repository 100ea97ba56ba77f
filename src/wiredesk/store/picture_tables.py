"""The picture tables (store/pictures.py), on the one metadata of store/schema.py."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, Integer, LargeBinary, String, Table, Text

from wiredesk.store.schema import UTCDateTime, metadata

# Pictures (store/pictures.py): each a licensed item of its own; bytes by SHA-256, shared by
# every web node; renditions made once on first request and kept beside them.
picture_bytes = Table(
    "picture_bytes",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("data", LargeBinary, nullable=False),
    Column("size", Integer, nullable=False),
    Column("mime", String(40), nullable=False),
    Column("width", Integer, nullable=False),
    Column("height", Integer, nullable=False),
)

pictures = Table(
    "pictures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("uri", String(500), nullable=False, unique=True),
    Column("source", String(100), nullable=False),
    Column("agency", String(100)),
    Column("state", String(12), nullable=False),  # live | gone
    Column("sha256", String(64)),  # None: no bytes (not fetched, refused, or purged)
    Column("width", Integer),
    Column("height", Integer),
    Column("mime", String(40)),
    Column("headline", Text),
    Column("caption", Text),
    Column("alt", Text),
    Column("by", String(300)),
    Column("creditline", String(300)),
    Column("copyrightholder", String(300)),
    Column("copyrightnotice", Text),
    Column("usageterms", Text),
    Column("expires", UTCDateTime),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("gone_at", UTCDateTime),
    Column("gone_reason", String(20)),  # killed | expired | story (went with its stories)
)
Index("ix_pictures_state_expires", pictures.c.state, pictures.c.expires)
Index("ix_pictures_sha", pictures.c.sha256)

story_pictures = Table(
    "story_pictures",
    metadata,
    Column("story_id", Integer, ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True),
    Column("picture_id", Integer, ForeignKey("pictures.id", ondelete="CASCADE"),
           primary_key=True),
    Column("role", String(40)),
    Column("position", Integer, nullable=False),
)
Index("ix_story_pictures_picture", story_pictures.c.picture_id)

picture_renditions = Table(
    "picture_renditions",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("width", Integer, primary_key=True),
    Column("format", String(8), primary_key=True),  # webp | jpg
    Column("height", Integer, nullable=False),
    Column("data", LargeBinary, nullable=False),
)

# Pushed deliveries whose remote pictures are still to be fetched: the push is answered at
# once, and the worker fetches them through the source's guarded fetch (sources/push_pictures.py).
picture_waits = Table(
    "picture_waits",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source", String(100), nullable=False),
    Column("name", String(200)),
    Column("content_type", String(200)),
    Column("data", LargeBinary, nullable=False),
    Column("received_at", UTCDateTime, nullable=False),
)
Index("ix_picture_waits_source", picture_waits.c.source, picture_waits.c.id)
