"""The console's finder (store/finder.py, /console/stories): words from the site's search
index with agency, state and date filters, over every state; held and embargoed stories
linked from the counts; an embargo's lift time on the story's page. SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from helpers import deliver, later, ninjs_item
from test_console import login
from test_review import add, console, hold  # noqa: F401 (the console fixture)
from wiredesk import desk, lifecycle
from wiredesk.store.finder import Query
from wiredesk.story import Delivery
from wiredesk.terms import Terms
from wiredesk.web.render import when


@pytest.fixture
def stories(store, now):
    """One story in each state, about floods or not."""
    deliver(store, ninjs_item("urn:live", at=now, headline="Floods in Valencia",
                              infosources=[{"name": "AFP", "role": "originator"}]), now)
    deliver(store, ninjs_item("urn:emb", at=now, headline="Flood report due",
                              embargoed=later(now, hours=3)), now)
    desk.apply(store, Delivery(ninjs_item("urn:held", at=now, headline="Advisory on floods"),
                               "test", "h", now), Terms(), transform=hold)
    deliver(store, ninjs_item("urn:killed", at=now, headline="Floods kill story"), now)
    desk.kill(store, "urn:killed", reason="legal", actor="ed", now=now)
    deliver(store, ninjs_item("urn:old", at=later(now, days=-3), headline="Old floods"), now,
            source="short", licence_days=1)
    lifecycle.tick(store, now)
    add(store, now, "quiet", keyword="^quiet", action="ignore")
    add(store, now, "check", keyword="^check", action="review")
    deliver(store, ninjs_item("urn:ign", at=now, headline="Quiet floods"), now)
    deliver(store, ninjs_item("urn:rev", at=now, headline="Check the floods",
                              body="<p>Rivers rising in Murcia.</p>"), now)
    deliver(store, ninjs_item("urn:dry", at=now, headline="Drought in Spain"), now)


def uris(store, now, **query):
    return sorted(r.uri for r in store.finder.find(Query(**query), now).records)


def test_words_find_stories_in_every_state(store, now, stories):
    assert uris(store, now, q="floods") == sorted(
        ["urn:live", "urn:emb", "urn:held", "urn:killed", "urn:old", "urn:ign", "urn:rev"])
    assert uris(store, now, q="murcia") == ["urn:rev"]  # body words, from the index
    assert uris(store, now, q="drought") == ["urn:dry"]


@pytest.mark.parametrize(("state", "expected"), [
    ("live", ["urn:dry", "urn:live"]),
    ("embargoed", ["urn:emb"]),
    ("withheld", ["urn:held"]),
    ("review", ["urn:rev"]),
    ("ignored", ["urn:ign"]),
    ("killed", ["urn:killed"]),
    ("expired", ["urn:old"]),
])
def test_each_state(store, now, stories, state, expected):
    assert uris(store, now, state=state) == expected


def test_agency_and_dates(store, now, stories):
    assert uris(store, now, q="floods", agency="afp") == ["urn:live"]
    assert uris(store, now, q="floods", end=later(now, days=-1)) == ["urn:old"]
    assert "urn:old" not in uris(store, now, start=later(now, hours=-1))


def test_an_unknown_state_is_an_error(store, now):
    with pytest.raises(ValueError, match="unknown state 'gone'"):
        store.finder.find(Query(state="gone"), now)


def test_the_console_search_page(console, store, now, stories):  # noqa: F811
    login(console)
    page = console.get("/console/stories?q=floods&state=review")
    assert page.status_code == 200
    assert "Check the floods" in page.text and "Floods in Valencia" not in page.text
    assert "1 found" in page.text
    bad = console.get("/console/stories?from=31-01-2026")
    assert bad.status_code == 400 and "From date: use the form 2026-01-31." in bad.text
    front = console.get("/console").text
    for state in ("embargoed", "withheld", "ignored"):
        assert f'href="/console/stories?state={state}"' in front
    held = console.get("/console/stories?state=withheld").text
    assert "Advisory on floods" in held


def test_an_embargoed_storys_page_shows_the_lift_time(console, store, now, stories):  # noqa: F811
    login(console)
    sid = store.story_by_uri("urn:emb").id
    page = console.get(f"/console/stories/{sid}").text
    assert "Embargo lifts" in page and when(later(now, hours=3)) in page


def test_the_migration_indexes_stories_held_before_it(tmp_path, now):
    """Held stories were kept out of the search index before 0013; it adds them."""
    from alembic import command

    from wiredesk.store import Store
    from wiredesk.store.engine import _alembic_config

    # Today's desk writes to tables later migrations add (ledger, pictures, sections), so the
    # held story is delivered on today's schema and the store then taken back to 0012.
    store = Store.open(f"sqlite:///{tmp_path / 'old.db'}")
    desk.apply(store, Delivery(ninjs_item("urn:held", at=now, body="<p>Quarterly figures.</p>"),
                               "test", "h", now), Terms(), transform=hold)
    with store.engine.connect() as c:  # the old rule: nothing held in the index
        c.execute(text("DELETE FROM story_search"))
        c.commit()
    cfg = _alembic_config()
    with store.engine.connect() as connection:
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, "0012")
        connection.commit()
    assert uris(store, now, q="quarterly") == []
    store.migrate()
    assert uris(store, now, q="quarterly") == ["urn:held"]
    store.close()
