"""Moving up: copy a whole store (SQLite to PostgreSQL, or any to any) and check the counts.

Every table in the schema is copied row for row with its ids, in foreign-key order: stories,
every version with its raw bytes, subjects, quarantine with its bytes, the takedown log,
sources and their state, console users. The search index is rebuilt in the target from the
stories it now holds, and PostgreSQL's id sequences are moved past the copied ids.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Integer, func, select, text

from wiredesk.store import Store, search
from wiredesk.store.schema import metadata

BATCH = 2000
# Tables a new store's migrations fill with defaults (the 17 IPTC sections): not "rows in the
# target" that a copy would overwrite; the source's own rows replace them.
SEEDED = frozenset({"sections"})


class CopyError(RuntimeError):
    pass


@dataclass
class CopyReport:
    counts: dict[str, tuple[int, int]]  # table: (rows in source, rows in target)
    indexed: int

    @property
    def ok(self) -> bool:
        return all(a == b for a, b in self.counts.values())


def copy_store(source: Store, target: Store, *,
               progress: Callable[[str, int], None] | None = None) -> CopyReport:
    """Copy everything from `source` into the empty, migrated `target`."""
    tables = [t for t in metadata.sorted_tables]
    with target.engine.connect() as c:
        busy = [t.name for t in tables if t.name not in SEEDED
                and c.execute(select(func.count()).select_from(t)).scalar()]
    if busy:
        raise CopyError(f"the target store is not empty (rows in: {', '.join(busy)}); "
                        "copy into a new database")
    counts: dict[str, tuple[int, int]] = {}
    with source.engine.connect() as src, target.write() as w:
        for table in tables:
            if table.name in SEEDED:
                w.c.execute(table.delete())
        for table in tables:
            copied = 0
            result = src.execution_options(stream_results=True).execute(select(table))
            while rows := result.fetchmany(BATCH):
                w.c.execute(table.insert(), [row._asdict() for row in rows])
                copied += len(rows)
                if progress:
                    progress(table.name, copied)
            counts[table.name] = (copied, 0)
        indexed = search.rebuild(src, w.c)
        if w.c.dialect.name == "postgresql":
            _move_sequences(w.c, tables)
    with target.engine.connect() as c:
        for table in tables:
            copied_from, _ = counts[table.name]
            counts[table.name] = (copied_from,
                                  c.execute(select(func.count()).select_from(table)).scalar_one())
    return CopyReport(counts=counts, indexed=indexed)


def _move_sequences(c, tables) -> None:  # type: ignore[no-untyped-def]
    """Serial ids continue after the copied ones, so the next insert does not collide."""
    for table in tables:
        keys = list(table.primary_key.columns)
        if len(keys) != 1 or not isinstance(keys[0].type, Integer):
            continue
        column = keys[0]
        sequence = c.execute(text("SELECT pg_get_serial_sequence(:table, :column)"),
                             {"table": table.name, "column": column.name}).scalar()
        if sequence:
            highest = c.execute(select(func.max(column))).scalar() or 0
            c.execute(text("SELECT setval(:sequence, :value, false)"),
                      {"sequence": sequence, "value": highest + 1})
