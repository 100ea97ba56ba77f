"""Full-text search behind one interface: FTS5 on SQLite, tsvector + GIN on PostgreSQL.

The user's query is parsed here into words, "phrases" and prefix* terms and compiled into
each engine's syntax from clean tokens only, so no user input can make a syntax error.
Only stories visible now are ever returned: the index is filtered by the same clause as
every other surface, and a takedown removes the story from the index in its transaction.

Words are stemmed by the databases' own stemmers ("runner" finds "runners"): FTS5's porter
tokenizer on SQLite; on PostgreSQL each story is indexed with the text search configuration
of its language ('simple' where unknown) and a query is read in every configuration we use.

Scale (a million stories): ranking every match of a common word is what made search slow,
so results are ranked within recent windows, newest window first (the last hour, then six
hours, a day, a week, ...), and only until the page is full. Within a window the engine's
own relevance orders the matches (FTS5's rank path, ORDER BY rank with bm25, headline 5x;
ts_rank_cd) - except, on SQLite, for a word too common to rank cheaply (see `search`).
Windows are ranges of story ids, found from versioncreated by one index seek each; ids grow
with arrival, and the last window runs down to id 0, so every match is reachable. The total
is counted up to TOTAL_CAP and reported as "at least" beyond it. A query with no more than
TOTAL_CAP matches is ranked by ONE statement over the whole index and its matches are then
put in their windows here (a statement per window re-read the index for bm25's idf each
time). On PostgreSQL the query's tsquery is read once in every configuration and bound as
a constant (see `_pg_tsquery`), and the match is planned apart from the visibility join.

Known cost that still grows with the store (bench/search_shapes.py): a phrase or AND of
common words with few matches must read every candidate to count them exactly (FTS5's
position lists; PostgreSQL's recheck of each candidate's tsvector), and bm25's idf reads
each word's whole doclist.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    Connection,
    Text,
    bindparam,
    cast,
    column,
    func,
    literal,
    literal_column,
    select,
    table,
    text,
)
from sqlalchemy.dialects import postgresql  # noqa: F401 (registers ts_headline's types)
from sqlalchemy.dialects.postgresql import REGCONFIG, TSQUERY

from wiredesk.store.clauses import visible_clause
from wiredesk.store.codec import story_from_row
from wiredesk.store.schema import stories, versions
from wiredesk.story import Story

MARK_START, MARK_END = "\ue000", "\ue001"  # private-use characters: never in agency copy
_TOKEN = re.compile(r"\w+", re.UNICODE)
_PART = re.compile(r'"([^"]*)"?|(\S+)')
MAX_TERMS = 12
TOTAL_CAP = 1000  # counted exactly up to here; beyond, "more than TOTAL_CAP"
WINDOWS = (timedelta(hours=1), timedelta(hours=6), timedelta(days=1), timedelta(days=7),
           timedelta(days=30), timedelta(days=365))

# A story's language (its primary subtag) to PostgreSQL's stemming configuration.
PG_CONFIGS = {
    "da": "danish", "de": "german", "en": "english", "es": "spanish", "fi": "finnish",
    "fr": "french", "hu": "hungarian", "it": "italian", "nb": "norwegian", "nl": "dutch",
    "nn": "norwegian", "no": "norwegian", "pt": "portuguese", "ro": "romanian",
    "ru": "russian", "sv": "swedish", "tr": "turkish",
}
_QUERY_CONFIGS = ("simple", *sorted(set(PG_CONFIGS.values())))


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


def tsquery(terms: list[Term], weight: str = "") -> str:
    """`weight` "A": match the headline only (indexed with weight A)."""
    parts = []
    for term in terms:
        if term.kind == "phrase":
            parts.append("(" + " <-> ".join(f"'{t}'{':' + weight if weight else ''}"
                                            for t in term.tokens) + ")")
        elif term.kind == "prefix":
            parts.append(f"'{term.tokens[0]}':*{weight}")
        else:
            parts.append(f"'{term.tokens[0]}'{':' + weight if weight else ''}")
    return " & ".join(parts)


def normalise(value: str) -> str:
    """The same tokens the query parser sees, for the PostgreSQL document."""
    return " ".join(_TOKEN.findall(value.lower()))


def pg_config(language: str | None) -> str:
    """The stemming configuration for a story's language tag ('en-GB' -> 'english')."""
    primary = (language or "").split("-")[0].split("_")[0].strip().lower()
    return PG_CONFIGS.get(primary, "simple")


@dataclass(frozen=True)
class Found:
    """One page of matching story ids, best first, and how many match in all."""

    ids: list[int]
    total: int
    exact: bool  # False: at least `total` (TOTAL_CAP) match, counting stopped there


# --- the index ---------------------------------------------------------------------------
_PG_INSERT = text(
    "INSERT INTO story_search (story_id, config, document, body) VALUES (:id, CAST(:config AS TEXT), "
    "setweight(to_tsvector(CAST(CAST(:config AS TEXT) AS regconfig), :headline), 'A') || "
    "setweight(to_tsvector(CAST(CAST(:config AS TEXT) AS regconfig), :words), 'B'), :body)"
)
_fts = table("story_search", column("rowid"), column("rank"), column("headline"),
             column("body"))
_pg = table("story_search", column("story_id"), column("config"), column("document"),
            column("body"))
_FTS_INSERT = text("INSERT INTO story_search (rowid, headline, body) VALUES (:id, :headline, :body)")
_FTS_DELETE = _fts.delete().where(_fts.c.rowid == bindparam("sid"))
_PG_DELETE = _pg.delete().where(_pg.c.story_id == bindparam("sid"))
_FTS_DELETE_MANY = _fts.delete().where(_fts.c.rowid.in_(bindparam("ids", expanding=True)))
_PG_DELETE_MANY = _pg.delete().where(_pg.c.story_id.in_(bindparam("ids", expanding=True)))


def index_rows(dialect: str, items: Iterable[tuple[int, Story]]) -> list[dict[str, Any]]:
    """The parameters of each story's index row, for `index_many`."""
    if dialect == "postgresql":
        return [{"id": sid, "config": pg_config(s.language), "headline": normalise(s.headline),
                 "words": normalise(s.body.text), "body": s.body.text} for sid, s in items]
    return [{"id": sid, "headline": s.headline, "body": s.body.text} for sid, s in items]


def index_many(c: Connection, rows: list[dict[str, Any]]) -> None:
    """Add stories that are not in the index yet, in one executemany."""
    if rows:
        c.execute(_PG_INSERT if c.dialect.name == "postgresql" else _FTS_INSERT, rows)


def index_story(c: Connection, story_id: int, story: Story, *, replace: bool = True) -> None:
    if replace:
        remove_story(c, story_id)
    index_many(c, index_rows(c.dialect.name, [(story_id, story)]))


def remove_story(c: Connection, story_id: int) -> None:
    c.execute(_PG_DELETE if c.dialect.name == "postgresql" else _FTS_DELETE, {"sid": story_id})


def remove_stories(c: Connection, story_ids: list[int]) -> None:
    c.execute(_PG_DELETE_MANY if c.dialect.name == "postgresql" else _FTS_DELETE_MANY,
              {"ids": story_ids})


def rebuild(src: Connection, dst: Connection | None = None, *, batch: int = 2000) -> int:
    """Index every story not taken down (readers' search filters by visibility), read
    from `src` into `dst` (the same connection by default): used by the migration that
    changed the index and by store copy, so an FTS5 index moves to tsvector and back."""
    dst = dst if dst is not None else src
    query = (select(stories.c.id, versions.c.meta, versions.c.body_received,
                    versions.c.body_content_type, versions.c.body_html, versions.c.body_text)
             .join(versions, versions.c.id == stories.c.head_version_id)
             .where(stories.c.state != "takendown").order_by(stories.c.id)
             .execution_options(stream_results=True))
    count = 0
    result = src.execute(query)
    while rows := result.fetchmany(batch):
        index_many(dst, index_rows(dst.dialect.name,
                                   [(r.id, story_from_row(r.meta, r)) for r in rows]))
        count += len(rows)
    return count


# --- searching ---------------------------------------------------------------------------
def search(c: Connection, q: str, now: datetime, *, agency: str | None = None,
           start: datetime | None = None, end: datetime | None = None, limit: int = 10,
           offset: int = 0) -> Found:
    """One page of visible matches: newest window first, by relevance within a window."""
    terms = parse_query(q)
    dialect = c.dialect.name
    params: dict[str, Any] = {"q": tsquery(terms) if dialect == "postgresql" else fts5_query(terms),
                              "now": now, "agency": agency, "start": start, "end": end}
    flags = (dialect, agency is not None, start is not None, end is not None)
    if dialect == "postgresql":
        # Every statement here joins a few hundred index rows to their stories by key: on
        # estimates alone the planner would hash or merge-join whole tables (100 ms and up
        # where a nested loop takes 2). LOCAL: the setting ends with this read transaction.
        c.exec_driver_sql("SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off; SET LOCAL enable_seqscan = off")
        params["q"] = _pg_tsquery(c, params["q"])
    counted = c.execute(_statement("count", *flags), {**params, "n": TOTAL_CAP + 1}).scalar_one()
    want = offset + limit
    if counted <= min(offset, TOTAL_CAP):  # nothing at all, or nothing this deep
        return Found([], min(counted, TOTAL_CAP), counted <= TOTAL_CAP)
    # The order within a window. A selective query (no more than TOTAL_CAP matches) is
    # ranked by relevance. bm25 reads every match of each word in the whole index for its
    # idf, whatever the window, so a common word at a million stories is ranked instead by
    # where it matched: headline matches first, then the rest, newest first in each (FTS5
    # walks its index in rowid order and stops at the LIMIT). PostgreSQL's ts_rank_cd needs
    # no idf, but reads every match's tsvector, which a common word makes as costly: the
    # same order there, with the headline as the words weighted A.
    if counted <= TOTAL_CAP:
        # Every match is known to be few: rank them all in ONE statement and put them in
        # their windows here. A statement per window re-read the whole index each time
        # (bm25's idf; a phrase's positions), so a phrase cost a full scan per window.
        ranked = list(c.execute(_statement("ranked", *flags), {**params, "n": TOTAL_CAP}).scalars())
        starts = [*_window_starts(c, now)]
        ranked.sort(key=lambda sid: _window_of(sid, starts))  # stable: relevance within
        return Found(ranked[offset:want], len(ranked), True)
    if dialect == "postgresql":
        in_headline = tsquery(terms, "A")
        whole = tsquery(terms)
        tiers = [("newest", _pg_tsquery(c, in_headline)),
                 ("newest", _pg_tsquery(c, f"({whole}) & !({in_headline})"))]
    else:
        in_headline = "{headline} : (" + params["q"] + ")"
        tiers = [("newest", in_headline), ("newest", f"({params['q']}) NOT {in_headline}")]
    ids: list[int] = []
    high: int | None = None
    for low in _window_starts(c, now):
        if high is not None and low >= high:
            continue  # an empty window: no story arrived in it
        for kind, match in tiers:
            statement = _statement(kind, *flags, high is not None)
            ids += c.execute(statement, {**params, "q": match, "low": low, "high": high,
                                         "n": want - len(ids)}).scalars()
            if len(ids) >= want:
                break
        high = low
        if len(ids) >= want:
            break
    else:  # every window read: every match is in `ids`
        return Found(ids[offset:want], len(ids), True)
    return Found(ids[offset:want], min(counted, TOTAL_CAP), counted <= TOTAL_CAP)


def _window_of(story_id: int, starts: list[int]) -> int:
    """Which window (0 the newest) a story id falls in, from `_window_starts`."""
    return next(i for i, low in enumerate(starts) if story_id >= low)


def _window_starts(c: Connection, now: datetime) -> Iterator[int]:
    """The first story id of each window, newest window first, ending with 0 (all)."""
    for width in WINDOWS:
        first = c.execute(_FIRST_SINCE, {"since": now - width}).scalar()
        if first is not None:
            yield first
    yield 0


_FIRST_SINCE = (select(stories.c.id).where(stories.c.versioncreated >= bindparam("since"))
                .order_by(stories.c.versioncreated, stories.c.id).limit(1))
_STATEMENTS: dict[tuple[Any, ...], Any] = {}


def _statement(kind: str, dialect: str, agency: bool, start: bool, end: bool,
               high: bool = False) -> Any:
    """The window ("ranked", "newest") or bounded count statement for this shape of search, built once
    with bound parameters: a search then costs its SQL, not SQLAlchemy building it again."""
    key = (kind, dialect, agency, start, end, high)
    statement = _STATEMENTS.get(key)
    if statement is not None:
        return statement
    now = bindparam("now", type_=stories.c.ends_at.type)
    # newest_first: no index on state, so the planner never drives the join from stories
    filters = [visible_clause(now, newest_first=True)]  # type: ignore[arg-type]
    if agency:
        filters.append(stories.c.agency == bindparam("agency"))
    if start:
        filters.append(stories.c.versioncreated >= bindparam("start", type_=stories.c.ends_at.type))
    if end:
        filters.append(stories.c.versioncreated < bindparam("end", type_=stories.c.ends_at.type))
    engine = _Postgres() if dialect == "postgresql" else _Sqlite()
    query = engine.matches(filters, window=kind == "newest", high=high)
    if kind == "count":
        statement = select(func.count()).select_from(query.limit(bindparam("n")).subquery())
    else:
        statement = engine.ranked(query, newest=kind == "newest").limit(bindparam("n"))
    _STATEMENTS[key] = statement
    return statement


class _Sqlite:
    """FTS5: MATCH on the virtual table, its rowid range, ORDER BY rank (bm25, headline 5x):
    FTS5 sorts the window's matches itself and the join stops at the LIMIT."""

    match = literal_column("story_search").op("MATCH")(bindparam("q"))

    def matches(self, filters: list[Any], *, window: bool, high: bool) -> Any:
        query = (select(_fts.c.rowid).select_from(_fts.join(stories, stories.c.id == _fts.c.rowid))
                 .where(self.match, *filters))
        if window:
            query = query.where(_fts.c.rowid >= bindparam("low"))
        return query.where(_fts.c.rowid < bindparam("high")) if window and high else query

    def ranked(self, query: Any, *, newest: bool = False) -> Any:
        if newest:
            return query.order_by(_fts.c.rowid.desc())
        return query.where(_fts.c.rank.op("MATCH")("bm25(5.0, 1.0)")).order_by(_fts.c.rank)


_PG_TSQUERY = select(*(cast(func.to_tsquery(cast(literal(config, Text()), REGCONFIG),
                                             bindparam("q", type_=Text())), Text())
                        for config in _QUERY_CONFIGS))


def _pg_tsquery(c: Connection, source: str) -> str:
    """The query read in every configuration, as one tsquery's text, read once. Bound as a
    constant, the planner estimates its matches from the index statistics and nothing
    re-reads the 18 configurations per row (as an expression it was re-evaluated for each
    candidate row, 0.27 ms each); the configurations' identical readings are given once."""
    readings = dict.fromkeys(r for r in c.execute(_PG_TSQUERY, {"q": source}).one() if r)
    return " | ".join(f"( {r} )" for r in readings)


class _Postgres:
    """tsvector @@ tsquery on the GIN index, the id range on the key; ts_rank_cd orders."""

    tsq = cast(bindparam("q", type_=Text()), TSQUERY)  # from `_pg_tsquery`

    def matches(self, filters: list[Any], *, window: bool, high: bool) -> Any:
        # The match (and its window) is planned on its own (OFFSET 0 is the fence): the
        # visibility filter on stories is estimated at well under 1% of rows, so, joined,
        # the planner drove from stories and tested every story's tsvector (a full scan
        # per search, 0.5-7 s at 50,000); alone, it reads the GIN index.
        inner = select(_pg.c.story_id, _pg.c.document).where(_pg.c.document.op("@@")(self.tsq))
        if window:
            inner = inner.where(_pg.c.story_id >= bindparam("low"))
        if window and high:
            inner = inner.where(_pg.c.story_id < bindparam("high"))
        self.m = inner.offset(0).subquery("m")
        return (select(self.m.c.story_id)
                .select_from(self.m.join(stories, stories.c.id == self.m.c.story_id))
                .where(*filters))

    def ranked(self, query: Any, *, newest: bool = False) -> Any:
        if newest:
            return query.order_by(self.m.c.story_id.desc())
        return query.order_by(func.ts_rank_cd(self.m.c.document, self.tsq).desc(),
                              self.m.c.story_id.desc())

    def headline(self) -> Any:
        options = (f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=35, MinWords=15, "
                   "MaxFragments=2")
        return func.ts_headline(literal_column("CAST(story_search.config AS regconfig)"),
                                _pg.c.body, self.tsq, options)


_SNIPPETS = {
    "postgresql": select(_pg.c.story_id, _Postgres().headline())
    .where(_pg.c.story_id.in_(bindparam("ids", expanding=True))),
    "sqlite": select(_fts.c.rowid, func.snippet(literal_column("story_search"), 1, MARK_START,
                                                MARK_END, "…", 32))
    .where(_Sqlite.match, _fts.c.rowid.in_(bindparam("ids", expanding=True))),
}


def snippets(c: Connection, q: str, story_ids: list[int]) -> dict[int, str]:
    """Highlighted passages for the stories on one results page."""
    if not story_ids:
        return {}
    terms = parse_query(q)
    source = tsquery(terms) if c.dialect.name == "postgresql" else fts5_query(terms)
    if c.dialect.name == "postgresql":  # 18 readings in ts_headline: 300 ms for 10 bodies
        source = _pg_tsquery(c, source)
    rows = c.execute(_SNIPPETS[c.dialect.name], {"q": source, "ids": story_ids}).all()
    return {row[0]: row[1] or "" for row in rows}


def create_index_sql(dialect: str) -> list[str]:
    """DDL for the search index, used by the migration that (re)builds it."""
    if dialect == "postgresql":
        return [
            "CREATE TABLE story_search (story_id INTEGER PRIMARY KEY REFERENCES stories(id) "
            "ON DELETE CASCADE, config TEXT NOT NULL DEFAULT 'simple', "
            "document tsvector NOT NULL, body TEXT NOT NULL)",
            "CREATE INDEX ix_story_search_document ON story_search USING GIN (document)",
        ]
    return [
        "CREATE VIRTUAL TABLE story_search USING fts5(headline, body, "
        "tokenize='porter unicode61 remove_diacritics 2', prefix='2 3 4')",
    ]


__all__ = ["Found", "QueryError", "MARK_START", "MARK_END", "index_story", "index_many",
           "index_rows", "remove_story", "remove_stories", "rebuild", "search", "snippets",
           "parse_query", "create_index_sql", "pg_config", "TOTAL_CAP"]


def matching(c: Connection, q: str) -> tuple[Any, str]:
    """Every indexed story matching a query, whatever its state (the console's search:
    store/finder.py adds its own filters): a select of story ids, and its `q` parameter."""
    terms = parse_query(q)
    if c.dialect.name == "postgresql":
        return (select(_pg.c.story_id).where(_pg.c.document.op("@@")(_Postgres().tsq)),
                _pg_tsquery(c, tsquery(terms)))  # read once, as search() does
    return select(_fts.c.rowid).where(_Sqlite.match), fts5_query(terms)
