"""The clock: lift embargoes, end licences, purge. Idempotent; cost follows what changes.

Readers never depend on the clock having run: every surface asks the store for stories
visible *now* (embargo passed, licence not ended). `tick` makes that permanent: it writes
the takedown, purges bodies and raw bytes, and leaves the audit row; it also drops journal
events older than a week (store/journal.py). Each licence end is
announced to the desk's observers like any other takedown.

`ClockLoop` is the one loop that runs `tick` every few seconds, in a worker or in a web
process started without one; several processes on one store share it by lease, so one of
them at a time runs the clock.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from wiredesk import desk, reasons
from wiredesk.store import Store, pictures
from wiredesk.store.expiries import endings
from wiredesk.times import utc_now

BATCH = 500  # stories per transaction: bounded work, short locks
log = logging.getLogger("wiredesk.clock")


@dataclass
class TickReport:
    expired: int = 0
    embargoes_lifted: int = 0
    pictures_expired: int = 0


def tick(store: Store, now: datetime) -> TickReport:
    report = TickReport()
    with store.write() as w:
        report.embargoes_lifted = w.lift_embargoes(now)
        report.pictures_expired = pictures.expire(w, now)  # gone from the stories showing them
    while True:
        with store.write() as w:
            due = w.due_expiries(now, BATCH)
            # The log says which time ran out (reasons.py): a few groups, a batch each.
            groups: dict[str, list[int]] = {}
            for end in endings(w.c, due):
                words = reasons.expiry(end.firstcreated, end.ends_at, end.expires)
                groups.setdefault(words, []).append(end.story_id)
            for words, ids in groups.items():
                report.expired += w.take_down_many(ids, reason="expired", detail=words,
                                                   actor=None, now=now)
            worded = {i: words for words, ids in groups.items() for i in ids}
            gone = list(w.changes.takedowns)
        for story in gone:
            desk.announce(desk.TakenDown(story.uri, "clock", worded[story.story_id], None))
        if len(due) < BATCH:
            store.journal.prune(utc_now())  # the journal is timed by the wall clock
            return report


def lease_owner() -> str:
    """Who holds a lease: "host:pid:token", so a worker starting on the same host can tell
    that a holder's process is gone (sources/worker.py) and free its leases at once."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class ClockLoop:
    """Runs `tick` every `every` seconds while this process holds the clock's lease."""

    def __init__(self, store: Store, *, every: float, now: Callable[[], datetime] = utc_now,
                 owner: str | None = None) -> None:
        self.store = store
        self.every = every
        self.now = now
        self.owner = owner or lease_owner()
        self.stopping = threading.Event()
        self.leases = store.sources  # the clock's lease is kept beside the sources'
        self.held_until = 0.0  # time.monotonic() until which this process surely holds it

    def tick_once(self) -> TickReport | None:
        """One turn; None when another process holds the clock. Never raises: the clock must
        survive a bad moment in the store and try again on the next turn."""
        try:
            now = self.now()
            lease = timedelta(seconds=max(3 * self.every, 15))
            if not self.leases.claim_clock(self.owner, now, lease):
                self.held_until = 0.0
                return None
            # Half the lease: another process can take it only after all of it has lapsed.
            self.held_until = time.monotonic() + lease.total_seconds() / 2
            report = tick(self.store, now)
            if report.expired or report.embargoes_lifted:
                log.info("clock: %d expired, %d embargoes lifted", report.expired,
                         report.embargoes_lifted)
            return report
        except Exception:
            log.exception("clock tick failed")
            return None

    def holds(self) -> bool:
        """Does this process hold the clock's lease (so runs the edge purger, edge.py)?"""
        return time.monotonic() < self.held_until

    def run(self) -> None:
        while not self.stopping.is_set():
            self.tick_once()
            self.stopping.wait(self.every)
        self.release()

    def release(self) -> None:
        self.held_until = 0.0
        try:
            self.leases.release_clock(self.owner)
        except Exception:
            log.exception("could not release the clock's lease")

    def start(self, companion: Callable[[Callable[[], bool]], Callable[[], None]] | None = None
              ) -> Callable[[], None]:
        """Run in a thread; returns the function that stops it. `companion` (the edge
        purger's start) is started with `holds` and stopped with the loop."""
        stop_companion = companion(self.holds) if companion else None
        thread = threading.Thread(target=self.run, name="wiredesk-clock", daemon=True)
        thread.start()

        def stop() -> None:
            self.stopping.set()
            thread.join(timeout=30)
            if stop_companion:
                stop_companion()

        return stop
