"""The rendered-page cache: every GET surface rendered once per change, then served as bytes.

An entry is good while (1) the store's change counter (generation) is the one it was rendered
at, and (2) no story's visibility has changed with time since then (a licence ended or an
embargo lifted: `Store.next_visibility_change`). A takedown bumps the generation in the
transaction that commits it; this process hears of it at once through the store's listener,
and other processes' commits within `WATCH_SECONDS` through a watcher that reads the counter
(PostgreSQL nodes may add LISTEN/NOTIFY on top). So no surface serves a story after its
takedown by waiting for a timeout: a hit costs no query and no template.

Which paths are cached at all, and whether the text-size cookie is part of the key, is each
route's declared policy (web/policy.py): pages that depend on who asks or change state say
`cache=False`; feeds, the API and sitemaps are the same bytes at every text size.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from http.cookies import SimpleCookie
from typing import Any

from wiredesk.store import Changes, Store
from wiredesk.store.listen import ChangeListener
from wiredesk.web import compress, keys
from wiredesk.web.http import not_modified, shared_for
from wiredesk.web.policy import Policies
from wiredesk.web.render import TextSize

log = logging.getLogger("wiredesk.cache")
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

WATCH_SECONDS = 0.25  # how soon another process's commit reaches this one at the latest
MAX_ENTRY_SECONDS = 60  # re-render at least this often (relative windows such as "2 days")
MAX_BYTES = 64 * 1024 * 1024
CACHEABLE_STATUS = {200, 404, 410}
EDGE_FETCH = (b"x-edge-fetch", b"1")  # set by deploy/varnish/wiredesk.vcl on every fetch


@dataclass(slots=True)
class Entry:
    status: int
    headers: list[tuple[bytes, bytes]]  # without Cache-Control, which is set at serve time
    body: bytes
    etag: bytes | None
    max_age: int | None  # None: "no-cache" as rendered
    last_modified: datetime | None
    generation: int
    stored: float
    compressible: bool = False  # text worth compressing, not encoded already
    # One answer per encoding asked for (br, gzip, "" for none): body, headers and ETag made
    # once, so a hit only looks one up.
    variants: dict[str, Variant] = field(default_factory=dict)

    def weight(self) -> int:
        return len(self.body) + sum(len(v.body) for e, v in self.variants.items() if e)


@dataclass(slots=True, frozen=True)
class Variant:
    body: bytes
    headers: list[tuple[bytes, bytes]]  # without Cache-Control
    etag: bytes | None


class PageCache:
    """Bytes by request key, dropped whole when the store says anything visible changed."""

    def __init__(self, store: Store, clock: Callable[[], datetime], *, watch: bool = True,
                 windows: tuple[timedelta, ...] = ()) -> None:
        self.store = store
        self.clock = clock
        self.windows = windows  # relative windows the surfaces use (tombstones, news sitemap)
        self.entries: OrderedDict[tuple[str, str, str], Entry] = OrderedDict()
        self.size = 0
        self.hits = 0
        self.misses = 0
        self.lock = threading.Lock()
        self.store_generation = store.generation()
        self.generation = 0  # our own epoch: moves on every clear, so late renders are refused
        self.valid_until = self._next_change()
        store.listeners.append(self._on_commit)
        self._stop = threading.Event()
        self._watcher: threading.Thread | None = None
        self._failing = False
        if watch:
            self._watcher = threading.Thread(target=self._watch, name="wiredesk-cache-watch",
                                             daemon=True)
            self._watcher.start()

    # --- invalidation ------------------------------------------------------------------------
    def _on_commit(self, _changes: Changes) -> None:
        self.refresh()

    def refresh(self) -> None:
        """Read the counter and the next time-driven change; drop everything if either moved."""
        generation = self.store.generation()
        if generation == self.store_generation:
            return
        with self.lock:
            self.store_generation = generation
            self._clear()
            self.valid_until = self._next_change()

    def _next_change(self) -> float:
        moment = self.store.next_visibility_change(self.clock(), windows=self.windows)
        return moment.timestamp() if moment else float("inf")

    def _clear(self) -> None:
        self.entries.clear()
        self.size = 0
        self.generation += 1

    def _watch(self) -> None:
        listener = ChangeListener(self.store.engine)
        try:
            while not self._stop.is_set():
                listener.wait(WATCH_SECONDS)  # wakes on NOTIFY (PostgreSQL), else a timed look
                self._refresh_quietly()
        finally:
            listener.close()

    def _refresh_quietly(self) -> None:
        if not self._stop.is_set():
            try:
                self.refresh()
            except Exception:  # a store hiccup must not kill the watcher; serve misses meanwhile
                if not self._failing:  # once per outage, not four times a second
                    log.exception("cache watcher could not read the store")
                self._failing = True
                with self.lock:
                    self._clear()
            else:
                if self._failing:
                    log.warning("cache watcher reads the store again")
                self._failing = False

    def close(self) -> None:
        self._stop.set()
        if self._watcher:
            self._watcher.join(timeout=2)
        if self._on_commit in self.store.listeners:
            self.store.listeners.remove(self._on_commit)

    # --- entries -------------------------------------------------------------------------
    def get(self, key: tuple[str, str, str]) -> Entry | None:
        now = self.clock().timestamp()
        if now >= self.valid_until:
            # A licence ended or an embargo lifted: visibility moved with time, not a commit.
            with self.lock:
                self._clear()
                self.valid_until = self._next_change()
            return None
        with self.lock:
            entry = self.entries.get(key)
            age = time.monotonic() - entry.stored if entry is not None else 0.0
            # An entry past its own max-age would be served as "max-age=0": an edge cache
            # could then keep nothing and send every request here. Render it afresh instead.
            if entry is None or entry.generation != self.generation or age > MAX_ENTRY_SECONDS \
                    or (entry.max_age is not None and age >= entry.max_age):
                self.misses += 1
                return None
            self.entries.move_to_end(key)
            self.hits += 1
            return entry

    def put(self, key: tuple[str, str, str], entry: Entry) -> None:
        with self.lock:
            if entry.generation != self.generation:
                return  # rendered from a store that has since changed
            old = self.entries.pop(key, None)
            if old:
                self.size -= old.weight()
            self.entries[key] = entry
            self.size += entry.weight()
            self._evict()

    def _evict(self) -> None:
        while self.size > MAX_BYTES and self.entries:
            _, dropped = self.entries.popitem(last=False)
            self.size -= dropped.weight()

    def variant(self, key: tuple[str, str, str], entry: Entry, encoding: str) -> Variant:
        """The entry's answer in `encoding`, compressed on the first reader that asks and kept
        with the entry, so every later reader gets the same bytes for nothing."""
        found = entry.variants.get(encoding)
        if found is not None:
            return found
        # Outside the lock: other readers go on meanwhile.
        body = entry.body if encoding == compress.IDENTITY else compress.encode(entry.body, encoding)
        etag = compress.variant_etag(entry.etag, encoding)
        made = Variant(body, compress.encoded_headers(entry.headers, encoding, len(body), etag)
                       if entry.compressible else entry.headers, etag)
        with self.lock:
            if encoding not in entry.variants:
                entry.variants[encoding] = made
                if encoding and self.entries.get(key) is entry:
                    self.size += len(body)
                    self._evict()
            return entry.variants[encoding]


def request_key(scope: Scope, policies: Policies) -> tuple[str, str, str] | None:
    """(path, query, text size) for a GET or HEAD the route lets the cache answer, else None."""
    if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
        return None
    policy = policies.of(scope)
    if not policy.cache or keys.presented(scope):  # an API key's full text is never shared
        return None
    query = scope.get("query_string", b"").decode("latin-1")
    size = ""
    if policy.cookie_key:
        for name, value in scope["headers"]:
            if name == b"cookie":
                morsel = SimpleCookie(value.decode("latin-1")).get(TextSize.COOKIE)
                size = str(TextSize.from_cookie(morsel.value if morsel else None).level)
    return scope["path"], query, size


class CacheMiddleware:
    """Serve cached bytes without touching routing, the store or templates."""

    def __init__(self, app: ASGIApp, cache: PageCache, policies: Policies) -> None:
        self.app = app
        self.cache = cache
        self.policies = policies

    @property
    def state(self) -> Any:
        """The wrapped Starlette app's state, so callers need not know the cache is there."""
        return self.app.state  # type: ignore[attr-defined]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = request_key(scope, self.policies)
        if key is None:
            await self.app(scope, receive, send)
            return
        if EDGE_FETCH in scope["headers"]:
            # The edge cache asks after a purge, perhaps before the watcher has heard of the
            # commit that caused it: read the counter now, so it never re-caches a stale page.
            self.cache.refresh()
        entry = self.cache.get(key)
        if entry is not None:
            await self._serve(scope, key, entry, send)
            return
        generation = self.cache.generation
        started = time.monotonic()
        # Held until the app is done, so the page goes out compressed like a hit.
        messages: list[Message] = []

        async def capture(message: Message) -> None:
            messages.append(message)

        try:
            await self.app(scope, receive, capture)
        except BaseException:
            # Starlette sends its error page, then raises for the server to log: pass both on.
            for message in messages:
                await send(message)
            raise
        start = next((m for m in messages if m["type"] == "http.response.start"), None)
        entry = None if start is None else _entry(scope, start, messages, generation, started)
        if entry is None:
            for message in messages:
                await send(message)
            return
        self.cache.put(key, entry)
        await self._serve(scope, key, entry, send, control=_cache_control(start["headers"]))

    async def _serve(self, scope: Scope, key: tuple[str, str, str], entry: Entry, send: Send,
                     control: bytes | None = None) -> None:
        """The entry in the encoding the reader takes; `control`: the Cache-Control as
        rendered (a miss), else worked out from the entry's age."""
        if control is None:
            elapsed = time.monotonic() - entry.stored
            if entry.max_age is None:
                control = b"no-cache"
            else:
                control = shared_for(max(0, int(entry.max_age - elapsed))).encode()
        encoding = compress.accepted(scope["headers"]) if entry.compressible else compress.IDENTITY
        variant = self.cache.variant(key, entry, encoding)
        body, etag = variant.body, variant.etag
        headers = [*variant.headers, (b"cache-control", control)]
        status = entry.status
        if etag is not None and status == 200:
            asked = {n: v.decode("latin-1") for n, v in scope["headers"]
                     if n in (b"if-none-match", b"if-modified-since")}
            if asked and not_modified(asked.get(b"if-none-match"), asked.get(b"if-modified-since"),
                                      etag.decode("latin-1"), entry.last_modified):
                status, body = 304, b""
                headers = [(n, v) for n, v in headers
                           if n.lower() not in (b"content-length", b"content-type")]
        if scope["method"] == "HEAD":
            body = b""
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def _entry(scope: Scope, start: Message, messages: list[Message], generation: int,
           started: float) -> Entry | None:
    """What the cache keeps of a rendered answer, or None when it must not be kept."""
    if start["status"] not in CACHEABLE_STATUS or scope["method"] == "HEAD":
        return None  # a HEAD response has no body to keep
    headers = list(start.get("headers", []))
    names = {name.lower() for name, _ in headers}
    if b"set-cookie" in names or _cache_control(headers).startswith(b"private"):
        return None
    body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
    return Entry(
        status=start["status"],
        headers=[(n, v) for n, v in headers if n.lower() != b"cache-control"],
        body=body,
        compressible=b"content-encoding" not in names and compress.compressible(
            next((v for n, v in headers if n.lower() == b"content-type"), None), body),
        etag=next((v for n, v in headers if n.lower() == b"etag"), None),
        max_age=_max_age(_cache_control(headers)),
        last_modified=_last_modified(headers),
        generation=generation,
        stored=started,
    )


def _cache_control(headers: list[tuple[bytes, bytes]]) -> bytes:
    return next((v for n, v in headers if n.lower() == b"cache-control"), b"")


def _last_modified(headers: list[tuple[bytes, bytes]]) -> datetime | None:
    value = next((v for n, v in headers if n.lower() == b"last-modified"), None)
    try:
        return parsedate_to_datetime(value.decode("latin-1")) if value else None
    except (TypeError, ValueError):
        return None


def _max_age(control: bytes) -> int | None:
    """How long a shared cache may keep the response: s-maxage, else max-age."""
    found: dict[bytes, int] = {}
    for part in control.split(b","):
        name, _, value = part.strip().partition(b"=")
        if name in (b"s-maxage", b"max-age") and value.isdigit():
            found[name] = int(value)
    return found.get(b"s-maxage", found.get(b"max-age"))
