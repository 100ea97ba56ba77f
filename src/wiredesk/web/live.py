"""One broadcaster per web process: reads the story journal once per change and fans the
events out to every open /events stream (web/events.py).

A thread waits for change: woken in-process by `store.listeners` after each commit, across
processes by PostgreSQL's NOTIFY (store/listen.py) or, on SQLite, by a short poll of the
journal (one indexed read every POLL seconds). It reads the new journal rows once, looks
up each headline once (eventdata.describe), encodes each event once, and hands the batch to
the event loop, which appends it to each matching connection's bounded queue. A connection
whose queue is full (a client that stopped reading) is dropped; it reconnects with
Last-Event-ID and resumes from the journal. So the work per change is one read and one
encode, whatever the number of readers, and an idle connection costs its queue and one
waiting coroutine.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import Iterable
from typing import Any

from wiredesk import metrics
from wiredesk.eventdata import EventData, describe
from wiredesk.store import Changes, Store
from wiredesk.store.listen import ChangeListener
from wiredesk.times import utc_now

log = logging.getLogger("wiredesk.live")
POLL = 0.1  # seconds between looks at the journal on SQLite (other processes' commits)
PG_WAIT = 2.0  # the longest NOTIFY wait on PostgreSQL before a look anyway
QUEUE = 256  # events a connection may have waiting before it is dropped
BATCH = 500  # journal rows read at once
REPLAY = 1000  # the most events a resuming client is sent
KEEP_ALIVE = b": keep-alive\n\n"


class Item:
    """One event, encoded once for every stream."""

    __slots__ = ("event", "frame")

    def __init__(self, event: EventData) -> None:
        self.event = event
        data = json.dumps(event.data, ensure_ascii=False, separators=(",", ":"))
        self.frame = f"id: {event.event_id}\nevent: {event.kind}\ndata: {data}\n\n".encode()


class Connection:
    """One open stream: what it asked for and the events waiting to be sent to it."""

    __slots__ = ("story_id", "section", "kinds", "pending", "waiter", "dropped", "closed",
                 "last_id")

    def __init__(self, story_id: int | None, section: str | None,
                 kinds: frozenset[str] | None, last_id: int) -> None:
        self.story_id = story_id
        self.section = section
        self.kinds = kinds
        self.pending: list[bytes] = []
        self.waiter: asyncio.Future[None] | None = None
        self.dropped = False  # fell QUEUE events behind: closed, the client resumes
        self.closed = False  # the server is stopping
        self.last_id = last_id  # the newest event id queued, so a replay never repeats

    def wants(self, event: EventData) -> bool:
        if self.story_id is not None and event.story_id != self.story_id:
            return False
        if self.kinds is not None and event.kind not in self.kinds:
            return False
        return self.section is None or event.matches_section(self.section)

    def push(self, item: Item) -> None:
        if item.event.event_id <= self.last_id or not self.wants(item.event):
            return
        self.last_id = item.event.event_id
        if len(self.pending) >= QUEUE:
            self.dropped = True
        else:
            self.pending.append(item.frame)
        self.wake()

    def wake(self) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(None)

    def close(self) -> None:
        self.closed = True
        self.wake()

    def beat(self) -> None:
        """A keep-alive comment, unless something is already waiting to be sent."""
        if not self.pending:
            self.pending.append(KEEP_ALIVE)
            self.wake()


class Broadcaster:
    def __init__(self, store: Store, *, poll: float = POLL, heartbeat: float = 15.0) -> None:
        self.store = store
        self.poll = poll
        self.heartbeat = heartbeat
        self._beats: asyncio.TimerHandle | None = None
        self.connections: set[Connection] = set()
        self.position = 0  # the newest journal id read (the reader thread's)
        self.delivered = 0  # the newest journal id fanned out (the event loop's)
        self.loop: asyncio.AbstractEventLoop | None = None
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # --- life ----------------------------------------------------------------------------
    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        metrics.register_streams(self)
        self.position = self.delivered = self.store.journal.latest()
        self.store.listeners.append(self._on_commit)
        self._thread = threading.Thread(target=self._run, name="wiredesk-events", daemon=True)
        self._thread.start()
        self._beats = loop.call_later(self.heartbeat, self._beat)

    def _beat(self) -> None:
        """One timer for every stream: each idle one gets its keep-alive comment."""
        for connection in list(self.connections):
            connection.beat()
        if self.loop is not None and not self._stop.is_set():
            self._beats = self.loop.call_later(self.heartbeat, self._beat)

    def close(self) -> None:
        """Stop reading and end every stream now (the server is stopping)."""
        self._stop.set()
        self._wake.set()
        if self._on_commit in self.store.listeners:
            self.store.listeners.remove(self._on_commit)
        if self._beats is not None and self.loop is not None:
            self.loop.call_soon_threadsafe(self._beats.cancel)
        for connection in list(self.connections):
            connection.close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    @property
    def running(self) -> bool:
        return self.loop is not None and not self._stop.is_set()

    # --- connections (event loop only) ---------------------------------------------------
    def open(self, *, story_id: int | None = None, section: str | None = None,
             kinds: frozenset[str] | None = None, after: int | None = None,
             factory: type[Connection] | None = None) -> Connection:
        """A new stream; with `after`, it is owed the events after that id (`replay`)."""
        connection = (factory or Connection)(story_id, section, kinds, self.delivered)
        if after is not None and after < self.delivered:
            connection.last_id = after
        self.connections.add(connection)
        return connection

    def release(self, connection: Connection) -> None:
        self.connections.discard(connection)

    def replay(self, connection: Connection, after: int, upto: int) -> list[Item]:
        """The events after `after` a resuming connection missed, up to `upto` (what was
        fanned out when it opened; run in a thread)."""
        now = utc_now()
        found = self.store.journal.since(after, limit=REPLAY,
                                         story_id=connection.story_id,
                                         kinds=tuple(connection.kinds or ()) or None)
        events = [describe(self.store, e, now) for e in found if e.id <= upto]
        return [Item(e) for e in events if connection.wants(e)]

    def _fanout(self, items: list[Item]) -> None:
        for connection in list(self.connections):
            for item in items:
                connection.push(item)
        if items:
            self.delivered = max(self.delivered, items[-1].event.event_id)

    # --- the reader thread ---------------------------------------------------------------
    def _on_commit(self, _changes: Changes) -> None:
        self._wake.set()

    def _run(self) -> None:
        listener = ChangeListener(self.store.engine) if self.store.engine.dialect.name \
            == "postgresql" else None
        failing = False
        try:
            while not self._stop.is_set():
                try:
                    self._read()
                    failing = False
                except Exception:  # a store hiccup: say so once, and look again shortly
                    if not failing:
                        log.exception("events: could not read the journal")
                    failing = True
                if listener is not None:
                    if not self._wake.is_set():
                        listener.wait(PG_WAIT)  # in-process commits NOTIFY too
                else:
                    self._wake.wait(self.poll)
                self._wake.clear()
        finally:
            if listener is not None:
                listener.close()

    def _read(self) -> None:
        while not self._stop.is_set():
            events = self.store.journal.since(self.position, limit=BATCH)
            if not events:
                return
            now = utc_now()
            items = [Item(describe(self.store, e, now)) for e in events]
            self.position = events[-1].id
            self._send(items)
            if len(events) < BATCH:
                return

    def _send(self, items: Iterable[Item]) -> None:
        loop = self.loop
        if loop is not None and not loop.is_closed():
            try:
                loop.call_soon_threadsafe(self._fanout, list(items))
            except RuntimeError:  # the loop closed meanwhile: the server is stopping
                pass

    def counts(self) -> dict[str, Any]:
        return {"connections": len(self.connections), "position": self.delivered}
