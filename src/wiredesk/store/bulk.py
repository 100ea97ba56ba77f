"""A delivery's many rows in one statement each on PostgreSQL (issue 17, goal 5).

SQLAlchemy runs an executemany of 500 rows as a VALUES list of 500 x columns parameters,
each passed through its type's bind processor and psycopg's adapter one by one, and the
server parses and plans the lot: on ingest that cost as much as writing the rows. Here the
rows go as a few array parameters instead (INSERT ... SELECT FROM unnest), or, for rows that
nothing can conflict with and nothing reads back, by COPY (`append`). Values still travel
as bound parameters or COPY data, never in the SQL text. SQLite has no round trip to save,
but SQLAlchemy's executemany costs as much Python as sqlite3's writing: its rows go to the
driver, each value through its column type's bind processor (store/sqlite_rows.py).

The array statements run at the driver (exec_driver_sql) with psycopg's binary placeholders
(%(name)b): a list of 500 times or raw byte strings costs a tenth of its text form to send
(1.7 ms and 17 ms a list in text). Their times go through UTCDateTime's bind processing
first, as every other write's do (aware UTC; a naive time is refused).

Integers by the thousand (a file's bands) go as PostgreSQL array literals ('{1,2,3}',
digits and commas only): psycopg adapts a list element by element, a string in one step.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from psycopg import sql
from sqlalchemy import (
    Connection,
    Select,
    String,
    Table,
    any_,
    bindparam,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY

from wiredesk.store import sqlite_rows
from wiredesk.store.schema import UTCDateTime, raws, stories, versions
from wiredesk.store.upsert import insert_ignore

_AT = UTCDateTime()

# A story and its head version's ordering key, read and locked (Writer.lock_story, lock_many).
_head = versions.alias("head")
_LOCK_COLUMNS = (
    select(stories.c.id, stories.c.uri, stories.c.state, stories.c.head_version_id,
           stories.c.firstcreated, stories.c.source, stories.c.agency, _head.c.version_number,
           _head.c.versioncreated.label("head_created"))
    .select_from(stories.outerjoin(_head, _head.c.id == stories.c.head_version_id))
)
LOCK = _LOCK_COLUMNS.where(stories.c.uri == bindparam("uri")).with_for_update(of=stories)
_LOCK_MANY = (_LOCK_COLUMNS.where(stories.c.uri.in_(bindparam("uris", expanding=True)))
              .order_by(stories.c.id).with_for_update(of=stories))
# PostgreSQL: the uris as one array parameter. As 500 parameters, psycopg's prepared
# statement (prepared at its fifth use) got a generic plan that read every story and
# compared its uri with each of the 500: a file's lookup grew with the store (0.2 s of
# server CPU at 20,000 stories), where the array is probed in the uri index.
_LOCK_MANY_PG = (_LOCK_COLUMNS.where(stories.c.uri == any_(bindparam("uris", type_=ARRAY(String))))
                 .order_by(stories.c.id).with_for_update(of=stories))


def lock_many(c: Connection) -> Select[Any]:
    """The statement locking and reading the stories of a list of uris (:uris)."""
    return _LOCK_MANY_PG if c.dialect.name == "postgresql" else _LOCK_MANY

# New stories, each column an array; returns the ids of those this statement made (a uri
# a concurrent writer made first is left out, as ON CONFLICT DO NOTHING leaves it).
_CREATE_PG = (
    "INSERT INTO stories (uri, source, state, head_version_id, version_count, headline, "
    "agency, located, urgency, language, firstcreated, versioncreated, embargoed, ends_at, "
    "updated_at) SELECT u.uri, %(source)b, 'withheld', NULL, 0, u.headline, u.agency, "
    "u.located, u.urgency, u.language, u.firstcreated, u.versioncreated, u.embargoed, "
    "%(now)b, %(now)b FROM unnest(CAST(%(uris)b AS text[]), CAST(%(headlines)b AS text[]), "
    "CAST(%(agencies)b AS text[]), CAST(%(locateds)b AS text[]), CAST(%(urgencies)b AS int[]), "
    "CAST(%(languages)b AS text[]), CAST(%(firsts)b AS timestamptz[]), "
    "CAST(%(createds)b AS timestamptz[]), CAST(%(embargoes)b AS timestamptz[])) "
    "AS u(uri, headline, agency, located, urgency, language, firstcreated, versioncreated, "
    "embargoed) ON CONFLICT (uri) DO NOTHING RETURNING id, uri")
_ROW = ("uri", "headline", "agency", "located", "urgency", "language", "firstcreated",
        "versioncreated", "embargoed")
_ARRAYS = ("uris", "headlines", "agencies", "locateds", "urgencies", "languages", "firsts",
           "createds", "embargoes")
_TIMES = frozenset(("firsts", "createds", "embargoes"))


def create_stories(c: Connection, rows: list[dict[str, Any]], *, source: str,
                   now: datetime) -> dict[str, int]:
    """Insert new stories' rows (state withheld, no head yet), each a dict of the stories
    columns in _ROW; the id of each uri this call made."""
    if c.dialect.name != "postgresql":
        full = [{"source": source, "state": "withheld", "head_version_id": None,
                 "version_count": 0, "ends_at": now, "updated_at": now, **row} for row in rows]
        # At the driver, without RETURNING: the rows this call made are those past the
        # largest id before it (a SQLite writer is the only one, from BEGIN to commit).
        before = c.execute(_LAST_STORY).scalar() or 0
        if sqlite_rows.executemany(c, insert_ignore(c, stories, ["uri"]), full):
            return {r.uri: r.id for r in c.execute(_MADE_AFTER, {"after": before})}
        return {r.uri: r.id for r in c.execute(
            insert_ignore(c, stories, ["uri"], returning=True, with_uri=True), full)}
    stored = _AT.bind_processor(c.dialect)
    params: dict[str, Any] = {"source": source, "now": stored(now) if stored else now}
    for column, name in zip(_ROW, _ARRAYS, strict=True):
        values = [row[column] for row in rows]
        if name in _TIMES and stored is not None:  # aware UTC, and naive ones refused
            values = [stored(v) for v in values]
        params[name] = values
    return {r.uri: r.id for r in c.exec_driver_sql(_CREATE_PG, params)}


_LAST_STORY = select(func.max(stories.c.id))
_MADE_AFTER = select(stories.c.id, stories.c.uri).where(stories.c.id > bindparam("after"))


def int_array(values: Sequence[int]) -> str:
    """A PostgreSQL array literal of integers (nothing but digits, signs and commas)."""
    return "{" + ",".join(map(str, map(int, values))) + "}"


Processor = Callable[[Any], Any] | None
_INSERTS: dict[str, Any] = {}  # SQLite: one INSERT a table, compiled once (sqlite_rows)
_COPY: dict[tuple[str, tuple[str, ...]], tuple[sql.Composed, list[Processor], list[int] | None]] = {}
# Binary COPY: the server reads each value as stored (a time as 8 bytes, not text to parse),
# so each column is sent in its own type's binary form, named by the type psycopg dumps it
# as (varchar takes text's bytes as they are: its binary input is the text). A column of
# any other type sends the table's rows as text COPY, as before.
_BINARY = {23: "int4", 20: "int8", 1184: "timestamptz", 1043: "text", 25: "text",
           114: "json", 16: "bool", 17: "bytea", 701: "float8"}
_COPY_TEXT = sql.SQL("COPY {} ({}) FROM STDIN")
_COPY_BINARY = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT BINARY)")
_COLUMN_TYPES = ("SELECT attname, atttypid::int FROM pg_attribute WHERE attrelid = "
                 "to_regclass(%s) AND attnum > 0 AND NOT attisdropped")


def append(c: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert rows that only ever add to a table (no conflict possible: a version, a ledger
    or journal entry, a new story's subjects): one binary COPY on PostgreSQL, each value
    through its column type's own bind processing first (aware UTC times, JSON), as INSERT
    would."""
    if not rows:
        return
    if c.dialect.name != "postgresql":
        adding = _INSERTS.get(table.name)
        if adding is None:
            adding = _INSERTS[table.name] = insert(table)
        if not sqlite_rows.executemany(c, adding, rows):
            c.execute(adding, rows)
        return
    names = tuple(rows[0])
    driver = c.connection.driver_connection  # the transaction's own psycopg connection
    statement, processors, types = _copy_of(c, table, names)
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        if types is not None:
            copy.set_types(types)
        for row in rows:
            copy.write_row([value if process is None else process(value)
                            for value, process in zip([row[n] for n in names], processors,
                                                      strict=True)])


def _copy_of(c: Connection, table: Table, names: tuple[str, ...],
             ) -> tuple[sql.Composed, list[Processor], list[int] | None]:
    """COPY table (columns) FROM STDIN, with the schema's names quoted as identifiers, each
    column's bind processor and, for binary COPY, the types to send; built once a table and
    set of columns (types as the catalog has them: every store is made by the same
    migrations)."""
    key = (table.name, names)
    found = _COPY.get(key)
    if found is None:
        driver = c.connection.driver_connection
        with driver.cursor() as cursor:
            stored = dict(cursor.execute(_COLUMN_TYPES, (table.name,)).fetchall())
        binary = [_BINARY.get(stored.get(n, 0)) for n in names]
        types = ([driver.adapters.types.get_oid(t) for t in binary if t is not None]
                 if None not in binary else None)
        statement = (_COPY_BINARY if types else _COPY_TEXT).format(
            sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, names)))
        processors = [table.c[n].type.dialect_impl(c.dialect).bind_processor(c.dialect)
                      for n in names]
        found = _COPY[key] = (statement, processors, types)
    return found


# A story's head, a row at a time (:sid and the columns named); SQLite's new heads too, with
# the versions counted (:n).
SET_HEAD = update(stories).where(stories.c.id == bindparam("sid")).values(
    **{name: bindparam(name) for name in (
        "head_version_id", "state", "headline", "agency", "located", "urgency", "language",
        "versioncreated", "embargoed", "ends_at", "updated_at")})
_SET_NEW_HEAD = SET_HEAD.values(version_count=stories.c.version_count + bindparam("n"))
# PostgreSQL: new stories' heads, each column an array (Writer.flush): one statement, where an
# executemany is a statement a story.
_SET_NEW_HEADS_PG = (
    "UPDATE stories SET head_version_id = u.head_version_id, state = u.state, "
    "headline = u.headline, agency = u.agency, located = u.located, urgency = u.urgency, "
    "language = u.language, versioncreated = u.versioncreated, embargoed = u.embargoed, "
    "ends_at = u.ends_at, updated_at = u.updated_at, "
    "version_count = stories.version_count + u.n FROM unnest(CAST(%(sid)b AS int[]), "
    "CAST(%(head_version_id)b AS int[]), CAST(%(state)b AS text[]), "
    "CAST(%(headline)b AS text[]), CAST(%(agency)b AS text[]), CAST(%(located)b AS text[]), "
    "CAST(%(urgency)b AS int[]), CAST(%(language)b AS text[]), "
    "CAST(%(versioncreated)b AS timestamptz[]), CAST(%(embargoed)b AS timestamptz[]), "
    "CAST(%(ends_at)b AS timestamptz[]), CAST(%(updated_at)b AS timestamptz[]), "
    "CAST(%(n)b AS int[])) AS u(sid, head_version_id, state, headline, agency, located, "
    "urgency, language, versioncreated, embargoed, ends_at, updated_at, n) "
    "WHERE stories.id = u.sid")
_HEAD_TIMES = ("versioncreated", "embargoed", "ends_at", "updated_at")
_HEAD_COLUMNS = ("sid", "head_version_id", "state", "headline", "agency", "located", "urgency",
                 "language", *_HEAD_TIMES, "n")


def set_new_heads(c: Connection, rows: list[dict[str, Any]]) -> None:
    """Give stories made in this transaction their heads, each row once a story (the
    columns of _HEAD_COLUMNS, `n` the versions to count)."""
    if not rows:
        return
    if c.dialect.name != "postgresql":
        if not sqlite_rows.executemany(c, _SET_NEW_HEAD, rows):
            c.execute(_SET_NEW_HEAD, rows)
        return
    stored = _AT.bind_processor(c.dialect)
    params: dict[str, Any] = {name: [row[name] for row in rows] for name in _HEAD_COLUMNS}
    for name in _HEAD_TIMES:
        if stored is not None:
            params[name] = [stored(value) for value in params[name]]
    c.exec_driver_sql(_SET_NEW_HEADS_PG, params)


# Raw bytes, kept once whoever delivered them first (the same bytes twice: one row).
_KEEP_RAWS_PG = (
    "INSERT INTO raws (sha256, data, size) SELECT * FROM unnest(CAST(%(shas)b AS text[]), "
    "CAST(%(datas)b AS bytea[]), CAST(%(sizes)b AS int[])) ON CONFLICT (sha256) DO NOTHING")


def keep_raws(c: Connection, rows: list[dict[str, Any]]) -> None:
    """Insert raws rows ({sha256, data, size}) unless their sha256 is stored: one statement
    on PostgreSQL, where an executemany with ON CONFLICT is one a row."""
    if not rows:
        return
    if c.dialect.name != "postgresql":
        keeping = insert_ignore(c, raws, ["sha256"])
        if not sqlite_rows.executemany(c, keeping, rows):
            c.execute(keeping, rows)
        return
    c.exec_driver_sql(_KEEP_RAWS_PG, {"shas": [r["sha256"] for r in rows],
                                      "datas": [r["data"] for r in rows],
                                      "sizes": [r["size"] for r in rows]})
