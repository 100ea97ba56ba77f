"""Search at scale: stemming by the databases' stemmers, recent windows, a bounded total,
and the migration that rebuilds an existing index."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from alembic import command
from lxml import html as lxml_html
from sqlalchemy import event, text

from helpers import deliver, later, ninjs_item
from wiredesk.store import Store, search, search_sql
from wiredesk.store.engine import _alembic_config


def uris(page) -> list[str]:
    return [record.uri for record, _ in page.results]


def test_runner_finds_runners_and_the_other_way_round(store, now):
    deliver(store, ninjs_item("urn:a", at=now, headline="Marathon day",
                              body="<p>Thousands of runners crossed the bridge.</p>", language="en"),
            now)
    deliver(store, ninjs_item("urn:b", at=now, headline="The lone runner",
                              body="<p>One man ran.</p>"), now, name="b")
    assert sorted(uris(store.search("runner", now))) == ["urn:a", "urn:b"]
    assert sorted(uris(store.search("runners", now))) == ["urn:a", "urn:b"]
    page = store.search("runners", now)
    snippet = dict((r.uri, s) for r, s in page.results)["urn:a"]
    assert search.MARK_START + "runners" + search.MARK_END in snippet


def test_stories_are_stemmed_in_their_own_language(store, now):
    deliver(store, ninjs_item("urn:fr", at=now, headline="Les coureurs",
                              body="<p>Les chevaux couraient.</p>", language="fr-FR"), now)
    assert uris(store.search("coureur", now)) == ["urn:fr"]
    assert uris(store.search("cheval*", now)) in (["urn:fr"], [])  # porter knows no French
    assert search.pg_config("fr-FR") == "french" and search.pg_config(None) == "simple"
    assert search.pg_config("xx") == "simple" and search.pg_config("EN_gb") == "english"


def test_the_newest_window_comes_first_whatever_the_relevance(store, now):
    deliver(store, ninjs_item("urn:old", at=now - timedelta(days=3), headline="Storm storm storm",
                              body="<p>Storm storm storm storm.</p>"), now)
    deliver(store, ninjs_item("urn:mid", at=now - timedelta(hours=3), headline="Storm storm",
                              body="<p>The storm.</p>"), now, name="m")
    deliver(store, ninjs_item("urn:new", at=now - timedelta(minutes=5), headline="Weather",
                              body="<p>A storm is coming.</p>"), now, name="n")
    assert uris(store.search("storm", now)) == ["urn:new", "urn:mid", "urn:old"]
    # Paging walks the same order, across windows, without gaps or repeats.
    pages = [uris(store.search("storm", now, limit=1, offset=i)) for i in range(4)]
    assert pages == [["urn:new"], ["urn:mid"], ["urn:old"], []]


def test_windows_follow_arrival_so_a_late_old_story_ranks_with_its_neighbours(store, now):
    """Windows are ranges of story ids (arrival order) found from versioncreated: a story
    that arrives late with an old time sits in the window of the stories that came with it."""
    deliver(store, ninjs_item("urn:new", at=now - timedelta(minutes=5), headline="Weather",
                              body="<p>A storm is coming.</p>"), now, name="n")
    deliver(store, ninjs_item("urn:late", at=now - timedelta(hours=3), headline="Storm storm",
                              body="<p>The storm.</p>"), now, name="m")
    assert uris(store.search("storm", now)) == ["urn:late", "urn:new"]


def test_within_a_window_relevance_orders(store, now):
    deliver(store, ninjs_item("urn:weak", at=now, headline="Weather",
                              body="<p>Rain, then a storm, then sun and more sun.</p>"), now)
    deliver(store, ninjs_item("urn:strong", at=now, headline="Storm",
                              body="<p>The storm, the storm.</p>"), now, name="s")
    assert uris(store.search("storm", now)) == ["urn:strong", "urn:weak"]


def test_a_rare_query_is_counted_exactly_a_common_one_only_past_the_page(store, now,
                                                                          monkeypatch):
    """Counting a common query exactly would read every candidate in the store: past RARE
    stories a word is common, the walk stops at the page and one more match, and the total
    says "more than" the page."""
    items = [json.loads(ninjs_item(f"urn:{i}", at=later(now, minutes=-i), headline=f"Storm {i}"))
             for i in range(7)]
    deliver(store, json.dumps(items[::-1]).encode(), now)  # arrival order: the oldest first
    exact = store.search("storm", now, limit=2)
    assert (exact.total, exact.exact, len(exact.results)) == (7, True, 2)
    monkeypatch.setattr(search, "RARE", 5)
    floor = store.search("storm", now, limit=2)
    assert (floor.total, floor.exact, uris(floor)) == (2, False, ["urn:0", "urn:1"])
    assert (store.search("storm", now, limit=2, offset=4).total) == 6  # page 3: more than 6
    everything = store.search("storm", now, limit=10)  # every window read: exact again
    assert (everything.total, everything.exact) == (7, True)
    last = store.search("storm", now, limit=2, offset=6)  # the last page reads to the end
    assert (last.total, last.exact, uris(last)) == (7, True, ["urn:6"])


def test_filters_apply_inside_every_window(store, now):
    deliver(store, ninjs_item("urn:ap", at=now, headline="Storm"), now)
    deliver(store, ninjs_item("urn:afp", at=now - timedelta(days=40), headline="Storm",
                              infosources=[{"name": "AFP", "role": "originator"}]), now, name="f", source="afp",
            licence_days=365)
    assert uris(store.search("storm", now, agency="AFP")) == ["urn:afp"]
    assert uris(store.search("storm", now, end=now - timedelta(days=1))) == ["urn:afp"]
    assert uris(store.search("storm", now, start=now - timedelta(days=1))) == ["urn:ap"]


def test_the_migration_rebuilds_an_existing_index_with_stemming(tmp_path, now):
    # Today's desk writes to tables later migrations add (ledger, pictures, sections), so the
    # story is delivered on today's schema and the store then taken back to 0008, whose
    # downgrade rebuilds the old index (no stemming) from the stored stories.
    url = f"sqlite:///{tmp_path / 'old.db'}"
    store = Store.open(url)
    deliver(store, ninjs_item("urn:a", at=now, body="<p>The runners.</p>"), now)
    cfg = _alembic_config()
    with store.engine.connect() as connection:
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, "0008")
        connection.commit()
    with store.engine.connect() as c:  # the old index: no stemming
        old = c.execute(text("SELECT count(*) FROM story_search WHERE story_search MATCH 'runner'"))
        assert old.scalar() == 0
    store.migrate()
    assert uris(store.search("runner", now)) == ["urn:a"]
    with store.engine.connect() as connection:
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, "0008")
        connection.commit()
    with store.engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM story_search WHERE story_search MATCH "
                              "'runners'")).scalar() == 1
    store.close()


@pytest.mark.parametrize("q", ["the", "a*", '"of the"'])
def test_stop_words_alone_find_nothing_or_something_but_never_fail(store, now, q):
    deliver(store, ninjs_item("urn:a", at=now, body="<p>The end of the line.</p>"), now)
    page = store.search(q, now)
    assert page.total == len(page.results)


def test_a_common_word_is_ordered_headline_first_then_newest(store, now, monkeypatch):
    """Past RARE stories a window is ordered by where the words matched (bm25's idf and
    ts_rank_cd would read every match): headline first, then newest."""
    monkeypatch.setattr(search, "RARE", 2)
    items = [json.loads(ninjs_item(f"urn:{i}", at=later(now, minutes=-10 + i), headline=head,
                                   body=f"<p>{body}</p>"))
             for i, (head, body) in enumerate([("Storm", "Rain."), ("Weather", "A storm."),
                                               ("Weather", "Storm storm storm."),
                                               ("Storm ahead", "Wind.")])]
    deliver(store, json.dumps(items).encode(), now)
    page = store.search("storm", now, limit=3)
    assert (page.total, page.exact) == (3, False)
    found = uris(store.search("storm", now, limit=10))
    assert sorted(found) == ["urn:0", "urn:1", "urn:2", "urn:3"]
    assert found == ["urn:3", "urn:0", "urn:2", "urn:1"]
    assert [uris(store.search("storm", now, limit=1, offset=i)) for i in range(4)] == [
        [u] for u in found]


def test_a_selective_query_is_ranked_in_one_statement_newest_window_first(store, now):
    """A query with few matches is ranked once over the whole index and the matches are
    then put in their windows: relevance orders inside each window, newer windows first,
    and paging walks that order."""
    for uri, at, head, body in [
        ("urn:old-weak", now - timedelta(days=3), "Weather", "Rain, then a storm, then sun."),
        ("urn:old-strong", now - timedelta(days=3), "Storm", "The storm, the storm."),
        ("urn:new-weak", now - timedelta(minutes=5), "Weather", "Rain, then a storm, then sun."),
        ("urn:new-strong", now - timedelta(minutes=5), "Storm", "The storm, the storm."),
    ]:
        deliver(store, ninjs_item(uri, at=at, headline=head, body=f"<p>{body}</p>"), now,
                name=uri)
    order = ["urn:new-strong", "urn:new-weak", "urn:old-strong", "urn:old-weak"]
    assert uris(store.search("storm", now)) == order
    assert [uris(store.search("storm", now, limit=1, offset=i)) for i in range(5)] == [
        *([u] for u in order), []]
    assert store.search("storm", now, limit=1, offset=3).total == 4


def test_a_phrase_finds_the_words_in_that_order_only(store, now):
    """On PostgreSQL the words are matched by the GIN index and the phrase is checked on the
    candidates; either store must keep the order and adjacency."""
    deliver(store, ninjs_item("urn:phrase", at=now, body="<p>The storm warning stands.</p>"), now)
    deliver(store, ninjs_item("urn:apart", at=now, body="<p>A warning: the storm stands.</p>"),
            now, name="b")
    deliver(store, ninjs_item("urn:far", at=now, body="<p>Storm, rain and a warning.</p>"),
            now, name="c")
    page = store.search('"storm warning"', now)
    assert (uris(page), page.total) == (["urn:phrase"], 1)
    snippet = page.results[0][1]
    assert search.MARK_START in snippet and "warning" in snippet
    assert sorted(uris(store.search("storm warning", now))) == ["urn:apart", "urn:far", "urn:phrase"]


def test_postgresql_reads_the_query_once_in_every_configuration(store, now):
    """The tsquery is read in each stemming configuration once and bound as a constant: each
    distinct reading appears once, and every reading is there ('runner' stems differently)."""
    if store.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only: SQLite reads the query with FTS5's porter stemmer")
    with store.engine.connect() as c:
        readings = search.pg_tsquery(c, search.tsquery(search.parse_query("runners")))
        each = [r.strip(" ()") for r in readings.split(" | ")]
        assert "'runners'" in each and "'runner'" in each  # simple, english
        assert len(each) == len(set(each)) < len(search_sql.QUERY_CONFIGS)
        assert c.execute(text("SELECT to_tsvector('english', 'Runners run') @@ "
                              "CAST(:q AS tsquery)"), {"q": readings}).scalar()


@pytest.mark.parametrize("rare", [1000, 1])
def test_a_phrase_of_common_words_is_found_across_windows_and_chunks(store, now, monkeypatch,
                                                                     rare):
    """The walk for common words: on PostgreSQL the newest ids are read backwards in chunks
    and the GIN index takes over after the budget (SQLite: the windows, then the rest at
    once); every match is still found, newest first, and the words apart never match."""
    monkeypatch.setattr(search, "RARE", rare)
    monkeypatch.setattr(search, "SCAN_CHUNK", 3)
    monkeypatch.setattr(search, "SCAN_BUDGET", 6)
    monkeypatch.setattr(search, "WALK_BUDGET", 6)
    items = [json.loads(ninjs_item(
        f"urn:{i}", at=later(now, minutes=-i * 97), headline=f"Report {i}",
        body="<p>The storm warning stands.</p>" if i % 5 == 0 else "<p>A warning: storm.</p>"))
        for i in range(40)]
    deliver(store, json.dumps(items[::-1]).encode(), now)  # arrival order: the oldest first
    expected = [f"urn:{i}" for i in range(0, 40, 5)]
    found = uris(store.search('"storm warning"', now, limit=20))
    page = store.search('"storm warning"', now, limit=3)
    if rare == 1000:  # ranked by relevance within windows: ties in a window in any order
        assert sorted(found) == sorted(expected) and found[0] == "urn:0"
        assert (page.total, page.exact) == (8, True)
        return
    assert found == expected
    assert (uris(page), page.total, page.exact) == (expected[:3], 3, False)
    assert uris(store.search('"storm warning"', now, limit=3, offset=6)) == expected[6:]


def phrase_stories(store, now, count: int = 40) -> list[str]:
    """`count` stories, one a minute apart and newest first by number, the phrase in every
    fifth: the uris that have it, newest first."""
    items = [json.loads(ninjs_item(
        f"urn:{i}", at=later(now, minutes=-i * 97), headline=f"Report {i}",
        body="<p>The storm warning stands.</p>" if i % 5 == 0 else "<p>A warning: storm.</p>"))
        for i in range(count)]
    deliver(store, json.dumps(items[::-1]).encode(), now)  # arrival order: the oldest first
    return [f"urn:{i}" for i in range(0, count, 5)]


@pytest.mark.parametrize("rare", [1000, 1])
def test_before_searches_only_the_older_stories(store, now, monkeypatch, rare):
    """?before= (the reader's "search older stories"): only stories with a lower id, on the
    ranked path and on the walk alike."""
    monkeypatch.setattr(search, "RARE", rare)
    expected = phrase_stories(store, now, 20)
    ids = {record.uri: record.id for record, _ in store.search("storm", now, limit=20).results}
    assert len(ids) == 20
    cut = ids["urn:10"]
    older = store.search("storm", now, limit=20, before=cut)
    assert sorted(uris(older)) == sorted(f"urn:{i}" for i in range(11, 20))
    phrase = store.search('"storm warning"', now, limit=20, before=cut)
    assert sorted(uris(phrase)) == sorted(u for u in expected if int(u[4:]) > 10)


@pytest.mark.parametrize("postings", [1000, 0])
def test_a_phrase_past_its_budget_offers_the_older_stories(store, now, monkeypatch, postings):
    """PostgreSQL checks each GIN candidate of a phrase (GIN has no positions): the walk
    reads back only as far as RECHECK_BUDGET candidates reach (or, when the words' posting
    lists are too long to read, PHRASE_SCAN ids tested row by row), says where it stopped
    (`older`), and searching before that id goes on, until every match has been shown."""
    if store.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only: FTS5 keeps positions in its index")
    monkeypatch.setattr(search, "RARE", 1)
    monkeypatch.setattr(search, "RECHECK_BUDGET", 10)
    monkeypatch.setattr(search, "POSTINGS_BUDGET", postings)
    monkeypatch.setattr(search, "PHRASE_SCAN", 7)
    monkeypatch.setattr(search, "SCAN_CHUNK", 3)
    monkeypatch.setattr(search, "_pg_estimate", lambda c, q: 40.0)  # as ANALYZE would say
    expected = phrase_stories(store, now)
    shown, before, rounds = [], None, 0
    while True:
        page = store.search('"storm warning"', now, limit=10, before=before)
        shown += uris(page)
        assert (page.total, page.exact) == (len(page.results), page.older is None)
        rounds += 1
        if page.older is None:
            break
        before = page.older
    assert shown == expected and rounds > 2  # newest first, none twice, none left out


def test_a_sparse_query_goes_to_the_index_without_scanning(store, now, monkeypatch):
    """Reading the newest rows one by one pays only when the planner expects the page to be
    filled by them; otherwise the GIN index is asked at once (and the order is the same)."""
    if store.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only: SQLite walks FTS5's doclists")
    monkeypatch.setattr(search, "RARE", 1)
    monkeypatch.setattr(search, "SCAN_BUDGET", 6)  # ids scanned at most: fewer than the store
    phrase_stories(store, now)
    statements: list[str] = []
    event.listen(store.engine, "before_cursor_execute",
                 lambda conn, cursor, sql, *args: statements.append(sql))
    results = {}
    for estimate in (1.0, 1e6):
        monkeypatch.setattr(search, "_pg_estimate", lambda c, q, e=estimate: e)
        statements.clear()
        results[estimate] = uris(store.search("storm warning", now, limit=5))
        scanned = any("enable_bitmapscan = off" in sql for sql in statements)
        assert scanned == (estimate > 1)
    assert results[1.0] == results[1e6] == [f"urn:{i}" for i in range(5)]


def test_the_search_page_links_to_the_older_stories(client, store, now, monkeypatch):
    """When a phrase's budget stopped the walk, the page says so and links to the rest."""
    if store.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only: the budget is for GIN's candidates")
    monkeypatch.setattr(search, "RARE", 1)
    monkeypatch.setattr(search, "RECHECK_BUDGET", 10)
    monkeypatch.setattr(search, "_pg_estimate", lambda c, q: 40.0)
    phrase_stories(store, now)
    doc = lxml_html.fromstring(client.get("/search", params={"q": '"storm warning"'}).text)
    assert "Among the newest stories" in doc.xpath("//p[@class='count']")[0].text_content()
    assert not doc.xpath("//a[@rel='next']")
    (link,) = doc.xpath("//a[@class='older']/@href")
    assert "before=" in link
    older = lxml_html.fromstring(client.get(link).text)
    first = doc.xpath("//ol//h2/a/text()")
    assert older.xpath("//ol//h2/a/text()") and not set(first) & set(older.xpath("//ol//h2/a/text()"))


def test_a_common_prefix_is_told_from_the_newest_rows(store, now, monkeypatch):
    """The planner knows nothing of a prefix, and GIN gathers every match of one before a
    LIMIT counts: a prefix common in the newest rows is walked without asking GIN; a rare
    one is still counted exactly and ranked."""
    if store.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only: FTS5 has prefix indexes")
    monkeypatch.setattr(search, "PREFIX_SAMPLE", 10)
    phrase_stories(store, now)
    statements: list[str] = []
    event.listen(store.engine, "before_cursor_execute",
                 lambda conn, cursor, sql, *args: statements.append(sql))
    monkeypatch.setattr(search, "RARE", 5)
    page = store.search("warn*", now, limit=3)
    assert (uris(page), page.total, page.exact) == (["urn:0", "urn:1", "urn:2"], 3, False)
    counts = [sql for sql in statements if sql.startswith("SELECT count(*)")]
    assert counts and all("ORDER BY" in sql for sql in counts)  # the newest rows only
    monkeypatch.setattr(search, "RARE", 1000)
    page = store.search("warn*", now, limit=3)
    assert (page.total, page.exact) == (40, True)


def test_the_search_api_answers_older_and_takes_before(client, store, now, monkeypatch):
    """The API's readers reach a phrase's older matches as the page's do: `older` in the
    answer, `before=` in the next question."""
    if store.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only: the budget is for GIN's candidates")
    monkeypatch.setattr(search, "RARE", 1)
    monkeypatch.setattr(search, "RECHECK_BUDGET", 10)
    monkeypatch.setattr(search, "_pg_estimate", lambda c, q: 40.0)
    expected = phrase_stories(store, now)
    shown, params = [], {"q": '"storm warning"'}
    while True:
        answer = client.get("/api/v1/search", params=params).json()
        shown += [item["item"]["uri"] for item in answer["items"]]
        if answer["older"] is None:
            break
        params["before"] = answer["older"]
    assert shown == expected
    assert client.get("/api/v1/search", params={"q": "storm", "before": "x"}).status_code == 400
