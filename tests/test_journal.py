"""The story journal: every change that readers can see, in commit order, from any process."""

from __future__ import annotations

import threading
from datetime import timedelta

from helpers import ninjs_item
from wiredesk import desk, lifecycle
from wiredesk.store import Store
from wiredesk.story import Delivery
from wiredesk.times import utc_now


def ninjs(uri: str, headline: str, *, version: int = 1, pubstatus: str = "usable",
          embargoed: str | None = None, urgency: int = 3) -> bytes:
    extra = {"embargoed": embargoed} if embargoed else {}
    return ninjs_item(uri, version=version, headline=headline, pubstatus=pubstatus,
                      urgency=urgency, **extra)


def deliver(store: Store, data: bytes, when=None) -> None:
    delivery = Delivery(data=data, source="wire", name="x.json", received=when or utc_now())
    report = desk.apply(store, delivery)
    assert report.error is None, report.error


def kinds(store: Store, after: int = 0) -> list[tuple[str, str, str | None]]:
    return [(e.kind, e.uri, e.reason) for e in store.journal.since(after)]


def test_new_update_and_kill_are_journalled_in_order(store: Store):
    deliver(store, ninjs("urn:a", "First"))
    deliver(store, ninjs("urn:a", "Second", version=2))
    deliver(store, ninjs("urn:b", "Other", urgency=1))
    deliver(store, ninjs("urn:a", "Killed", version=3, pubstatus="canceled"))
    assert kinds(store) == [("new", "urn:a", None), ("update", "urn:a", None),
                            ("new", "urn:b", None), ("takedown", "urn:a", "killed")]
    events = store.journal.since(0)
    assert [e.id for e in events] == sorted(e.id for e in events)
    assert events[2].urgency == 1
    assert store.journal.latest() == events[-1].id


def test_operator_kill_clock_expiry_and_embargo_are_journalled(store: Store):
    now = utc_now()
    deliver(store, ninjs("urn:op", "Operator"))
    deliver(store, ninjs("urn:emb", "Embargoed", embargoed=(now + timedelta(minutes=5))
                         .strftime("%Y-%m-%dT%H:%M:%SZ")))
    start = store.journal.latest()
    assert desk.kill(store, "urn:op", reason="legal", actor="ed", now=utc_now())
    lifecycle.tick(store, now + timedelta(minutes=6))  # the embargo lifts
    assert kinds(store, start) == [("takedown", "urn:op", "removed"), ("new", "urn:emb", None)]
    start = store.journal.latest()
    lifecycle.tick(store, now + timedelta(days=31))  # the licence ends (and old events go)
    assert kinds(store, start) == [("takedown", "urn:emb", "expired")]


def test_a_live_story_updated_to_withheld_leaves_readers(store: Store):
    deliver(store, ninjs("urn:w", "Shown"))
    deliver(store, ninjs("urn:w", "Held", version=2, pubstatus="withheld"))
    assert kinds(store)[-1] == ("takedown", "urn:w", "withheld")


def test_nothing_is_journalled_for_a_story_readers_never_see(store: Store):
    deliver(store, ninjs("urn:h", "Held", pubstatus="withheld"))
    assert kinds(store) == []


def test_cursors_move_forward_only_and_new_readers_start_at_the_end(store: Store):
    deliver(store, ninjs("urn:c", "One"))
    latest = store.journal.latest()
    assert store.journal.position("purger") == latest
    assert store.journal.position("hook", start=0) == 0
    store.journal.advance("hook", 5, utc_now())
    store.journal.advance("hook", 3, utc_now())
    assert store.journal.position("hook") == 5
    store.journal.forget("hook")
    assert store.journal.position("hook", start=0) == 0


def test_prune_drops_old_events_only(store: Store):
    deliver(store, ninjs("urn:p", "Old"))
    assert store.journal.prune(utc_now()) == 0
    assert store.journal.prune(utc_now() + timedelta(days=8)) == 1
    assert store.journal.oldest() == store.journal.latest()


def test_concurrent_writers_commit_in_id_order(store: Store):
    """A reader that has seen id N never later finds an event below N (the advisory lock)."""
    seen: list[int] = []
    stop = threading.Event()

    def read() -> None:
        position = 0
        while not stop.is_set():
            for event in store.journal.since(position):
                seen.append(event.id)
                position = event.id

    reader = threading.Thread(target=read)
    reader.start()
    writers = [threading.Thread(target=lambda n=n: [deliver(store, ninjs(f"urn:t{n}-{i}", "T"))
                                                    for i in range(15)]) for n in range(4)]
    for t in writers:
        t.start()
    for t in writers:
        t.join()
    stop.set()
    reader.join()
    for event in store.journal.since(seen[-1] if seen else 0):
        seen.append(event.id)
    assert seen == sorted(seen) and len(seen) == len(set(seen)) == 60
