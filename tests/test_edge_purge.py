"""The journal-driven edge purger (wiredesk/edge.py) against a recording edge: which keys,
the cursor moved only on 2xx, retries, one process at a time, and the wake-up on a commit."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from helpers import deliver, ninjs_item
from wiredesk import desk
from wiredesk.edge import CURSOR, EdgePurger, chunks, event_keys
from wiredesk.store.journal import StoryEvent

LISTS = ["front", "search", "feeds", "sitemap"]


class Edge(BaseHTTPRequestHandler):
    keys: list[list[str]] = []
    failing = 0  # answer 503 to this many purges first

    def do_POST(self):  # noqa: N802
        if Edge.failing:
            Edge.failing -= 1
            self.send_response(503)
        else:
            Edge.keys.append(self.headers["Surrogate-Key"].split())
            self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def edge():
    Edge.keys, Edge.failing = [], 0
    server = HTTPServer(("127.0.0.1", 0), Edge)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/purge"
    server.shutdown()


def wait_until(check, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "not within the time allowed"
        time.sleep(0.02)


def event(id_, kind, story_id, agency="AP", subjects=()):
    return StoryEvent(id_, None, kind, story_id, f"urn:{story_id}", agency, None, None, subjects)


def test_the_keys_a_run_of_events_reaches():
    assert event_keys([], LISTS) == []
    assert event_keys([event(1, "new", 7)], LISTS) == LISTS  # a new story: the lists only
    assert event_keys([event(1, "update", 7)], LISTS) == ["story-7", *LISTS]
    keys = event_keys([event(1, "takedown", 7, subjects=("Weather",)), event(2, "new", 8)], LISTS)
    assert keys == ["story-7", "stories", "agency-ap", "subject-weather", *LISTS]


def test_many_keys_go_in_several_headers_each_under_the_limit(store, now, edge):
    keys = [f"story-{n}" for n in range(2000)]
    runs = chunks(keys, 4000)
    assert len(runs) > 1 and all(len(run) <= 4000 for run in runs)
    assert " ".join(runs).split() == keys
    assert chunks([], 10) == []
    purger = EdgePurger(store, edge, LISTS)
    assert purger.send(keys)
    assert [key for sent in Edge.keys for key in sent] == keys
    purger.client.close()


def test_a_takedown_is_purged_and_the_cursor_moves_only_when_the_edge_says_2xx(store, now, edge):
    purger = EdgePurger(store, edge, LISTS)
    deliver(store, ninjs_item("urn:a", at=now), now)
    before = purger.start_cursor()
    assert before == store.journal.latest()  # a new reader starts at the newest event
    desk.kill(store, "urn:a", reason="legal", actor="ed", now=now)
    story_id = store.story_by_uri("urn:a").id
    Edge.failing = 2
    assert not purger.drain() and not purger.drain()  # the edge failed: nothing acknowledged
    assert store.journal.position(CURSOR) == before and Edge.keys == []
    assert purger.drain()
    assert f"story-{story_id}" in Edge.keys[0] and "front" in Edge.keys[0]
    assert store.journal.position(CURSOR) == store.journal.latest()
    assert purger.drain() and len(Edge.keys) == 1  # nothing new: nothing sent
    purger.client.close()


def test_the_loop_purges_only_while_this_process_holds_the_lease_and_retries(store, now, edge):
    holding = threading.Event()
    purger = EdgePurger(store, edge, LISTS, wake=0.05)
    deliver(store, ninjs_item("urn:a", at=now), now)
    stop = purger.start(holding.is_set)
    try:
        desk.kill(store, "urn:a", reason="legal", actor="ed", now=now)
        time.sleep(0.3)
        assert Edge.keys == []  # another process holds the clock: it purges, not this one
        Edge.failing = 2
        holding.set()
        wait_until(lambda: store.journal.position(CURSOR) == store.journal.latest())
        assert len(Edge.keys) == 1  # after two refusals, with back-off
        deliver(store, ninjs_item("urn:b", at=now, headline="Second"), now, name="b")
        wait_until(lambda: len(Edge.keys) == 2)  # woken by the commit, lists purged
        assert Edge.keys[1] == LISTS
    finally:
        stop()
    assert purger.nudge not in store.listeners


def test_the_clock_loop_says_when_it_holds_the_lease(store, now):
    from wiredesk.lifecycle import ClockLoop

    first = ClockLoop(store, every=1, now=lambda: now, owner="a")
    second = ClockLoop(store, every=1, now=lambda: now, owner="b")
    assert not first.holds()
    first.tick_once()
    second.tick_once()
    assert first.holds() and not second.holds()
    first.release()
    assert not first.holds()
    second.tick_once()
    assert second.holds()


def test_the_surrogate_key_header_stays_under_what_varnish_takes():
    """A page linking a thousand stories: Varnish answers 503 to a header line over 8 KB."""
    from wiredesk.web.http import story_keys, surrogate_keys

    few = [*story_keys(7, "AP", ["Weather"]), "story-8", "picture-3"]
    assert surrogate_keys(few) == " ".join(few)  # short: every key, as given
    many = [*story_keys(7, "AP"), "front", *(f"story-{n}" for n in range(1000, 3000)),
            "picture-3"]
    header = surrogate_keys(many, limit=4000)
    kept = header.split()
    assert len(header) <= 4000 and len(" ".join(many)) > 4000
    # Its own story, its lists and pictures stay; `stories`, which every takedown purges,
    # stands for the linked stories left out.
    assert kept[:3] == ["story-7", "stories", "agency-ap"]
    assert {"front", "picture-3", "story-1000"} <= set(kept) and "story-2999" not in kept
    with pytest.raises(ValueError, match="Surrogate-Key"):
        surrogate_keys([f"subject-{n}" for n in range(1000)], limit=4000)


def test_several_purge_urls_each_with_a_cursor_of_their_own():
    from wiredesk.edge import cursor_for, purge_urls

    assert purge_urls(None) == [] and purge_urls(" ") == []
    assert purge_urls("http://a:6081/p") == ["http://a:6081/p"]
    assert purge_urls(" http://a/p , https://b/p,") == ["http://a/p", "https://b/p"]
    with pytest.raises(ValueError, match="'ftp://c/p' is not an http"):
        purge_urls("http://a/p,ftp://c/p")
    with pytest.raises(ValueError, match="twice"):
        purge_urls("http://a/p,http://a/p")
    assert cursor_for("http://a/p", ["http://a/p"]) == CURSOR  # one edge: the cursor it had
    names = {cursor_for(u, ["http://a/p", "http://b/p"]) for u in ("http://a/p", "http://b/p")}
    assert names == {f"{CURSOR} http://a/p", f"{CURSOR} http://b/p"}
    long = "http://edge.example/" + "x" * 200
    assert len(cursor_for(long, [long, "http://a/p"])) <= 100


def test_the_cli_purge_reaches_every_edge_even_when_one_is_down(store, now, edge):
    from wiredesk.edge import purge_changes

    deliver(store, ninjs_item("urn:a", at=now), now)
    committed = []
    store.listeners.append(committed.append)
    desk.kill(store, "urn:a", reason="legal", actor="ed", now=now)
    changes = next(c for c in committed if c.takedowns)
    dead = "http://127.0.0.1:9/purge"  # the discard port: nothing listens
    assert not purge_changes(f"{dead},{edge}", changes, LISTS, store=store)
    assert len(Edge.keys) == 1 and "front" in Edge.keys[0]  # the live edge heard it anyway
    assert purge_changes(edge, changes, LISTS)
