"""Several machines on one PostgreSQL store: two web nodes, two workers, real processes.

Delivers 1,000 stories through two drop folders and a push source at once and shows each is
stored exactly once; kills one and shows both web nodes answer 410 within 2 seconds (the
promise of issue 7); SIGKILLs the worker holding a folder and shows the other takes it over.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from wiredesk.store import Store
from wiredesk.store.schema import source_state, stories, versions

SECRET = "multinode-secret"
FOLDER_STORIES = 400  # in each of two folders
PUSHED = 200


def test_the_clock_runs_in_one_worker_at_a_time(store, now):
    sources = store.sources
    lease = timedelta(seconds=15)
    assert sources.claim_clock("worker-a", now, lease)
    assert not sources.claim_clock("worker-b", now + timedelta(seconds=5), lease)
    assert sources.claim_clock("worker-a", now + timedelta(seconds=5), lease)  # renewal
    assert sources.claim_clock("worker-b", now + timedelta(seconds=21), lease)  # a's lapsed
    sources.release_clock("worker-b")
    assert sources.claim_clock("worker-a", now + timedelta(seconds=22), lease)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def item(uri: str, headline: str) -> bytes:
    return json.dumps({"uri": uri, "version": "1",
                       "versioncreated": datetime.now(UTC).isoformat(),
                       "headlines": [{"role": "main", "value": headline}],
                       "bodies": [{"role": "main", "contenttype": "text/plain",
                                   "value": f"{headline}. Body text."}]}).encode()


def drop(folder: Path, name: str, data: bytes) -> None:
    """As an agency's FTP upload ends: written under a temporary name, then renamed."""
    partial = folder / f".{name}.part"
    partial.write_bytes(data)
    partial.rename(folder / name)


def push(base: str, source: str, body: bytes) -> httpx.Response:
    signature = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    for _ in range(50):
        response = httpx.post(f"{base}/push/{source}", content=body, timeout=30,
                              headers={"X-Wiredesk-Signature": f"sha256={signature}"})
        if response.status_code != 429:  # rate limited: wait as told, as a real client does
            return response
        time.sleep(float(response.headers.get("Retry-After", "1")))
    return response


def wait_until(check, timeout: float, what: str) -> float:
    started = time.monotonic()
    while not check():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"{what}: not within {timeout:.0f} s")
        time.sleep(0.05)
    return time.monotonic() - started


@pytest.fixture
def pg_store(pg_url):
    s = Store.open(pg_url)
    yield s
    s.close()


@pytest.fixture
def cluster(pg_url, tmp_path):
    env = dict(os.environ, WIREDESK_DATABASE_URL=pg_url, WIREDESK_CLOCK_SECONDS="1",
               PYTHONUNBUFFERED="1")
    cli = [sys.executable, "-m", "wiredesk.cli"]
    folders = [tmp_path / "drop-a", tmp_path / "drop-b"]
    for n, folder in enumerate(folders):
        folder.mkdir()
        subprocess.run([*cli, "sources", "add", f"drop-{'ab'[n]}", "--kind", "folder",
                        "--path", str(folder), "--every", "1s", "--agency", "MN"], env=env, check=True,
                       capture_output=True, timeout=60)
    subprocess.run([*cli, "sources", "add", "wire", "--kind", "push", "--secret", SECRET,
                    "--agency", "MN"],  # may kill the folders' stories: the same agency
                   env=env, check=True, capture_output=True, timeout=60)
    ports = [free_port(), free_port()]
    logs = tmp_path / "logs"
    logs.mkdir()
    processes: dict[str, subprocess.Popen] = {}

    def start(name: str, *args: str) -> subprocess.Popen:
        out = open(logs / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
        processes[name] = subprocess.Popen([*cli, *args], env=env, stdout=out, stderr=out,
                                           start_new_session=True)
        return processes[name]

    for n, port in enumerate(ports):
        start(f"web{n}", "serve", "--no-worker", "--host", "127.0.0.1", "--port", str(port))
    for n in range(2):
        start(f"worker{n}", "worker", "--lease", "3s", "--threads", "2")
    bases = [f"http://127.0.0.1:{port}" for port in ports]
    for base in bases:
        wait_until(lambda b=base: _answers(f"{b}/healthz"), 60, f"{base} up")
    try:
        yield {"bases": bases, "folders": folders, "processes": processes, "logs": logs}
    finally:
        for process in processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes.values():
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def test_two_web_nodes_and_two_workers_share_one_store(cluster, pg_store):
    store = pg_store
    bases, folders = cluster["bases"], cluster["folders"]
    # 1,000 stories at once: 400 into each folder while 200 are pushed, half to each web node
    for n in range(FOLDER_STORIES):
        for f, folder in enumerate(folders):
            drop(folder, f"story-{n:04}.json", item(f"urn:mn:{'ab'[f]}:{n}", f"Folder {'ab'[f]} story {n}"))
    for n in range(PUSHED):
        response = push(bases[n % 2], "wire", item(f"urn:mn:push:{n}", f"Pushed story {n}"))
        assert response.status_code == 202, response.text
    total = 2 * FOLDER_STORIES + PUSHED

    def counts() -> tuple[int, int]:
        with store.engine.connect() as c:
            return (c.execute(select(func.count()).select_from(stories)).scalar_one(),
                    c.execute(select(func.count()).select_from(versions)).scalar_one())

    wait_until(lambda: counts()[0] >= total, 300, "all 1,000 stories stored")
    time.sleep(2)  # a straggler applied twice would show up now
    assert counts() == (total, total), "every story stored exactly once"
    assert all(len(list(folder.glob("*.json"))) == 0 for folder in folders)

    # a kill reaches both web nodes' caches within 2 seconds
    record = store.story_by_uri("urn:mn:a:7")
    url = f"/story/{record.id}"
    for base in bases:
        assert httpx.get(base + url).status_code == 200
        assert httpx.get(base + url).status_code == 200  # now served from the node's cache
    kill = json.dumps({"uri": "urn:mn:a:7", "version": "2", "pubstatus": "canceled",
                       "headlines": [{"role": "main", "value": "KILL"}]}).encode()
    assert push(bases[0], "wire", kill).status_code == 202
    for base in bases:
        wait_until(lambda b=base: httpx.get(b + url).status_code == 410, 2,
                   f"{base} answers 410 after the kill")

    # SIGKILL the worker while it holds a folder's lease; the other must take the folder over
    for n in range(60):
        drop(folders[0], f"late-{n:03}.json", item(f"urn:mn:late:{n}", f"Late story {n}"))
    pids = {p.pid: name for name, p in cluster["processes"].items() if name.startswith("worker")}
    victim = None

    def lease_held() -> bool:
        nonlocal victim
        with store.engine.connect() as c:
            owners = c.execute(select(source_state.c.lease_owner)
                               .where(source_state.c.lease_owner.is_not(None))).scalars().all()
        for owner in owners:  # "host:pid:token"
            pid = int(owner.split(":")[1])
            if pid in pids:
                victim = pids[pid]
                os.killpg(cluster["processes"][victim].pid, signal.SIGKILL)
                return True
        return False

    wait_until(lease_held, 60, "a worker holding a folder's lease")
    cluster["processes"][victim].wait(timeout=30)
    survivor = next(name for name in pids.values() if name != victim)
    assert cluster["processes"][survivor].poll() is None
    wait_until(lambda: all(store.story_by_uri(f"urn:mn:late:{n}") for n in range(60)), 120,
               f"{survivor} took over after {victim} was killed holding a lease")
    assert counts()[1] == total + 1 + 60  # the kill's version and 60 late stories, once each
