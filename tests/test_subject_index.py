"""Subject feeds and section pages ask for stories by lowered subject name: the store holds an
index on exactly that expression, so neither database reads every subject row to answer."""

from __future__ import annotations

from sqlalchemy import select, text

from wiredesk.store.clauses import ListFilter
from wiredesk.store.schema import stories


def _plan(store, statement, params=None) -> str:
    with store.engine.connect() as c:
        if store.engine.dialect.name == "sqlite":
            rows = c.execute(text("EXPLAIN QUERY PLAN " + statement), params or {})
            return " ".join(str(r[-1]) for r in rows)
        c.execute(text("SET LOCAL enable_seqscan = off"))  # a tiny table: ask what it could use
        return " ".join(r[0] for r in c.execute(text("EXPLAIN " + statement), params or {}))


def test_a_lowered_subject_name_is_answered_from_its_index(store):
    plan = _plan(store, "SELECT story_id FROM story_subjects WHERE lower(name) = :n",
                 {"n": "markets"})
    assert "ix_story_subjects_lower_name" in plan, plan


def test_the_subject_filter_readers_use_can_use_that_index(store):
    query = select(stories.c.id).where(*ListFilter(subject="Markets").clauses()).order_by(
        stories.c.id.desc()).limit(5)
    compiled = query.compile(store.engine, compile_kwargs={"literal_binds": True})
    plan = _plan(store, str(compiled))
    assert "ix_story_subjects_lower_name" in plan or "ix_story_subjects_story" in plan, plan
    assert "lower(story_subjects.name)" in str(compiled)  # the very expression indexed
