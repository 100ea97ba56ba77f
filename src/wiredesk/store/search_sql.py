"""The statements of search (store/search.py decides which run): each built once per shape
of search with bound parameters, for FTS5 on SQLite and tsvector + GIN on PostgreSQL.

Kinds of statement:
- "ranked": every match of the query, by the engine's relevance (bm25 with the headline 5x;
  ts_rank_cd), for a query known to have few candidates.
- "newest": the matches inside an id range [low, high), newest first, stopping at a LIMIT:
  FTS5 walks its doclists in rowid order; PostgreSQL reads the GIN index then the range.
- "scan" (PostgreSQL only): the same, read backwards along the key and tested row by row,
  stopping at the LIMIT: for words in most stories, where the GIN bitmap of every story that
  has them costs more than testing the newest few rows.
"""

from __future__ import annotations

from collections.abc import Iterator
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
)
from sqlalchemy.dialects import postgresql  # noqa: F401 (registers ts_headline's types)
from sqlalchemy.dialects.postgresql import REGCONFIG, TSQUERY

from wiredesk.store.clauses import visible_clause
from wiredesk.store.schema import stories

MARK_START, MARK_END = "\ue000", "\ue001"  # private-use characters: never in agency copy
WINDOWS = (timedelta(hours=1), timedelta(hours=6), timedelta(days=1), timedelta(days=7),
           timedelta(days=30), timedelta(days=365))
# A story's language (its primary subtag) to PostgreSQL's stemming configuration.
PG_CONFIGS = {
    "da": "danish", "de": "german", "en": "english", "es": "spanish", "fi": "finnish",
    "fr": "french", "hu": "hungarian", "it": "italian", "nb": "norwegian", "nl": "dutch",
    "nn": "norwegian", "no": "norwegian", "pt": "portuguese", "ro": "romanian",
    "ru": "russian", "sv": "swedish", "tr": "turkish",
}
QUERY_CONFIGS = ("simple", *sorted(set(PG_CONFIGS.values())))

FTS = table("story_search", column("rowid"), column("rank"), column("headline"), column("body"))
PG = table("story_search", column("story_id"), column("config"), column("document"),
           column("body"))


def window_of(story_id: int, starts: list[int]) -> int:
    """Which window (0 the newest) a story id falls in, from `window_starts`."""
    return next(i for i, low in enumerate(starts) if story_id >= low)


def window_starts(c: Connection, now: datetime) -> Iterator[int]:
    """The first story id of each window, newest window first, ending with 0 (all)."""
    for width in WINDOWS:
        first = c.execute(_FIRST_SINCE, {"since": now - width}).scalar()
        if first is not None:
            yield first
    yield 0


_FIRST_SINCE = (select(stories.c.id).where(stories.c.versioncreated >= bindparam("since"))
                .order_by(stories.c.versioncreated, stories.c.id).limit(1))
NEWEST_ID = select(func.max(stories.c.id))
_STATEMENTS: dict[tuple[Any, ...], Any] = {}


def statement(kind: str, dialect: str, agency: bool, start: bool, end: bool) -> Any:
    """The statement of this kind for this shape of search (see the module's note)."""
    key = (kind, dialect, agency, start, end)
    found = _STATEMENTS.get(key)
    if found is not None:
        return found
    now = bindparam("now", type_=stories.c.ends_at.type)
    # newest_first: no index on state, so the planner never drives the join from stories
    filters = [visible_clause(now, newest_first=True)]  # type: ignore[arg-type]
    if agency:
        filters.append(stories.c.agency == bindparam("agency"))
    if start:
        filters.append(stories.c.versioncreated >= bindparam("start", type_=stories.c.ends_at.type))
    if end:
        filters.append(stories.c.versioncreated < bindparam("end", type_=stories.c.ends_at.type))
    engine = Postgres() if dialect == "postgresql" else Sqlite()
    query = engine.matches(filters, window=kind != "ranked", scan=kind == "scan")
    found = engine.ranked(query, newest=kind != "ranked").limit(bindparam("n"))
    _STATEMENTS[key] = found
    return found


class Sqlite:
    """FTS5: MATCH on the virtual table, its rowid range, ORDER BY rank (bm25, headline 5x):
    FTS5 sorts the matches itself and the join stops at the LIMIT."""

    match = literal_column("story_search").op("MATCH")(bindparam("q"))

    def matches(self, filters: list[Any], *, window: bool, scan: bool = False) -> Any:
        query = (select(FTS.c.rowid).select_from(FTS.join(stories, stories.c.id == FTS.c.rowid))
                 .where(self.match, *filters))
        if window:
            query = query.where(FTS.c.rowid >= bindparam("low"), FTS.c.rowid < bindparam("high"))
        return query

    def ranked(self, query: Any, *, newest: bool = False) -> Any:
        if newest:
            return query.order_by(FTS.c.rowid.desc())
        return query.where(FTS.c.rank.op("MATCH")("bm25(5.0, 1.0)")).order_by(FTS.c.rank)


_PG_TSQUERY = select(*(cast(func.to_tsquery(cast(literal(config, Text()), REGCONFIG),
                                             bindparam("q", type_=Text())), Text())
                        for config in QUERY_CONFIGS))


def pg_tsquery(c: Connection, source: str) -> str:
    """The query read in every configuration, as one tsquery's text, read once. Bound as a
    constant, the planner estimates its matches from the index statistics and nothing
    re-reads the 18 configurations per row (as an expression it was re-evaluated for each
    candidate row, 0.27 ms each); the configurations' identical readings are given once."""
    readings = dict.fromkeys(r for r in c.execute(_PG_TSQUERY, {"q": source}).one() if r)
    return " | ".join(f"( {r} )" for r in readings)


class Postgres:
    """tsvector @@ tsquery on the GIN index, the id range on the key; ts_rank_cd orders."""

    tsq = cast(bindparam("q", type_=Text()), TSQUERY)  # from `pg_tsquery`

    def matches(self, filters: list[Any], *, window: bool, scan: bool = False) -> Any:
        # The match (and its window) is planned on its own (OFFSET 0 is the fence): the
        # visibility filter on stories is estimated at well under 1% of rows, so, joined,
        # the planner drove from stories and tested every story's tsvector (a full scan
        # per search, 0.5-7 s at 50,000); alone, it reads the GIN index.
        inner = select(PG.c.story_id, PG.c.document).where(PG.c.document.op("@@")(self.tsq))
        if window:
            inner = inner.where(PG.c.story_id >= bindparam("low"), PG.c.story_id < bindparam("high"))
        if scan:  # ordered inside the fence: read backwards along the key, as far as needed
            inner = inner.order_by(PG.c.story_id.desc())
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
                                PG.c.body, self.tsq, options)


# How many index entries a word has, up to a LIMIT (`n`): a common word costs `n` entries.
PROBE = {
    "postgresql": select(func.count()).select_from(
        select(PG.c.story_id).where(PG.c.document.op("@@")(Postgres.tsq))
        .limit(bindparam("n")).subquery()),
    "sqlite": select(func.count()).select_from(
        select(FTS.c.rowid).where(Sqlite.match).limit(bindparam("n")).subquery()),
}
# How many of the newest ids from `low` up match, up to a LIMIT, read backwards along the key.
PROBE_NEWEST = select(func.count()).select_from(
    select(PG.c.story_id).where(PG.c.document.op("@@")(Postgres.tsq), PG.c.story_id >= bindparam("low"))
    .order_by(PG.c.story_id.desc()).limit(bindparam("n")).subquery())
# The planner's estimate of a tsquery's matches (from ANALYZE's most common lexemes): read
# before PROBE, since a GIN lookup of a common word builds a bitmap of every story with it.
PG_ESTIMATE = "EXPLAIN (FORMAT JSON) SELECT 1 FROM story_search WHERE document @@ CAST(%(q)s AS tsquery)"
SNIPPETS = {
    "postgresql": select(PG.c.story_id, Postgres().headline())
    .where(PG.c.story_id.in_(bindparam("ids", expanding=True))),
    "sqlite": select(FTS.c.rowid, func.snippet(literal_column("story_search"), 1, MARK_START,
                                               MARK_END, "…", 32))
    .where(Sqlite.match, FTS.c.rowid.in_(bindparam("ids", expanding=True))),
}
