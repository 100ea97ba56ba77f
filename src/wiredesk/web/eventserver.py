"""`wiredesk events`: /events on a small asyncio server of its own, for many open streams.

Under the ASGI server an idle stream costs about 31 KB (a bare ASGI app holding a stream
under granian already costs 27 KB: the request's task, its frames and the server's own
per-request state). This server speaks just enough HTTP/1.1 for `GET /events`: one
asyncio.Protocol per connection, no task, no coroutine frame; the broadcaster's fan-out
writes each frame straight to the socket's transport. Same stream, same query, same
headers, same broadcaster (web/live.py) as the app's /events, so a page cannot tell them
apart; run it beside `wiredesk serve` and send /events to it at the proxy (deploy/varnish).

A client whose socket stops taking data (WRITE_LIMIT bytes waiting) is closed, as the app
drops a stream QUEUE events behind: it reconnects with Last-Event-ID and is sent what it
missed from the journal.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from typing import Any
from urllib.parse import unquote

from wiredesk.store import Store
from wiredesk.web.events import HEADERS, RETRY_MS, BadQuery, read_query
from wiredesk.web.live import Broadcaster, Connection
from wiredesk.web.security import ODD

log = logging.getLogger("wiredesk.events")
REQUEST_MAX = 8192  # bytes of request line and headers
WRITE_LIMIT = 256 * 1024  # bytes waiting for a slow reader before its stream is closed
HEAD_TIMEOUT = 10.0  # seconds a connection may take to send its request


class SocketConnection(Connection):
    """A stream whose events are written to its transport as they are pushed."""

    __slots__ = ("transport",)

    def __init__(self, story_id: int | None, section: str | None,
                 kinds: frozenset[str] | None, last_id: int) -> None:
        super().__init__(story_id, section, kinds, last_id)
        self.transport: asyncio.Transport | None = None

    def wake(self) -> None:
        transport = self.transport
        if transport is None or transport.is_closing():
            return
        if self.closed or self.dropped:
            transport.close()
            return
        if self.pending:
            transport.write(b"".join(self.pending))
            self.pending.clear()
            if transport.get_write_buffer_size() > WRITE_LIMIT:
                self.dropped = True
                transport.abort()  # close() would wait to flush to a reader who never reads


class StreamProtocol(asyncio.Protocol):
    __slots__ = ("server", "transport", "head", "connection", "timer")

    def __init__(self, server: EventServer) -> None:
        self.server = server
        self.transport: asyncio.Transport | None = None
        self.head = b""
        self.connection: SocketConnection | None = None
        self.timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.timer = asyncio.get_running_loop().call_later(HEAD_TIMEOUT, transport.close)

    def data_received(self, data: bytes) -> None:
        if self.connection is not None:
            return  # a stream's client has nothing more to say; ignore what it sends
        self.head += data
        end = self.head.find(b"\r\n\r\n")
        if end < 0:
            if len(self.head) > REQUEST_MAX:
                self._plain(431, "request headers too large")
            return
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        head, self.head = self.head[:end], b""
        self.server.answer(self, head)

    def connection_lost(self, exc: Exception | None) -> None:
        if self.timer is not None:
            self.timer.cancel()
        if self.connection is not None:
            self.connection.transport = None
            self.server.broadcaster.release(self.connection)
            self.connection = None

    def _plain(self, status: int, text: str, extra: bytes = b"") -> None:
        body = text.encode()
        reason = {400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed",
                  431: "Request Header Fields Too Large",
                  503: "Service Unavailable"}.get(status, "Error")
        assert self.transport is not None
        self.transport.write(
            f"HTTP/1.1 {status} {reason}\r\ncontent-type: text/plain; charset=utf-8\r\n"
            f"cache-control: no-store\r\ncontent-length: {len(body)}\r\n"
            f"connection: close\r\n".encode() + extra + b"\r\n" + body)
        self.transport.close()


class EventServer:
    """The broadcaster and the listening socket; `answer` turns a request into a stream."""

    def __init__(self, store: Store, heartbeat: float) -> None:
        self.store = store
        self.broadcaster = Broadcaster(store, heartbeat=heartbeat)
        self.stopping = False
        self.head_bytes = b"HTTP/1.1 200 OK\r\n" + b"".join(
            name + b": " + value + b"\r\n" for name, value in HEADERS) + \
            b"connection: keep-alive\r\n\r\n"

    def answer(self, protocol: StreamProtocol, head: bytes) -> None:
        try:
            request_line, *lines = head.decode("latin-1").split("\r\n")
            method, target, version = request_line.split(" ")
        except ValueError:
            protocol._plain(400, "malformed request line")
            return
        if not version.startswith("HTTP/1."):
            protocol._plain(400, "HTTP/1.x only")
            return
        path, _, query = target.partition("?")
        if path != "/events":
            protocol._plain(404, "this server serves /events only")
            return
        if method not in ("GET", "HEAD"):
            protocol._plain(405, "use GET", b"allow: GET, HEAD\r\n")
            return
        if ODD.search(unquote(path)) or ODD.search(unquote(query)):
            protocol._plain(400, "control characters in the address")
            return
        headers = []
        for line in lines:
            name, sep, value = line.partition(":")
            if sep:
                headers.append((name.strip().lower().encode("latin-1"),
                                value.strip().encode("latin-1")))
        scope: dict[str, Any] = {"query_string": query.encode("latin-1"), "headers": headers}
        try:
            asked = read_query(scope, self.store.max_id)
        except BadQuery as exc:
            protocol._plain(400, str(exc))
            return
        if self.stopping:
            protocol._plain(503, "the server is stopping; reconnect shortly")
            return
        transport = protocol.transport
        assert transport is not None
        if method == "HEAD":
            transport.write(self.head_bytes)
            transport.close()
            return
        after = asked.pop("after")
        connection = self.broadcaster.open(**asked, after=after, factory=SocketConnection)
        assert isinstance(connection, SocketConnection)
        protocol.connection = connection
        upto = self.broadcaster.delivered
        first = self.head_bytes + f"retry: {RETRY_MS}\n: connected\n\n".encode()
        if after is None or after >= upto:
            transport.write(first)
            connection.transport = transport
            connection.wake()
            return
        # A resuming client: what it missed comes from the journal (off the loop), then what
        # arrived meanwhile; the connection's last id keeps the two from overlapping.
        loop = asyncio.get_running_loop()

        async def resume() -> None:
            missed = await asyncio.to_thread(self.broadcaster.replay, connection, after, upto)
            if transport.is_closing():
                return
            transport.write(first + b"".join(item.frame for item in missed))
            connection.transport = transport
            connection.wake()

        loop.create_task(resume())

    def close(self) -> None:
        self.stopping = True
        if self.broadcaster.loop is not None:
            self.broadcaster.close()


async def serve(store: Store, host: str, port: int, *, heartbeat: float,
                ready: asyncio.Future[int] | None = None) -> None:
    """Serve /events on host:port until SIGTERM/SIGINT (or the task is cancelled)."""
    loop = asyncio.get_running_loop()
    server = EventServer(store, heartbeat)
    server.broadcaster.start(loop)
    listening = await loop.create_server(lambda: StreamProtocol(server), host, port,
                                         backlog=4096, reuse_address=True)
    stopped = loop.create_future()

    def stop() -> None:
        server.close()
        if not stopped.done():
            stopped.set_result(None)

    for number in (signal.SIGTERM, signal.SIGINT):
        try:
            loop.add_signal_handler(number, stop)
        except (NotImplementedError, RuntimeError, ValueError):  # not the main thread (tests)
            break
    if ready is not None and not ready.done():
        ready.set_result(int(listening.sockets[0].getsockname()[1]))
    try:
        await stopped
    finally:
        server.close()
        listening.close()
