"""Sources as data: settings validated at `sources add` and in the TOML file, stored, paused,
resumed, removed; leases that keep two workers off one source; health as text and JSON."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

import pytest

from conftest import FIXTURES
from wiredesk.sources import registry
from wiredesk.sources.config import ConfigError, parse_interval, parse_size
from wiredesk.sources.fetch import Auth
from wiredesk.sources.kinds import build, from_row, load_file


def run(*args: str, db: Path, env: dict[str, str] | None = None,
        check: bool = True) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "WIREDESK_DATABASE_URL": f"sqlite:///{db}"}
    full_env.pop("WIREDESK_SOURCES_FILE", None)
    full_env.update(env or {})
    if not db.exists():  # only `wiredesk init` makes a store (issue: --database typos)
        subprocess.run([sys.executable, "-m", "wiredesk.cli", "init"], env=full_env, check=True,
                       capture_output=True, timeout=120)
    result = subprocess.run([sys.executable, "-m", "wiredesk.cli", *args], capture_output=True,
                            text=True, env=full_env, timeout=120)
    if check and result.returncode != 0:
        raise AssertionError(f"exit {result.returncode}: {result.stderr}")
    return result


# --- validation -------------------------------------------------------------------------

@pytest.mark.parametrize("text, seconds", [
    ("90", 90), ("90s", 90), ("5m", 300), ("1h30m", 5400), ("250ms", 0.25), ("2d", 172800),
    (45, 45), ("1.5s", 1.5),
])
def test_intervals(text, seconds):
    assert parse_interval(text) == seconds


@pytest.mark.parametrize("text", ["5x", "", "m5", "1h 30m", "-5s", "0", "soon", "5 s"])
def test_bad_intervals_are_named(text):
    with pytest.raises(ConfigError, match="interval|too short"):
        parse_interval(text)


def test_sizes_and_auth_specs():
    assert parse_size("10MB") == 10 * 1024 * 1024 and parse_size("512k") == 512 * 1024
    assert parse_size("1000") == 1000
    with pytest.raises(ConfigError):
        parse_size("lots")
    assert Auth.parse("basic:u:p:w") == Auth("basic", "u", "p:w")
    assert Auth.parse("header:X-Api-Key:abc") == Auth("header", None, "abc", "X-Api-Key")
    for bad in ("digest:x", "bearer:", "basic:nopass", "header:Bad Name:v"):
        with pytest.raises(ConfigError):
            Auth.parse(bad)


def test_settings_round_trip_through_the_stored_json(tmp_path):
    cfg = build("wire", "http", {
        "url": "https://wire.example/api", "every": "2m", "auth": "bearer:$TOKEN",
        "paging": {"mode": "cursor", "field": "next", "items": "items"},
        "allow_private": ["gw.internal:8080"], "max_bytes": "2MB", "agency": "Wire",
    })
    stored = json.loads(json.dumps(cfg.settings()))
    assert from_row("wire", "http", "Wire", 30, stored) == cfg
    shown = cfg.redacted()
    assert shown["auth"]["secret"] == "$TOKEN"  # an environment name is not a secret
    pushed = build("p", "push", {"secret": "hunter2"})
    assert pushed.redacted()["secret"] == "***"


@pytest.mark.parametrize("kind, values, message", [
    ("ftp", {}, "unknown kind 'ftp'"),
    ("http", {}, "needs --url"),
    ("http", {"url": "file:///etc/passwd"}, "only http:// and https://"),
    ("http", {"url": "http://x.example/", "paging": "cursor"}, "needs a JSON field"),
    ("http", {"url": "http://x.example/", "paging": "sideways"}, "unknown paging"),
    ("folder", {"path": "/no/such/folder"}, "no such folder"),
    ("push", {}, "needs --secret"),
    ("folder", {"path": ".", "url": "http://x.example/"}, "for http sources"),
    ("http", {"url": "http://x.example/", "format": "morse"}, "unknown format 'morse'"),
    ("http", {"url": "http://x.example/", "colour": "red"}, "unknown setting"),
    ("http", {"url": "http://x.example/", "licence_days": "thirty"}, "licence_days"),
])
def test_bad_settings_name_the_problem(kind, values, message):
    with pytest.raises(ConfigError, match=message):
        build("wire", kind, values, known_formats=("ninjs", "plain"))


# --- the command line -------------------------------------------------------------------

@pytest.mark.parametrize("args, message", [
    (["--kind", "ftp"], "unknown kind 'ftp'"),
    (["--kind", "http", "--url", "http://127.0.0.1:9/feed", "--allow-private"],
     "Connection refused"),
    (["--kind", "http", "--url", "http://127.0.0.1:9/feed"], "loopback address"),
    (["--kind", "http", "--url", "http://no-such-host.invalid/feed"], "cannot resolve host"),
    (["--kind", "folder", "--path", "/no/such/folder"], "no such folder /no/such/folder"),
    (["--kind", "folder", "--path", ".", "--every", "5x"], "every '5x' is not an interval"),
    (["--kind", "http", "--url", "http://x.example/", "--auth", "magic:x"], "unknown auth"),
])
def test_sources_add_refuses_bad_configuration_in_one_line(tmp_path, args, message):
    result = run("sources", "add", "wire", *args, db=tmp_path / "w.db", check=False)
    assert result.returncode == 2
    assert result.stderr.startswith("wiredesk: source wire: ") and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


def test_sources_add_list_show_pause_resume_remove(tmp_path):
    db, drop = tmp_path / "w.db", tmp_path / "drop"
    drop.mkdir()
    out = run("sources", "add", "dpa", "--kind", "folder", "--path", str(drop), "--every",
              "10s", "--agency", "dpa", "--licence-days", "14", db=db).stdout
    assert "source added: dpa (folder)" in out
    out = run("sources", "add", "ap", "--kind", "push", db=db).stdout
    secret = out.split("shown only now): ")[1].strip()
    assert len(secret) == 64
    assert "already exists" in run("sources", "add", "ap", "--kind", "push", db=db,
                                   check=False).stderr
    listed = run("sources", "list", db=db).stdout.splitlines()
    assert listed[0].startswith("ap (push): ok") and listed[1].startswith("dpa (folder): ok")
    shown = run("sources", "show", "ap", db=db).stdout
    assert "secret: ***" in shown and secret not in shown and "consecutive failures: 0" in shown
    info = json.loads(run("sources", "show", "dpa", "--json", db=db).stdout)
    assert info["licence_days"] == 14 and info["settings"]["every"] == 10
    assert info["settings"]["path"] == str(drop.resolve())
    assert set(info["health"]) >= {"last_success", "last_error", "consecutive_failures",
                                   "next_poll", "stories_24h"}
    assert "paused: dpa" in run("sources", "pause", "dpa", db=db).stdout
    assert json.loads(run("sources", "list", "--json", db=db).stdout)["sources"][1]["paused"]
    assert "resumed: dpa" in run("sources", "resume", "dpa", db=db).stdout
    status = run("status", db=db).stdout
    assert "sources:" in status and "dpa (folder): ok" in status
    assert [s["name"] for s in json.loads(run("status", "--json", db=db).stdout)["sources"]] \
        == ["ap", "dpa"]
    assert "removed: ap" in run("sources", "remove", "ap", db=db).stdout
    missing = run("sources", "show", "ap", db=db, check=False)
    assert missing.returncode == 2 and "no source named 'ap'" in missing.stderr


def test_the_sources_file_is_read_at_start_and_checked_whole(tmp_path):
    db, drop = tmp_path / "w.db", tmp_path / "drop"
    drop.mkdir()
    text = (FIXTURES / "sources" / "sources.toml").read_text().replace("{DROP}", str(drop))
    path = tmp_path / "sources.toml"
    path.write_text(text)
    env = {"WIREDESK_SOURCES_FILE": str(path)}
    listed = run("sources", "list", db=db, env=env).stdout
    assert "drop (folder)" in listed and "wire (http)" in listed
    assert "pushed (push): paused" in listed
    wire = json.loads(run("sources", "show", "wire", "--json", db=db, env=env).stdout)
    assert wire["agency"] == "Example Wire" and wire["licence_days"] == 14
    assert wire["settings"]["paging"]["items"] == "items"
    assert wire["settings"]["allow_private"] == ["127.0.0.1"]
    assert "0 source(s) added or changed" in run("sources", "load", str(path), db=db).stdout
    path.write_text(text.replace('kind = "folder"', 'kind = "carrier-pigeon"'))
    result = run("sources", "list", db=db, env=env, check=False)
    assert result.returncode == 2 and "unknown kind 'carrier-pigeon'" in result.stderr
    assert str(path) in result.stderr and len(result.stderr.strip().splitlines()) == 1
    path.write_text("[sources.x\nkind=")
    result = run("sources", "load", str(path), db=db, check=False)
    assert result.returncode == 2 and "sources file" in result.stderr


def test_load_file_reports_every_source_with_its_paused_setting(tmp_path):
    drop = tmp_path / "drop"
    drop.mkdir()
    path = tmp_path / "s.toml"
    path.write_text((FIXTURES / "sources" / "sources.toml").read_text()
                    .replace("{DROP}", str(drop)))
    loaded = {cfg.name: (cfg, paused) for cfg, paused in load_file(path)}
    assert loaded["pushed"][1] is True and loaded["drop"][1] is None
    assert loaded["wire"][0].every == 120 and loaded["drop"][0].format is None


# --- the store: settings, leases, health (SQLite and PostgreSQL) ------------------------

def _add(store, name: str, now, kind: str = "http") -> None:
    values = {"url": "http://x.example/"} if kind == "http" else {"secret": "s"}
    registry.add_source(store, build(name, kind, values), now, check=False)


def test_sources_are_stored_paused_resumed_and_removed(store, now):
    _add(store, "a", now)
    _add(store, "b", now, kind="push")
    ss = store.sources
    assert [r.name for r in ss.all()] == ["a", "b"]
    assert ss.get("a").settings["url"] == "http://x.example/"
    assert ss.set_paused("a", True, now) and ss.get("a").paused
    assert ss.claim_due("w1", now, timedelta(minutes=1), 10) == []
    assert ss.set_paused("a", False, now) and not ss.get("a").paused
    assert not ss.set_paused("zzz", True, now)
    assert ss.remove("a") and not ss.remove("a")
    assert [h.name for h in ss.health(now)] == ["b"]


def test_a_lease_keeps_a_source_to_one_worker_until_it_lapses(store, now):
    _add(store, "a", now)
    ss = store.sources
    lease = timedelta(minutes=5)
    (claim,) = ss.claim_due("w1", now, lease, 10)
    assert claim.source.name == "a"
    assert ss.claim_due("w2", now, lease, 10) == []  # held
    later = now + timedelta(minutes=6)
    (taken,) = ss.claim_due("w2", later, lease, 10)  # w1 died: its lease lapsed
    assert taken.source.name == "a"
    assert not ss.finish("a", "w1", now=later, error=None, next_poll_at=later, memo={})
    assert not ss.checkpoint("a", "w1", {"x": 1}, later + lease)
    assert ss.checkpoint("a", "w2", {"etag": '"1"'}, later + lease)
    assert ss.finish("a", "w2", now=later, error="boom", next_poll_at=later + lease, memo={"a": 1})
    (h,) = ss.health(later)
    assert h.consecutive_failures == 1 and h.last_error == "boom" and h.lease_owner is None
    (again,) = ss.claim_due("w1", later + lease, lease, 10)
    assert again.memo == {"a": 1} and again.consecutive_failures == 1


def test_concurrent_claims_never_take_one_source_twice(store, now):
    for n in range(24):
        _add(store, f"s{n:02}", now)
    ss = store.sources
    taken: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(4)

    def claimer(owner: str) -> None:
        barrier.wait()
        while True:
            got = ss.claim_due(owner, now, timedelta(minutes=5), 3)
            if not got:
                return
            with lock:
                taken.extend(c.source.name for c in got)

    threads = [threading.Thread(target=claimer, args=(f"w{n}",)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(taken) == [f"s{n:02}" for n in range(24)]


def test_dead_local_workers_leases_are_freed_at_once(store, now):
    _add(store, "a", now)
    ss = store.sources
    ss.claim_due("host:999999999:dead", now, timedelta(hours=1), 10)
    assert ss.release_dead("host:", lambda owner: False) == 1
    assert len(ss.claim_due("host:1:alive", now, timedelta(hours=1), 10)) == 1
    assert ss.release_dead("host:", lambda owner: True) == 0
