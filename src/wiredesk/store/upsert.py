"""INSERT ... ON CONFLICT DO NOTHING, for SQLite and PostgreSQL alike: first writer wins."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite

_BUILT: dict[tuple[str, str, tuple[str, ...], bool, bool], Any] = {}


def insert_ignore(c: Connection, table: Table, keys: list[str], *, returning: bool = False,
                  with_uri: bool = False) -> Any:
    """INSERT ... ON CONFLICT DO NOTHING [RETURNING id[, uri]] for this dialect, built once."""
    key = (c.dialect.name, table.name, tuple(keys), returning, with_uri)
    statement = _BUILT.get(key)
    if statement is None:
        builder = postgresql.insert if c.dialect.name == "postgresql" else sqlite.insert
        statement = builder(table).on_conflict_do_nothing(index_elements=keys)
        if returning:
            statement = statement.returning(table.c.id, *([table.c.uri] if with_uri else []))
        _BUILT[key] = statement
    return statement
