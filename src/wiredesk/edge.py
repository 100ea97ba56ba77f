"""The edge cache hears every change to a story, from whichever process made it.

The story journal (store/journal.py) holds one row per story shown, updated or taken down,
written in the same transaction as the change: a takedown committed by the CLI, a worker, the
clock, the console or a push cannot be missing from it. The purger reads the journal from its
named cursor ("edge-purge"), sends the Surrogate-Keys those events reach to the edge
(`WIREDESK_PURGE_URL`: a POST with a `Surrogate-Key` header, as deploy/varnish/wiredesk.vcl
takes it) and moves the cursor past them only when the edge answered 2xx; otherwise it tries
again with a back-off. So every takedown is purged at least once (a duplicate is harmless),
even across a crash between the purge and the cursor's move.

One process at a time drains the cursor: whichever holds the clock's lease (a worker, or a
web process started with `--no-worker`, both run lifecycle.ClockLoop). It wakes at once on a
commit in its own process (`nudge`, a store listener), on NOTIFY from another node's commit
(PostgreSQL), and otherwise every WAKE_SECONDS, so the edge hears within a fraction of a
second. `wiredesk kill` also sends its own takedown's keys straight after its commit
(`purge_changes`), so the edge hears at once even when no worker runs.

Several edges (one Varnish per web node): `WIREDESK_PURGE_URL` lists their purge URLs,
comma-separated. Each has a purger of its own, in a thread of its own, with its own cursor
(`edge-purge <url>`) and its own back-off: a dead edge neither blocks the others nor misses
a purge, since its cursor waits before the first event it did not acknowledge.

Every purge of a takedown, sent from either place, is written to the compliance ledger with
the edge's answer (store/ledger.py): an agency's audit sees when the CDN was told and what it
said, failures and retries included.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime

import httpx

from wiredesk import __version__
from wiredesk.store import Changes, Store
from wiredesk.store.journal import StoryEvent
from wiredesk.store.listen import ChangeListener
from wiredesk.times import utc_now
from wiredesk.web.http import story_keys

log = logging.getLogger("wiredesk.edge")
CURSOR = "edge-purge"
WAKE_SECONDS = 0.25  # the longest a commit from another process waits (SQLite, lost NOTIFY)
FIRST_RETRY = 0.25  # seconds after a failed purge; doubles up to MAX_RETRY
MAX_RETRY = 10.0
BATCH = 500  # journal events per drain step
HEADER_CHARS = 4000  # per Surrogate-Key header: well inside Varnish's 8 KB header limit
TIMEOUT = httpx.Timeout(5.0, connect=2.0)


def event_keys(events: Iterable[StoryEvent], lists: Sequence[str]) -> list[str]:
    """The Surrogate-Keys a run of journal events reaches: every key of a story taken down
    (its page, its agency's and subjects' lists), the page of a story updated, and the lists
    (`lists`, what the routes declare in their `purge`) whenever what is visible changed."""
    keys: list[str] = []
    any_event = False
    for event in events:
        any_event = True
        if event.kind == "takedown":
            keys += story_keys(event.story_id, event.agency, event.subjects)
        elif event.kind == "update":
            keys.append(f"story-{event.story_id}")
    if any_event:
        keys += lists
    return list(dict.fromkeys(keys))


def change_keys(changes: Changes, lists: Sequence[str]) -> list[str]:
    """The keys of one committed transaction's takedowns (and the lists), for `purge_changes`."""
    keys: list[str] = []
    for gone in changes.takedowns:
        keys += story_keys(gone.story_id, gone.agency, gone.subjects)
    # A picture gone (killed, expired, or with its last story): its renditions. The journal's
    # update events of the stories that showed it purge them too (their Surrogate-Keys).
    keys += [f"picture-{picture_id}" for picture_id in changes.pictures_gone]
    keys += [f"story-{story_id}" for story_id, _ in changes.updated] if changes.pictures_gone else []
    if changes.takedowns or changes.embargoes_lifted or changes.pictures_gone:
        keys += lists  # a gone picture's thumbnail was on the lists too
    return list(dict.fromkeys(keys))


def purge_urls(value: str | None) -> list[str]:
    """The edges' purge URLs from `WIREDESK_PURGE_URL`: one, or several comma-separated."""
    urls = [part.strip() for part in (value or "").split(",") if part.strip()]
    for url in urls:
        if not url.startswith(("http://", "https://")) or " " in url:
            raise ValueError(f"WIREDESK_PURGE_URL: {url!r} is not an http(s) URL "
                             "(several edges: comma-separated URLs)")
    if len(set(urls)) != len(urls):
        raise ValueError(f"WIREDESK_PURGE_URL names an edge twice: {value}")
    return urls


def cursor_for(url: str, urls: Sequence[str]) -> str:
    """The journal cursor of one edge: CURSOR when it is the only one (as before several
    were possible), else CURSOR and its URL (hashed when too long for the cursor's name)."""
    if len(urls) == 1:
        return CURSOR
    name = f"{CURSOR} {url}"
    return name if len(name) <= 100 else f"{CURSOR} {hashlib.sha256(url.encode()).hexdigest()[:32]}"


class EdgePurger:
    """Drains the journal to the edge from the cursor CURSOR; see the module's doc."""

    def __init__(self, store: Store, url: str, lists: Sequence[str], *, name: str = CURSOR,
                 now: Callable[[], datetime] = utc_now, wake: float = WAKE_SECONDS) -> None:
        self.store = store
        self.url = url
        self.lists = list(lists)
        self.name = name
        self.now = now
        self.wake = wake
        self.client = httpx.Client(timeout=TIMEOUT,
                                   headers={"User-Agent": f"wiredesk/{__version__}"})
        self.nudged = threading.Event()
        self.stopping = threading.Event()
        self.sent = 0  # purge requests the edge accepted, for tests and curious operators
        self.failures = 0  # consecutive failed purges

    def send(self, keys: list[str], gone: Sequence[StoryEvent] = ()) -> bool:
        """One purge request; True when the edge answered 2xx. The answer is written to the
        ledger for each takedown in `gone`."""
        ok, answer = purge_answer(self.client, self.url, keys)
        record_purge(self.store, [(e.story_id, e.uri, e.agency, e.at) for e in gone
                                  if e.kind == "takedown"], ok, answer, self.now())
        if not ok:
            return False
        self.sent += 1
        return True

    def start_cursor(self) -> int:
        """Where the cursor is, saving it first if new, so every later event is purged. A new
        edge's cursor starts where the single edge's was, if any (an edge added to the list)."""
        journal = self.store.journal
        position = journal.position(self.name, start=journal.position(CURSOR))
        self.store.journal.advance(self.name, position, self.now())
        return position

    def drain(self) -> bool:
        """Purge every event after the cursor, BATCH at a time; False when the edge failed
        (the cursor stays before the events not acknowledged)."""
        journal = self.store.journal
        position = journal.position(self.name)
        while not self.stopping.is_set():
            events = journal.since(position, limit=BATCH)
            if not events:
                return True
            if not self.send(event_keys(events, self.lists), events):
                return False
            position = events[-1].id
            journal.advance(self.name, position, self.now())
            if len(events) < BATCH:
                return True
        return True

    def nudge(self, changes: Changes) -> None:
        """A store listener: a commit in this process wakes the loop at once."""
        if changes:
            self.nudged.set()

    def run(self, holds: Callable[[], bool]) -> None:
        """Drain whenever `holds()` says this process holds the lease, until stopped."""
        listener = ChangeListener(self.store.engine)
        retry_at, delay = 0.0, 0.0
        try:
            while not self.stopping.is_set():
                if holds() and time.monotonic() >= retry_at:
                    if self._drain_quietly():
                        delay, self.failures = 0.0, 0
                    else:
                        self.failures += 1
                        delay = min(MAX_RETRY, delay * 2 or FIRST_RETRY)
                        retry_at = time.monotonic() + delay
                until_retry = retry_at - time.monotonic()
                self._wait(listener, min(self.wake, until_retry) if until_retry > 0 else self.wake)
        finally:
            listener.close()

    def _drain_quietly(self) -> bool:
        try:
            return self.drain()
        except Exception:  # a store hiccup: try again after the back-off
            log.exception("edge purger could not read the journal")
            return False

    def _wait(self, listener: ChangeListener, timeout: float) -> None:
        if self.nudged.is_set():
            self.nudged.clear()
            return
        if listener.postgres:
            listener.wait(timeout)  # NOTIFY from any node's commit ends it at once
        else:
            self.nudged.wait(timeout)
        self.nudged.clear()

    def start(self, holds: Callable[[], bool]) -> Callable[[], None]:
        """Run in a thread beside the clock; returns the function that stops it."""
        self.start_cursor()
        self.store.listeners.append(self.nudge)
        thread = threading.Thread(target=self.run, args=(holds,), name="wiredesk-edge-purge",
                                  daemon=True)
        thread.start()

        def stop() -> None:
            self.stopping.set()
            self.nudged.set()
            thread.join(timeout=10)
            if self.nudge in self.store.listeners:
                self.store.listeners.remove(self.nudge)
            self.client.close()

        return stop


class EdgePurgers:
    """One EdgePurger per edge (`purge_urls`), each in its own thread with its own cursor and
    back-off; started and stopped together, as the clock's companion."""

    def __init__(self, store: Store, urls: Sequence[str], lists: Sequence[str], *,
                 now: Callable[[], datetime] = utc_now, wake: float = WAKE_SECONDS) -> None:
        if not urls:
            raise ValueError("EdgePurgers needs at least one purge URL")
        self.purgers = [EdgePurger(store, url, lists, name=cursor_for(url, urls), now=now,
                                   wake=wake) for url in urls]

    def start(self, holds: Callable[[], bool]) -> Callable[[], None]:
        stops = [purger.start(holds) for purger in self.purgers]

        def stop() -> None:
            for each in stops:
                each()

        return stop


def purge_changes(url: str, changes: Changes, lists: Sequence[str], *,
                  store: Store | None = None, committed: datetime | None = None) -> bool:
    """One immediate purge of a commit's takedowns, to every edge `url` lists, from a process
    that runs no purger (the CLI); the lease holder's purgers send them again from the
    journal, harmlessly. With `store`, each edge's answer goes to the ledger (`committed`:
    when the takedowns committed). True when every edge answered 2xx."""
    keys = change_keys(changes, lists)
    if not keys:
        return True
    urls = purge_urls(url)
    all_ok = True
    with httpx.Client(timeout=TIMEOUT, headers={"User-Agent": f"wiredesk/{__version__}"}) as client:
        for each in urls:
            ok, answer = purge_answer(client, each, keys)
            all_ok = all_ok and ok
            if store is not None:
                at = utc_now()
                said = answer if len(urls) == 1 else f"{each}: {answer}"[:300]
                record_purge(store, [(t.story_id, t.uri, t.agency, committed or at)
                                     for t in changes.takedowns], ok, said, at)
    return all_ok


def record_purge(store: Store, gone: list[tuple[int, str, str | None, datetime]], ok: bool,
                 answer: str, now: datetime) -> None:
    """The edge's answer, in the ledger; a store in trouble must not stop the purging."""
    if not gone:
        return
    try:
        store.ledger.purged(gone, ok=ok, answer=answer, now=now)
    except Exception:
        log.exception("could not write the edge's answer to the ledger")


def send_purge(client: httpx.Client, url: str, keys: list[str]) -> bool:
    """POST the keys in Surrogate-Key headers of at most HEADER_CHARS each (Varnish refuses
    a header over 8 KB); True when the edge answered 2xx to every one."""
    return purge_answer(client, url, keys)[0]


def purge_answer(client: httpx.Client, url: str, keys: list[str]) -> tuple[bool, str]:
    """`send_purge`, with what the edge said: "HTTP 200" (the last answer when all were
    2xx), the first refusal ("HTTP 503"), or the transport's error."""
    answer = "nothing to send"
    for chunk in chunks(keys, HEADER_CHARS):
        try:
            response = client.post(url, headers={"Surrogate-Key": chunk})
        except httpx.HTTPError as exc:
            log.warning("edge purge of %d key(s) failed: %s", len(keys), exc)
            return False, f"{type(exc).__name__}: {exc}"[:300]
        answer = f"HTTP {response.status_code}"
        if not response.is_success:
            log.warning("edge purge of %d key(s) refused: HTTP %d", len(keys),
                        response.status_code)
            return False, answer
    return True, answer


def chunks(keys: list[str], limit: int) -> list[str]:
    """The keys as space-separated runs of at most `limit` characters."""
    runs: list[str] = []
    for key in keys:
        if runs and len(runs[-1]) + 1 + len(key) <= limit:
            runs[-1] += " " + key
        else:
            runs.append(key)
    return runs
