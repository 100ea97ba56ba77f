"""The benches run (quick mode): figures are for `make bench`, never asserted here."""

from __future__ import annotations

import os
import re
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
    assert "real-world feeds: wiredesk / feedparser =" in out and "\nfeed (real) " in out


def test_tick_bench_runs():
    out = bench("tick.py")
    assert "idle tick" in out and "taken down by one tick" in out


@pytest.mark.skipif(not (shutil.which("wrk") and shutil.which("nginx")),
                    reason="bench/serve.py needs wrk and nginx (apt-get install wrk nginx-light; "
                           ".ci/run installs them)")
def test_serve_bench_runs():
    out = bench("serve.py", timeout=900)
    assert "article page (cached)" in out and "nginx static page" in out
    assert "bare granian app" in out and "wrk is not the cap" in out
    assert "takedown by push kill, direct" in out
    # The article itself was measured: 200 and its HTML at its own path, never a redirect.
    assert re.search(r"\narticle page /story/\d+/[\w-]+: 200, text/html, [\d,]+ bytes", out), out
    if shutil.which("varnishd") or os.path.exists("/usr/sbin/varnishd"):
        assert "article via Varnish" in out and "CLI kill, at the edge" in out
        assert re.search(r"paired rounds .*\n  article page \(cached\) +[\d.]+x \([\d.]+-[\d.]+\)"
                         r"\n  article via Varnish +[\d.]+x", out), out


def test_stores_bench_runs():
    out = bench("stores.py")
    assert "SQLite" in out and "PostgreSQL" in out
    assert re.search(r"\nSQLite +varied +[\d,]+ ", out), out  # the copy nearer a real wire


def test_clusters_bench_runs():
    out = bench("clusters.py")
    assert "pair verdict: precision" in out and "end to end (clusters in the store)" in out
    assert "clustering adds" in out and "front page's cluster read" in out


@pytest.mark.skipif(not (shutil.which("wrk") and shutil.which("taskset")),
                    reason="bench/latency.py needs wrk and taskset (apt-get install wrk)")
def test_latency_bench_runs():
    out = bench("latency.py", timeout=900)
    for path in ("push", "folder", "websub", "poll"):
        assert f"\n{path} " in out, path
    assert "(a) article 200" in out and "goals: drop folder" in out

def test_scale_bench_runs_at_a_small_size():
    out = bench("scale.py", timeout=900)
    assert "2,000 stories (bulk-built)" in out
    for row in ("store size (MB)", "search p99 (ms)", "idle clock tick (ms)", "front page",
                "agency feed", "serving RSS", "store copy (s)", "search p99 / 50 ms goal",
                "search CPU p99 (ms)", "wiredesk backup (s)", "backup file (MB)"):
        assert row in out, row
    assert "SQLite" in out and "PostgreSQL" in out

def test_sections_bench_runs_at_a_small_size():
    out = bench("sections.py", timeout=900)
    assert "Render times at 2,000 stories" in out
    for row in ("reference: /feeds/atom.xml", "front page", "section politics (largest)",
                "section weather (smallest)", "agency AP", "article (more-from lists)"):
        assert row in out, row
    assert "\nsqlite\n" in out


def test_live_bench_runs():
    out = bench("live.py")
    assert "live takedown to every open /events stream" in out
    assert "wiredesk events       50 " in out and "wiredesk serve       50 " in out
    assert "goals:" in out


def test_rules_bench_runs():
    out = bench("rules.py")
    assert "ingest with 20 rules / with none =" in out


@pytest.mark.skipif(not (shutil.which("wrk") and shutil.which("nginx")),
                    reason="bench/pictures.py's serving rows need wrk and nginx")
def test_pictures_bench_runs():
    out = bench("pictures.py")
    assert "renditions/s/core" in out and "\npillow " in out
    assert "nginx, same bytes" in out and "wiredesk 1024.jpg" in out


def test_textdiff_bench_runs():
    out = bench("textdiff.py")
    assert "correction in one paragraph" in out and "ratio = plain difflib" in out


def test_parse_ab_bench_runs_against_a_reference_checkout():
    result = subprocess.run([sys.executable, str(ROOT / "bench" / "parse_ab.py"), "--quick",
                             "--core", "", "plain", "iptc7901", "feeds"],
                            capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    for label in ("plain", "iptc7901", "feeds"):
        assert f"\n{label} " in "\n" + result.stdout and "/s  this " in result.stdout
