"""Hand one Delivery from a source to the desk, under that source's terms."""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from datetime import UTC, datetime

from wiredesk import desk
from wiredesk.sources.config import SourceConfig
from wiredesk.store import Store
from wiredesk.story import Delivery

log = logging.getLogger("wiredesk.sources")
FRESH = (desk.Outcome.NEW, desk.Outcome.UPDATED, desk.Outcome.KILLED)
# The console's "last story" figure is written at most once a second per source: in a burst
# (a folder catching up) one more write per file would cost a sixth of the throughput. The
# /metrics histogram has every story.
RECORD_EVERY = 1.0
_recorded: dict[tuple[str, str], float] = {}
_lock = threading.Lock()


def _due(store: Store, name: str) -> bool:
    key, at = (store.url, name), time.monotonic()
    with _lock:
        if at - _recorded.get(key, -RECORD_EVERY) < RECORD_EVERY:
            return False
        _recorded[key] = at
        return True


def apply_delivery(store: Store, cfg: SourceConfig, delivery: Delivery, *,
                   transform: desk.Transform | None = None,
                   pictures: desk.PictureFetch | None = None) -> desk.Report:
    """Apply a delivery whole or not at all.

    Good bytes applied twice change nothing (the desk dedupes by SHA-256). Bad bytes would
    be quarantined twice, so bytes this source already had quarantined are answered with the
    first quarantine's message and not applied again: a file re-read after a crash, a feed
    that keeps serving the same broken page, a push sent twice.
    """
    sha = hashlib.sha256(delivery.data).hexdigest()
    earlier = store.quarantine.earlier_error(cfg.name, sha)
    if earlier is not None:
        report = desk.Report(delivery.name, error=earlier)
        report.outcomes.append((delivery.name or "", desk.Outcome.QUARANTINED))
        return report
    report = desk.apply(store, delivery, cfg.terms, transform=transform, pictures=pictures)
    if delivery.arrived is not None and any(o in FRESH for _, o in report.outcomes) \
            and _due(store, cfg.name):
        done = datetime.now(UTC)
        try:  # for the console's source page; /metrics has the histogram (metrics.py)
            store.sources.record_latency(cfg.name, (done - delivery.arrived).total_seconds(),
                                         done)
        except Exception:  # the delivery has committed: a lost figure must not undo it
            log.exception("source %s: could not record its latency", cfg.name)
    return report
