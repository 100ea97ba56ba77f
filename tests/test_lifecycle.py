"""The clock: idempotent, bounded, touching only what changes."""

from __future__ import annotations

import json

from helpers import deliver, later, ninjs_item
from wiredesk import lifecycle


def test_tick_is_idempotent(store, now):
    deliver(store, ninjs_item(at=now), now, licence_days=1)
    assert lifecycle.tick(store, later(now, days=2)).expired == 1
    assert lifecycle.tick(store, later(now, days=2)).expired == 0
    assert len(store.takedowns()) == 1


def test_tick_with_nothing_due_changes_nothing(store, now):
    deliver(store, ninjs_item(at=now), now)
    generation = store.generation()
    report = lifecycle.tick(store, later(now, hours=1))
    assert (report.expired, report.embargoes_lifted) == (0, 0)
    assert store.generation() == generation


def test_many_expiries_in_one_bounded_pass(store, now, monkeypatch):
    monkeypatch.setattr(lifecycle, "BATCH", 7)
    items = [json.loads(ninjs_item(f"urn:{n}", at=now)) for n in range(30)]
    deliver(store, json.dumps(items).encode(), now, licence_days=1)
    assert store.count_live(now) == 30
    assert lifecycle.tick(store, later(now, days=1)).expired == 30
    assert store.count_live(now) == 0 and store.status(now).takendown == 30


def test_audit_survives_purge(store, now):
    deliver(store, ninjs_item(at=now, headline="Kept in the log"), now, licence_days=1)
    lifecycle.tick(store, later(now, days=1))
    (entry,) = store.takedowns()
    assert (entry.headline, entry.reason, entry.uri) == ("Kept in the log", "expired", "urn:test:1")
