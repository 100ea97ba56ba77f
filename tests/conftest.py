"""Shared fixtures: a real SQLite store in a temporary folder, a fixed clock."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from wiredesk.store import Store

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SAMPLES = ROOT / "samples"
SHARED = ROOT.parent / "shared"


@pytest.fixture
def now() -> datetime:
    return datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path):
    s = Store.open(f"sqlite:///{tmp_path / 'wiredesk.db'}")
    yield s
    s.close()
