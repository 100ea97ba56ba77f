"""A consistent copy of a live store, taken while it serves: `wiredesk backup PATH`.

SQLite: the sqlite3 online backup API copies every page in one step, inside one read
transaction, so the copy is the store as of one commit while writers go on (WAL). The copy is
itself a store: restore by putting it in the old file's place with the site stopped (and the
old -wal and -shm files removed), or by pointing --database at it.

PostgreSQL: `pg_dump -Fc` (the custom format: compressed, one snapshot, read by pg_restore);
pg_dump must be on PATH, of the server's major version or newer. When the store URL names a
schema (options=-csearch_path=NAME, one schema a store), only that schema is dumped. Restore
into an empty database with `pg_restore --no-owner -d URL PATH`. pg_dump rather than
`store copy` into a SQLite file: it is the tool an operator of PostgreSQL already trusts, it
reads one snapshot without stopping writers, and its output restores to PostgreSQL as it was
(sequences, the GIN index) with no rebuild.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from sqlalchemy.engine import make_url


class BackupError(RuntimeError):
    """A backup that cannot be made; the message names the problem."""


@dataclass(frozen=True)
class BackupReport:
    path: Path
    size: int  # bytes
    seconds: float
    stories: int | None  # counted in the copy (SQLite); None for a dump file


def backup(url: str, path: Path) -> BackupReport:
    """Write a consistent copy of the store at `url` to `path`, a new file."""
    if path.exists():
        raise BackupError(f"{path} exists already; a backup never overwrites a file, give a new name")
    if not path.parent.is_dir():
        raise BackupError(f"no folder {path.parent} to write the backup in")
    part = path.with_name(path.name + ".part")  # never a half-written file under the real name
    started = time.perf_counter()
    try:
        if make_url(url).get_backend_name() == "sqlite":
            stories = _sqlite(url, part)
        else:
            stories = None
            _postgres(url, part)
        part.rename(path)
    finally:
        part.unlink(missing_ok=True)
    return BackupReport(path, path.stat().st_size, time.perf_counter() - started, stories)


def _sqlite(url: str, part: Path) -> int:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("an in-memory store has nothing on disk to back up")
    source = sqlite3.connect(database, timeout=30)
    target = sqlite3.connect(part)
    try:
        source.backup(target)  # pages=-1: every page in one step, one read transaction
        return int(target.execute("SELECT count(*) FROM stories").fetchone()[0])
    finally:
        target.close()
        source.close()


def _postgres(url: str, part: Path) -> None:
    program = shutil.which("pg_dump")
    if program is None:
        raise BackupError("a PostgreSQL backup is made with pg_dump, which is not on PATH; "
                          "install the PostgreSQL client tools (Debian: postgresql-client)")
    parsed = make_url(url)
    schema = _schema(str(parsed.query.get("options", "")))
    env = {**os.environ, **({"PGPASSWORD": parsed.password} if parsed.password else {})}
    target = parsed.set(drivername="postgresql", password=None, query={})
    command = [program, "--format=custom", f"--file={part}",
               *([f"--schema={schema}"] if schema else []),
               f"--dbname={target.render_as_string(hide_password=False)}"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        lines = [line for line in done.stderr.strip().splitlines() if line.strip()]
        raise BackupError(f"pg_dump failed: {lines[-1] if lines else f'exit {done.returncode}'}")


def _schema(options: str) -> str | None:
    """The schema a URL's libpq options put first on the search path, if any."""
    for option in unquote(options).split():
        if option.startswith("-csearch_path="):
            return option.split("=", 1)[1].split(",")[0].strip() or None
    return None
