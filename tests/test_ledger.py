"""The compliance ledger (issue 15, item 4) on both stores: a row for each thing received,
shown, lifted and taken down, with precise reasons and latencies, written with the change;
it survives the purge and the journal's pruning and holds no words; `wiredesk report` in CSV
and JSON; the edge's answers; the console's agency page with its SVG chart."""

from __future__ import annotations

import csv
import io
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from lxml import etree
from lxml import html as lxml_html

from helpers import deliver, later, ninjs_item
from test_console import login, make_client
from wiredesk import compliance, desk, lifecycle
from wiredesk.cli.main import main
from wiredesk.edge import EdgePurger
from wiredesk.passwords import hash_password

BODY = "<p>Zanzibar quokkas juggled marmalade beside the lighthouse.</p>"
BODY_WORDS = ("Zanzibar", "quokkas", "juggled", "marmalade", "lighthouse")


def kinds(store, uri):
    return [r.kind for r in store.ledger.of_story(store.story_by_uri(uri).id)]


def takedown(store, uri):
    (row,) = [r for r in store.ledger.of_story(store.story_by_uri(uri).id) if r.kind == "takedown"]
    return row


def test_received_shown_and_each_version_shown_with_hashes(store, now):
    import hashlib

    first, second = ninjs_item(at=now), ninjs_item(version=2, at=later(now, minutes=5))
    old = ninjs_item(version=0, at=later(now, minutes=-5), headline="Late and old")
    deliver(store, first, now)
    deliver(store, second, later(now, minutes=6))
    deliver(store, old, later(now, minutes=7))
    rows = store.ledger.of_story(store.story_by_uri("urn:test:1").id)
    assert [(r.kind, r.sha256) for r in rows] == [
        ("received", hashlib.sha256(first).hexdigest()), ("shown", hashlib.sha256(first).hexdigest()),
        ("received", hashlib.sha256(second).hexdigest()),
        ("version", hashlib.sha256(second).hexdigest()),
        ("received", hashlib.sha256(old).hexdigest())]  # the stale one: received, never shown
    assert [r.at for r in rows] == [now, now, *[later(now, minutes=6)] * 2, later(now, minutes=7)]
    assert {r.agency for r in rows} == {"AP"} and {r.source for r in rows} == {"test"}
    assert rows[0].size == len(first) and rows[0].format == "ninjs 2.2"


def test_embargo_lift_is_when_readers_first_saw_it(store, now):
    lifts = later(now, hours=1)
    deliver(store, ninjs_item(at=now, embargoed=lifts), now)
    assert kinds(store, "urn:test:1") == ["received"]  # held: not shown
    lifecycle.tick(store, later(lifts, seconds=7))
    rows = store.ledger.of_story(store.story_by_uri("urn:test:1").id)
    lift, shown = rows[1], rows[2]
    assert (lift.kind, lift.at, lift.done_at, lift.seconds) == ("embargo_lifted", lifts,
                                                               later(lifts, seconds=7), 7.0)
    assert shown.kind == "shown" and shown.at == lifts and shown.sha256 == rows[0].sha256


def test_takedowns_say_why_precisely_and_how_long_they_took(store, now):
    deliver(store, ninjs_item("urn:kill", at=now), now)
    deliver(store, ninjs_item("urn:expires", at=now, expires=later(now, hours=2)), now)
    deliver(store, ninjs_item("urn:licence", at=now), now, source="short", licence_days=1)
    deliver(store, ninjs_item("urn:operator", at=now), now)
    deliver(store, ninjs_item("urn:kill", version=2, at=now, pubstatus="canceled"),
            later(now, minutes=30))
    desk.kill(store, "urn:operator", reason="legal", actor="alice (console)",
              now=later(now, minutes=40))
    lifecycle.tick(store, later(now, hours=2, minutes=5))  # the agency's expiry, 5 min late
    lifecycle.tick(store, later(now, days=1, seconds=3))  # the licence, 3 s late

    kill = takedown(store, "urn:kill")
    assert (kill.reason, kill.actor, kill.due_at, kill.shown) == (
        "agency-kill", "AP", later(now, minutes=30), True)
    assert 0 <= kill.seconds < 60 and kill.done_at == kill.due_at + timedelta(seconds=kill.seconds)
    operator = takedown(store, "urn:operator")
    assert (operator.reason, operator.actor) == ("operator", "alice (console)")
    expiry = takedown(store, "urn:expires")
    assert (expiry.reason, expiry.due_at) == ("agency-expiry", later(now, hours=2))
    assert 300 <= expiry.seconds < 360
    licence = takedown(store, "urn:licence")
    assert (licence.reason, licence.licence_days) == ("licence", 1)
    assert 3 <= licence.seconds < 60
    words = {uri: compliance.reason_words(takedown(store, uri)) for uri in (
        "urn:kill", "urn:expires", "urn:licence", "urn:operator")}
    assert words == {"urn:kill": "agency kill (AP)", "urn:expires": "agency expiry",
                     "urn:licence": "licence window of 1 day",
                     "urn:operator": "removed by operator alice (console)"}


def test_a_story_that_arrives_expired_or_is_killed_unseen_was_never_shown(store, now):
    deliver(store, ninjs_item("urn:old", at=now - timedelta(days=40)), now)
    deliver(store, ninjs_item("urn:never", at=now, pubstatus="canceled"), now)
    assert kinds(store, "urn:old") == ["received", "takedown"]
    assert takedown(store, "urn:old").shown is False
    assert takedown(store, "urn:never").shown is False


def test_a_rolled_back_delivery_leaves_no_ledger_rows(store, now):
    with pytest.raises(RuntimeError), store.write() as w:
        w.ensure_source("test", now, agency=None, licence_days=30)
        from wiredesk import formats

        (story,) = formats.parse(ninjs_item(at=now))
        locked = w.create_story(story, source="test", firstcreated=now, versioncreated=now,
                                now=now)
        w.add_version(locked.id, story, versioncreated=now, received_at=now, source="test",
                      delivery_name=None)
        raise RuntimeError("the disk is full")
    assert store.ledger.agencies() == []


def test_the_ledger_survives_the_purge_and_the_journal_pruning_and_holds_no_words(store_url,
                                                                                   store, now,
                                                                                   capsys):
    deliver(store, ninjs_item(at=now, body=BODY, headline="Quokka marmalade headline"), now)
    deliver(store, ninjs_item(version=2, at=now, pubstatus="canceled"), later(now, minutes=1))
    record = store.story_by_uri("urn:test:1")
    assert record.state == "takendown" and record.story.body.html == ""  # purged with the kill
    assert all(store.raw_bytes(v.raw_sha256) is None for v in store.history(record.id))
    lifecycle.tick(store, later(now, days=400))
    store.journal.prune(later(now, days=400), keep=timedelta(0))
    assert main(["--database", store_url, "report", "--agency", "ap", "--format", "csv"]) == 0
    out = capsys.readouterr().out
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 1 and rows[0]["uri"] == "urn:test:1"
    assert rows[0]["takedown_reason"] == "agency kill (AP)" and rows[0]["late"] == "no"
    assert 0 <= float(rows[0]["takedown_seconds"]) < 60
    assert rows[0]["received_sha256"] == store.history(record.id)[0].raw_sha256
    assert main(["--database", store_url, "report", "--agency", "AP", "--format", "json"]) == 0
    data = capsys.readouterr().out
    for text in (out, data):
        assert not any(word.lower() in text.lower() for word in BODY_WORDS)
        assert "quokka" not in text.lower()  # nor of its headline


def test_report_csv_and_json_and_their_errors(store_url, store, now, capsys):
    deliver(store, ninjs_item("urn:a", at=now), now)
    deliver(store, ninjs_item("urn:b", at=now, expires=later(now, hours=1)), now)
    deliver(store, ninjs_item("urn:c", at=later(now, days=3)), later(now, days=3))
    lifecycle.tick(store, later(now, hours=3))  # two hours late: a late takedown
    args = ["--database", store_url, "report", "--agency", "AP"]
    assert main([*args, "--from", "2026-11-29", "--to", "2026-11-30"]) == 0
    out = capsys.readouterr().out
    header, *lines = out.splitlines()
    assert tuple(header.split(",")) == compliance.CSV_COLUMNS
    found = {r["uri"]: r for r in csv.DictReader(io.StringIO(out))}
    assert set(found) == {"urn:a", "urn:b"}  # urn:c came after the period
    assert found["urn:b"]["late"] == "yes" and found["urn:b"]["takedown_reason"] == "agency expiry"
    assert float(found["urn:b"]["takedown_seconds"]) >= 7200
    assert found["urn:a"]["takedown_reason"] == "" and found["urn:a"]["versions_shown"] == "1"
    assert main([*args, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["agency"] == "AP" and data["summary"]["stories"] == 3
    assert data["summary"]["late"] == ["urn:b"] and data["summary"]["takedowns"] == 1
    assert data["summary"]["latency_seconds"]["max"] >= 7200
    assert data["by_day"] == [{"day": "2026-11-29", "takedowns": 1,
                               "p50_seconds": data["summary"]["latency_seconds"]["p50"],
                               "max_seconds": data["summary"]["latency_seconds"]["max"]}]
    assert {s["uri"] for s in data["stories"]} == {"urn:a", "urn:b", "urn:c"}
    for bad, message in ((["--from", "29/11/2026"], "--from: expected a date like"),
                         (["--from", "2026-11-30", "--to", "2026-11-29"], "is before --from"),
                         (["--to", "tomorrow"], "--to: expected a date like")):
        assert main([*args, *bad]) == 2
        assert message in capsys.readouterr().err
    assert main(["--database", store_url, "report", "--agency", "Reuters"]) == 2
    assert "unknown agency 'Reuters': the ledger knows AP" in capsys.readouterr().err


class Edge(BaseHTTPRequestHandler):
    failing = 0

    def do_POST(self):  # noqa: N802
        self.send_response(503 if Edge.failing else 200)
        Edge.failing = max(0, Edge.failing - 1)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def test_each_purge_of_a_takedown_and_the_edges_answer_are_in_the_ledger(store, now):
    server = HTTPServer(("127.0.0.1", 0), Edge)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        purger = EdgePurger(store, f"http://127.0.0.1:{server.server_port}/purge", ["front"])
        deliver(store, ninjs_item("urn:a", at=now), now)
        purger.start_cursor()
        desk.kill(store, "urn:a", reason="legal", actor="ed", now=now)
        Edge.failing = 1
        assert not purger.drain() and purger.drain()
        purger.client.close()
    finally:
        server.shutdown()
    purges = [r for r in store.ledger.of_story(store.story_by_uri("urn:a").id)
              if r.kind == "cdn_purge"]
    assert [(r.reason, r.answer) for r in purges] == [("failed", "HTTP 503"), ("ok", "HTTP 200")]
    report = compliance.build(store, "AP", now)
    (line,) = report.stories
    assert line.last_purge.answer == "HTTP 200"
    assert compliance.to_csv(report).splitlines()[1].endswith(",HTTP 200")


def test_the_console_page_per_agency_with_its_svg_chart(store, clock, now):
    store.users.set_password("ed", hash_password("correct horse battery"), now)
    deliver(store, ninjs_item("urn:old", at=later(now, days=-3)), later(now, days=-3))
    deliver(store, ninjs_item("urn:a", at=now, expires=later(now, hours=1)), now)
    deliver(store, ninjs_item("urn:b", at=now), now)
    lifecycle.tick(store, later(now, hours=1, minutes=2))
    desk.kill(store, "urn:b", reason="legal", actor="ed", now=later(now, hours=2))
    clock.now = later(now, hours=3)
    with make_client(store, clock) as c:
        login(c)
        overview = c.get("/console/ledger")
        assert overview.status_code == 200 and 'href="/console/ledger/AP"' in overview.text
        page = c.get("/console/ledger/ap")
        assert page.status_code == 200
        doc = lxml_html.fromstring(page.text)
        counts = doc.xpath("//ul[@class='counts']")[0].text_content()
        assert "3 stories carried" in " ".join(counts.split())
        assert "1 late" in " ".join(counts.split())
        (svg,) = doc.xpath("//svg")
        assert svg.get("role") == "img" and svg.get("aria-labelledby") == "latency-title latency-desc"
        assert "Takedown latency by day, AP" in svg.xpath("./title")[0].text_content()
        assert "2 takedowns on 1 of 30 days" in svg.xpath("./desc")[0].text_content()
        assert len(svg.xpath(".//rect")) == 1 and not doc.xpath("//svg//script")
        etree.fromstring(etree.tostring(svg))  # well-formed markup
        assert "urn:a" in doc.xpath("//h2[.='Late takedowns']/following-sibling::*[1]")[0].text_content()
        assert "Oldest live story: urn:old" in " ".join(doc.xpath("//p[@class='oldest']")[0]
                                                            .text_content().split())
        exported = c.get("/console/ledger/AP/report.csv?from=2026-11-29&to=2026-11-29")
        assert exported.status_code == 200 and exported.text.startswith("uri,agency,")
        assert "urn:old" not in exported.text and "urn:a" in exported.text
        assert c.get("/console/ledger/Nobody").status_code == 404
        assert c.get("/console/ledger/AP?from=yesterday").status_code == 400
        assert c.get("/console/ledger/AP/report.xml").status_code == 404
