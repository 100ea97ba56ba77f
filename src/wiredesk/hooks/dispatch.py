"""The dispatcher: fills each subscriber's outbox from the story journal and sends it.

Runs in a thread of the worker (sources/worker.py) and of `serve --no-worker`'s process,
beside the clock; several may run on one store (rows are taken by lease, the outbox has one
row per subscriber and event). It wakes on a commit in this process, on NOTIFY from another
(PostgreSQL) or after POLL seconds (SQLite), and when a retry falls due.

Each POST carries the JSON of the event (eventdata.describe: the headline only while the
story is visible at the moment of sending), `X-Wiredesk-Event-Id` and the signature
(hooks/sign.py). A 2xx answer delivers; anything else, or no answer, is tried again after
an exponential back-off with jitter (first_retry, doubling, at most max_retry) until
give_up after the event was owed (a day by default), then the delivery is dead-lettered:
listed by `wiredesk subscribers show` and in the console, where it can be sent again.

A delivery is taken for the request's timeout plus LEASE_MARGIN before it is sent, one at a
time: a worker killed mid-send leaves that one row, due again when its lease ends.

The URL is checked by the fetch guard before each request and the peer after connecting
(private addresses only with --allow-private); redirects are not followed.
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta

import httpx

from wiredesk import __version__
from wiredesk.eventdata import describe
from wiredesk.hooks import sign
from wiredesk.masking import mask_text
from wiredesk.sources.config import resolve_secret
from wiredesk.sources.fetch_guard import BlockedAddress, check_peer, check_url
from wiredesk.store import Changes, Store
from wiredesk.store.journal import StoryEvent
from wiredesk.store.listen import ChangeListener
from wiredesk.store.records import DeliveryRow, SubscriberRow
from wiredesk.times import utc_now

log = logging.getLogger("wiredesk.hooks")
POLL = 0.5  # seconds between looks at the journal on SQLite
LEASE_MARGIN = 5.0  # seconds past the request timeout a delivery in hand stays ours
FIRST_RETRY = 10.0
MAX_RETRY = 3600.0
GIVE_UP = 86400.0
TIMEOUT = 10.0
KEEP_SETTLED = timedelta(days=7)


def backoff(attempts: int, first: float, ceiling: float,
            rand: Callable[[], float] = random.random) -> float:
    """Seconds before the next try after `attempts` failures: doubling, jittered to 50-100%
    so a receiver coming back is not hit by every retry at once."""
    delay = min(ceiling, first * 2 ** min(max(attempts - 1, 0), 32))
    return delay * (0.5 + 0.5 * rand())


class Dispatcher:
    def __init__(self, store: Store, *, first_retry: float = FIRST_RETRY,
                 max_retry: float = MAX_RETRY, give_up: float = GIVE_UP,
                 timeout: float = TIMEOUT, poll: float = POLL,
                 clock: Callable[[], datetime] = utc_now) -> None:
        self.store = store
        self.first_retry = first_retry
        self.max_retry = max(max_retry, first_retry)
        self.give_up = timedelta(seconds=give_up)
        self.timeout = timeout
        self.poll = poll
        self.clock = clock
        self.stopping = threading.Event()
        self._wake = threading.Event()
        self._pruned = 0.0

    @classmethod
    def from_env(cls, store: Store) -> Dispatcher:
        from wiredesk.config import Settings

        settings = Settings.from_env()
        return cls(store, first_retry=settings.hook_retry_seconds,
                   give_up=settings.hook_give_up_seconds)

    # --- one round -------------------------------------------------------------------------
    def run_once(self) -> int:
        """Fill every outbox, then send what is due; returns the deliveries attempted."""
        now = self.clock()
        subscribers = {s.name: s for s in self.store.subscribers.all()}
        for subscriber in subscribers.values():
            while self.store.subscribers.fill(subscriber, now) or \
                    self.store.subscribers.behind(subscriber.name):
                if self.stopping.is_set():
                    break
        attempted = 0
        with httpx.Client(timeout=self.timeout, follow_redirects=False, trust_env=False,
                          headers={"User-Agent": f"wiredesk/{__version__} (webhooks)"}) as http:
            lease = timedelta(seconds=self.timeout + LEASE_MARGIN)
            # One at a time: a worker killed mid-send strands one delivery, for one lease.
            while not self.stopping.is_set():
                due = self.store.subscribers.claim_due(self.clock(), lease, limit=1)
                if not due:
                    break
                subscriber = subscribers.get(due[0].subscriber)
                if subscriber is not None:
                    self.send(http, subscriber, due[0])
                    attempted += 1
        if time.monotonic() - self._pruned > 3600:
            self._pruned = time.monotonic()
            self.store.subscribers.prune(self.clock() - KEEP_SETTLED)
        return attempted

    def body(self, delivery: DeliveryRow) -> bytes:
        event = StoryEvent(delivery.event_id, delivery.at, delivery.event, delivery.story_id,
                           delivery.uri, delivery.agency, None, delivery.reason, ())
        data = describe(self.store, event, self.clock()).data
        if data.get("urgency") is None:
            data.pop("urgency", None)
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    def send(self, http: httpx.Client, subscriber: SubscriberRow, delivery: DeliveryRow) -> bool:
        error: str | None = None
        try:
            secret = resolve_secret(subscriber.secret) or ""
            body = self.body(delivery)
            check_url(subscriber.url, subscriber.allow_private)
            headers = {"Content-Type": "application/json",
                       sign.EVENT_HEADER: str(delivery.event_id),
                       sign.HEADER: sign.signature(secret, body, int(time.time()))}
            with http.stream("POST", subscriber.url, content=body, headers=headers) as answer:
                check_peer(answer, subscriber.allow_private)
                if not 200 <= answer.status_code < 300:
                    error = f"HTTP {answer.status_code}"
        except BlockedAddress as exc:
            error = str(exc)
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        except Exception as exc:  # a bad secret reference, a store hiccup: the row's error
            error = f"{type(exc).__name__}: {exc}"
        now = self.clock()
        if error is None:
            self.store.subscribers.delivered(delivery.id, now)
            return True
        error = mask_text(error)
        if now - delivery.created_at >= self.give_up:
            log.warning("subscriber %s: event %d dead-lettered after %d attempts: %s",
                        subscriber.name, delivery.event_id, delivery.attempts + 1, error)
            self.store.subscribers.failed(delivery.id, now, error, None)
        else:
            delay = backoff(delivery.attempts + 1, self.first_retry, self.max_retry)
            self.store.subscribers.failed(delivery.id, now, error,
                                          now + timedelta(seconds=delay))
        return False

    # --- the loop --------------------------------------------------------------------------
    def _on_commit(self, _changes: Changes) -> None:
        self._wake.set()

    def run(self) -> None:
        self.store.listeners.append(self._on_commit)
        listener = ChangeListener(self.store.engine) \
            if self.store.engine.dialect.name == "postgresql" else None
        failing = False
        try:
            while not self.stopping.is_set():
                try:
                    self.run_once()
                    failing = False
                except Exception:
                    if not failing:
                        log.exception("webhooks: a round failed; trying again shortly")
                    failing = True
                pause = self._pause()
                if listener is not None and not self._wake.is_set():
                    listener.wait(pause)
                else:
                    self._wake.wait(pause)
                self._wake.clear()
        finally:
            if self._on_commit in self.store.listeners:
                self.store.listeners.remove(self._on_commit)
            if listener is not None:
                listener.close()

    def _pause(self) -> float:
        pause = self.poll if self.store.engine.dialect.name != "postgresql" else 5.0
        try:
            due = self.store.subscribers.next_due()
        except Exception:
            return pause
        if due is not None:
            pause = min(pause, max(0.05, (due - self.clock()).total_seconds()))
        return pause

    def start(self) -> Callable[[], None]:
        """Run in a thread; returns the function that stops it (after the send in hand)."""
        thread = threading.Thread(target=self.run, name="wiredesk-hooks", daemon=True)
        thread.start()

        def stop() -> None:
            self.stopping.set()
            self._wake.set()
            thread.join(timeout=30)

        return stop
