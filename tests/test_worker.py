"""The worker as a real process: SIGKILL in the middle of a large drop folder, restart, and
the end state equals an uninterrupted run's; SIGTERM finishes the delivery in hand; `serve`
runs a worker in-process; the clock runs in the worker."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from helpers import deliver, ninjs_item
from wiredesk.sources.push import HEADER, sign
from wiredesk.sources.worker import Worker
from wiredesk.store import Store

WAIT = 180.0  # seconds: only ever a guard against a hang, never a measure
BAD = 40  # of the 300 files in the folder


def wiredesk(*args: str, url: str, **popen: object) -> subprocess.Popen:
    env = {**os.environ, "WIREDESK_DATABASE_URL": url, "WIREDESK_CLOCK_SECONDS": "1"}
    env.pop("WIREDESK_SOURCES_FILE", None)
    return subprocess.Popen([sys.executable, "-m", "wiredesk.cli", *args], env=env, **popen)


def run(*args: str, url: str) -> str:
    proc = wiredesk(*args, url=url, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = proc.communicate(timeout=WAIT)
    assert proc.returncode == 0, err
    return out


def wait_for(what: Callable[[], bool], message: str, poll: float = 0.005) -> None:
    deadline = time.monotonic() + WAIT
    while not what():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting: {message}")
        time.sleep(poll)


# --- a corpus of 300 deliveries: new stories, updates, late versions, kills, bad files ----

def make_corpus(folder: Path, at: datetime) -> list[str]:
    folder.mkdir(parents=True)
    files: list[tuple[str, bytes]] = []
    for n in range(200):
        files.append((f"{len(files):04}-new.json", ninjs_item(f"urn:k:{n}", at=at,
                                                             headline=f"Story {n}")))
    for n in range(0, 120, 3):  # 40 updates
        files.append((f"{len(files):04}-update.json", ninjs_item(
            f"urn:k:{n}", version=2, at=at + timedelta(minutes=5), headline=f"Story {n} v2")))
    for n in range(0, 60, 6):  # 10 late copies of version 1, with other words: history only
        files.append((f"{len(files):04}-late.json", ninjs_item(
            f"urn:k:{n}", version=1, at=at, headline=f"Story {n} (late copy)")))
    for n in range(150, 170, 2):  # 10 kills
        files.append((f"{len(files):04}-kill.json", ninjs_item(
            f"urn:k:{n}", version=3, at=at, pubstatus="canceled")))
    for n in range(BAD):  # bad files, spread over the run
        files.insert(n * 7, (f"{n * 7:04}-zbad.json", b'{"uri": "urn:bad:%d", oops' % n))
    for name, data in files:
        (folder / name).write_bytes(data)
    return [f"urn:k:{n}" for n in range(200)]


def end_state(url: str, uris: list[str], drop: Path) -> dict:
    store = Store.open(url)
    try:
        stories, versions = [], []
        for uri in uris:
            record = store.story_by_uri(uri)
            stories.append((uri, record.state, record.version_count, record.story.headline,
                            record.takedown_reason))
            versions += sorted((uri, v.version, v.raw_sha256, v.pubstatus, v.delivery_name)
                               for v in store.history(record.id))
        quarantined = sorted((q.name, q.sha256, q.error)
                             for q in store.quarantine.records(limit=1000))
        takedowns = sorted((a.uri, a.reason) for a in store.takedowns(limit=1000))
    finally:
        store.close()
    parent = drop.parent
    return {
        "stories": stories, "versions": versions, "quarantined": quarantined,
        "takedowns": takedowns, "drop": sorted(os.listdir(drop)),
        "processed": sorted(os.listdir(parent / "processed")),
        "failed": sorted(os.listdir(parent / "failed")),
    }


def moved(drop: Path) -> int:
    """Files moved out of the drop folder (reason files aside)."""
    count = 0
    for sub in ("processed", "failed"):
        folder = drop.parent / sub
        if folder.exists():
            count += sum(1 for name in os.listdir(folder) if not name.endswith(".reason.txt"))
    return count


def applied_names(url: str) -> set[str]:
    """Files whose delivery committed: a version or a quarantine record names them."""
    store = Store.open(url)
    try:
        names = {q.name for q in store.quarantine.records(limit=1000)}
        for n in range(200):
            record = store.story_by_uri(f"urn:k:{n}")
            if record is not None:
                names |= {v.delivery_name for v in store.history(record.id)}
    finally:
        store.close()
    return names


def start_worker(url: str, log: Path) -> subprocess.Popen:
    return wiredesk("worker", url=url, stdout=log.open("ab"), stderr=subprocess.STDOUT)


def add_folder(url: str, drop: Path) -> None:
    run("init", url=url)  # only `wiredesk init` makes a store
    run("sources", "add", "dpa", "--kind", "folder", "--path", str(drop), "--every", "200ms",
        url=url)


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """An uninterrupted run on SQLite: the end state every interrupted run must reach."""
    base = tmp_path_factory.mktemp("reference")
    corpus = base / "corpus"
    uris = make_corpus(corpus, datetime.now(UTC).replace(microsecond=0))
    drop = base / "run" / "drop"
    shutil.copytree(corpus, drop)
    url = f"sqlite:///{base / 'ref.db'}"
    add_folder(url, drop)
    worker = start_worker(url, base / "worker.log")
    total = len(os.listdir(corpus))
    wait_for(lambda: moved(drop) == total, "the reference run to take every file")
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=WAIT) == 0
    return corpus, uris, end_state(url, uris, drop)


def test_sigkill_mid_folder_then_restart_ends_as_an_uninterrupted_run(reference, store_url,
                                                                      tmp_path):
    corpus, uris, expected = reference
    total = len(os.listdir(corpus))
    drop = tmp_path / "run" / "drop"
    shutil.copytree(corpus, drop)
    add_folder(store_url, drop)
    log = tmp_path / "worker.log"
    started = time.monotonic()

    first = start_worker(store_url, log)
    wait_for(lambda: moved(drop) >= total // 4, "the first worker to get going", poll=0.002)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=WAIT)
    left = len(os.listdir(drop))
    assert left > 0, "the worker finished before it could be killed: make the corpus larger"
    # Killed between a commit and a move, at most one file is applied and not yet moved.
    assert 0 <= len(applied_names(store_url)) - moved(drop) <= 1

    second = start_worker(store_url, log)  # frees the dead worker's lease at once
    wait_for(lambda: moved(drop) >= total // 2, "the second worker to get going", poll=0.002)
    second.send_signal(signal.SIGTERM)
    assert second.wait(timeout=WAIT) == 0
    # A clean stop finishes the delivery in hand: everything applied has been moved.
    assert len(applied_names(store_url)) == moved(drop)

    third = start_worker(store_url, log)
    wait_for(lambda: moved(drop) == total, "the restarted worker to finish the folder")
    third.send_signal(signal.SIGTERM)
    assert third.wait(timeout=WAIT) == 0
    print(f"\n{store_url.split(':')[0]}: {total} files, killed with {left} left, "
          f"{time.monotonic() - started:.1f}s in all")

    got = end_state(store_url, uris, drop)
    assert got == expected
    assert got["drop"] == [] and len(got["processed"]) == total - BAD
    assert len(got["failed"]) == 2 * BAD  # each with its reason file
    shas = [(v[0], v[2]) for v in got["versions"]]
    assert len(shas) == len(set(shas)) == 200 + 40 + 10 + 10  # nothing twice, nothing lost


def test_the_worker_runs_the_clock(store, now):
    deliver(store, ninjs_item("urn:c:1", at=now), now, licence_days=1)
    clock = [now + timedelta(days=2)]
    Worker(store, clock=lambda: clock[0]).run_once()
    record = store.story_by_uri("urn:c:1")
    assert record.state == "takendown" and record.takedown_reason == "expired"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_runs_a_worker_in_process_and_takes_pushes(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'w.db'}"
    drop = tmp_path / "drop"
    drop.mkdir()
    add_folder(url, drop)
    out = run("sources", "add", "ap", "--kind", "push", url=url)
    secret = out.split("shown only now): ")[1].strip()
    now = datetime.now(UTC)
    (drop / "a.json").write_bytes(ninjs_item("urn:s:folder", at=now))
    port = _free_port()
    monkeypatch.setenv("WIREDESK_API_TOKEN", "worker-test-token")  # source details need it
    server = wiredesk("serve", "--port", str(port), url=url, stdout=subprocess.DEVNULL,
                      stderr=(tmp_path / "serve.log").open("wb"))
    base = f"http://127.0.0.1:{port}"
    try:
        def up() -> bool:
            try:
                return httpx.get(f"{base}/healthz", timeout=2).status_code == 200
            except httpx.HTTPError:
                return False

        wait_for(up, "serve to answer", poll=0.05)
        body = ninjs_item("urn:s:pushed", at=now)
        answer = httpx.post(f"{base}/push/ap", content=body,
                            headers={HEADER: sign(secret, body)}, timeout=30)
        assert answer.status_code == 202 and answer.json()["uris"] == ["urn:s:pushed"]
        assert httpx.post(f"{base}/push/ap", content=body, timeout=30).status_code == 401

        def taken() -> bool:
            info = httpx.get(f"{base}/api/v1/sources/dpa", timeout=5,
                             headers={"Authorization": "Bearer worker-test-token"}).json()
            return info["health"]["stories_24h"] == 1

        wait_for(taken, "the in-process worker to take the dropped file", poll=0.05)
        assert (tmp_path / "processed" / "a.json").exists()
    finally:
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=WAIT) == 0
    status = json.loads(run("status", "--json", url=url))
    assert status["live"] == 2
    assert {s["name"]: s["health"]["stories_24h"] for s in status["sources"]} == {"ap": 1,
                                                                                 "dpa": 1}
