"""`wiredesk events`: /events on its own light asyncio server.

The same journal, query and frames as the app's /events (tests/test_events.py), served by a
protocol per connection: a kill from another process reaches its streams, a resuming client
gets what it missed, bad requests get a plain answer that names the problem, a slow reader is
closed rather than buffered without end, and SIGTERM ends the streams and the process.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from test_events import DEADLINE, Reader, cli, deliver, environment, free_port
from wiredesk.store import Store


@pytest.fixture
def events_server(tmp_path: Path) -> Iterator:
    started: list[subprocess.Popen] = []

    def start(env: dict[str, str]) -> str:
        port = free_port()
        log = tmp_path / f"events-{port}.log"
        server = subprocess.Popen([sys.executable, "-m", "wiredesk.cli", "events", "--port",
                                   str(port), "--heartbeat", "0.5"], env=env,
                                  stdout=log.open("wb"), stderr=subprocess.STDOUT)
        started.append(server)
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    return f"http://127.0.0.1:{port}"
            except OSError:
                pass
            assert server.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)

    start.servers = started  # type: ignore[attr-defined]
    yield start
    for server in started:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()


def seeded(tmp_path: Path) -> tuple[dict[str, str], int]:
    db = f"sqlite:///{tmp_path / 'wiredesk.db'}"
    env = environment(db)
    cli(env, "init")
    store = Store(db)
    deliver(store, "urn:light:1", "Minister resigns")
    deliver(store, "urn:light:2", "Storm warning")
    story_id = store.story_by_uri("urn:light:1").id  # type: ignore[union-attr]
    store.close()
    return env, story_id


def test_a_cli_kill_reaches_streams_on_the_light_server(tmp_path: Path, events_server):
    env, story_id = seeded(tmp_path)
    url = events_server(env)
    one = Reader(f"{url}/events?story={story_id}")
    every = Reader(f"{url}/events?events=takedown")
    cli(env, "kill", "urn:light:1", "--reason", "legal")
    [frame] = one.wait()
    assert frame["event"] == "takedown"
    assert json.loads(frame["data"])["uri"] == "urn:light:1"
    assert json.loads(every.wait()[0]["data"])["reason"] == "removed"
    resumed = Reader(f"{url}/events?story={story_id}&last_event_id={int(frame['id']) - 1}")
    assert resumed.wait()[0]["id"] == frame["id"]  # sent again from the journal
    cli(env, "kill", "urn:light:2", "--reason", "legal")
    assert [json.loads(f["data"])["uri"] for f in every.wait(2)] == ["urn:light:1",
                                                                      "urn:light:2"]
    assert len(one.frames) == 1  # the other story's takedown is not this stream's


def test_headers_heartbeats_and_plain_refusals(tmp_path: Path, events_server):
    env, _ = seeded(tmp_path)
    url = events_server(env)
    with httpx.stream("GET", f"{url}/events", timeout=httpx.Timeout(5, read=10)) as answer:
        assert answer.status_code == 200
        assert answer.headers["content-type"] == "text/event-stream; charset=utf-8"
        assert answer.headers["cache-control"] == "no-store"
        assert "default-src" in answer.headers["content-security-policy"]
        lines = answer.iter_lines()
        assert next(lines) == "retry: 2000" and next(lines) == ": connected"
        assert ": keep-alive" in [next(lines) for _ in range(3)]  # --heartbeat 0.5
    for path, status, words in [("/events?story=abc", 400, "story: expected a whole number"),
                                ("/events?events=gossip", 400, "events: expected some of"),
                                ("/events?section=%01", 400, "control characters"),
                                ("/", 404, "/events only")]:
        answer = httpx.get(url + path, timeout=5)
        assert answer.status_code == status and words in answer.text, path
    refused = httpx.post(f"{url}/events", timeout=5)
    assert refused.status_code == 405 and refused.headers["allow"] == "GET, HEAD"
    with socket.create_connection((url.rsplit(":", 1)[1] and "127.0.0.1",
                                   int(url.rsplit(":", 1)[1])), timeout=5) as raw:
        raw.sendall(b"GET /events HTTP/1.1\r\nX-Long: " + b"a" * 9000)
        assert raw.recv(200).startswith(b"HTTP/1.1 431 ")


class FakeTransport:
    """What SocketConnection uses of an asyncio transport; the kernel's buffers would need
    megabytes before a real one backs up, so the backlog is set by hand."""

    def __init__(self) -> None:
        self.written: list[bytes] = []
        self.backlog = 0
        self.aborted = self.closed = False

    def is_closing(self) -> bool:
        return self.aborted or self.closed

    def write(self, data: bytes) -> None:
        self.written.append(data)

    def get_write_buffer_size(self) -> int:
        return self.backlog

    def abort(self) -> None:
        self.aborted = True

    def close(self) -> None:
        self.closed = True


def test_a_reader_that_stops_reading_is_dropped_not_buffered():
    from wiredesk.web.eventserver import WRITE_LIMIT, SocketConnection
    from wiredesk.web.live import KEEP_ALIVE

    connection = SocketConnection(None, None, None, 0)
    transport = FakeTransport()
    connection.transport = transport  # type: ignore[assignment]
    connection.beat()
    assert transport.written == [KEEP_ALIVE] and not connection.pending
    transport.backlog = WRITE_LIMIT + 1  # the reader stopped taking data
    connection.beat()
    assert connection.dropped and transport.aborted  # dropped at once, nothing kept waiting
    connection.beat()
    assert len(transport.written) == 2  # nothing more is written to a dropped stream
    closing = SocketConnection(None, None, None, 0)
    closing.transport = FakeTransport()  # type: ignore[assignment]
    closing.close()  # the server is stopping: the stream ends after what is sent
    assert closing.transport.closed  # type: ignore[union-attr]


def test_sigterm_ends_the_streams_and_the_server(tmp_path: Path, events_server):
    env, _ = seeded(tmp_path)
    url = events_server(env)
    reader = Reader(f"{url}/events")
    server = events_server.servers[-1]
    server.terminate()
    assert reader.done.wait(DEADLINE), "the stream stayed open after SIGTERM"
    assert server.wait(timeout=DEADLINE) == 0
