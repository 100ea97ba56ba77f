"""Corrections where the story is and its public history, on both stores: the notice in the
agency's words, the lists' mark, /story/{id}/history (labels, the word diff, only versions
readers saw, 410 with the story, in the page cache and purged with it), and the takedown
log's words."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from lxml import html as lxml_html

from helpers import deliver, later, ninjs_item
from wiredesk import desk, lifecycle
from wiredesk.edge import event_keys
from wiredesk.web.history import shown_versions

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def history_of(client, story_id: int):
    page = client.get(f"/story/{story_id}/history")
    return page, lxml_html.fromstring(page.text) if page.text else None


def test_reuters_correction_shows_its_notice_and_the_history_its_diff(client, store, now):
    deliver(store, sample("04-reuters-markets.txt"), now, source="reuters")
    deliver(store, sample("05-reuters-markets-corrected.txt"), later(now, minutes=20),
            source="reuters")
    (record,) = store.live_stories(later(now, minutes=21))
    assert record.version_count == 2
    page = lxml_html.fromstring(client.get(f"/story/{record.id}").text)
    (notice,) = page.xpath("//aside[@class='correction-notice']")
    words = notice.xpath(".//p[@class='correction-words']/text()")
    assert words == ["Corrects index level in paragraph 2 to 502.3 points, not 512.3"]
    assert "Corrected by Reuters" in notice.text_content()
    (stamp,) = notice.xpath(".//time/@datetime")  # the time of the correcting version
    assert stamp.startswith(later(now, minutes=20).strftime("%Y-%m-%dT%H:%M"))
    assert page.xpath("//p[@class='history-link']/a/@href") == [f"/story/{record.id}/history"]
    # lists mark it
    front = lxml_html.fromstring(client.get("/").text)
    assert front.xpath("//ol[@class='stories']//span[contains(concat(' ', @class, ' '), ' corrected ')]/text()") == ["Corrected"]
    found = lxml_html.fromstring(client.get("/search", params={"q": "shares"}).text)
    assert found.xpath("//ol[contains(@class,'results')]//span[@class='corrected']/text()") == ["Corrected"]
    # the history: newest first, the agency's labels, the changed figure as <del>/<ins>
    response, tree = history_of(client, record.id)
    assert response.status_code == 200
    assert tree.xpath("//h2[@class='version-label']/text()") == ["CORRECTED", "First version"]
    diff = tree.xpath("//div[@class='version-diff']")[0]
    assert diff.xpath(".//del/text()") == ["512.3"] and diff.xpath(".//ins/text()") == ["502.3"]
    assert tree.xpath("//p[@class='version-correction']/span/text()") == [
        "Corrects index level in paragraph 2 to 502.3 points, not 512.3"]


def test_a_plain_update_says_updated_and_shows_no_notice(client, store, now):
    deliver(store, sample("12-reuters-oil.txt"), now, source="reuters")
    deliver(store, sample("13-reuters-oil-update-1.txt"), later(now, minutes=5), source="reuters")
    (record,) = store.live_stories(later(now, minutes=6))
    text = client.get(f"/story/{record.id}").text
    assert "correction-notice" not in text and "Updated" in text
    assert 'class="corrected"' not in client.get("/").text
    _, tree = history_of(client, record.id)
    assert tree.xpath("//h2[@class='version-label']/text()") == ["UPDATE 1", "First version"]
    assert tree.xpath("//div[@class='version-diff']//ins")  # the analyst's comment came in


def test_ap_ednote_correction_on_the_article(client, store, now):
    deliver(store, ninjs_item(at=now, body="<p>Three workers were injured.</p>"), now)
    note = "This story has been corrected to show that two workers were injured, not three."
    deliver(store, ninjs_item(version=2, at=later(now, minutes=3), ednote=note,
                              body="<p>Two workers were injured.</p>"), later(now, minutes=3))
    record = store.story_by_uri("urn:test:1")
    page = lxml_html.fromstring(client.get(f"/story/{record.id}").text)
    assert page.xpath("//p[@class='correction-words']/text()") == [note]
    _, tree = history_of(client, record.id)
    assert tree.xpath("//h2[@class='version-label']/text()") == ["Version 2", "First version"]
    assert tree.xpath("//div[@class='version-diff']/del/text()") == ["Three"]
    assert tree.xpath("//div[@class='version-diff']/ins/text()") == ["Two"]


def test_history_escapes_the_text_it_diffs(client, store, now):
    deliver(store, ninjs_item(at=now, body="<p>Plain.</p>"), now)
    deliver(store, ninjs_item(version=2, at=later(now, minutes=1),
                              body="<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; more</p>"),
            later(now, minutes=1))
    record = store.story_by_uri("urn:test:1")
    response, tree = history_of(client, record.id)
    assert "<script>alert" not in response.text and "&lt;script&gt;alert(1)" in response.text
    assert not tree.xpath("//div[@class='version-diff']//script")


def test_versions_readers_never_saw_are_not_listed(client, store, clock, now):
    t = now
    deliver(store, ninjs_item(at=t, headline="Seen first"), t)
    # withheld: never on the site
    deliver(store, ninjs_item(version=2, at=later(t, minutes=1), headline="Held back",
                              pubstatus="withheld"), later(t, minutes=1))
    # embargoed, then replaced before its embargo lifted
    deliver(store, ninjs_item(version=3, at=later(t, minutes=2), headline="Never lifted",
                              embargoed=later(t, hours=5)), later(t, minutes=2))
    deliver(store, ninjs_item(version=4, at=later(t, minutes=3), headline="Seen second"),
            later(t, minutes=3))
    # a late older version: history only
    deliver(store, ninjs_item(version=2, at=later(t, minutes=1), headline="Stale",
                              body="<p>Other.</p>"), later(t, minutes=4))
    clock.now = later(t, minutes=5)
    record = store.story_by_uri("urn:test:1")
    assert record.version_count == 5
    _, tree = history_of(client, record.id)
    assert tree.xpath("//p[@class='version-headline']/text()") == ["Seen second", "Seen first"]
    assert tree.xpath("//h2[@class='version-label']/text()") == ["Version 4", "First version"]
    listed = shown_versions(store.history(record.id), clock.now)
    assert [v.story.headline for v in listed] == ["Seen first", "Seen second"]


def test_a_version_whose_embargo_lifted_is_listed(store, now):
    deliver(store, ninjs_item(at=now, headline="One"), now)
    deliver(store, ninjs_item(version=2, at=later(now, minutes=1), headline="Two",
                              embargoed=later(now, minutes=30)), later(now, minutes=1))
    deliver(store, ninjs_item(version=3, at=later(now, hours=1), headline="Three"),
            later(now, hours=1))
    record = store.story_by_uri("urn:test:1")
    listed = shown_versions(store.history(record.id), later(now, hours=2))
    assert [v.story.headline for v in listed] == ["One", "Two", "Three"]
    # seen at 20 minutes: the embargoed version not yet
    early = [v for v in store.history(record.id) if v.received_at <= later(now, minutes=20)]
    assert [v.story.headline for v in shown_versions(early, later(now, minutes=20))] == ["One"]


def test_history_follows_the_story_lifecycle_and_the_cache(client, store, now):
    deliver(store, ninjs_item(at=now, headline="Doomed"), now)
    record = store.story_by_uri("urn:test:1")
    url = f"/story/{record.id}/history"
    cache = client.app.state.cache
    first = client.get(url)
    assert first.status_code == 200
    assert f"story-{record.id}" in first.headers["Surrogate-Key"].split()
    hits = cache.hits
    assert client.get(url).status_code == 200 and cache.hits == hits + 1  # served from the cache
    assert client.get("/story/999999/history").status_code == 404
    desk.kill(store, "urn:test:1", reason="legal", actor="ed", now=now)
    gone = client.get(url)
    assert gone.status_code == 410 and "no longer available" in gone.text
    assert "Doomed" not in gone.text
    # the edge purges the history page with the story: the takedown reaches its keys
    assert f"story-{record.id}" in event_keys(store.journal.since(0), ["front"])


def test_held_story_history_is_not_found(client, store, now):
    deliver(store, ninjs_item(at=now, pubstatus="withheld"), now)
    record = store.story_by_uri("urn:test:1")
    assert client.get(f"/story/{record.id}/history").status_code == 404


def test_a_corrected_story_is_taken_down_like_any_other(client, store, now):
    deliver(store, sample("04-reuters-markets.txt"), now, source="reuters")
    deliver(store, sample("05-reuters-markets-corrected.txt"), later(now, minutes=1), source="reuters")
    (record,) = store.live_stories(later(now, minutes=2))
    desk.kill(store, record.uri, reason="wrong", actor="ed", now=later(now, minutes=2))
    assert client.get(f"/story/{record.id}").status_code == 410
    assert client.get(f"/story/{record.id}/history").status_code == 410
    assert 'class="corrected"' not in client.get("/").text


# ---- the takedown log's words --------------------------------------------------------------

def test_takedown_log_says_what_happened(store, now):
    deliver(store, ninjs_item("urn:k", at=now, ednote=None), now)
    kill = json.loads(ninjs_item("urn:k", version=2, at=now, pubstatus="canceled",
                                 ednote="Withdrawn on legal advice."))
    kill["infosources"] = [{"name": "Reuters", "role": "originator"}]
    deliver(store, json.dumps(kill).encode(), later(now, minutes=1))
    deliver(store, ninjs_item("urn:w", at=now, body=""), now)
    deliver(store, ninjs_item("urn:w", version=2, at=now, pubstatus="canceled", body=""),
            later(now, minutes=1))
    deliver(store, ninjs_item("urn:x", at=now, expires=later(now, hours=2)), now)
    deliver(store, ninjs_item("urn:l", at=now), now, licence_days=30)
    deliver(store, ninjs_item("urn:o", at=now), now)
    desk.kill(store, "urn:o", reason="Court order", actor="ed", now=later(now, minutes=2))
    lifecycle.tick(store, later(now, days=31))
    log = {t.uri: (t.reason, t.detail) for t in store.takedowns()}
    assert log["urn:k"] == ("killed", "killed by Reuters: Withdrawn on legal advice.")
    assert log["urn:w"] == ("killed", "withdrawn by AP")
    assert log["urn:x"] == ("expired", "agency expiry")
    assert log["urn:l"] == ("expired", "licence window of 30 days")
    assert log["urn:o"] == ("removed", "removed by editor ed: Court order")
    record = store.story_by_uri("urn:x")
    assert (record.takedown_reason, record.takedown_detail) == ("expired", "agency expiry")


def test_expiry_before_arrival_says_which(store, now):
    deliver(store, ninjs_item("urn:old", at=now - timedelta(days=40)), now)
    deliver(store, ninjs_item("urn:exp", at=now, expires=now - timedelta(hours=1)), now)
    log = {t.uri: (t.reason, t.detail) for t in store.takedowns()}
    assert log["urn:old"] == ("expired", "licence window of 30 days, ended before arrival")
    assert log["urn:exp"] == ("expired", "agency expiry, ended before arrival")


def test_console_shows_labels_and_the_words(store, clock, now):
    from test_console import PASSWORD, login, make_client
    from wiredesk.passwords import hash_password

    store.users.set_password("ed", hash_password(PASSWORD), now)
    deliver(store, sample("12-reuters-oil.txt"), now, source="reuters")
    deliver(store, sample("13-reuters-oil-update-1.txt"), later(now, minutes=5), source="reuters")
    deliver(store, ninjs_item("urn:x", at=now, expires=later(now, hours=2)), now)
    clock.now = later(now, hours=3)
    lifecycle.tick(store, clock.now)
    record = store.story_by_uri(store.live_stories(clock.now)[0].uri)
    with make_client(store, clock) as console:
        login(console)
        page = console.get(f"/console/stories/{record.id}").text
        assert "none" not in lxml_html.fromstring(page).xpath("string(//main)")
        assert "First version to UPDATE 1" in page
        takedowns = console.get("/console/takedowns").text
        assert "expired</span>: agency expiry" in takedowns


def test_versions_of_one_delivery_show_only_the_last(now):
    from wiredesk.store import VersionRecord
    from wiredesk.story import Story

    def version(vid: int, name: str, minutes: int, number: int = 0) -> VersionRecord:
        return VersionRecord(id=vid, version=str(number or vid), versioncreated=now,
                             received_at=later(now, minutes=minutes), pubstatus="usable",
                             format="ninjs", source="s", delivery_name=name, raw_sha256="",
                             purged=False, is_head=False, story=Story(uri="u", headline=str(vid)))

    same = [version(1, "a.json", 0), version(2, "a.json", 0), version(3, "b.json", 0)]
    assert [v.id for v in shown_versions(same, now)] == [2, 3]  # b.json came in its own commit
    # version 2 arrives first (id 1), version 1 late (id 2): in the agency's order 1, 2
    late = [version(2, "c.json", 1, number=1), version(1, "b.json", 0, number=2)]
    assert [v.id for v in shown_versions(late, later(now, minutes=2))] == [1]
