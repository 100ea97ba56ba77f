"""No secret in any public answer, and none in a copy of the database.

Source details answer only a console session or the API token; URLs are masked wherever
they are shown (one function, masking.py); inline secrets are stored sealed."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from helpers import ninjs_item
from test_console import PASSWORD, login, make_client
from wiredesk.cli.main import main
from wiredesk.config import Settings
from wiredesk.masking import mask_text, mask_url
from wiredesk.passwords import hash_password
from wiredesk.sources import sealed
from wiredesk.sources.config import ConfigError
from wiredesk.sources.kinds import build
from wiredesk.sources.push import accept, sign
from wiredesk.sources.registry import add_source, config_of
from wiredesk.sources.worker import Worker
from wiredesk.store.schema import source_state
from wiredesk.store.schema import sources as sources_table
from wiredesk.web.app import create_app

URL = "https://ed:hunter2pw@wire.example/feed?ApiKey=K3Y-123&q=world&Signature=s1g"
SHOWN = "https://***@wire.example/feed?ApiKey=***&q=world&Signature=***"
TOKEN = "api-token-for-tests"
SECRETS = ("hunter2pw", "K3Y-123", "s1g", "bear3r-t0ken", "basic-pa55", "hdr-va1ue",
           "push-s3cret")


def add_all(store, now):
    made = [
        build("wire", "http", {"url": URL, "auth": "bearer:bear3r-t0ken"}),
        build("basic", "http", {"url": "https://b.example/", "auth": "basic:ed:basic-pa55"}),
        build("hdr", "http", {"url": "https://h.example/", "auth": "header:X-Key:hdr-va1ue"}),
        build("ap", "push", {"secret": "push-s3cret", "agency": "AP"}),
    ]
    for cfg in made:
        add_source(store, cfg, now, check=False)


def raw_sources(store) -> str:
    with store.engine.connect() as c:
        return json.dumps([list(map(str, row)) for row in c.execute(select(sources_table))])


@pytest.mark.parametrize("url, shown", [
    (URL, SHOWN),
    ("http://u@h.example:8080/x", "http://***@h.example:8080/x"),
    ("https://h.example/a?key=1;token=2&access_token=3&api_key=4&secret=5&password=6&sig=7",
     "https://h.example/a?key=***;token=***&access_token=***&api_key=***&secret=***"
     "&password=***&sig=***"),
    ("https://h.example/a?keyword=news&monkey=1", "https://h.example/a?keyword=news&monkey=1"),
    ("https://h.example/%61pikey?APIKEY=x", "https://h.example/%61pikey?APIKEY=***"),
])
def test_one_function_masks_userinfo_and_secret_query_values(url, shown):
    assert mask_url(url) == shown
    assert mask_text(f"cannot fetch {url}: refused") == f"cannot fetch {shown}: refused"


def test_a_copy_of_the_database_holds_no_inline_secret(store, now):
    add_all(store, now)
    raw = raw_sources(store)
    assert sealed.PREFIX in raw
    assert not [s for s in SECRETS if s in raw]
    wire = config_of(store.sources.get("wire"))
    assert wire.auth.headers() == {"Authorization": "Bearer bear3r-t0ken"} and wire.url == URL
    plain_url = config_of(store.sources.get("basic")).url
    assert store.sources.get("basic").settings["url"] == plain_url  # nothing secret: as it is
    body = ninjs_item("urn:ap:1", at=now)
    ap = config_of(store.sources.get("ap"))
    assert accept(store, ap, body, sign("push-s3cret", body), content_type=None,
                  now=now).status == 202


def test_without_a_key_inline_secrets_are_refused_and_env_names_work(store, now, monkeypatch):
    monkeypatch.delenv("WIREDESK_SECRET_KEY")
    with pytest.raises(ConfigError, match=r"source ap: secret is given inline.*\$NAME.*"
                                          "WIREDESK_SECRET_KEY"):
        add_source(store, build("ap", "push", {"secret": "push-s3cret"}), now, check=False)
    assert store.sources.get("ap") is None
    monkeypatch.setenv("AP_SECRET", "from-env")
    add_source(store, build("ap", "push", {"secret": "$AP_SECRET"}), now, check=False)
    assert store.sources.get("ap").settings["secret"] == "$AP_SECRET"


def test_plain_secrets_stored_before_keep_working_and_are_sealed_when_saved(store, now):
    store.sources.add("ap", kind="push", agency="AP", licence_days=30,
                      settings={"secret": "push-s3cret", "max_bytes": 1024}, polled=False,
                      now=now)
    cfg = config_of(store.sources.get("ap"))
    body = ninjs_item("urn:ap:2", at=now)
    assert accept(store, cfg, body, sign("push-s3cret", body), content_type=None,
                  now=now).status == 202
    add_source(store, build("ap", "push", {"secret": "push-s3cret", "agency": "AP",
                                           "max_bytes": 1024}), now + timedelta(minutes=1),
               check=False, replace=True)
    assert "push-s3cret" not in raw_sources(store)
    assert store.sources.health(now)[0].last_success_at == now  # health kept: a quiet change
    # Saved again unchanged: nothing changes (sealing anew would look like a change).
    assert not add_source(store, build("ap", "push", {"secret": "push-s3cret", "agency": "AP",
                                                      "max_bytes": 1024}), now, check=False,
                          replace=True)


@pytest.fixture
def api(store, now):
    add_all(store, now)
    store.sources.record_result("wire", now, f"cannot fetch {URL}: connection refused")
    with TestClient(create_app(Settings(api_token=TOKEN), store=store,
                               clock=lambda: now)) as client:
        yield client


@pytest.mark.parametrize("path", ["/api/v1/sources", "/api/v1/sources/wire"])
def test_source_details_need_credentials(api, path):
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic eDp5"}):
        answer = api.get(path, headers=headers)
        assert answer.status_code == 401 and answer.headers["www-authenticate"].startswith("Bearer")
        assert answer.json()["error"] and "no-store" in answer.headers["cache-control"]
        assert not [s for s in SECRETS if s in answer.text]


def test_with_the_token_urls_are_masked(api):
    answer = api.get("/api/v1/sources/wire", headers={"Authorization": f"Bearer {TOKEN}"})
    assert answer.status_code == 200
    info = answer.json()
    assert info["settings"]["url"] == SHOWN and info["settings"]["auth"]["secret"] == "***"
    assert info["health"]["last_error"]["message"] == f"cannot fetch {SHOWN}: connection refused"
    listing = api.get("/api/v1/sources", headers={"Authorization": f"Bearer {TOKEN}"})
    assert listing.status_code == 200 and not [s for s in SECRETS if s in listing.text]


def test_a_console_session_may_read_them_without_a_token(store, clock, now):
    add_all(store, now)
    store.users.set_password("ed", hash_password(PASSWORD), now)
    with make_client(store, clock) as c:
        assert c.get("/api/v1/sources").status_code == 401
        login(c)
        answer = c.get("/api/v1/sources")
        assert answer.status_code == 200 and len(answer.json()["sources"]) == 4
        assert not [s for s in SECRETS if s in answer.text]


def test_the_openapi_description_documents_the_scheme_and_401(api):
    spec = api.get("/api/v1/openapi.json").json()
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    for path in ("/api/v1/sources", "/api/v1/sources/{name}"):
        op = spec["paths"][path]["get"]
        assert "401" in op["responses"] and {"bearer": []} in op["security"]


def test_the_console_shows_urls_and_errors_masked(store, clock, now):
    add_all(store, now)
    store.sources.record_result("wire", now, f"cannot fetch {URL}: connection refused")
    store.users.set_password("ed", hash_password(PASSWORD), now)
    with make_client(store, clock) as c:
        login(c)
        page = c.get("/console").text
    assert SHOWN.replace("&", "&amp;") in page and not [s for s in SECRETS if s in page]


def test_the_cli_shows_urls_and_errors_masked(store, store_url, now, capsys):
    add_all(store, now)
    store.sources.record_result("wire", now, f"cannot fetch {URL}: connection refused")
    for args in (["sources", "list"], ["sources", "show", "wire"],
                 ["sources", "show", "wire", "--json"], ["status", "--json"]):
        assert main(["--database", store_url, *args]) == 0
        out = capsys.readouterr().out
        assert not [s for s in SECRETS if s in out], args
    assert main(["--database", store_url, "sources", "show", "wire"]) == 0
    assert SHOWN in capsys.readouterr().out


def test_a_url_with_a_key_stored_plain_before_is_sealed_quietly(store, now):
    stored = build("wire", "http", {"url": URL}).settings()
    store.sources.add("wire", kind="http", agency=None, licence_days=30,
                      settings=json.loads(json.dumps(stored)), polled=True, now=now)
    assert config_of(store.sources.get("wire")).url == URL
    add_source(store, build("wire", "http", {"url": URL}), now, check=False, replace=True)
    assert "K3Y-123" not in raw_sources(store)
    assert config_of(store.sources.get("wire")).url == URL


def test_a_failed_probe_names_the_url_masked(store_url, capsys):
    url = "http://ed:hunter2pw@127.0.0.1:9/feed?apikey=K3Y-123"
    assert main(["--database", store_url, "init"]) == 0  # a store to add to
    assert main(["--database", store_url, "sources", "add", "w", "--kind", "http", "--url", url,
                 "--allow-private"]) == 2
    err = capsys.readouterr().err
    assert "wiredesk: source w:" in err and "hunter2pw" not in err and "K3Y-123" not in err


def test_the_worker_logs_and_keeps_source_errors_masked(store, now, caplog):
    url = "http://ed:hunter2pw@127.0.0.1:9/feed?apikey=K3Y-123"
    add_source(store, build("w", "http", {"url": url, "allow_private": True}), now, check=False)
    with caplog.at_level("DEBUG", logger="wiredesk"):
        Worker(store, clock=lambda: now).run_once()
    (health,) = store.sources.health(now)
    assert health.last_error and "127.0.0.1:9" in health.last_error
    for text in (caplog.text, health.last_error, raw_sources(store)):
        assert "hunter2pw" not in text and "K3Y-123" not in text
    with store.engine.connect() as c:
        kept = c.execute(select(source_state.c.last_error)).scalar_one()
    assert "apikey=***" in kept
