"""Prometheus metrics and the one-line-per-event log of what the desk did.

The desk tells `desk.observers` of every applied delivery and every takedown (agency,
operator, clock); `install()` hooks this module in there once per process, so the CLI, the
worker, pushes, the console and the clock are counted and logged alike.
Other code observes its own timings here: the poller (`POLL_SECONDS`), the page cache
(`register_cache`), the web app (`REQUEST_SECONDS`, in web/observe.py).
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, Protocol

from prometheus_client import REGISTRY, Counter, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from wiredesk import desk
from wiredesk.story import Delivery

log = logging.getLogger("wiredesk.desk")

# Seconds: a delivery or kill is a few milliseconds; a poll of a slow agency API many seconds.
_FAST = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
_SLOW = (0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120)

DELIVERIES = Counter("wiredesk_deliveries", "Deliveries applied by the desk",
                     ["source", "outcome"])  # outcome: applied | quarantined
STORIES = Counter("wiredesk_stories", "Stories in deliveries, by what the desk decided",
                  ["source", "outcome"])  # new, updated, unchanged, stale, killed, ...
PARSE_ERRORS = Counter("wiredesk_parse_errors", "Deliveries quarantined, by format",
                       ["format"])  # "unknown" when no format recognised the bytes
PARSE_WARNINGS = Counter("wiredesk_parse_warnings", "Warnings on parsed stories (a field "
                         "dropped, defaulted or derived), by format", ["format"])
# Wire to web: from a delivery's arrival (a file written or renamed into a drop folder, a
# push or WebSub request received, a poll answered) to the commit of its new stories.
WIRE_SECONDS = Histogram("wiredesk_wire_to_web_seconds",
                         "From a delivery's arrival to its new stories' commit, by source",
                         ["source"], buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
                                              30, 60, 300))
POLL_SECONDS = Histogram("wiredesk_poll_seconds", "One poll of a source, start to finish",
                         ["source"], buckets=_SLOW)
TAKEDOWNS = Counter("wiredesk_takedowns", "Stories taken down, by who took them down",
                    ["kind"])  # kind: operator | agency | clock
TAKEDOWN_SECONDS = Histogram(
    "wiredesk_takedown_seconds",
    "From a takedown's start (operator kill, or an agency kill handed to the desk) to its commit",
    ["kind"], buckets=_FAST)  # kind: operator | agency
REQUEST_SECONDS = Histogram("wiredesk_request_seconds", "HTTP requests by route template",
                            ["method", "route"], buckets=_FAST)
REQUESTS = Counter("wiredesk_requests", "HTTP responses by route template and status",
                   ["method", "route", "status"])
RATE_LIMITED = Counter("wiredesk_rate_limited", "Requests refused with 429", ["bucket"])
LOGINS = Counter("wiredesk_console_logins", "Console login attempts",
                 ["outcome"])  # ok | failed | locked


class _Counts(Protocol):
    hits: int
    misses: int


class _CacheCollector(Collector):
    """Hits and misses read from caches that count for themselves (web/cache.py's
    PageCache keeps plain ints under its own lock), so a hit costs no extra work."""

    def __init__(self) -> None:
        self.caches: list[tuple[str, weakref.ref[Any]]] = []
        self.lock = threading.Lock()

    def add(self, name: str, cache: _Counts) -> None:
        with self.lock:
            self.caches = [(n, r) for n, r in self.caches if r() is not None]
            self.caches.append((name, weakref.ref(cache)))

    def collect(self) -> Iterator[CounterMetricFamily]:
        hits = CounterMetricFamily("wiredesk_cache_hits", "Requests served from a cache",
                                   labels=["cache"])
        misses = CounterMetricFamily("wiredesk_cache_misses", "Cacheable requests rendered",
                                     labels=["cache"])
        totals: dict[str, list[int]] = {}
        with self.lock:
            live = [(n, r()) for n, r in self.caches]
        for name, cache in live:
            if cache is not None:
                counts = totals.setdefault(name, [0, 0])
                counts[0] += int(cache.hits)
                counts[1] += int(cache.misses)
        for name, (hit, miss) in sorted(totals.items()):
            hits.add_metric([name], hit)
            misses.add_metric([name], miss)
        yield hits
        yield misses


_CACHES = _CacheCollector()
REGISTRY.register(_CACHES)


def register_cache(name: str, cache: _Counts) -> None:
    """Report a cache's `hits` and `misses` as wiredesk_cache_hits_total{cache=name}..."""
    _CACHES.add(name, cache)


class _Streams(Protocol):
    connections: set[Any]


class _StreamCollector(Collector):
    """Open /events streams, read from each broadcaster when scraped: a stream costs no
    metric work to open or close."""

    def __init__(self) -> None:
        self.broadcasters: weakref.WeakSet[Any] = weakref.WeakSet()

    def collect(self) -> Iterator[GaugeMetricFamily]:
        gauge = GaugeMetricFamily("wiredesk_event_streams",
                                  "Open /events streams (server-sent events) in this process")
        gauge.add_metric([], sum(len(b.connections) for b in list(self.broadcasters)))
        yield gauge


_STREAMS = _StreamCollector()
REGISTRY.register(_STREAMS)


def register_streams(broadcaster: _Streams) -> None:
    """Count a broadcaster's open streams in wiredesk_event_streams."""
    _STREAMS.broadcasters.add(broadcaster)


@contextmanager
def poll_timer(source: str) -> Iterator[None]:
    """`with poll_timer(name): poll(...)` observes POLL_SECONDS, failures included."""
    started = time.perf_counter()
    try:
        yield
    finally:
        POLL_SECONDS.labels(source).observe(time.perf_counter() - started)


def observe(event: desk.Event) -> None:
    if isinstance(event, desk.Applied):
        observe_delivery(event.delivery, event.report)
    else:
        observe_takedown(event)


def observe_delivery(delivery: Delivery, report: desk.Report) -> None:
    """Count one applied delivery and log one line per story (or one for the quarantine)."""
    source = delivery.source
    if report.error:
        DELIVERIES.labels(source, "quarantined").inc()
        PARSE_ERRORS.labels(report.error_format or "unknown").inc()
        log.warning("quarantined %s from %s: %s", delivery.name, source, report.error,
                    extra={"source": source, "uri": delivery.name, "outcome": "quarantined",
                           "format": report.error_format})
        return
    DELIVERIES.labels(source, "applied").inc()
    for fmt, count in report.warnings.items():
        PARSE_WARNINGS.labels(fmt).inc(count)
    fresh = {"new", "updated", "killed"}
    if delivery.arrived is not None and any(str(o) in fresh for _, o in report.outcomes):
        WIRE_SECONDS.labels(source).observe(
            max(0.0, (datetime.now(UTC) - delivery.arrived).total_seconds()))
    for uri, outcome in report.outcomes:
        STORIES.labels(source, str(outcome)).inc()
        log.info("%s %s from %s", outcome, uri, source,
                 extra={"source": source, "uri": uri, "outcome": str(outcome)})


def observe_takedown(event: desk.TakenDown) -> None:
    """Count and time a takedown; log the operator's and the clock's (an agency's kill is
    already logged as its delivery's `killed` line)."""
    if not event.done:
        if event.kind == "operator":
            log.info("already down %s by %s: %s", event.uri, event.actor, event.reason,
                     extra={"source": "operator", "uri": event.uri, "actor": event.actor,
                            "reason": event.reason, "outcome": "unchanged"})
        return
    TAKEDOWNS.labels(event.kind).inc()
    if event.kind in ("operator", "agency"):
        TAKEDOWN_SECONDS.labels(event.kind).observe(event.seconds)
    if event.kind == "operator":
        log.info("removed %s by %s: %s", event.uri, event.actor, event.reason,
                 extra={"source": "operator", "uri": event.uri, "actor": event.actor,
                        "reason": event.reason, "outcome": "removed"})
    elif event.kind == "clock":
        log.info("expired %s: %s", event.uri, event.reason,
                 extra={"source": "clock", "uri": event.uri, "reason": event.reason,
                        "outcome": "expired"})


def install() -> None:
    """Hook the desk's observers once per process (idempotent)."""
    if observe not in desk.observers:
        desk.observers.append(observe)
