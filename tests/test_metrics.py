"""/metrics in Prometheus format, and the one-line-per-event log (text or JSON lines)."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from datetime import timedelta

from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families
from starlette.testclient import TestClient

from helpers import deliver, ninjs_item
from wiredesk import desk, lifecycle, metrics
from wiredesk.cli import main
from wiredesk.config import Settings
from wiredesk.logs import JsonFormatter, formatter
from wiredesk.web.app import create_app


def value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def scrape(client: TestClient) -> dict[str, list]:
    answer = client.get("/metrics")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain; version=")
    assert answer.headers["cache-control"] == "no-store"
    return {f.name: f.samples for f in text_string_to_metric_families(answer.text)}


def test_deliveries_stories_and_parse_errors_are_counted(client, store, now):
    before = {
        "applied": value("wiredesk_deliveries_total", source="wire-m", outcome="applied"),
        "quarantined": value("wiredesk_deliveries_total", source="wire-m", outcome="quarantined"),
        "new": value("wiredesk_stories_total", source="wire-m", outcome="new"),
        "updated": value("wiredesk_stories_total", source="wire-m", outcome="updated"),
        "killed": value("wiredesk_stories_total", source="wire-m", outcome="killed"),
        "errors": value("wiredesk_parse_errors_total", format="ninjs 2.2"),
        "agency": value("wiredesk_takedown_seconds_count", kind="agency"),
    }
    deliver(store, ninjs_item(at=now), now, source="wire-m")
    deliver(store, ninjs_item(version=2, at=now), now, source="wire-m")
    deliver(store, b'{"uri": "urn:x", "urgency": "high"}', now, source="wire-m")
    deliver(store, ninjs_item(version=3, at=now, pubstatus="canceled"), now, source="wire-m")
    assert value("wiredesk_deliveries_total", source="wire-m", outcome="applied") == before["applied"] + 3
    assert value("wiredesk_deliveries_total", source="wire-m",
                 outcome="quarantined") == before["quarantined"] + 1
    assert value("wiredesk_stories_total", source="wire-m", outcome="new") == before["new"] + 1
    assert value("wiredesk_stories_total", source="wire-m", outcome="updated") == before["updated"] + 1
    assert value("wiredesk_stories_total", source="wire-m", outcome="killed") == before["killed"] + 1
    assert value("wiredesk_parse_errors_total", format="ninjs 2.2") == before["errors"] + 1
    assert value("wiredesk_takedown_seconds_count", kind="agency") == before["agency"] + 1
    families = scrape(client)
    assert any(s.labels == {"source": "wire-m", "outcome": "new"}
               for s in families["wiredesk_stories"])


def test_operator_kill_is_timed_and_logged(store, now, caplog):
    deliver(store, ninjs_item(at=now), now)
    before = value("wiredesk_takedown_seconds_count", kind="operator")
    metrics.install()
    with caplog.at_level(logging.INFO, logger="wiredesk.desk"):
        assert desk.kill(store, "urn:test:1", reason="legal", actor="ed", now=now)
        assert not desk.kill(store, "urn:test:1", reason="legal", actor="ed", now=now)
    assert value("wiredesk_takedown_seconds_count", kind="operator") == before + 1
    outcomes = [(r.uri, r.outcome) for r in caplog.records if getattr(r, "actor", None) == "ed"]
    assert outcomes == [("urn:test:1", "removed"), ("urn:test:1", "unchanged")]


def test_request_latency_is_labelled_by_route_template_not_url(client, store, now):
    deliver(store, ninjs_item(at=now), now)
    story_id = store.story_by_uri("urn:test:1").id
    route = "/story/{story_id:int}/{slug}"
    before = value("wiredesk_request_seconds_count", method="GET", route=route)
    assert client.get(f"/story/{story_id}/headline-v1").status_code == 200
    assert client.get("/story/987654/x").status_code == 404
    assert value("wiredesk_request_seconds_count", method="GET", route=route) == before + 2
    assert value("wiredesk_requests_total", method="GET", route=route, status="404") >= 1
    families = scrape(client)
    routes = {s.labels.get("route") for s in families["wiredesk_request_seconds"]}
    assert route in routes and "unmatched" not in {r for r in routes if r and "987654" in r}
    assert not any(r and str(story_id) in r.split("/") for r in routes)


def test_poll_latency_histogram_and_cache_hits(client, store, now):
    before = value("wiredesk_poll_seconds_count", source="wire-p")
    with metrics.poll_timer("wire-p"):
        pass
    assert value("wiredesk_poll_seconds_count", source="wire-p") == before + 1
    deliver(store, ninjs_item(at=now), now)
    client.get("/")
    hits = value("wiredesk_cache_hits_total", cache="pages")
    client.get("/")
    assert value("wiredesk_cache_hits_total", cache="pages") >= hits + 1
    assert "wiredesk_cache_misses" in scrape(client)


def test_metrics_can_ask_for_a_bearer_token(store, clock):
    settings = Settings(metrics_token="s3cret-token")
    with TestClient(create_app(settings, store=store, clock=clock)) as c:
        assert c.get("/metrics").status_code == 401
        assert c.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
        ok = c.get("/metrics", headers={"Authorization": "Bearer s3cret-token"})
        assert ok.status_code == 200 and "wiredesk_deliveries" in ok.text


def test_json_formatter_gives_one_line_with_the_event_fields():
    record = logging.LogRecord("wiredesk.desk", logging.INFO, __file__, 1,
                               "new %s from %s", ("urn:a\nb", "wire"), None)
    record.source, record.uri, record.outcome = "wire", "urn:a\nb", "new"
    line = JsonFormatter().format(record)
    assert "\n" not in line
    data = json.loads(line)
    assert data["source"] == "wire" and data["uri"] == "urn:a\nb" and data["outcome"] == "new"
    assert data["level"] == "info" and data["logger"] == "wiredesk.desk"
    assert data["message"] == "new urn:a\nb from wire" and data["time"].endswith("+00:00")
    assert isinstance(formatter("text"), logging.Formatter)


def test_ingest_logs_json_lines_on_request(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.json").write_bytes(ninjs_item("urn:a", headline="A"))
    (folder / "b.json").write_bytes(b"{ not json")
    env = dict(os.environ, WIREDESK_DATABASE_URL=f"sqlite:///{tmp_path / 'w.db'}",
               WIREDESK_LOG_FORMAT="json")
    subprocess.run([sys.executable, "-m", "wiredesk.cli", "init"], env=env, check=True)
    result = subprocess.run([sys.executable, "-m", "wiredesk.cli", "ingest", str(folder),
                             "--source", "drop"], capture_output=True, text=True, env=env,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    events = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    assert any({"source": "drop", "uri": "urn:a", "outcome": "new"}.items() <= e.items()
               for e in events)
    quarantined = [e for e in events if e.get("outcome") == "quarantined"]
    assert len(quarantined) == 1 and quarantined[0]["uri"].endswith("b.json")
    assert quarantined[0]["level"] == "warning" and quarantined[0]["format"]
    bad = subprocess.run([sys.executable, "-m", "wiredesk.cli", "status"], capture_output=True,
                         text=True, env={**env, "WIREDESK_LOG_FORMAT": "xml"}, timeout=60)
    assert bad.returncode == 2 and "WIREDESK_LOG_FORMAT" in bad.stderr


def test_cli_kill_is_logged_as_json_like_a_console_kill(tmp_path):
    """`wiredesk kill` goes through the desk's observers: one JSON line naming the uri, the
    reason and the actor, as the console's kill gives."""
    path = tmp_path / "a.json"
    path.write_bytes(ninjs_item("urn:a", headline="A"))
    env = dict(os.environ, WIREDESK_DATABASE_URL=f"sqlite:///{tmp_path / 'w.db'}",
               WIREDESK_LOG_FORMAT="json")
    cli = [sys.executable, "-m", "wiredesk.cli"]
    subprocess.run([*cli, "init"], check=True, capture_output=True, env=env, timeout=120)
    subprocess.run([*cli, "ingest", str(path)], check=True, capture_output=True, env=env,
                   timeout=120)
    result = subprocess.run([*cli, "kill", "urn:a", "--reason", "legal hold", "--actor", "ed"],
                            capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    events = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    assert [(e["uri"], e["reason"], e["actor"], e["outcome"]) for e in events] == [
        ("urn:a", "legal hold", "ed", "removed")]


def test_every_kind_of_takedown_is_counted(store, now):
    """Operator, agency and clock takedowns reach the same observers as deliveries."""
    metrics.install()
    kinds = ("operator", "agency", "clock")
    before = {k: value("wiredesk_takedowns_total", kind=k) for k in kinds}
    deliver(store, ninjs_item("urn:op", at=now), now)
    deliver(store, ninjs_item("urn:ag", at=now), now)
    deliver(store, ninjs_item("urn:cl", at=now), now, source="short", licence_days=1)
    main(["--database", store.url, "kill", "urn:op", "--reason", "legal"])
    deliver(store, ninjs_item("urn:ag", version=2, at=now, pubstatus="canceled"), now)
    lifecycle.tick(store, now + timedelta(days=2))
    assert {k: value("wiredesk_takedowns_total", kind=k) - before[k] for k in kinds} == {
        "operator": 1, "agency": 1, "clock": 1}
