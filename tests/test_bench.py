"""The benches run (quick mode): figures are for `make bench`, never asserted here."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from conftest import ROOT


def bench(name: str, timeout: int = 600) -> str:
    result = subprocess.run([sys.executable, str(ROOT / "bench" / name), "--quick"],
                            capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_parse_bench_runs_for_every_format():
    out = bench("parse.py")
    for label in ("ninjs", "newsmlg2", "feed (rss)", "nitf", "newsml12", "anpa", "iptc7901",
                  "plain", "webpage", "jsonfeed", "feedparser"):
        assert f"\n{label} " in "\n" + out, label
    assert "RSS: wiredesk / feedparser =" in out


def test_tick_bench_runs():
    out = bench("tick.py")
    assert "idle tick" in out and "taken down by one tick" in out


@pytest.mark.skipif(not (shutil.which("wrk") and shutil.which("nginx")),
                    reason="bench/serve.py needs wrk and nginx (apt-get install wrk nginx-light; "
                           ".ci/run installs them)")
def test_serve_bench_runs():
    out = bench("serve.py", timeout=900)
    assert "article page (cached)" in out and "nginx static page" in out
    assert "takedown by push under load" in out


def test_stores_bench_runs():
    out = bench("stores.py")
    assert "SQLite" in out and "PostgreSQL" in out


def test_live_bench_runs():
    out = bench("live.py")
    assert "live takedown to every open /events stream" in out
    assert "\n      50 " in out and "goals:" in out
