"""Editorial rules at the desk and the review queue (review.py): review and ignore hold a new
story from readers, its updates keep the decision, kills still apply, the agency's hold is
never overridden, and Publish (console or CLI) sends the story out verbatim, on its own
licence clock, heard by the journal. On SQLite and PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from helpers import deliver, later, ninjs_item
from test_console import csrf, login
from wiredesk import desk, lifecycle, review
from wiredesk.rules import parse
from wiredesk.story import Delivery
from wiredesk.terms import Terms

SPORT = [{"name": "sport", "uri": "http://cv.iptc.org/newscodes/mediatopic/15000000"}]


def add(store, now, name, **values):
    store.rules.add(parse(name, values), now)


def journal_kinds(store, uri):
    return [e.kind for e in store.journal.since(0, limit=1000) if e.uri == uri]


def test_review_holds_a_new_story_and_its_updates(store, now):
    add(store, now, "sport", subject="medtop:15000000", action="review")
    report = deliver(store, ninjs_item("urn:s", at=now, subjects=SPORT), now)
    assert report.counts() == {"review": 1}
    assert store.story_by_uri("urn:s").state == "review"
    assert store.live_stories(now) == [] and store.search("Headline", now).total == 0
    assert journal_kinds(store, "urn:s") == []  # never shown: nobody is told
    deliver(store, ninjs_item("urn:s", version=2, at=later(now, minutes=1), subjects=SPORT), now)
    assert store.story_by_uri("urn:s").state == "review"
    # a story the rule does not match goes out at once
    deliver(store, ninjs_item("urn:other", at=now), now)
    assert store.story_by_uri("urn:other").state == "live"
    assert store.status(now).review == 1


def test_a_rule_decides_the_first_time_only(store, now):
    deliver(store, ninjs_item("urn:s", at=now, subjects=SPORT), now)
    add(store, now, "sport", subject="medtop:15000000", action="ignore")
    report = deliver(store, ninjs_item("urn:s", version=2, at=later(now, minutes=1),
                                       subjects=SPORT), now)
    assert report.counts() == {"updated": 1}
    assert store.story_by_uri("urn:s").state == "live"  # what went out stays out


def test_ignore_keeps_the_story_and_its_history_but_never_shows_it(store, now):
    add(store, now, "quiet", agency="AP", action="ignore")
    assert deliver(store, ninjs_item("urn:i", at=now), now).counts() == {"ignored": 1}
    record = store.story_by_uri("urn:i")
    assert record.state == "ignored" and len(store.history(record.id)) == 1
    assert store.live_stories(now) == []
    with pytest.raises(review.NotWaiting, match="ignored, not waiting"):
        review.ignore(store, "urn:i", actor="ed", now=now)


def test_a_kill_applies_to_a_story_in_review(store, now):
    add(store, now, "all", action="review")
    deliver(store, ninjs_item("urn:k", at=now), now)
    deliver(store, ninjs_item("urn:k", version=2, at=later(now, minutes=1), pubstatus="canceled"),
            now)
    record = store.story_by_uri("urn:k")
    assert record.state == "takendown" and record.takedown_reason == "killed"


def test_a_review_story_ends_with_its_licence(store, now):
    add(store, now, "all", action="review")
    deliver(store, ninjs_item("urn:e", at=now), now, licence_days=1)
    lifecycle.tick(store, later(now, days=2))
    assert store.story_by_uri("urn:e").takedown_reason == "expired"


def hold(stories, _delivery):
    return [s.with_changes(hold="an advisory: not for publication") for s in stories]


def test_a_publish_rule_never_overrides_the_agencys_hold(store, now):
    add(store, now, "everything", action="publish")
    desk.apply(store, Delivery(ninjs_item("urn:h", at=now), "test", "h", now), Terms(),
               transform=hold)
    assert store.story_by_uri("urn:h").state == "withheld"
    with pytest.raises(review.NotWaiting, match="held by the agency"):
        review.publish(store, "urn:h", actor="ed", now=now)
    assert store.story_by_uri("urn:h").state == "withheld"


def test_review_publish_never_overrides_a_hold_that_came_with_a_review_rule(store, now):
    add(store, now, "all", action="review")
    desk.apply(store, Delivery(ninjs_item("urn:h", at=now), "test", "h", now), Terms(),
               transform=hold)
    assert store.story_by_uri("urn:h").state == "withheld"
    with pytest.raises(review.NotWaiting, match="never published"):
        review.publish(store, "urn:h", actor="ed", now=now)
    # its next version, no longer held, still waits for review: the rule decided
    deliver(store, ninjs_item("urn:h", version=2, at=later(now, minutes=1)), now)
    assert store.story_by_uri("urn:h").state == "review"


def test_publish_goes_out_verbatim_on_its_own_clock_and_is_journaled(store, now):
    add(store, now, "all", action="review")
    first = later(now, hours=-5)
    deliver(store, ninjs_item("urn:p", at=first, body="<p>Exact words, as sent.</p>"), now,
            licence_days=1)
    before = store.story_by_uri("urn:p")
    assert review.publish(store, "urn:p", actor="ed", now=later(now, hours=1)) == "live"
    after = store.story_by_uri("urn:p")
    assert after.state == "live" and after.story.body.html == before.story.body.html
    assert after.story.body.received == before.story.body.received
    assert after.ends_at == first + (later(now, days=1) - now)  # from first publication
    assert journal_kinds(store, "urn:p") == ["new"]
    assert store.search("Exact", later(now, hours=1)).total == 1
    assert store.rules.decisions([after.id])[after.id] == ("publish", "all", "ed")
    with pytest.raises(review.NotWaiting, match="live, not waiting"):
        review.publish(store, "urn:p", actor="ed", now=now)


def test_publish_honours_an_embargo_still_running(store, now):
    add(store, now, "all", action="review")
    lift = later(now, hours=2)
    deliver(store, ninjs_item("urn:em", at=now, embargoed=lift), now)
    assert review.publish(store, "urn:em", actor="ed", now=now) == "embargoed"
    assert store.live_stories(now) == [] and journal_kinds(store, "urn:em") == []
    lifecycle.tick(store, later(lift, minutes=1))
    assert store.story_by_uri("urn:em").state == "live"
    assert journal_kinds(store, "urn:em") == ["new"]


def test_publish_after_the_licence_ended_takes_it_down(store, now):
    add(store, now, "all", action="review")
    deliver(store, ninjs_item("urn:late", at=now), now, licence_days=1)
    assert review.publish(store, "urn:late", actor="ed", now=later(now, days=2)) == "expired"
    assert store.story_by_uri("urn:late").state == "takendown"


def test_an_ignored_story_can_still_be_published(store, now):
    add(store, now, "all", action="review")
    deliver(store, ninjs_item("urn:x", at=now), now)
    review.ignore(store, "urn:x", actor="ed", now=now)
    assert store.story_by_uri("urn:x").state == "ignored"
    assert review.publish(store, "urn:x", actor="ed", now=now) == "live"


# --- the console ---------------------------------------------------------------------------

def test_the_review_queue_in_the_console(console, store, now):
    add(store, now, "all", action="review")
    deliver(store, ninjs_item("urn:a", at=now, headline="Alpha waits", urgency=5), now)
    deliver(store, ninjs_item("urn:b", at=later(now, minutes=1), headline="Beta waits",
                              urgency=1), now)
    login(console)
    page = console.get("/console/review")
    assert page.status_code == 200 and page.text.index("Beta") < page.text.index("Alpha")
    by_urgency = console.get("/console/review?order=urgency").text
    assert by_urgency.index("Beta") < by_urgency.index("Alpha")
    front = console.get("/console").text
    assert 'href="/console/review"><strong>2</strong> in review' in front
    a, b = store.story_by_uri("urn:a").id, store.story_by_uri("urn:b").id
    for sid in (a, b):  # not on any reader surface while waiting
        assert console.get(f"/story/{sid}").status_code == 404
        assert console.get(f"/api/v1/stories/{sid}").status_code == 404
    assert "Alpha waits" not in console.get("/").text
    token = csrf(console, "/console/review")
    assert console.post(f"/console/stories/{a}/publish", data={}).status_code == 403
    done = console.post(f"/console/stories/{a}/publish", data={"csrf": token})
    assert done.status_code == 303 and done.headers["location"] == "/console/review?msg=published"
    assert store.story_by_uri("urn:a").state == "live"
    assert console.get(f"/story/{a}").status_code == 200
    done = console.post(f"/console/stories/{b}/ignore", data={"csrf": token})
    assert done.headers["location"] == "/console/review?msg=ignored"
    assert store.story_by_uri("urn:b").state == "ignored"
    assert console.get(f"/story/{b}").status_code == 404
    page = console.get("/console/review").text
    assert "Nothing waits for review" in page and "Beta waits" in page  # listed as ignored


def test_console_publish_refuses_a_held_story(console, store, now):
    add(store, now, "all", action="review")
    desk.apply(store, Delivery(ninjs_item("urn:h", at=now), "test", "h", now), Terms(),
               transform=hold)
    login(console)
    sid = store.story_by_uri("urn:h").id
    answer = console.post(f"/console/stories/{sid}/publish", data={"csrf": csrf(console)})
    assert answer.status_code == 409 and "held by the agency" in answer.text
    assert store.story_by_uri("urn:h").state == "withheld"


def test_rules_page_adds_tests_switches_and_removes(console, store, now):
    deliver(store, ninjs_item("urn:s", at=now, headline="Cup final tonight", subjects=SPORT), now)
    deliver(store, ninjs_item("urn:o", at=now, headline="Rates held"), now)
    login(console)
    token = csrf(console, "/console/rules")
    bad = console.post("/console/rules", data={"csrf": token, "name": "bad", "action": "review",
                                               "keyword": "(unclosed"})
    assert bad.status_code == 400 and "rule &#39;bad&#39;: keyword" in bad.text
    done = console.post("/console/rules", data={"csrf": token, "name": "sport",
                                                "action": "review",
                                                "subject": "medtop:15000000"})
    assert done.status_code == 303
    (rule,) = store.rules.all()
    assert rule.enabled is False  # the box was not ticked: off until tested
    tried = console.get("/console/rules?test=sport").text
    assert "Cup final tonight" in tried and "Rates held" not in tried
    console.post("/console/rules/sport/enable", data={"csrf": token})
    assert store.rules.get("sport").enabled
    deliver(store, ninjs_item("urn:s2", at=now, subjects=SPORT), now)
    assert store.story_by_uri("urn:s2").state == "review"
    gone = console.post("/console/rules/sport/remove", data={"csrf": token})
    assert gone.headers["location"] == "/console/rules?msg=rule-removed"
    assert store.rules.all() == []


# --- the command line ----------------------------------------------------------------------

def cli(tmp_path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, "WIREDESK_DATABASE_URL": f"sqlite:///{tmp_path / 'w.db'}"}
    env.pop("WIREDESK_SOURCES_FILE", None)
    result = subprocess.run([sys.executable, "-m", "wiredesk.cli", *args], capture_output=True,
                            text=True, env=env, timeout=120)
    if check:
        assert result.returncode == 0, result.stderr
    return result


def test_rules_and_publish_from_the_command_line(tmp_path, now):
    from wiredesk.store import Store

    cli(tmp_path, "init")
    out = cli(tmp_path, "rules", "add", "sport", "--subject", "medtop:15000000",
              "--action", "review", "--disabled").stdout
    assert "rule added: sport: review subject=medtop:15000000 (disabled)" in out
    cli(tmp_path, "rules", "add", "flash", "--agency", "AP", "--urgency-max", "1",
        "--action", "publish", "--position", "1")
    bad = cli(tmp_path, "rules", "add", "x", "--keyword", "(a", "--action", "review", check=False)
    assert bad.returncode == 2 and "rule 'x': keyword '(a' is not a valid" in bad.stderr
    dup = cli(tmp_path, "rules", "add", "flash", "--action", "review", check=False)
    assert dup.returncode == 2 and "exists already" in dup.stderr
    listed = cli(tmp_path, "rules", "list").stdout.splitlines()
    assert listed == ["  1. flash: publish agency=AP urgency<=1",
                      "  2. sport: review subject=medtop:15000000 (disabled)"]
    store = Store.open(f"sqlite:///{tmp_path / 'w.db'}")
    deliver(store, ninjs_item("urn:s", at=now, headline="Cup final", subjects=SPORT), now)
    deliver(store, ninjs_item("urn:o", at=now, headline="Rates"), now)
    tried = cli(tmp_path, "rules", "test", "sport").stdout
    assert "would match 1 of the last 2 stories (it is disabled)" in tried and "urn:s" in tried
    cli(tmp_path, "rules", "enable", "sport")
    deliver(store, ninjs_item("urn:s2", at=now, subjects=SPORT), now)
    assert store.story_by_uri("urn:s2").state == "review"
    assert "published: urn:s2" in cli(tmp_path, "publish", "urn:s2").stdout
    assert store.story_by_uri("urn:s2").state == "live"
    again = cli(tmp_path, "publish", "urn:s2", check=False)
    assert again.returncode == 2 and "not waiting for review" in again.stderr
    deliver(store, ninjs_item("urn:s3", at=now, subjects=SPORT), now)
    assert "ignored: urn:s3" in cli(tmp_path, "ignore", "urn:s3").stdout
    assert store.story_by_uri("urn:s3").state == "ignored"
    assert "removed: sport" in cli(tmp_path, "rules", "remove", "sport").stdout
    missing = cli(tmp_path, "rules", "remove", "sport", check=False)
    assert missing.returncode == 2 and "no rule named 'sport'" in missing.stderr
    store.close()


@pytest.fixture
def console(store, clock, now):
    from test_console import PASSWORD, make_client
    from wiredesk.passwords import hash_password

    store.users.set_password("ed", hash_password(PASSWORD), now)
    with make_client(store, clock) as c:
        yield c


def test_ap_advisories_and_daybooks_stay_held_under_publish_rules(store, now):
    """Real AP copy (an advisory, a daybook, an item with no `newscontent`): a rule that
    publishes everything, or Publish in the queue, shows none of them."""
    from datetime import UTC, datetime

    from conftest import FIXTURES

    day = datetime(2026, 1, 28, 20, 0, tzinfo=UTC)  # the fixtures' own day
    add(store, day, "everything", action="publish")
    outcomes = {}
    for name in ("feed.json", "feed-daybook-withhold.json"):
        report = deliver(store, (FIXTURES / "apmedia" / name).read_bytes(), day, source="ap",
                         name=name)
        outcomes.update(report.outcomes)
    # The feed's picture item goes to the picture store, never a story (issue 13).
    stories = [uri for uri, o in outcomes.items() if o is not desk.Outcome.PICTURE]
    held = [uri for uri in stories if desk.held_reason(store.story_by_uri(uri).story)]
    assert held and all(outcomes[uri] is desk.Outcome.WITHHELD for uri in held)
    for uri in held:
        assert store.story_by_uri(uri).state == "withheld"
        with pytest.raises(review.NotWaiting, match="held by the agency"):
            review.publish(store, uri, actor="ed", now=day)
