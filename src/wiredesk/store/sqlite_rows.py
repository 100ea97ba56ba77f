"""A delivery's many rows straight to SQLite's driver (issue 17, goal 5): store/bulk.py's
SQLite branch.

SQLAlchemy's executemany of a compiled statement runs every value of every row through its
type's bind processing, one call a value (546k DATETIME conversions for 20,000 stories, each
time both UTCDateTime's check and SQLite's text form), and builds a parameter dict a row:
as much of the main process's CPU as sqlite3 writing the rows. Here the statement is
compiled once by SQLAlchemy (its SQL text, the order of its parameters and each one's type),
each value goes through that very type's bind processor, an aware time once whatever rows
and tables it recurs in (see _TEXTS), and sqlite3 gets tuples by executemany.
The stored values are those SQLAlchemy's own executemany stores, byte for byte; a naive time
is still refused, by the same processor. Values are parameters, never in the SQL text.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Connection, Executable

from wiredesk.store.schema import UTCDateTime

Processor = Callable[[Any], Any]
# A statement's SQL, its parameters' names in order, and (position, processor) of each
# parameter whose type processes values; `times`: those of UTCDateTime columns.
Built = tuple[str, tuple[str, ...], tuple[tuple[int, Processor], ...], frozenset[int]]
# Keyed by the statement itself (module constants, or one insert a table: see bulk.py).
_BUILT: dict[tuple[Executable, tuple[str, ...]], Built | None] = {}


def built(c: Connection, statement: Executable, names: Sequence[str]) -> Built | None:
    """The statement compiled for SQLite with these parameters (once a statement and set of
    names); None when its parameters are not exactly `names` (a column's Python-side
    default, say), which SQLAlchemy's own executemany must then fill in."""
    key = (statement, tuple(names))
    if key in _BUILT:
        return _BUILT[key]
    compiled = statement.compile(dialect=c.dialect, column_keys=list(names))  # type: ignore[attr-defined]
    order = tuple(compiled.positiontup or ())
    found: Built | None = None
    if sorted(order) == sorted(names) and len(set(order)) == len(order):
        processors, times = [], set()
        for at, name in enumerate(order):
            kind = compiled.binds[name].type
            process = kind.dialect_impl(c.dialect).bind_processor(c.dialect)
            if process is not None:
                processors.append((at, process))
            if isinstance(kind, UTCDateTime):
                times.add(at)
        found = (str(compiled), order, tuple(processors), frozenset(times))
    _BUILT[key] = found
    return found


# A story's times recur in its stories, versions, heads, clusters, ledger and journal rows,
# and a delivery's `now` in most rows: each aware time's stored text, made once (UTCDateTime
# columns all store alike). Equal aware times are one instant, so one text; a naive time
# never equals an aware one, so it still reaches the processor that refuses it.
_TEXTS: WeakKeyDictionary[Any, dict[Any, Any]] = WeakKeyDictionary()  # a dialect's
_KEEP = 20_000  # times remembered, then forgotten all at once


def executemany(c: Connection, statement: Executable, rows: list[dict[str, Any]]) -> bool:
    """Run `statement` once a row at the driver; False (nothing done) when it cannot be built
    for these rows' keys, for the caller to run through SQLAlchemy."""
    found = built(c, statement, tuple(rows[0]))
    if found is None:
        return False
    sql, order, processors, times = found
    plain = [(at, process) for at, process in processors if at not in times]
    timed = [(at, process) for at, process in processors if at in times]
    memo = _TEXTS.get(c.dialect)
    if memo is None or len(memo) > _KEEP:
        memo = _TEXTS[c.dialect] = {}
    take = itemgetter(*order) if len(order) > 1 else lambda row: (row[order[0]],)
    if not processors:
        c.exec_driver_sql(sql, [take(row) for row in rows])
        return True
    params = []
    for row in rows:
        values = list(take(row))
        for at, process in plain:
            values[at] = process(values[at])
        for at, process in timed:
            value = values[at]
            if value is not None:
                stored = memo.get(value)
                if stored is None:
                    stored = memo[value] = process(value)
                values[at] = stored
        params.append(tuple(values))  # exec_driver_sql takes a list of tuples
    c.exec_driver_sql(sql, params)
    return True
