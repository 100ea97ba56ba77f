"""The compliance ledger's table (issue 15; read and written by store/ledger.py)."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Float, Index, Integer, String, Table

from wiredesk.store.schema import UTCDateTime, metadata

# The compliance ledger (issue 15, store/ledger.py): what was received, shown and taken down,
# per story, for an agency's audit. Holds no words of a story (uris, agencies, sources,
# hashes, times, reasons), so it outlives the purge; written in the transaction of the change
# it records, like the journal, and never pruned.
ledger = Table(
    "ledger",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime, nullable=False),  # when it happened, on the desk's clock
    # received | shown | version | hidden | embargo_lifted | takedown | cdn_purge
    Column("kind", String(16), nullable=False),
    Column("story_id", Integer, nullable=False),  # not a foreign key: outlives anything
    Column("uri", String(500), nullable=False),
    Column("agency", String(100)),
    Column("source", String(100)),
    Column("sha256", String(64)),  # the version's raw bytes
    Column("format", String(40)),
    Column("size", Integer),
    Column("parsed_with", String(100)),  # received: the agency the parser was given
    Column("due_at", UTCDateTime),  # takedown: kill received, licence or expiry end, request
    Column("done_at", UTCDateTime),  # takedown: committed; embargo_lifted: the clock's lift
    Column("seconds", Float),  # done_at - due_at; cdn_purge: takedown commit to the answer
    Column("reason", String(20)),  # agency-kill | agency-expiry | licence | operator; ok | failed
    Column("actor", String(200)),  # the operator's name, or the agency that killed it
    Column("licence_days", Integer),  # licence takedowns: the window
    Column("shown", Boolean),  # takedown: had readers seen the story at all?
    Column("answer", String(300)),  # cdn_purge: the edge's answer (HTTP status or error)
)
Index("ix_ledger_agency_at", ledger.c.agency, ledger.c.at)
Index("ix_ledger_story", ledger.c.story_id, ledger.c.id)
Index("ix_ledger_at", ledger.c.at)
