"""Verbatim proof (issue 15, item 3) on both stores: the article's "As received" block, the
provenance API, and `wiredesk verify` on every sample and every fixture that becomes a story,
with a corrupted byte and a tampered body seen as FAIL."""

from __future__ import annotations

import hashlib
from dataclasses import replace

import pytest
from lxml import html as lxml_html
from sqlalchemy import update

from conftest import FIXTURES, SAMPLES
from helpers import deliver, later, ninjs_item
from wiredesk import desk, formats, proof
from wiredesk.cli.main import main
from wiredesk.config import Settings
from wiredesk.demo import shift_to_now
from wiredesk.store.schema import raws, versions
from wiredesk.story import Delivery
from wiredesk.terms import Terms

SETTINGS = Settings(site_name="Example News", base_url="https://news.example")


def pages(store, now):
    return proof.local_pages(store, SETTINGS, now)


def as_received(page_html: str) -> dict[str, str]:
    (block,) = lxml_html.fromstring(page_html).xpath("//details[@class='as-received']")
    assert block.xpath("./summary")[0].text_content() == "As received"
    terms = [dt.text_content() for dt in block.xpath(".//dt")]
    values = [dd.text_content().strip() for dd in block.xpath(".//dd")]
    return dict(zip(terms, values, strict=True))


def test_the_article_shows_what_exactly_was_received(client, store, now):
    first = ninjs_item(at=now, body="<p>First words.</p>")
    second = ninjs_item(version=2, at=later(now, minutes=5), body="<p>Second words.</p>")
    deliver(store, first, now)
    deliver(store, second, later(now, minutes=6))
    story_id = store.story_by_uri("urn:test:1").id
    block = as_received(client.get(f"/story/{story_id}").text)
    assert block["SHA-256 of the bytes received"] == hashlib.sha256(second).hexdigest()
    assert block["Agency"] == "AP" and block["Format"] == "ninjs 2.2"
    assert block["Received"] == "29 Nov 2026, 12:06 UTC"


def test_provenance_lists_what_readers_could_have_seen_and_the_current_version(client, store,
                                                                                now):
    first = ninjs_item(at=now)
    late_old = ninjs_item(version=0, at=later(now, minutes=-5), headline="Late and old")
    second = ninjs_item(version=2, at=later(now, minutes=5))
    deliver(store, first, now)
    deliver(store, second, later(now, minutes=6))
    deliver(store, late_old, later(now, minutes=7))  # stale: stored, never shown
    story_id = store.story_by_uri("urn:test:1").id
    answer = client.get(f"/api/v1/stories/{story_id}/provenance")
    assert answer.status_code == 200
    data = answer.json()
    assert data["uri"] == "urn:test:1" and data["agency"] == "AP"
    assert [v["sha256"] for v in data["versions"]] == [hashlib.sha256(b).hexdigest()
                                                       for b in (first, second)]
    assert [v["current"] for v in data["versions"]] == [False, True]
    assert [v["size"] for v in data["versions"]] == [len(first), len(second)]
    assert {v["format"] for v in data["versions"]} == {"ninjs 2.2"}
    assert {v["source"] for v in data["versions"]} == {"test"}
    assert data["versions"][1]["received"] == "2026-11-29T12:06:00Z"
    desk.kill(store, "urn:test:1", reason="legal", actor="ed", now=later(now, minutes=8))
    gone = client.get(f"/api/v1/stories/{story_id}/provenance")
    assert gone.status_code == 410 and set(gone.json()) == {"uri", "takendown_at", "reason"}
    deliver(store, ninjs_item("urn:held", at=now, pubstatus="withheld"), now)
    held = store.story_by_uri("urn:held").id
    assert client.get(f"/api/v1/stories/{held}/provenance").status_code == 404


@pytest.mark.parametrize("path", sorted(SAMPLES.iterdir()), ids=lambda p: p.name)
def test_verify_every_sample(store, clock, path):
    """Samples applied in order, as the demo does, so updates and kills find their story."""
    for earlier in sorted(SAMPLES.iterdir()):
        desk.apply(store, Delivery(earlier.read_bytes(), "samples", earlier.name, clock.now),
                   transform=shift_to_now(clock.now))
        if earlier == path:
            break
    (story,) = formats.parse(path.read_bytes())
    found = proof.verify(store, story.uri, clock.now, pages(store, clock.now))
    assert found.ok, found.outcome
    assert all(h.ok for h in found.hashes)
    record = store.story_by_uri(story.uri)
    if record.state == "takendown":
        assert found.purged and all(h.recomputed is None for h in found.hashes)
    elif record.visible(clock.now):
        assert found.words and "equal" in found.words and found.outcome == "OK"
        assert found.parser == story.format.split()[0]
    else:  # held or under embargo: the bytes are checked, the page is not there to read
        assert found.outcome == "OK" and "not on a page" in (found.words or "")
        if story.embargoed:
            later_on = shift_to_now(clock.now)([story], None)[0].embargoed  # type: ignore[arg-type]
            shown = proof.verify(store, story.uri, later_on, pages(store, later_on))
            assert shown.ok and "equal" in (shown.words or ""), shown.outcome


def fixture_files():
    skip = {"sources", "clusters"}  # source configs and clustering sets, not copy to verify
    return [p for folder in sorted(FIXTURES.iterdir()) if folder.is_dir() and folder.name not in skip
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.name.endswith(".md")]


def test_verify_every_fixture_that_becomes_a_story(store, now):
    """Every fixture file that lands as a story, each folder its own source; expiry and
    embargo set aside (times change, words do not) so the pages are there to read."""
    def timeless(stories, _delivery):
        return [replace(s, expires=None, embargoed=None) for s in stories]

    uris: set[str] = set()
    for path in fixture_files():
        report = desk.apply(store, Delivery(path.read_bytes(), path.parent.name, path.name, now),
                            Terms(licence_days=3650), transform=timeless)
        uris |= {uri for uri, outcome in report.outcomes if outcome is not desk.Outcome.QUARANTINED}
    checked = 0
    fetch = pages(store, now)
    for uri in sorted(uris):
        if store.story_by_uri(uri) is None:
            continue
        found = proof.verify(store, uri, now, fetch)
        assert found.ok, (uri, found.outcome)
        checked += bool(found.words and "equal" in found.words)
    assert checked >= 50  # most fixtures are shown stories, checked word for word


def test_a_corrupted_byte_or_a_tampered_body_is_a_failure(store, now):
    data = ninjs_item(at=now, body="<p>The agency's own words.</p>")
    deliver(store, data, now)
    sha = hashlib.sha256(data).hexdigest()
    assert proof.verify(store, "urn:test:1", now, pages(store, now)).ok
    with store.engine.begin() as c:  # one byte of the stored copy changed
        c.execute(update(raws).where(raws.c.sha256 == sha)
                  .values(data=data.replace(b"own", b"0wn")))
    found = proof.verify(store, "urn:test:1", now, pages(store, now))
    assert not found.ok and found.outcome.startswith("FAIL")
    assert found.hashes[0].stored == sha and found.hashes[0].recomputed != sha
    with store.engine.begin() as c:  # the bytes put back, the shown body edited instead
        c.execute(update(raws).where(raws.c.sha256 == sha).values(data=data))
        c.execute(update(versions).values(body_html="<p>The desk's own words.</p>"))
    found = proof.verify(store, "urn:test:1", now, pages(store, now))
    assert not found.ok and "the page's words are not the agency's" in found.outcome
    assert "desk's" in found.outcome


def test_wiredesk_verify_prints_the_hashes_and_exits_non_zero_on_failure(store_url, capsys):
    from wiredesk.store import Store
    from wiredesk.times import utc_now

    store, now = Store.open(store_url), utc_now()
    data = ninjs_item(at=now)
    deliver(store, data, now)
    sha = hashlib.sha256(data).hexdigest()
    assert main(["--database", store_url, "verify", "urn:test:1"]) == 0
    out = capsys.readouterr().out
    assert f"stored     sha256 {sha}" in out and f"recomputed sha256 {sha}  match" in out
    assert out.rstrip().endswith("OK")
    with store.engine.begin() as c:
        c.execute(update(raws).values(data=data + b" "))
    assert main(["--database", store_url, "verify", "urn:test:1"]) == 1
    out = capsys.readouterr().out
    assert "MISMATCH" in out and "FAIL" in out
    assert main(["--database", store_url, "verify", "urn:nothing"]) == 2
    assert "no story with uri" in capsys.readouterr().err
    store.close()
