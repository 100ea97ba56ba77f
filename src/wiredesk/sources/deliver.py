"""Hand one Delivery from a source to the desk, under that source's terms."""

from __future__ import annotations

import hashlib

from wiredesk import desk
from wiredesk.sources.config import SourceConfig
from wiredesk.sources.registry import config_of
from wiredesk.store import Store
from wiredesk.store.sources import SourceStore
from wiredesk.story import Delivery
from wiredesk.terms import Terms


def terms_for(store: Store, source: str, *, licence_days: int) -> Terms:
    """The terms of a stored source (its format, agency, licence), for bytes it delivered
    earlier (the console's quarantine retry); defaults with `licence_days` for a source
    that is gone or was never declared (`wiredesk ingest --source`)."""
    row = SourceStore(store).get(source)
    if row is None:
        return Terms(licence_days=licence_days)
    try:
        return config_of(row).terms
    except (TypeError, ValueError):  # a row stored by an older wiredesk or made on the fly
        return Terms(agency=row.agency, licence_days=row.licence_days)


def apply_delivery(store: Store, cfg: SourceConfig, delivery: Delivery, *,
                   transform: desk.Transform | None = None) -> desk.Report:
    """Apply a delivery whole or not at all.

    Good bytes applied twice change nothing (the desk dedupes by SHA-256). Bad bytes would
    be quarantined twice, so bytes this source already had quarantined are answered with the
    first quarantine's message and not applied again: a file re-read after a crash, a feed
    that keeps serving the same broken page, a push sent twice.
    """
    sha = hashlib.sha256(delivery.data).hexdigest()
    earlier = SourceStore(store).quarantined_before(cfg.name, sha)
    if earlier is not None:
        report = desk.Report(delivery.name, error=earlier)
        report.outcomes.append((delivery.name or "", desk.Outcome.QUARANTINED))
        return report
    return desk.apply(store, delivery, cfg.terms, transform=transform)
