"""Warnings where they are stored and shown (the version, the console, `wiredesk parse
--warnings`, /metrics), and holds honoured everywhere: an item the agency says is not for
readers, or whose text is still to be fetched, is stored withheld with the reason in the
console, whatever its pubstatus. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime

import pytest
from lxml import html as lxml_html
from prometheus_client import REGISTRY
from starlette.testclient import TestClient

from conftest import FIXTURES
from helpers import deliver, later, ninjs_item
from wiredesk import desk
from wiredesk.config import Settings
from wiredesk.passwords import hash_password
from wiredesk.story import Delivery
from wiredesk.terms import Terms
from wiredesk.web.app import create_app

AP = FIXTURES / "apmedia"
SD = FIXTURES / "superdesk"
FED = "tag:ap.org,2011:6f2a8e1c0b3d4e5f9a7b0c1d2e3f4a5b"
PASSWORD = "correct horse battery"


@pytest.fixture
def now() -> datetime:
    """The fixtures' own day (January 2026), so their licences have not run out."""
    return datetime(2026, 1, 28, 20, 0, tzinfo=UTC)


def console_client(store, clock, now) -> TestClient:
    store.users.set_password("ed", hash_password(PASSWORD), now)
    c = TestClient(create_app(Settings(site_name="Example News", base_url="https://news.example",
                                       rate_login=1000), store=store, clock=clock),
                   base_url="https://news.example", follow_redirects=False)
    page = c.get("/console/login")
    doc = lxml_html.fromstring(page.text)
    token = doc.xpath("//input[@name='token']/@value")[0]
    answer = c.post("/console/login", data={"name": "ed", "password": PASSWORD, "token": token,
                                            "next": "/console"})
    assert answer.status_code == 303
    return c


def test_an_ap_advisory_is_stored_withheld_with_its_reason(store, now):
    report = deliver(store, (AP / "feed.json").read_bytes(), now, source="ap")
    outcomes = dict(report.outcomes)
    assert outcomes[FED] is desk.Outcome.WITHHELD  # waiting for its NITF text
    # The feed's picture item goes to the picture store (issue 13), never a story of its own.
    assert desk.Outcome.PICTURE in outcomes.values()
    advisory = next(uri for uri, o in outcomes.items() if uri != FED and o is not desk.Outcome.PICTURE)
    assert outcomes[advisory] is desk.Outcome.WITHHELD
    record = store.story_by_uri(advisory)
    assert record.state == "withheld"
    assert desk.held_reason(record.story) == "AP advisory: for editors, not for publication"
    waiting = store.story_by_uri(FED)
    assert waiting.state == "withheld" and waiting.story.body_href.endswith("format=NITF")
    assert desk.held_reason(waiting.story).startswith("waiting for its text from https://api.ap.org/")


def test_a_hold_takes_a_live_story_from_readers_whatever_its_pubstatus(store, now, client):
    deliver(store, ninjs_item("urn:h:1", at=now, headline="Harbour reopens"), now)
    assert store.story_by_uri("urn:h:1").state == "live"
    assert "Harbour reopens" in client.get("/").text

    def hold(stories, _delivery):
        return [s.with_changes(hold="marked not for publication") for s in stories]

    v2 = ninjs_item("urn:h:1", version=2, at=later(now, minutes=1), headline="Harbour shut",
                    pubstatus="usable")
    report = desk.apply(store, Delivery(v2, "test", "v2", later(now, minutes=1)), Terms(),
                        transform=hold)
    assert report.outcomes == [("urn:h:1", desk.Outcome.WITHHELD)]
    record = store.story_by_uri("urn:h:1")
    assert record.state == "withheld" and record.story.hold == "marked not for publication"
    front = client.get("/").text
    assert "Harbour reopens" not in front and "Harbour shut" not in front
    assert client.get(f"/story/{record.id}").status_code in (404, 410)


def test_warnings_are_stored_with_the_version_and_listed_in_the_console(store, clock, now):
    report = deliver(store, (SD / "update-no-headline.json").read_bytes(), now, source="sd")
    assert report.warnings == {"superdesk": 1}
    record = store.story_by_uri(json.loads((SD / "update-no-headline.json").read_bytes())["guid"])
    assert [(w.field, w.action) for w in record.story.warnings] == [
        ("headline", "derived from the first sentence of the body")]
    deliver(store, (AP / "item-story.json").read_bytes(), now, source="ap")
    with console_client(store, clock, now) as c:
        page = c.get(f"/console/stories/{record.id}").text
        assert "Warnings" in page and "derived from the first sentence of the body" in page
        waiting = store.story_by_uri(FED)
        page = c.get(f"/console/stories/{waiting.id}").text
        assert "Held from readers" in page and "waiting for its text from" in page


def test_warnings_are_counted_in_metrics_by_format(store, now, client):
    def count() -> float:
        return REGISTRY.get_sample_value("wiredesk_parse_warnings_total",
                                         {"format": "superdesk"}) or 0.0

    before = count()
    deliver(store, (SD / "embargo-odd-fields.json").read_bytes(), now, source="sd")
    assert count() == before + 2  # urgency and keywords dropped
    assert "wiredesk_parse_warnings_total" in client.get("/metrics").text


def test_a_story_with_neither_headline_nor_body_is_quarantined(store, now):
    report = deliver(store, b'{"guid": "g1", "priority": 5, "slugline": "X"}', now)
    assert report.error and "neither" in report.error
    assert report.outcomes[0][1] is desk.Outcome.QUARANTINED


def test_cli_parse_warnings_go_to_stderr(tmp_path):
    env = dict(os.environ, PYTHONPATH="src")
    files = [str(SD / "embargo-odd-fields.json"), str(AP / "feed.json")]
    plain = subprocess.run([sys.executable, "-m", "wiredesk.cli", "parse", *files],
                           capture_output=True, text=True, env=env, timeout=120)
    assert plain.returncode == 0 and plain.stderr == ""
    result = subprocess.run([sys.executable, "-m", "wiredesk.cli", "parse", "--warnings", *files],
                            capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0
    assert result.stdout == plain.stdout  # the ninjs on stdout is the same
    assert "embargo-odd-fields.json: urn:newsml:" in result.stderr
    assert "warning: urgency: expected a number from 0 to 9, got 'high': dropped" in result.stderr
    assert "warning: keywords: expected a list, got str: dropped" in result.stderr
    assert "held: AP advisory: for editors, not for publication" in result.stderr
