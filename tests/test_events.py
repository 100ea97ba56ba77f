"""/events: the story journal as server-sent events, in-process and across processes.

The broadcaster is tested on its own (SQLite and PostgreSQL), the endpoint's answers with the
test client, and the whole path with real servers: `wiredesk serve` in one process, `wiredesk
kill` in another, on SQLite; and two web nodes on one PostgreSQL store. Waits have generous
deadlines; how fast events arrive is measured in bench/live.py.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client import REGISTRY, generate_latest

from helpers import ninjs_item
from wiredesk import desk
from wiredesk.store import Store
from wiredesk.story import Delivery
from wiredesk.times import utc_now
from wiredesk.web import events, live

ROOT = Path(__file__).resolve().parent.parent
DEADLINE = 15.0  # seconds: generous, for a loaded machine; the bench measures the real delay


def deliver(store: Store, uri: str, headline: str, *, version: int = 1,
            pubstatus: str = "usable", urgency: int = 3, agency: str = "AP") -> None:
    data = ninjs_item(uri, version=version, headline=headline, pubstatus=pubstatus,
                      urgency=urgency, at=utc_now(),
                      subjects=[{"name": "Weather"}])
    data = data.replace(b'"name": "AP"', f'"name": "{agency}"'.encode())
    report = desk.apply(store, Delivery(data, "wire", "x.json", utc_now()))
    assert report.error is None, report.error


async def wait_for(connection: live.Connection, count: int = 1) -> list[dict]:
    deadline = time.monotonic() + DEADLINE
    while len(connection.pending) < count:
        assert time.monotonic() < deadline, "no event reached the connection"
        await asyncio.sleep(0.02)
    return [json.loads(frame.decode().split("data: ", 1)[1]) for frame in connection.pending]


def test_broadcaster_fans_out_a_kill_from_another_store_handle(store: Store):
    deliver(store, "urn:ev:1", "Flood warning")
    deliver(store, "urn:ev:2", "Other story")
    other = Store(store.url)  # another process's view: no in-process listener
    first = store.story_by_uri("urn:ev:1")
    assert first is not None

    async def run() -> None:
        broadcaster = live.Broadcaster(store, poll=0.05)
        broadcaster.start(asyncio.get_running_loop())
        try:
            everything = broadcaster.open()
            one = broadcaster.open(story_id=first.id)
            section = broadcaster.open(section="weather")
            nothing = broadcaster.open(section="no-such-section")
            updates = broadcaster.open(kinds=frozenset({"update"}))
            scraped = generate_latest(REGISTRY).decode()
            assert "wiredesk_event_streams 5.0" in scraped  # open streams, as a gauge
            await asyncio.to_thread(desk.kill, other, "urn:ev:1", reason="legal", actor="t",
                                    now=utc_now())
            [told] = await wait_for(one)
            assert told["event"] == "takedown" and told["uri"] == "urn:ev:1"
            assert told["reason"] == "removed" and "headline" not in told
            await wait_for(everything)
            await asyncio.to_thread(deliver, other, "urn:ev:2", "Other story, updated",
                                    version=2)
            seen = await wait_for(everything, 2)
            assert seen[1]["event"] == "update" and seen[1]["headline"] == "Other story, updated"
            assert (await wait_for(updates))[0]["uri"] == "urn:ev:2"
            assert len(await wait_for(section, 2)) == 2  # "Weather" by its slug
            assert nothing.pending == [] and len(one.pending) == 1
            broadcaster.release(nothing)
            assert "wiredesk_event_streams 4.0" in generate_latest(REGISTRY).decode()
        finally:
            broadcaster.close()
        other.close()

    asyncio.run(run())


def test_a_slow_connection_is_dropped_and_resumes_from_the_journal(store: Store, monkeypatch):
    monkeypatch.setattr(live, "QUEUE", 2)
    deliver(store, "urn:slow:0", "Start")

    async def run() -> None:
        broadcaster = live.Broadcaster(store, poll=0.05)
        broadcaster.start(asyncio.get_running_loop())
        try:
            start = broadcaster.delivered
            slow = broadcaster.open()
            for n in range(1, 4):
                await asyncio.to_thread(deliver, store, f"urn:slow:{n}", f"Story {n}")
            deadline = time.monotonic() + DEADLINE
            while not slow.dropped:
                assert time.monotonic() < deadline
                await asyncio.sleep(0.02)
            resumed = broadcaster.open(after=start)
            missed = await asyncio.to_thread(broadcaster.replay, resumed, start,
                                             broadcaster.delivered)
            assert [item.event.data["uri"] for item in missed] == [
                "urn:slow:1", "urn:slow:2", "urn:slow:3"]
        finally:
            broadcaster.close()

    asyncio.run(run())


def test_bad_queries_are_refused_in_plain_words(client):
    answer = client.get("/events?story=abc")
    assert answer.status_code == 400 and "story" in answer.text
    answer = client.get("/events?events=update,nonsense")
    assert answer.status_code == 400 and "events" in answer.text
    answer = client.get("/events", headers={"Last-Event-ID": "-3"})
    assert answer.status_code == 400 and "Last-Event-ID" in answer.text
    head = client.head("/events")
    assert head.status_code == 200
    assert head.headers["content-type"].startswith("text/event-stream")
    assert head.headers["cache-control"] == "no-store" and "set-cookie" not in head.headers


def test_the_route_is_declared_uncached():
    assert events.EVENTS.cache is False and events.EVENTS.cookie_key is False


# --- real servers ---------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([sys.executable, "-m", "wiredesk.cli", *args], env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result


def environment(db: str) -> dict[str, str]:
    return dict(os.environ, WIREDESK_DATABASE_URL=db, PYTHONPATH=str(ROOT / "src"))


@pytest.fixture
def serve(tmp_path: Path) -> Iterator:
    started: list[tuple[subprocess.Popen, object]] = []

    def start(env: dict[str, str]) -> str:
        port = free_port()
        log = (tmp_path / f"server-{port}.log").open("wb")
        server = subprocess.Popen([sys.executable, "-m", "wiredesk.cli", "serve", "--no-worker",
                                   "--port", str(port)], env=env, stdout=log,
                                  stderr=subprocess.STDOUT)
        started.append((server, log))
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                    return url
            except httpx.HTTPError:
                pass
            assert server.poll() is None and time.monotonic() < deadline, \
                (tmp_path / f"server-{port}.log").read_text()
            time.sleep(0.2)

    start.servers = started  # type: ignore[attr-defined]
    yield start
    for server, log in started:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()  # type: ignore[attr-defined]


class Reader:
    """An /events stream read in a thread; `frames` holds each event as it arrives."""

    def __init__(self, url: str) -> None:
        self.frames: list[dict] = []
        self.connected = threading.Event()
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._read, args=(url,), daemon=True)
        self.thread.start()
        assert self.connected.wait(DEADLINE), f"{url} did not answer"

    def _read(self, url: str) -> None:
        with httpx.stream("GET", url, timeout=httpx.Timeout(5, read=60)) as answer:
            assert answer.status_code == 200
            frame: dict[str, str] = {}
            for line in answer.iter_lines():
                if line == ": connected":
                    self.connected.set()
                elif line.startswith(("id: ", "event: ", "data: ")):
                    name, value = line.split(": ", 1)
                    frame[name] = value
                elif line == "" and frame:
                    self.frames.append({**frame, "at": time.monotonic()})
                    frame = {}
        self.done.set()

    def wait(self, count: int = 1) -> list[dict]:
        deadline = time.monotonic() + DEADLINE
        while len(self.frames) < count:
            assert time.monotonic() < deadline, "the event did not arrive"
            time.sleep(0.02)
        return self.frames


def test_a_cli_kill_reaches_an_open_stream_on_sqlite(tmp_path: Path, serve):
    db = f"sqlite:///{tmp_path / 'wiredesk.db'}"
    env = environment(db)
    cli(env, "init")
    store = Store(db)
    deliver(store, "urn:live:1", "Minister resigns")
    story_id = store.story_by_uri("urn:live:1").id  # type: ignore[union-attr]
    store.close()
    url = serve(env)
    reader = Reader(f"{url}/events?story={story_id}")
    cli(env, "kill", "urn:live:1", "--reason", "legal")
    returned = time.monotonic()
    [frame] = reader.wait()
    assert frame["event"] == "takedown"
    data = json.loads(frame["data"])
    assert data["uri"] == "urn:live:1" and data["reason"] == "removed"
    print(f"takedown on the stream {frame['at'] - returned:+.3f} s from `wiredesk kill` exiting")
    # A client that reconnects with an earlier id is sent the takedown again from the journal.
    resumed = Reader(f"{url}/events?story={story_id}&last_event_id={int(frame['id']) - 1}")
    assert resumed.wait()[0]["id"] == frame["id"]


@pytest.mark.usefixtures("pg_url")
def test_a_kill_reaches_streams_on_two_web_nodes_over_postgresql(pg_url: str, serve):
    env = environment(pg_url)
    store = Store.open(pg_url)
    deliver(store, "urn:pg:1", "Two nodes")
    store.close()
    one, two = serve(env), serve(env)
    readers = [Reader(f"{one}/events"), Reader(f"{two}/events?events=takedown")]
    cli(env, "kill", "urn:pg:1", "--reason", "legal")
    returned = time.monotonic()
    for reader in readers:
        frame = reader.wait()[-1]
        assert frame["event"] == "takedown" and json.loads(frame["data"])["uri"] == "urn:pg:1"
        print(f"takedown reached a node's stream {frame['at'] - returned:.3f} s after kill")


def test_streams_end_when_the_server_stops(tmp_path: Path, serve):
    db = f"sqlite:///{tmp_path / 'wiredesk.db'}"
    env = environment(db)
    cli(env, "init")
    url = serve(env)
    reader = Reader(f"{url}/events")
    serve.servers[-1][0].terminate()  # SIGTERM to `wiredesk serve`, as a service manager
    assert reader.done.wait(DEADLINE), "the stream stayed open after SIGTERM"
