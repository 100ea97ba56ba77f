"""A source can change only what it owns: a story belongs to its agency, and a delivery may
update, correct or kill it only from the source that first delivered it or from a source
configured for that agency. Anything else is refused, recorded, and changes nothing."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from helpers import later, ninjs_item
from wiredesk.cli.stories import summary
from wiredesk.config import Settings
from wiredesk.desk import Outcome
from wiredesk.sources.deliver import apply_delivery
from wiredesk.sources.kinds import build
from wiredesk.sources.push import HEADER, sign
from wiredesk.sources.registry import add_source
from wiredesk.story import Delivery
from wiredesk.web.app import create_app

URI = "tag:reuters.com,2026:newsml_L1N1"
REUTERS = [{"name": "Reuters", "role": "originator"}]
BLOG_SECRET = "blog-shared-secret"


@pytest.fixture
def sources(store, now, tmp_path, monkeypatch):
    monkeypatch.setenv("BLOG_SECRET", BLOG_SECRET)
    (tmp_path / "in").mkdir()
    made = {
        "reuters": build("reuters", "folder", {"path": str(tmp_path / "in"), "agency": "Reuters"}),
        "reuters-push": build("reuters-push", "push", {"secret": "$BLOG_SECRET",
                                                       "agency": "Reuters"}),
        "blog": build("blog", "push", {"secret": "$BLOG_SECRET", "agency": "Blog"}),
    }
    for cfg in made.values():
        add_source(store, cfg, now, check=False)
    return made


def send(store, cfg, data: bytes, at) -> Outcome:
    report = apply_delivery(store, cfg, Delivery(data, cfg.name, f"{cfg.name}-file", at))
    ((_, outcome),) = report.outcomes
    return outcome


def reuters_story(version: int, at, **extra) -> bytes:
    return ninjs_item(URI, version=version, at=at, infosources=REUTERS, **extra)


def test_another_agencys_source_can_neither_kill_nor_update(store, now, sources):
    assert send(store, sources["reuters"], reuters_story(1, now), now) is Outcome.NEW
    before = store.story_by_uri(URI)
    kill = reuters_story(2, later(now, minutes=1), pubstatus="canceled", ednote="gone")
    update = reuters_story(3, later(now, minutes=2), headline="Blog rewrote it")
    assert send(store, sources["blog"], kill, later(now, minutes=1)) is Outcome.REFUSED_OWNER
    assert send(store, sources["blog"], update, later(now, minutes=2)) is Outcome.REFUSED_OWNER
    after = store.story_by_uri(URI)
    assert after.state == "live" and after.story.headline == before.story.headline
    assert after.version_count == 1 and len(store.history(after.id)) == 1
    assert store.takedowns() == []
    refused = store.refusals()
    assert [(r.source, r.owner, r.agency, r.source_agency, r.pubstatus) for r in refused] == [
        ("blog", "reuters", "Reuters", "Blog", "usable"),
        ("blog", "reuters", "Reuters", "Blog", "canceled")]


def test_a_second_source_of_the_same_agency_may_update_and_kill(store, now, sources):
    send(store, sources["reuters"], reuters_story(1, now), now)
    update = reuters_story(2, later(now, minutes=1), headline="Corrected by push")
    assert send(store, sources["reuters-push"], update, later(now, minutes=1)) is Outcome.UPDATED
    assert store.story_by_uri(URI).story.headline == "Corrected by push"
    kill = reuters_story(3, later(now, minutes=2), pubstatus="canceled")
    assert send(store, sources["reuters-push"], kill, later(now, minutes=2)) is Outcome.KILLED
    assert store.refusals() == []


def test_copy_naming_no_agency_belongs_to_its_first_sources_agency(store, now, sources):
    bare = ninjs_item("urn:bare:1", at=now, infosources=[])
    assert send(store, sources["reuters"], bare, now) is Outcome.NEW
    assert store.story_by_uri("urn:bare:1").story.agency is None
    update = ninjs_item("urn:bare:1", version=2, at=later(now, minutes=1), infosources=[])
    assert send(store, sources["blog"], update, later(now, minutes=1)) is Outcome.REFUSED_OWNER
    assert send(store, sources["reuters-push"], update,
                later(now, minutes=1)) is Outcome.UPDATED


def test_copy_claiming_the_agency_gains_nothing(store, now, sources):
    """The blog's bytes say Reuters; the blog is still configured for Blog."""
    send(store, sources["reuters"], reuters_story(1, now), now)
    claim = reuters_story(2, later(now, minutes=1), headline="I am Reuters, honest")
    assert send(store, sources["blog"], claim, later(now, minutes=1)) is Outcome.REFUSED_OWNER


def test_a_source_without_agency_changes_only_what_it_delivered(store, now, sources):
    """`wiredesk ingest --source cli` without --agency, the demo's `samples`."""
    cli = build("cli", "push", {"secret": "$BLOG_SECRET"})  # any kind: no agency configured
    own = ninjs_item("urn:cli:1", version=1, at=now)
    assert send(store, cli, own, now) is Outcome.NEW
    kill = ninjs_item("urn:cli:1", version=2, at=later(now, minutes=1), pubstatus="canceled")
    assert send(store, cli, kill, later(now, minutes=1)) is Outcome.KILLED
    send(store, sources["reuters"], reuters_story(1, now), now)
    assert send(store, cli, reuters_story(2, later(now, minutes=1)),
                later(now, minutes=1)) is Outcome.REFUSED_OWNER


def test_a_push_from_the_blog_is_answered_not_owner(store, now, sources):
    send(store, sources["reuters"], reuters_story(1, now), now)
    body = reuters_story(2, later(now, minutes=1), pubstatus="canceled")
    with TestClient(create_app(Settings(), store=store, clock=lambda: now)) as client:
        answer = client.post("/push/blog", content=body,
                             headers={"Content-Type": "application/json",
                                      HEADER: sign(BLOG_SECRET, body)})
    assert answer.status_code == 202 and answer.json()["outcomes"] == {URI: "not-owner"}
    assert store.story_by_uri(URI).state == "live"


def test_the_cli_summary_counts_refusals():
    from collections import Counter
    assert summary(Counter({"new": 1, "not-owner": 2}), 3) == "3 file(s): 1 new, 2 not-owner"
