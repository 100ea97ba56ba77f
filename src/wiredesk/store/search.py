"""Full-text search behind one interface: FTS5 on SQLite, tsvector + GIN on PostgreSQL.

The user's query is parsed here into words, "phrases" and prefix* terms and compiled into
each engine's syntax from clean tokens only, so no user input can make a syntax error.
Only stories visible now are ever returned: the index is filtered by the same clause as
every other surface, and a takedown removes the story from the index in its transaction.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    Connection,
    bindparam,
    column,
    delete,
    func,
    literal_column,
    select,
    table,
    text,
)

from wiredesk.store.clauses import visible_clause
from wiredesk.store.schema import stories
from wiredesk.story import Story

MARK_START, MARK_END = "\ue000", "\ue001"  # private-use characters: never in agency copy
_TOKEN = re.compile(r"\w+", re.UNICODE)
_PART = re.compile(r'"([^"]*)"?|(\S+)')
CANDIDATES = 200  # best matches by relevance, then re-ranked with recency
MAX_TERMS = 12


class QueryError(ValueError):
    """A search the reader typed that we cannot run; the message is for the reader."""


@dataclass(frozen=True)
class Term:
    kind: str  # word | prefix | phrase
    tokens: tuple[str, ...]


def parse_query(q: str) -> list[Term]:
    terms: list[Term] = []
    for match in _PART.finditer(q or ""):
        phrase, word = match.groups()
        if phrase is not None:
            tokens = tuple(t.lower() for t in _TOKEN.findall(phrase))
            if len(tokens) > 1:
                terms.append(Term("phrase", tokens))
            elif tokens:
                terms.append(Term("word", tokens))
            continue
        tokens = tuple(t.lower() for t in _TOKEN.findall(word))
        prefix = word.endswith("*")
        for i, token in enumerate(tokens):
            last = i == len(tokens) - 1
            terms.append(Term("prefix" if prefix and last else "word", (token,)))
    if not terms:
        raise QueryError("Type one or more words to search for.")
    if len(terms) > MAX_TERMS:
        raise QueryError(f"Use at most {MAX_TERMS} words in one search.")
    return terms


def fts5_query(terms: list[Term]) -> str:
    parts = []
    for term in terms:
        quoted = '"' + " ".join(term.tokens) + '"'
        parts.append(quoted + "*" if term.kind == "prefix" else quoted)
    return " ".join(parts)


def tsquery(terms: list[Term]) -> str:
    parts = []
    for term in terms:
        if term.kind == "phrase":
            parts.append("(" + " <-> ".join(f"'{t}'" for t in term.tokens) + ")")
        elif term.kind == "prefix":
            parts.append(f"'{term.tokens[0]}':*")
        else:
            parts.append(f"'{term.tokens[0]}'")
    return " & ".join(parts)


def normalise(value: str) -> str:
    """The same tokens FTS5's unicode61 tokenizer sees, for the PostgreSQL document."""
    return " ".join(_TOKEN.findall(value.lower()))


@dataclass(frozen=True)
class Hit:
    story_id: int
    score: float
    snippet: str  # plain text with MARK_START / MARK_END around matches


_PG_INSERT = text(
    "INSERT INTO story_search (story_id, document, body) VALUES (:id, "
    "setweight(to_tsvector('simple', :headline), 'A') || "
    "setweight(to_tsvector('simple', :words), 'B'), :body)"
)
_fts = table("story_search", column("rowid"), column("headline"), column("body"))
_pg = table("story_search", column("story_id"), column("document"), column("body"))
_FTS_INSERT = _fts.insert()
_FTS_DELETE = delete(_fts).where(_fts.c.rowid == bindparam("sid"))
_PG_DELETE = delete(_pg).where(_pg.c.story_id == bindparam("sid"))
_FTS_DELETE_MANY = delete(_fts).where(_fts.c.rowid.in_(bindparam("ids", expanding=True)))
_PG_DELETE_MANY = delete(_pg).where(_pg.c.story_id.in_(bindparam("ids", expanding=True)))


def index_story(c: Connection, story_id: int, story: Story, *, replace: bool = True) -> None:
    if replace:
        remove_story(c, story_id)
    if c.dialect.name == "postgresql":
        c.execute(_PG_INSERT, {"id": story_id, "headline": normalise(story.headline),
                               "words": normalise(story.body.text), "body": story.body.text})
    else:
        c.execute(_FTS_INSERT, {"rowid": story_id, "headline": story.headline,
                                "body": story.body.text})


def remove_story(c: Connection, story_id: int) -> None:
    c.execute(_PG_DELETE if c.dialect.name == "postgresql" else _FTS_DELETE, {"sid": story_id})


def remove_stories(c: Connection, story_ids: list[int]) -> None:
    c.execute(_PG_DELETE_MANY if c.dialect.name == "postgresql" else _FTS_DELETE_MANY,
              {"ids": story_ids})


def search(c: Connection, q: str, now: datetime, *, agency: str | None = None,
           start: datetime | None = None, end: datetime | None = None) -> list[Hit]:
    """Every visible match, best first: relevance weighed with recency."""
    terms = parse_query(q)
    filters = [visible_clause(now)]
    if agency:
        filters.append(stories.c.agency == agency)
    if start:
        filters.append(stories.c.versioncreated >= start)
    if end:
        filters.append(stories.c.versioncreated < end)
    if c.dialect.name == "postgresql":
        tsq = func.to_tsquery("simple", tsquery(terms))
        relevance = func.ts_rank_cd(_pg.c.document, tsq)
        query = (select(stories.c.id, relevance.label("relevance"), stories.c.versioncreated)
                 .select_from(_pg.join(stories, stories.c.id == _pg.c.story_id))
                 .where(_pg.c.document.op("@@")(tsq), *filters)
                 .order_by(relevance.desc()).limit(CANDIDATES))
    else:
        bm25 = func.bm25(literal_column("story_search"), 5.0, 1.0)  # headline counts 5x
        query = (select(stories.c.id, (-bm25).label("relevance"), stories.c.versioncreated)
                 .select_from(_fts.join(stories, stories.c.id == _fts.c.rowid))
                 .where(literal_column("story_search").op("MATCH")(fts5_query(terms)), *filters)
                 .order_by(bm25).limit(CANDIDATES))
    rows = c.execute(query).all()
    ranked = sorted(rows, key=lambda r: _score(r.relevance, r.versioncreated, now), reverse=True)
    return [Hit(r.id, _score(r.relevance, r.versioncreated, now), "") for r in ranked]


def snippets(c: Connection, q: str, story_ids: list[int]) -> dict[int, str]:
    """Highlighted passages for the stories on one results page."""
    if not story_ids:
        return {}
    terms = parse_query(q)
    if c.dialect.name == "postgresql":
        tsq = func.to_tsquery("simple", tsquery(terms))
        options = f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=35, MinWords=15, MaxFragments=2"
        rows = c.execute(select(_pg.c.story_id, func.ts_headline("simple", _pg.c.body, tsq, options))
                         .where(_pg.c.story_id.in_(story_ids))).all()
    else:
        snip = func.snippet(literal_column("story_search"), 1, MARK_START, MARK_END, "…", 32)
        rows = c.execute(select(_fts.c.rowid, snip)
                         .where(literal_column("story_search").op("MATCH")(fts5_query(terms)),
                                _fts.c.rowid.in_(story_ids))).all()
    return {row[0]: row[1] or "" for row in rows}


def _score(relevance: float, versioncreated: datetime, now: datetime) -> float:
    """Half the weight is relevance alone; the other half halves every two days of age."""
    age_hours = max((now - versioncreated).total_seconds() / 3600, 0.0)
    return float(relevance) * (0.5 + 0.5 * math.pow(2, -age_hours / 48))


def create_index_sql(dialect: str) -> list[str]:
    """DDL for the search index, used by the migration."""
    if dialect == "postgresql":
        return [
            "CREATE TABLE story_search (story_id INTEGER PRIMARY KEY REFERENCES stories(id) "
            "ON DELETE CASCADE, document tsvector NOT NULL, body TEXT NOT NULL)",
            "CREATE INDEX ix_story_search_document ON story_search USING GIN (document)",
        ]
    return [
        "CREATE VIRTUAL TABLE story_search USING fts5(headline, body, "
        "tokenize='unicode61 remove_diacritics 2', prefix='2 3')",
    ]


__all__ = ["Hit", "QueryError", "MARK_START", "MARK_END", "index_story", "remove_story",
           "search", "snippets", "parse_query", "create_index_sql"]
