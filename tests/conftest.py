"""Shared fixtures: a real store (SQLite file, and PostgreSQL where one is reachable), a clock.

Every test that takes `store` runs twice: on a SQLite file in a temporary folder and on
PostgreSQL in a schema of its own, so runs cannot collide. PostgreSQL is found at
$WIREDESK_TEST_DATABASE_URL, else at 127.0.0.1:5432 database `test` (as on CI); where no
server answers, the PostgreSQL half is skipped with the reason.
"""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from wiredesk.store import Store

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SAMPLES = ROOT / "samples"
SHARED = ROOT.parent / "shared"
PG_URL = os.environ.get("WIREDESK_TEST_DATABASE_URL",
                        "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@cache
def postgres_problem() -> str | None:
    """Why PostgreSQL cannot be used, or None when it can."""
    try:
        engine = create_engine(PG_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as c:
            c.execute(text("select 1"))
        engine.dispose()
        return None
    except Exception as exc:  # any failure to connect means: skip, and say why
        return (f"no PostgreSQL at {PG_URL} ({type(exc).__name__}); set "
                "WIREDESK_TEST_DATABASE_URL=postgresql+psycopg://user@host:port/db to run it")


def pg_schema_url(schema: str) -> str:
    separator = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{separator}options=-csearch_path%3D{schema}"


def pytest_report_header(config):  # noqa: ARG001
    problem = postgres_problem()
    return "stores: sqlite, postgresql" if problem is None else f"stores: sqlite only: {problem}"


def pytest_terminal_summary(terminalreporter, exitstatus, config):  # noqa: ARG001
    """Said last, where it cannot be missed: which stores this run covered."""
    problem = postgres_problem()
    if problem is None:
        terminalreporter.write_line(f"stores tested: SQLite and PostgreSQL ({PG_URL})")
    else:
        terminalreporter.write_line(f"stores tested: SQLite only; the PostgreSQL half was "
                                    f"skipped: {problem}", yellow=True)


@pytest.fixture(autouse=True)
def secret_key(monkeypatch):
    """Inline source secrets are stored sealed with a key from WIREDESK_SECRET_KEY (refused
    without one): tests have one unless they take it away."""
    monkeypatch.setenv("WIREDESK_SECRET_KEY", os.environ.get("WIREDESK_SECRET_KEY")
                       or "test-secret-key-not-for-production")


@pytest.fixture
def now() -> datetime:
    return datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path: Path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'wiredesk.db'}"
        return
    yield request.getfixturevalue("pg_url")


@pytest.fixture
def pg_url():
    """A PostgreSQL schema of this test's own, for tests that need PostgreSQL itself."""
    problem = postgres_problem()
    if problem:
        pytest.skip(problem)
    schema = f"wd_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    with admin.begin() as c:
        c.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield pg_schema_url(schema)
    finally:
        with admin.begin() as c:
            c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def store(store_url: str):
    s = Store.open(store_url)
    yield s
    s.close()


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock(now):
    return Clock(now)


@pytest.fixture
def client(store, clock):
    """The whole site over the test's store, on the test's clock."""
    from starlette.testclient import TestClient

    from wiredesk.config import Settings
    from wiredesk.web.app import create_app

    settings = Settings(site_name="Example News", base_url="https://news.example")
    with TestClient(create_app(settings, store=store, clock=clock)) as c:
        yield c


@pytest.fixture
def server():
    """A scripted HTTP server on 127.0.0.1 (test_sources_http.LocalServer), closed afterwards;
    a test module may define its own `server` instead."""
    from test_sources_http import LocalServer

    s = LocalServer()
    yield s
    s.close()
