"""Hand one Delivery from a source to the desk, under that source's terms."""

from __future__ import annotations

import hashlib

from wiredesk import desk
from wiredesk.sources.config import SourceConfig
from wiredesk.store import Store
from wiredesk.story import Delivery


def apply_delivery(store: Store, cfg: SourceConfig, delivery: Delivery, *,
                   transform: desk.Transform | None = None) -> desk.Report:
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
    return desk.apply(store, delivery, cfg.terms, transform=transform)
