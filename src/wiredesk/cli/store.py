"""`wiredesk store copy --to URL`: move a store (SQLite to PostgreSQL) whole, and check it."""

from __future__ import annotations

import argparse
import sys

from sqlalchemy.exc import SQLAlchemyError

from wiredesk.config import Settings
from wiredesk.store import Store
from wiredesk.store.copy import CopyError, copy_store
from wiredesk.store.engine import describe_failure, parse_url


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    store = sub.add_parser("store", help="work on the store itself")
    verbs = store.add_subparsers(dest="store_command", required=True, metavar="VERB")
    c = verbs.add_parser("copy", help="copy this store, history, audit and quarantine included, "
                                      "into an empty database and verify the counts")
    c.add_argument("--to", required=True, metavar="URL",
                   help="target store, e.g. postgresql+psycopg://user@host:5432/wiredesk")
    c.set_defaults(func=cmd_copy)


def cmd_copy(args: argparse.Namespace, settings: Settings) -> int:
    if args.to == settings.database_url:
        raise ValueError("--to names the store being copied; give another database")
    try:
        parse_url(args.to)
    except ValueError as exc:
        raise ValueError(f"--to {exc}") from None
    source = Store.open(settings.database_url, create=False)
    try:  # migrates the new database to the newest schema
        target = Store.open(_sqlalchemy_url(args.to))
    except SQLAlchemyError as exc:
        source.close()
        message = describe_failure(args.to, exc)
        if message is None:
            raise
        raise RuntimeError(message) from exc
    try:
        report = copy_store(source, target, progress=_progress)
    except CopyError as exc:
        raise RuntimeError(str(exc)) from exc
    finally:
        source.close()
        target.close()
    print(file=sys.stderr)
    print(f"{'table':<16} {'source':>9} {'target':>9}")
    for table, (here, there) in report.counts.items():
        mark = "" if here == there else "  MISMATCH"
        print(f"{table:<16} {here:>9} {there:>9}{mark}")
    print(f"search index rebuilt for {report.indexed} stories")
    if not report.ok:
        print("wiredesk: the copy is incomplete: counts differ", file=sys.stderr)
        return 1
    print("copy verified: every table has the same number of rows on both sides")
    return 0


def _sqlalchemy_url(url: str) -> str:
    """Accept the plain postgresql:// form too; wiredesk talks to PostgreSQL with psycopg 3."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def _progress(table: str, rows: int) -> None:
    print(f"\r  copying {table}: {rows} rows   ", end="", file=sys.stderr, flush=True)
