"""The worker: runs due polls and folder scans, and the lifecycle clock, until told to stop.

A source is taken by lease (see store/sources.py), so several workers share one store
without taking the same source twice. Stopping (SIGTERM) lets each job finish the delivery
in hand: a delivery is one transaction, applied whole or not at all, and whatever a job has
not reached waits for the next run. A SIGKILLed worker leaves at worst a lease that lapses
(or is freed at once by the next worker on the same host, which sees the process is gone)
and a file applied but not yet moved, which is re-applied harmlessly.
"""

from __future__ import annotations

import logging
import os
import random
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from wiredesk import lifecycle
from wiredesk.edge import EdgePurger, EdgePurgers
from wiredesk.hooks.dispatch import Dispatcher
from wiredesk.masking import mask_text
from wiredesk.sources import registry
from wiredesk.sources.fetch import FetchError, HostLimiter
from wiredesk.sources.kind import Run
from wiredesk.sources.kinds import KINDS, POLLED
from wiredesk.sources.registry import config_of
from wiredesk.store import Store
from wiredesk.store.records import Claim
from wiredesk.times import utc_now
from wiredesk.values import MAX_INTERVAL

log = logging.getLogger("wiredesk.worker")
WATCH_SECONDS = 30.0  # the longest a step keeps its source waiting for events (drop folders)

Clock = Callable[[], datetime]


class LeaseLost(Exception):
    """Another worker holds this source now (ours lapsed): stop without writing."""


def next_delay(every: float, failures: int, retry_after: float | None = None,
               max_backoff: float = 3600.0, rand: Callable[[], float] = random.random) -> float:
    """Seconds until the next poll: the interval, or after failures an exponential backoff
    with jitter (so sources failing together do not retry together), never sooner than the
    server's Retry-After."""
    delay = every
    if failures:
        ceiling = min(max(max_backoff, every), every * 2 ** min(failures, 32))
        delay = ceiling * (0.5 + 0.5 * rand())
    if retry_after is not None:
        delay = max(delay, retry_after)
    return delay


def _pid_alive(owner: str) -> bool:
    """Is the worker process named in a lease owner ("host:pid:token") still running?"""
    try:
        pid = int(owner.split(":")[1])
    except (IndexError, ValueError):
        return True  # not ours to judge
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    stat = Path(f"/proc/{pid}/stat")
    try:  # a killed child its parent has not reaped yet is a zombie: gone all the same
        return stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


class Worker:
    def __init__(self, store: Store, *, clock_seconds: float = 5.0, threads: int = 4,
                 per_host: int = 2, lease_seconds: float = 300.0, idle_seconds: float = 1.0,
                 max_backoff: float = 3600.0, clock: Clock = utc_now,
                 purger: EdgePurger | EdgePurgers | None = None,
                 base_url: str | None = None) -> None:
        self.store = store
        self.base_url = base_url  # where hubs call back (WebSub); None: never subscribe
        self.sources = store.sources
        self.clock = clock
        self.clock_seconds = clock_seconds
        self.threads = max(1, threads)
        self.lease = timedelta(seconds=lease_seconds)
        self.idle_seconds = idle_seconds
        self.max_backoff = max_backoff
        self.limiter = HostLimiter(per_host)
        self.host = socket.gethostname()
        self.owner = lifecycle.lease_owner()
        self.stopping = threading.Event()
        self.clock_loop = lifecycle.ClockLoop(store, every=clock_seconds, now=clock,
                                              owner=self.owner)
        self.purger = purger  # drains the journal to the edge while this holds the clock
        self.hooks = Dispatcher.from_env(store)  # subscribers' webhooks, in a thread of ours

    @property
    def watch_window(self) -> float:
        """How long a step may keep its source waiting for events: well inside the lease
        (the step checkpoints meanwhile), and short enough that sources take turns."""
        return min(WATCH_SECONDS, self.lease.total_seconds() / 3)

    def stop(self) -> None:
        """Ask the worker to stop after the deliveries in hand (safe from a signal handler)."""
        self.stopping.set()

    # --- the loop ------------------------------------------------------------------------
    def run(self) -> None:
        freed = self.sources.release_dead(f"{self.host}:", _pid_alive)
        if freed:
            log.info("freed %d lease(s) of dead workers on this host", freed)
        log.info("worker %s started", self.owner)
        stop_purger = self.purger.start(self.clock_loop.holds) if self.purger else None
        stop_hooks = self.hooks.start()
        next_tick = 0.0
        inflight: dict[Future[None], str] = {}
        with ThreadPoolExecutor(self.threads, thread_name_prefix="wiredesk-source") as pool:
            while not self.stopping.is_set():
                if time.monotonic() >= next_tick:
                    self.tick()
                    next_tick = time.monotonic() + self.clock_seconds
                free = self.threads - len(inflight)
                if free > 0:
                    for claim in self._claim(free):
                        inflight[pool.submit(self.run_claim, claim, self.watch_window)
                                 ] = claim.source.name
                if inflight:
                    done, _ = wait(inflight, timeout=self.idle_seconds,
                                   return_when=FIRST_COMPLETED)
                    for future in done:
                        inflight.pop(future)
                else:
                    self.stopping.wait(self._pause(next_tick))
            wait(inflight)  # each job stops after its current delivery
        stop_hooks()
        self.sources.release(self.owner)
        self.clock_loop.release()
        if stop_purger:
            stop_purger()
        log.info("worker %s stopped", self.owner)

    def run_once(self) -> int:
        """One round in this thread: the clock, then every source due now. For tests, cron
        and `wiredesk worker --once`. Returns the number of sources run."""
        self.tick()
        claims = self._claim(1000)
        for claim in claims:
            self.run_claim(claim)
        return len(claims)

    def _claim(self, limit: int) -> list[Claim]:
        try:
            return self.sources.claim_due(self.owner, self.clock(), self.lease, limit, POLLED)
        except Exception:  # a store hiccup: log it, and try again on the next turn
            log.exception("could not claim due sources")
            return []

    def _pause(self, next_tick: float) -> float:
        pause = min(self.idle_seconds, max(0.0, next_tick - time.monotonic()))
        try:
            due = self.sources.next_due(POLLED)
        except Exception:
            due = None
        if due is not None:
            pause = min(pause, max(0.0, (due - self.clock()).total_seconds()))
        return max(pause, 0.02)

    def tick(self) -> None:
        # Several workers may share a store; the clock runs in whichever holds its lease.
        self.clock_loop.tick_once()

    # --- one source ----------------------------------------------------------------------
    def run_claim(self, claim: Claim, watch: float = 0.0) -> None:
        name = claim.source.name
        latest: dict[str, Any] = dict(claim.memo)
        started = self.clock()

        def checkpoint(memo: dict[str, Any]) -> None:
            latest.clear()
            latest.update(memo)
            if not self.sources.checkpoint(name, self.owner, memo, self.clock() + self.lease):
                raise LeaseLost(name)

        error: str | None = None
        warning: str | None = None
        retry_after: float | None = None
        again: float | None = None
        every = 60.0
        try:
            cfg = config_of(claim.source)
            # A row stored before intervals were checked may hold any number: never let it
            # overflow the schedule.
            every = min(cfg.every, MAX_INTERVAL)
            step = KINDS[cfg.kind].run
            if step is None:  # only polled kinds are claimed: a row changed under us
                raise LookupError(f"a {cfg.kind} source is not polled")
            ran = step(cfg, Run(self.store, latest, self.clock, self.stopping.is_set,
                                checkpoint, self.limiter, watch, self.base_url))
            latest, again = ran.memo, ran.again
            if ran.totals:
                log.info("source %s: %s", name,
                         ", ".join(f"{n} {k}" for k, n in ran.totals.items()))
            warning = "; ".join(ran.warnings) or None
        except LeaseLost:
            log.warning("source %s: lease lost to another worker; leaving it", name)
            return
        except FetchError as exc:
            error, retry_after = str(exc), exc.retry_after
        except Exception as exc:  # any failure is the source's health, never the worker's end
            error = f"{type(exc).__name__}: {exc}"
            # The traceback's text may carry a source's URL with its secrets: debug only.
            log.debug("source %s failed", name, exc_info=True)
        if error:
            log.warning("source %s: %s", name, mask_text(error))
        failures = claim.consecutive_failures + 1 if error else 0
        delay = (again if again is not None and not error
                 else next_delay(every, failures, retry_after, self.max_backoff))
        now = self.clock()
        # "Every 2 s" counts from the start of a poll, so a poll's own time does not stretch
        # the interval (a poll longer than it is followed at once); after a failure the
        # back-off counts from its end.
        due = max(now, (now if error else started) + timedelta(seconds=delay))
        try:
            self.sources.finish(name, self.owner, now=now, error=error, warning=warning,
                                next_poll_at=due, memo=latest, started=started)
        except Exception:
            log.exception("source %s: could not record the result", name)


def start_in_thread(worker: Worker) -> threading.Thread:
    """Run a worker beside the web server (`wiredesk serve`); stop it with worker.stop()."""
    thread = threading.Thread(target=worker.run, name="wiredesk-worker", daemon=True)
    thread.start()
    return thread


def start_with_app(store: Store, *, clock_seconds: float,
                   purger: EdgePurger | EdgePurgers | None = None,
                   base_url: str | None = None) -> Callable[[], None]:
    """A worker in a thread beside the web app (`wiredesk serve`, started by the app itself
    in the server process, after the fork); returns the function that stops it after the
    deliveries in hand. The sources file, if one is named, is read first."""
    path = registry.sources_file()
    if path is not None:
        registry.sync_file(store, path, utc_now())
    worker = Worker(store, clock_seconds=clock_seconds, purger=purger, base_url=base_url)
    thread = start_in_thread(worker)

    def stop() -> None:
        worker.stop()
        thread.join(timeout=60)

    return stop
