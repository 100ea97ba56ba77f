"""`wiredesk serve` as a process: one site per address, no orphaned server worker, a crashed
worker started again. Real processes on 127.0.0.1 over a temporary SQLite store."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from wiredesk.store import Store

WAIT = 60.0  # seconds: a guard against a hang, never a measure


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def wait_until(check, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + WAIT
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting: {what}")
        time.sleep(0.1)


def answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'w.db'}"
    Store.open(url).close()
    return url


def cli(db: str, *args: str) -> list[str]:
    return [sys.executable, "-m", "wiredesk.cli", "--database", db, *args]


@pytest.fixture
def server(db: str, tmp_path: Path):
    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("WIREDESK_BASE_URL", None)
    log = open(tmp_path / "serve.log", "wb")  # noqa: SIM115 - closed below
    process = subprocess.Popen(cli(db, "serve", "--no-worker", "--port", str(port)), env=env,
                               stdout=log, stderr=log, start_new_session=True)
    wait_until(lambda: answers(f"http://127.0.0.1:{port}/healthz"), "the server answers")
    try:
        yield process, port
    finally:
        for pid in [process.pid, *children(process.pid)]:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        process.wait(timeout=WAIT)
        log.close()


def test_a_second_serve_on_a_busy_address_fails_in_one_line(server, db):
    _, port = server
    second = subprocess.run(cli(db, "serve", "--port", str(port)), capture_output=True,
                            text=True, timeout=WAIT)
    assert second.returncode == 2
    assert second.stderr == f"wiredesk: 127.0.0.1:{port} is already in use\n"


@pytest.mark.parametrize("port", ["99999", "0", "-1"])
def test_a_port_out_of_range_is_one_line(db, port):
    result = subprocess.run(cli(db, "serve", "--port", port), capture_output=True, text=True,
                            timeout=WAIT)
    assert result.returncode == 2
    assert result.stderr.startswith("wiredesk: argument --port") and result.stderr.count("\n") == 1


def test_the_server_worker_dies_with_its_killed_parent(server):
    process, port = server
    workers = children(process.pid)
    assert workers
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=WAIT)
    wait_until(lambda: not any(alive(pid) for pid in workers), "the worker to exit")
    with socket.socket() as s:  # the port is free again
        s.bind(("127.0.0.1", port))


def test_a_killed_server_worker_is_started_again(server):
    process, port = server
    (worker,) = [pid for pid in children(process.pid) if alive(pid)]
    os.kill(worker, signal.SIGKILL)
    wait_until(lambda: any(pid != worker and alive(pid) for pid in children(process.pid)),
               "a new worker")
    wait_until(lambda: answers(f"http://127.0.0.1:{port}/healthz"), "the site answers again")
    assert process.poll() is None


def test_links_name_the_address_served_when_no_base_url_is_set(server):
    _, port = server
    robots = httpx.get(f"http://127.0.0.1:{port}/robots.txt", timeout=10).text
    assert f"Sitemap: http://127.0.0.1:{port}/sitemap.xml" in robots
    feed = httpx.get(f"http://127.0.0.1:{port}/feeds/atom.xml", timeout=10).text
    assert f'href="http://127.0.0.1:{port}/"' in feed


def test_a_set_base_url_wins_over_the_address_served(db, tmp_path):
    port = free_port()
    env = {**os.environ, "WIREDESK_BASE_URL": "https://news.example.org"}
    process = subprocess.Popen(cli(db, "serve", "--no-worker", "--port", str(port)), env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    try:
        wait_until(lambda: answers(f"http://127.0.0.1:{port}/healthz"), "the server answers")
        robots = httpx.get(f"http://127.0.0.1:{port}/robots.txt", timeout=10).text
        assert "Sitemap: https://news.example.org/sitemap.xml" in robots
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=WAIT)
