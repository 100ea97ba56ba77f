"""`wiredesk backup PATH`: a consistent copy of the live store (see store/backup.py)."""

from __future__ import annotations

import argparse
from pathlib import Path

from wiredesk.config import Settings
from wiredesk.store.backup import BackupError, backup


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    b = sub.add_parser("backup", help="write a consistent copy of the store while it runs "
                                      "(SQLite: a store file; PostgreSQL: a pg_dump -Fc file)")
    b.add_argument("path", type=Path, metavar="PATH", help="the new backup file")
    b.set_defaults(func=cmd_backup)


def cmd_backup(args: argparse.Namespace, settings: Settings) -> int:
    try:
        report = backup(settings.database_url, args.path)
    except BackupError as exc:
        raise RuntimeError(str(exc)) from exc
    stories = "" if report.stories is None else f", {report.stories:,} stories"
    print(f"backup written: {report.path} ({report.size / 2**20:,.1f} MB{stories}) "
          f"in {report.seconds:.1f} s")
    return 0
