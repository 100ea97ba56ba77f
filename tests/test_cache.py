"""The rendered-page cache: hits cost no query, and every change reaches it at once."""

from __future__ import annotations

import time

from sqlalchemy import event

from helpers import deliver, later, ninjs_item
from wiredesk import desk
from wiredesk.store import Store


def count_queries(store):
    """Statements run to answer requests (the cache's own watcher thread reads the change
    counter every 0.25 s by design, and is not counted)."""
    import threading

    seen = []

    def note(*_args, **_kwargs):
        if threading.current_thread().name != "wiredesk-cache-watch":
            seen.append(1)

    event.listen(store.engine, "before_cursor_execute", note)
    return seen


def test_second_read_is_served_from_cache_without_a_query(client, store, now):
    deliver(store, ninjs_item(at=now), now)
    url = f"/story/{store.story_by_uri('urn:test:1').id}"
    cache = client.app.state.cache
    paths = [url, "/", "/feeds/atom.xml", "/api/v1/stories", "/sitemap-news.xml",
             "/search?q=headline"]
    first = {p: client.get(p) for p in paths}
    queries = count_queries(store)
    hits = cache.hits
    second = {p: client.get(p) for p in paths}
    assert queries == []
    assert cache.hits == hits + len(paths)
    for p in paths:
        assert second[p].content == first[p].content and second[p].status_code == first[p].status_code


def test_conditional_get_on_a_cached_page(client, store, now):
    deliver(store, ninjs_item(at=now), now)
    url = f"/story/{store.story_by_uri('urn:test:1').id}"
    etag = client.get(url).headers["ETag"]
    cached = client.get(url, headers={"If-None-Match": etag})
    assert cached.status_code == 304 and cached.content == b""


def test_text_size_is_part_of_the_key(client, store, now):
    deliver(store, ninjs_item(at=now), now)
    url = f"/story/{store.story_by_uri('urn:test:1').id}"
    assert 'class="ts-1"' in client.get(url).text
    client.get("/textsize", params={"size": "larger", "next": url})
    assert 'class="ts-2"' in client.get(url).text


def test_in_process_kill_reaches_the_cache_in_the_same_moment(client, store, now):
    deliver(store, ninjs_item(at=now, headline="Cached story"), now)
    url = f"/story/{store.story_by_uri('urn:test:1').id}"
    assert client.get(url).status_code == 200 and "Cached story" in client.get("/").text
    desk.kill(store, "urn:test:1", reason="legal", actor="ed", now=now)
    assert client.get(url).status_code == 410
    assert "Cached story" not in client.get("/").text


def test_a_commit_by_another_process_reaches_the_cache(client, store, store_url, now):
    deliver(store, ninjs_item(at=now, headline="Cached story"), now)
    url = f"/story/{store.story_by_uri('urn:test:1').id}"
    assert client.get(url).status_code == 200
    other = Store(store_url)  # its own engine and connections: as another process would have
    desk.kill(other, "urn:test:1", reason="legal", actor="other node", now=now)
    other.close()
    deadline = time.monotonic() + 5
    while client.get(url).status_code != 410:
        assert time.monotonic() < deadline, "the watcher never saw the other store's commit"
        time.sleep(0.05)


def test_licence_end_without_any_commit_empties_the_cache(client, store, clock, now):
    deliver(store, ninjs_item(at=now, headline="Short-lived"), now, licence_days=1)
    url = f"/story/{store.story_by_uri('urn:test:1').id}"
    assert client.get(url).status_code == 200 and "Short-lived" in client.get("/").text
    clock.now = later(now, days=1)
    assert client.get(url).status_code == 410
    assert "Short-lived" not in client.get("/").text


def test_embargo_lift_without_any_commit_shows_the_story(client, store, clock, now):
    deliver(store, ninjs_item(at=now, headline="Embargoed", embargoed=later(now, hours=1)), now)
    assert "Embargoed" not in client.get("/").text
    clock.now = later(now, hours=1)
    assert "Embargoed" in client.get("/").text


def test_cached_max_age_counts_down_and_never_passes_the_end(client, store, now):
    deliver(store, ninjs_item(at=now, expires=later(now, seconds=30)), now)
    url = f"/api/v1/stories/{store.story_by_uri('urn:test:1').id}"
    assert client.get(url).headers["Cache-Control"] == "public, max-age=0, s-maxage=30"
    time.sleep(1.1)
    age = int(client.get(url).headers["Cache-Control"].rsplit("=", 1)[1])
    assert age <= 29


def test_listener_wakes_on_another_stores_commit(store, store_url, now):
    """On PostgreSQL a commit is announced by NOTIFY; on SQLite the wait is a timed look."""
    import threading

    from wiredesk.store.listen import ChangeListener

    listener = ChangeListener(store.engine)
    listener.wait(0.01)  # connect and LISTEN before the commit we wait for
    other = Store(store_url)
    woke: list[bool] = []
    waiter = threading.Thread(target=lambda: woke.append(listener.wait(10)))
    waiter.start()
    time.sleep(0.2)
    deliver(other, ninjs_item(at=now), now)
    waiter.join(timeout=15)
    other.close()
    listener.close()
    assert woke == [store.engine.dialect.name == "postgresql"]


def test_an_entry_past_its_max_age_is_rendered_afresh(client, store, now):
    """Never "max-age=0" from a cached copy: an edge cache in front would then keep nothing."""
    deliver(store, ninjs_item(at=now), now)
    first = client.get("/")
    assert first.headers["cache-control"] == "public, max-age=0, s-maxage=30"
    cache = client.app.state.cache
    for entry in cache.entries.values():
        entry.stored -= 31  # as if rendered 31 s ago
    again = client.get("/")
    assert again.headers["cache-control"] == "public, max-age=0, s-maxage=30"
