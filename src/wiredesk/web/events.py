"""`/events`: server-sent events of the story journal, for open pages and programs.

    GET /events[?story=ID][&section=SLUG][&events=update,takedown,new][&last_event_id=N]

Each event is `id: <journal id>`, `event: new|update|takedown` and one `data:` line of JSON
(eventdata.describe): the story's id, uri, agency, path and time; `headline` and `urgency`
for new and update while the story is visible; `reason` (killed, expired, removed, withheld)
for a takedown. `story` follows one story; `section` names an agency or a subject, as
written or as its slug (`ap`, `weather`): a section no story has yet simply matches nothing
until one does, so a page may subscribe to a section before its first story. A client that
reconnects with `Last-Event-ID` (the header browsers send, or `?last_event_id=`) is sent what
it missed from the journal first (up to live.REPLAY events; the journal keeps a week).

The stream is never cached (no-store, not in the page cache; Varnish passes /events), sets no
cookie, and sends `: keep-alive` every HEARTBEAT seconds so proxies keep idle streams open.
It is a plain ASGI endpoint, not a StreamingResponse: one coroutine per connection waiting
on its queue and on the client's disconnect, which keeps an idle stream to a few kilobytes.
"""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Callable
from typing import Any

from starlette.routing import BaseRoute
from starlette.types import Receive, Scope, Send

from wiredesk.store.journal import KINDS
from wiredesk.web.context import Context
from wiredesk.web.live import Broadcaster, Connection
from wiredesk.web.policy import Policy, route
from wiredesk.web.security import HEADERS as SECURITY_HEADERS
from wiredesk.web.security import odd_address

HEARTBEAT = 15.0  # seconds between keep-alive comments on an idle stream
RETRY_MS = 2000  # how soon a browser reconnects after the stream ends
EVENTS = Policy(cache=False, cookie_key=False)
HEADERS = [(b"content-type", b"text/event-stream; charset=utf-8"),
           (b"cache-control", b"no-store"), (b"x-accel-buffering", b"no"), *SECURITY_HEADERS]


class BadQuery(ValueError):
    pass


class EventStream:
    """The ASGI endpoint; owns the process's broadcaster, started on the first stream."""

    def __init__(self, ctx: Context, heartbeat: float = HEARTBEAT) -> None:
        self.ctx = ctx
        self.broadcaster = Broadcaster(ctx.store, heartbeat=heartbeat)
        self.stopping = False

    def close(self) -> None:
        self.stopping = True
        if self.broadcaster.loop is not None:
            self.broadcaster.close()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] not in ("GET", "HEAD"):
            await _plain(send, 405, "use GET", [(b"allow", b"GET, HEAD")])
            return
        if odd_address(scope):
            await _plain(send, 400, "control characters in the address")
            return
        try:
            asked = read_query(scope, self.ctx.store.max_id)
        except BadQuery as exc:
            await _plain(send, 400, str(exc))
            return
        if self.stopping:
            await _plain(send, 503, "the server is stopping; reconnect shortly")
            return
        if scope["method"] == "HEAD":
            await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
            await send({"type": "http.response.body", "body": b""})
            return
        broadcaster = self.broadcaster
        if broadcaster.loop is None:
            broadcaster.start(asyncio.get_running_loop())
            stop_on_signals(broadcaster.loop, self.close)
        after = asked.pop("after")
        connection = broadcaster.open(**asked, after=after)
        upto = broadcaster.delivered
        try:
            await self._stream(connection, after, upto, receive, send)
        finally:
            broadcaster.release(connection)

    async def _stream(self, connection: Connection, after: int | None, upto: int,
                      receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
        first = f"retry: {RETRY_MS}\n: connected\n\n".encode()
        if after is not None and after < upto:
            missed = await asyncio.to_thread(self.broadcaster.replay, connection, after, upto)
            first += b"".join(item.frame for item in missed)
        await send({"type": "http.response.body", "body": first, "more_body": True})
        # The client's going away ends the stream too; heartbeats come from the broadcaster
        # (one timer for every stream), so an idle stream waits on one future and nothing else.
        gone = asyncio.ensure_future(_disconnected(receive))
        gone.add_done_callback(lambda _: connection.close())
        loop = asyncio.get_running_loop()
        try:
            while not (connection.closed or connection.dropped):
                if not connection.pending:
                    connection.waiter = loop.create_future()
                    await connection.waiter
                    connection.waiter = None
                    continue
                chunk = b"".join(connection.pending)
                connection.pending.clear()
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            if not gone.done():
                await send({"type": "http.response.body", "body": b""})
        except OSError:  # the client went away mid-send
            pass
        finally:
            gone.cancel()


def stop_on_signals(loop: asyncio.AbstractEventLoop, stop: Callable[[], None]) -> None:
    """End the streams as soon as the server is told to stop. Servers (granian, uvicorn)
    wait for open requests to finish before the app's shutdown runs, and a stream never
    finishes by itself: so SIGTERM and SIGINT close them first, then do what they did."""
    for number in (signal.SIGTERM, signal.SIGINT):
        try:
            previous = signal.getsignal(number)

            def handler(signum: int, frame: Any, previous: Any = previous) -> None:
                loop.call_soon_threadsafe(stop)
                if callable(previous):
                    previous(signum, frame)
                elif previous == signal.SIG_DFL:
                    signal.signal(signum, signal.SIG_DFL)
                    os.kill(os.getpid(), signum)

            signal.signal(number, handler)
        except ValueError:  # not the main thread (a test client): the app's shutdown stops them
            return


async def _disconnected(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


def read_query(scope: Scope, max_id: int) -> dict[str, Any]:
    from urllib.parse import parse_qsl

    params = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
    story_id = _number(params.get("story"), "story", max_id)
    after = _number(params.get("last_event_id"), "last_event_id", 2**63 - 1, low=0)
    for name, value in scope.get("headers", []):
        if name == b"last-event-id":
            after = _number(value.decode("latin-1"), "Last-Event-ID", 2**63 - 1, low=0)
    kinds = None
    if params.get("events"):
        kinds = frozenset(k.strip() for k in params["events"].split(",") if k.strip())
        unknown = kinds - set(KINDS)
        if unknown or not kinds:
            raise BadQuery(f"events: expected some of {', '.join(KINDS)}, got "
                           f"{params['events']!r}")
    section = params.get("section", "").strip() or None
    if section is not None and len(section) > 200:
        raise BadQuery("section: at most 200 characters")
    return {"story_id": story_id, "section": section, "kinds": kinds, "after": after}


def _number(value: str | None, name: str, high: int, *, low: int = 1) -> int | None:
    if value is None or value == "":
        return None
    if not value.strip().isdigit() or not low <= int(value) <= high:
        raise BadQuery(f"{name}: expected a whole number from {low}, got {value!r}")
    return int(value)


async def _plain(send: Send, status: int, text: str,
                 extra: list[tuple[bytes, bytes]] | None = None) -> None:
    body = text.encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"cache-control", b"no-store"), *(extra or [])]})
    await send({"type": "http.response.body", "body": body})


def routes(ctx: Context) -> list[BaseRoute]:
    return [route("/events", EventStream(ctx), EVENTS, methods=["GET", "HEAD"])]


class FastPath:
    """Serves /events ahead of the middleware stack, which it needs none of (never cached,
    no rate limit, no login, no body; its own security headers and address check): each
    layer's frame would otherwise be held for the stream's whole life, thousands of times
    over. The route stays declared (web/policy.py) for the policies and the 405s."""

    def __init__(self, app: Any, stream: EventStream) -> None:
        self.app = app
        self.stream = stream

    def __getattr__(self, name: str) -> Any:  # app.state and the like, as before
        return getattr(self.app, name)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == "/events" \
                and scope["method"] in ("GET", "HEAD"):
            await self.stream(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def stream_of(routes: list[BaseRoute]) -> EventStream | None:
    """The /events endpoint among the app's routes, so the app can stop it."""
    for declared in routes:
        endpoint = getattr(declared, "app", None)
        if isinstance(endpoint, EventStream):
            return endpoint
    return None
