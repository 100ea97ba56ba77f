"""Wire to web, visible: each path stamps a delivery's arrival; /metrics has the histogram per
source and the console's sources page the last story's figure."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from lxml import html as lxml_html
from prometheus_client import REGISTRY

from helpers import ninjs_item
from test_console import PASSWORD, login, make_client
from wiredesk.passwords import hash_password
from wiredesk.sources.kinds import build
from wiredesk.sources.push import HEADER, sign
from wiredesk.sources.registry import add_source
from wiredesk.sources.worker import Worker


def samples(source: str) -> float:
    return REGISTRY.get_sample_value("wiredesk_wire_to_web_seconds_count",
                                     {"source": source}) or 0.0


@pytest.fixture
def console(store, clock, now):
    store.users.set_password("ed", hash_password(PASSWORD), now)
    with make_client(store, clock) as c:
        yield c


def test_a_push_is_timed_from_its_arrival_and_shown_on_the_console(console, store, now,
                                                                   monkeypatch):
    monkeypatch.setenv("LAT_SECRET", "s3cret")
    add_source(store, build("ap", "push", {"secret": "$LAT_SECRET"}), now)
    before = samples("ap")
    body = ninjs_item("urn:lat:1", at=now)
    answer = console.post("/push/ap", content=body, headers={HEADER: sign("s3cret", body)})
    assert answer.status_code == 202
    assert samples("ap") == before + 1
    (health,) = store.sources.health(now, "ap")
    assert health.last_latency is not None and 0 <= health.last_latency < 3600
    # The same bytes again change nothing: nothing new to time.
    console.post("/push/ap", content=body, headers={HEADER: sign("s3cret", body)})
    assert samples("ap") == before + 1
    login(console)
    doc = lxml_html.fromstring(console.get("/console").text)
    headers = [h.text_content() for h in doc.xpath("//table[1]//thead//th")]
    cell = doc.xpath("//table[1]//tr[th='ap']/td")[headers.index("Wire to web, last story") - 1]
    assert re.match(r"\d+ ms", cell.text_content())


def test_a_dropped_file_is_timed_from_its_rename_into_the_folder(store, tmp_path: Path, now):
    drop = tmp_path / "drop"
    drop.mkdir()
    add_source(store, build("dpa", "folder", {"path": str(drop), "every": "1s",
                                              "watch": "scan"}), now)
    (drop / "a.json").write_bytes(ninjs_item("urn:lat:f", at=now))
    before = samples("dpa")
    clock = [now]
    worker = Worker(store, clock=lambda: clock[0])
    worker.run_once()
    clock[0] = clock[0].replace(second=5)
    worker.run_once()
    assert samples("dpa") == before + 1
    assert store.sources.health(now, "dpa")[0].last_latency is not None


def test_sources_without_a_new_story_show_no_figure(console, store, now):
    add_source(store, build("quiet", "push", {"secret": "$NOPE"}), now)
    login(console)
    doc = lxml_html.fromstring(console.get("/console").text)
    row = doc.xpath("//table[1]//tr[th='quiet']")[0]
    assert row.xpath("td")[-2].text_content().strip() == "-"  # no figure, no made-up zero


def test_an_interval_counts_from_the_start_of_a_poll(store, tmp_path: Path, now):
    drop = tmp_path / "slow"
    drop.mkdir()
    add_source(store, build("slow", "folder", {"path": str(drop), "every": "10s",
                                               "watch": "scan"}), now)
    ticks = [now]

    def clock():  # every look at the clock is a second later: a poll that takes a while
        ticks[0] += timedelta(seconds=1)
        return ticks[0]

    worker = Worker(store, clock=clock)
    (claim,) = store.sources.claim_due(worker.owner, now, worker.lease, 1)
    worker.run_claim(claim)
    (health,) = store.sources.health(ticks[0], "slow")
    started = now + timedelta(seconds=1)
    assert ticks[0] - started >= timedelta(seconds=2)  # the poll took seconds
    assert health.next_poll_at == started + timedelta(seconds=10)
