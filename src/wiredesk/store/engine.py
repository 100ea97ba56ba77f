"""Opening a store: the engine, SQLite's pragmas, and Alembic migrations."""

from __future__ import annotations

import errno
import sqlite3
from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

DEFAULT_URL = "sqlite:///var/wiredesk.db"
URL_FORMS = "sqlite:///PATH or postgresql://USER@HOST:PORT/DATABASE"
CONNECT_TIMEOUT = 10  # seconds: an unreachable PostgreSQL is an error, not a hang


def parse_url(url: str) -> URL:
    """A store URL as SQLAlchemy reads it; plain postgresql:// means psycopg 3, the driver
    wiredesk ships with. Anything else is a ValueError naming the forms it takes."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ValueError(f"'{url}' is not a store URL; give {URL_FORMS}") from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise ValueError(f"'{url}' is not a store URL; give {URL_FORMS}")
    return parsed


def shown(url: str) -> str:
    """A store URL fit for a message: no password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite store URL (None for PostgreSQL or an in-memory database)."""
    parsed = parse_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        return Path(parsed.database)
    return None


def require_existing(url: str) -> None:
    """Refuse a SQLite file that is not there, which would otherwise be made empty in
    silence (a typo in --database); only `wiredesk init` (and `demo`) make a store."""
    path = sqlite_path(url)
    if path is not None and not path.exists():
        raise RuntimeError(f"no store at {path}; run `wiredesk init` to create one")


def describe_failure(url: str, exc: BaseException) -> str | None:
    """One line for a store that cannot be reached or written, else None (a real bug, whose
    traceback is wanted)."""
    if isinstance(exc, NoSuchModuleError):
        return f"'{shown(url)}' is not a store URL; give {URL_FORMS}"
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    if isinstance(orig, sqlite3.Error) and getattr(orig, "sqlite_errorcode", None) in (
            sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR):
        return "the store's disk is full" if orig.sqlite_errorcode == sqlite3.SQLITE_FULL \
            else f"the store's disk failed: {orig}"
    if isinstance(orig, OSError) and orig.errno == errno.ENOSPC:
        return "the store's disk is full"
    if isinstance(orig, sqlite3.OperationalError) and "unable to open" in str(orig):
        return f"cannot open the store at {shown(url)}: {orig}"
    import psycopg

    if isinstance(orig, psycopg.OperationalError):
        text = str(orig).strip()
        reason = text.splitlines()[0] if text else type(orig).__name__
        return f"cannot reach the store at {shown(url)}: {reason}"
    return None


def make_engine(url: str) -> Engine:
    parsed = parse_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(parsed, pool_pre_ping=True,
                         connect_args={"connect_timeout": CONNECT_TIMEOUT})


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    dbapi_connection.isolation_level = None  # autocommit at the driver: we issue BEGIN ourselves
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin(conn) -> None:  # type: ignore[no-untyped-def]
    # A writer takes the lock at BEGIN, so two writers queue on busy_timeout instead of one
    # failing when its read lock cannot be upgraded; readers stay deferred and never block.
    immediate = conn.get_execution_options().get("sqlite_immediate", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option(
        "script_location", str(resources.files("wiredesk.store").joinpath("migrations"))
    )
    return cfg


def migrate(engine: Engine) -> None:
    """Bring the store to the newest schema; safe to run at every start."""
    cfg = _alembic_config()
    with engine.connect() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "head")
        connection.commit()


def is_current(engine: Engine) -> bool:
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision() == head
