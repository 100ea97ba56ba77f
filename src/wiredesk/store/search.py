"""Full-text search behind one interface: FTS5 on SQLite, tsvector + GIN on PostgreSQL.

The user's query is parsed here into words, "phrases" and prefix* terms and compiled into
each engine's syntax from clean tokens only, so no user input can make a syntax error.
Only stories visible now are ever returned: the index is filtered by the same clause as
every other surface, and a takedown removes the story from the index in its transaction.

Words are stemmed by the databases' own stemmers ("runner" finds "runners"): FTS5's porter
tokenizer on SQLite; on PostgreSQL each story is indexed with the text search configuration
of its language ('simple' where unknown) and a query is read in every configuration we use.

Scale (a million stories): what one search costs is bounded by the page it shows, not by
the size of the store. A query whose every word is rare (in RARE stories or fewer, each
asked with a LIMIT) has few candidates: ONE statement ranks them all by the engine's own
relevance (FTS5's rank path, ORDER BY rank with bm25, headline 5x; ts_rank_cd) and counts
them exactly; they are then put in their windows, newest window first (the last hour, six
hours, a day, a week, ...). Any other query is not ranked by relevance, since bm25's idf
reads every match of each word in the index and ts_rank_cd every match's tsvector: the
windows are walked newest first, headline matches first within each, newest first, and
the walk stops once the page and one more match are found, so the total is then a floor
("more than N"); counting a phrase of common words exactly reads every candidate in the
store. Windows are ranges of story ids, found from versioncreated by one index seek each;
ids grow with arrival, and the last window runs down to id 0, so every match is reachable.
The statements are in store/search_sql.py. On PostgreSQL the query's tsquery is read once in
every configuration and bound as a constant (see `pg_tsquery`); the match is planned apart
from the visibility join; a common word is looked for backwards along the key in the newest
ids first (its GIN bitmap would list every story with it) and the GIN index takes over
after SCAN_BUDGET ids, for the rarer matches further back (at once when the planner expects
the scan not to fill the page). GIN keeps no positions, so a phrase's candidates (stories
with all its words) are each read and checked: a phrase is searched within a budget
(RECHECK_BUDGET candidates from GIN, or PHRASE_SCAN ids tested row by row when its words'
posting lists are too long to read), newest first, and where the budget stopped the walk
the reader is offered the older stories (`Found.older`, the web page's ?before=).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, select, text

from wiredesk.store.codec import story_from_row
from wiredesk.store.schema import stories, versions
from wiredesk.store.search_sql import (
    FTS,
    MARK_END,
    MARK_START,
    NEWEST_ID,
    PG,
    PG_CONFIGS,
    PG_ESTIMATE,
    PROBE,
    PROBE_NEWEST,
    SNIPPETS,
    Postgres,
    Sqlite,
    pg_tsquery,
    statement,
    window_of,
    window_starts,
)
from wiredesk.story import Story

_TOKEN = re.compile(r"\w+", re.UNICODE)
_PART = re.compile(r'"([^"]*)"?|(\S+)')
MAX_TERMS = 12
RARE = 1000  # a word in no more stories than this is cheap to rank and count everywhere
PG_PROBE = 20_000  # PostgreSQL: a word estimated in more stories is not probed (see _rare)
SCAN_CHUNK = 2000  # PostgreSQL: ids read backwards by one "scan" statement
SCAN_BUDGET = 8000  # PostgreSQL: ids read so before the GIN index takes over
RECHECK_BUDGET = 2000  # PostgreSQL: a phrase's GIN candidates read and checked, at most
POSTINGS_BUDGET = 100_000  # PostgreSQL: a phrase's words' GIN entries, at most, else a scan
PHRASE_SCAN = 10_000  # PostgreSQL: ids a phrase of common words is tested in, newest first
PREFIX_SAMPLE = 2000  # PostgreSQL: the newest ids a prefix is first looked for in
WALK_BUDGET = 50_000  # SQLite: ids walked window by window before the rest is read at once


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
    exact: bool  # False: more than `total` match; the walk stopped past the page
    older: int | None = None  # stories below this id were not searched (the phrase budget)


# --- the index ---------------------------------------------------------------------------
# Each column an array, the tsvectors made in the same statement (bulk.py's way: binary
# placeholders, values never in the SQL text).
_PG_INSERT = (
    "INSERT INTO story_search (story_id, config, document, body) SELECT u.id, u.config, "
    "setweight(to_tsvector(CAST(u.config AS regconfig), u.headline), 'A') || "
    "setweight(to_tsvector(CAST(u.config AS regconfig), u.words), 'B'), u.body "
    "FROM unnest(CAST(%(ids)b AS int[]), CAST(%(configs)b AS text[]), "
    "CAST(%(headlines)b AS text[]), CAST(%(words)b AS text[]), CAST(%(bodies)b AS text[])) "
    "AS u(id, config, headline, words, body)")
_PG_ARRAYS = (("ids", "id"), ("configs", "config"), ("headlines", "headline"),
              ("words", "words"), ("bodies", "body"))
_fts, _pg = FTS, PG
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
    """Add stories that are not in the index yet: on PostgreSQL one statement of arrays
    (an executemany is a statement a story, each parsed, bound and run apart: 40 ms a
    file of 500), on SQLite an executemany."""
    if not rows:
        return
    if c.dialect.name != "postgresql":
        c.execute(_FTS_INSERT, rows)
    else:
        c.exec_driver_sql(_PG_INSERT, {name: [row[key] for row in rows]
                                        for name, key in _PG_ARRAYS})


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
           offset: int = 0, before: int | None = None) -> Found:
    """One page of visible matches, newest window first; its cost is bounded by the page
    asked for, not by the size of the store (see the module's note). `before`: only stories
    with a lower id (the reader's "search older stories", from `Found.older`)."""
    terms = parse_query(q)
    dialect = c.dialect.name
    params: dict[str, Any] = {"q": tsquery(terms) if dialect == "postgresql" else fts5_query(terms),
                              "now": now, "agency": agency, "start": start, "end": end}
    flags = (dialect, agency is not None, start is not None, end is not None)
    if dialect == "postgresql":
        # Every statement here joins a few hundred index rows to their stories by key: on
        # estimates alone the planner would hash or merge-join whole tables (100 ms and up
        # where a nested loop takes 2). No JIT: a disabled plan's cost would trigger it (a
        # compile of 50 ms and more). work_mem: at a million stories a GIN bitmap of a
        # prefix's matches outgrew 4 MB and went lossy, and every row of a lossy page was
        # read and checked. No parallel workers: one search on a shared machine gains
        # nothing from a second core. LOCAL: the settings end with this read transaction.
        c.exec_driver_sql("SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off; "
                          "SET LOCAL enable_seqscan = off; SET LOCAL jit = off; "
                          "SET LOCAL work_mem = '32MB'; SET LOCAL max_parallel_workers_per_gather = 0")
        params["q"] = pg_tsquery(c, params["q"])
    want = offset + limit
    if _rare(c, terms):
        # Few candidates: rank them all in ONE statement and put them in their windows here
        # (a statement per window re-read the index each time: bm25's idf, a phrase's
        # positions). At most RARE match, so the total is exact (and `before` is applied
        # here, to every match).
        ranked = [sid for sid in c.execute(statement("ranked", *flags), {**params, "n": RARE}).scalars()
                  if before is None or sid < before]
        starts = [*window_starts(c, now)]
        ranked.sort(key=lambda sid: window_of(sid, starts))  # stable: relevance within
        return Found(ranked[offset:want], len(ranked), True)
    # A common word: bm25 reads every match of each word in the whole index for its idf,
    # whatever the window, and ts_rank_cd every match's tsvector; so a window is ordered by
    # where the words matched instead: headline first, then the rest, newest first in each.
    # The second tier is the whole query less the first's ids: FTS5's NOT of a column
    # filter read the whole index whatever the window (19 ms where this takes 1).
    if dialect == "postgresql":
        tiers = [pg_tsquery(c, tsquery(terms, "A")), params["q"]]
    else:
        tiers = ["{headline} : (" + params["q"] + ")", params["q"]]
    phrase = None  # PostgreSQL: for a phrase, any of its words (their posting lists)
    if dialect == "postgresql" and any(term.kind == "phrase" for term in terms):
        phrase = pg_tsquery(c, _any_word(terms))
    ids, every, older = _walk(c, flags, params, tiers, now, want, before=before, phrase=phrase)
    if older is not None:  # the budget stopped the walk: these are all the newer stories hold
        return Found(ids[offset:want], len(ids), False, older)
    # Not every match read: want + 1 were found, so "more than `want`" is all we say.
    return Found(ids[offset:want], len(ids) if every else want, every)


def _walk(c: Connection, flags: tuple[Any, ...], params: dict[str, Any], tiers: list[str],
          now: datetime, want: int, *, before: int | None = None,
          phrase: str | None = None) -> tuple[list[int], bool, int | None]:
    """Matches newest window first, each tier in turn, until `want` + 1 are found: the ids,
    whether every match was read, and the id below which nothing was read when a budget
    stopped the walk first. On PostgreSQL the newest ids are first read backwards in chunks
    ("scan": a common word is found in the first few rows tested), up to SCAN_BUDGET ids,
    when the planner expects that to fill the page; then the GIN index finds the rarer
    matches of the rest in one statement, newest first. On SQLite whole windows are walked
    up to WALK_BUDGET ids, and the rest likewise read in one statement."""
    postgres = flags[0] == "postgresql"
    ids: list[int] = []
    newest = (c.execute(NEWEST_ID).scalar() or 0) + 1
    top = newest if before is None else min(newest, before)
    budget, low, gin = SCAN_BUDGET if postgres else WALK_BUDGET, 0, True
    if postgres:
        # The planner's estimate (a phrase: of its words together, the GIN candidates).
        density = max(_pg_estimate(c, tiers[-1]), 1.0) / newest
        if density * budget < want + 1:
            # Testing row by row would read the whole budget (1.5-3 us a row) and still
            # not fill the page: the index finds the few matches at once.
            budget = 0
        if phrase is not None:
            # GIN has no positions: each candidate with every word is read and its tsvector
            # checked (5-15 us, a heap page each), 100,000 for two common words at a
            # million stories; and the words' posting lists are read whole first (40 ms
            # for two words in most stories). A phrase is walked newest first (no headline
            # tier: each tier tested every row again), within a budget either way, and the
            # reader is offered the older stories (`older`).
            tiers = tiers[-1:]
            if _pg_estimate(c, phrase) <= POSTINGS_BUDGET:
                # The index, as far back as holds about RECHECK_BUDGET candidates.
                low, budget = max(0, top - int(RECHECK_BUDGET / density)), 0
            else:  # common words: only the newest PHRASE_SCAN ids, tested row by row
                budget, gin = PHRASE_SCAN, False
    scanned = 0
    for window_low in window_starts(c, now):
        while top > window_low:
            if scanned >= budget and not gin:  # the budget spent: the rest is offered
                return ids, False, top
            if scanned >= budget:
                # The rest in ONE statement, newest first, without the headline tier: each
                # statement reads the words' whole doclists (GIN posting lists), whatever
                # the window, so a phrase with few matches cost a full read per window.
                # On PostgreSQL it is sorted inside the fence ("scan"): unsorted, the
                # planner drove the join from stories and tested each against every match.
                # No index scan: sorted by the key, the planner read the range backwards
                # testing every row (2-8 us each, 47,000 rows for 3 matches at 200,000
                # stories) rather than AND the GIN candidates with the range (BitmapAnd).
                if postgres:
                    c.exec_driver_sql("SET LOCAL enable_bitmapscan = on; "
                                      "SET LOCAL enable_indexscan = off")
                low = min(low, top)
                ids += c.execute(statement("scan" if postgres else "newest", *flags), {
                    **params, "q": tiers[-1], "low": low, "high": top,
                    "n": want + 1 - len(ids)}).scalars()
                if postgres:
                    c.exec_driver_sql("SET LOCAL enable_indexscan = on")
                if len(ids) > want:
                    return ids, False, None
                return ids, low == 0, low or None
            bottom = max(window_low, top - SCAN_CHUNK) if postgres else window_low
            if postgres:
                c.exec_driver_sql("SET LOCAL enable_bitmapscan = off")
            chosen = statement("scan" if postgres else "newest", *flags)
            first: list[int] = []
            for match in tiers:
                found = c.execute(chosen, {**params, "q": match, "low": bottom, "high": top,
                                           "n": want + 1 - len(ids) + len(first)}).scalars()
                new = [sid for sid in found if sid not in first]
                first = first or new
                ids += new
                if len(ids) > want:
                    return ids, False, None
            scanned += top - bottom
            top = bottom
    return ids, True, None


def _rare(c: Connection, terms: list[Term]) -> bool:
    """Whether every word of the query is in RARE stories or fewer, each asked with a LIMIT
    (on PostgreSQL only when the planner does not already estimate it in more than
    PG_PROBE stories: GIN answers with a bitmap of every story having the word)."""
    postgres = c.dialect.name == "postgresql"
    for term in terms:
        for token in term.tokens:
            word = [Term("prefix" if term.kind == "prefix" else "word", (token,))]
            source = pg_tsquery(c, tsquery(word)) if postgres else fts5_query(word)
            if postgres and not source:  # a stop word in every configuration
                continue
            if postgres and _pg_estimate(c, source) > PG_PROBE:
                return False
            if postgres and term.kind == "prefix" and _common_prefix(c, source):
                return False
            if c.execute(PROBE[c.dialect.name], {"q": source, "n": RARE + 1}).scalar_one() > RARE:
                return False
    return True


def _common_prefix(c: Connection, source: str) -> bool:
    """Whether a prefix's matches in the newest PREFIX_SAMPLE ids, scaled to the store, are
    more than RARE. The planner knows nothing of a prefix (it guesses 0.5% of the rows),
    and GIN's answer to one gathers every story of every word it begins (70,000 stories,
    40 ms, for 'lone*' at a million) before the LIMIT counts: the newest rows, tested one
    by one, tell a common prefix at once and cost a few ms for a rare one."""
    top = (c.execute(NEWEST_ID).scalar() or 0) + 1
    sample = min(PREFIX_SAMPLE, top)
    c.exec_driver_sql("SET LOCAL enable_bitmapscan = off")
    found = c.execute(PROBE_NEWEST, {"q": source, "low": top - sample, "n": RARE + 1}).scalar_one()
    c.exec_driver_sql("SET LOCAL enable_bitmapscan = on")
    return found * top / sample > RARE


def _any_word(terms: list[Term]) -> str:
    """The tsquery of any word of the query: its estimate is how many posting list entries
    GIN reads for the query (tokens are \\w+ only, as in `tsquery`)."""
    return " | ".join(f"'{token}':*" if term.kind == "prefix" else f"'{token}'"
                      for term in terms for token in term.tokens)


def _pg_estimate(c: Connection, source: str) -> float:
    return float(c.exec_driver_sql(PG_ESTIMATE, {"q": source}).scalar_one()[0]["Plan"]["Plan Rows"])


def snippets(c: Connection, q: str, story_ids: list[int]) -> dict[int, str]:
    """Highlighted passages for the stories on one results page."""
    if not story_ids:
        return {}
    terms = parse_query(q)
    source = tsquery(terms) if c.dialect.name == "postgresql" else fts5_query(terms)
    if c.dialect.name == "postgresql":  # 18 readings in ts_headline: 300 ms for 10 bodies
        source = pg_tsquery(c, source)
    rows = c.execute(SNIPPETS[c.dialect.name], {"q": source, "ids": story_ids}).all()
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
           "parse_query", "create_index_sql", "pg_config", "pg_tsquery", "RARE"]


def matching(c: Connection, q: str) -> tuple[Any, str]:
    """Every indexed story matching a query, whatever its state (the console's search:
    store/finder.py adds its own filters): a select of story ids, and its `q` parameter."""
    terms = parse_query(q)
    if c.dialect.name == "postgresql":
        return (select(_pg.c.story_id).where(_pg.c.document.op("@@")(Postgres.tsq)),
                pg_tsquery(c, tsquery(terms)))  # read once, as search() does
    return select(_fts.c.rowid).where(Sqlite.match), fts5_query(terms)
