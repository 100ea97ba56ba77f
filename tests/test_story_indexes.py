"""Two stories indexes hold only the rows their queries can find (migration 0023): a story
not taken down, or without an embargo, costs no entry in them on ingest, and the clock's and
the tombstones' queries can still answer from them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text

SINCE = {"t": datetime(2026, 1, 1, tzinfo=UTC)}


def _definition(store, name: str) -> str:
    with store.engine.connect() as c:
        if store.engine.dialect.name == "sqlite":
            return c.execute(text("SELECT sql FROM sqlite_master WHERE name = :n"),
                             {"n": name}).scalar_one()
        return c.execute(text("SELECT indexdef FROM pg_indexes WHERE indexname = :n "
                              "AND schemaname = current_schema()"), {"n": name}).scalar_one()


def _plan(store, statement: str, index: str) -> str:
    """The plan with the other indexes on the state out of the way (on an empty table the
    planner's choice among usable indexes is a tie): SQLite is told to use `index` (an
    error if it cannot); PostgreSQL drops the others in a transaction it rolls back."""
    with store.engine.connect() as c:
        if store.engine.dialect.name == "sqlite":
            statement = statement.replace("FROM stories", "FROM stories INDEXED BY " + index)
            rows = c.execute(text("EXPLAIN QUERY PLAN " + statement), SINCE)
            return " ".join(str(r[-1]) for r in rows)
        c.execute(text("SET LOCAL enable_seqscan = off"))  # a tiny table: ask what it could use
        for other in ("ix_stories_state_vc", "ix_stories_state_ends"):
            c.execute(text("DROP INDEX " + other))
        plan = " ".join(r[0] for r in c.execute(text("EXPLAIN " + statement), SINCE))
        c.rollback()
        return plan


@pytest.mark.parametrize(("name", "column"), [("ix_stories_takendown", "takendown_at"),
                                              ("ix_stories_state_embargo", "embargoed")])
def test_the_index_leaves_out_rows_without_the_time(store, name, column):
    definition = _definition(store, name)
    assert "WHERE" in definition.upper() and column in definition, definition
    assert "IS NOT NULL" in definition.upper(), definition


@pytest.mark.parametrize(("index", "query"), [
    ("ix_stories_takendown", "SELECT min(takendown_at) FROM stories WHERE takendown_at > :t"),
    ("ix_stories_takendown", "SELECT id FROM stories WHERE state = 'takendown' "
                             "AND takendown_at >= :t ORDER BY takendown_at DESC LIMIT 5"),
    ("ix_stories_state_embargo", "SELECT min(embargoed) FROM stories "
                                 "WHERE state = 'embargoed' AND embargoed > :t"),
    ("ix_stories_state_embargo", "SELECT id FROM stories "
                                 "WHERE state = 'embargoed' AND embargoed <= :t"),
])
def test_the_queries_that_read_it_can_still_use_it(store, index, query):
    plan = _plan(store, query, index)
    assert index in plan, plan
