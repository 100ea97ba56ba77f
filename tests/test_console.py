"""The operator console over a real store (SQLite and PostgreSQL): login, cookies, CSRF,
lockout, and every page an operator works with."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import timedelta

import pytest
from lxml import html as lxml_html
from starlette.testclient import TestClient

from helpers import deliver, later, ninjs_item
from wiredesk import formats
from wiredesk.config import Settings
from wiredesk.formats import FormatError
from wiredesk.passwords import hash_password
from wiredesk.store import Store
from wiredesk.web.app import create_app
from wiredesk.web.auth import Auth

PASSWORD = "correct horse battery"
SITE = "https://news.example"


def make_client(store, clock, *, base_url: str = SITE, **settings: object) -> TestClient:
    cfg = Settings(site_name="Example News", base_url=base_url,
                   **{"rate_login": 1000, **settings})  # type: ignore[arg-type]
    client = TestClient(create_app(cfg, store=store, clock=clock), base_url=base_url,
                        follow_redirects=False)
    return client


def starlette_app(client: TestClient):  # type: ignore[no-untyped-def]
    """The Starlette app inside whatever wraps it (the page cache sits outermost)."""
    app = client.app
    while not hasattr(app, "routes"):
        app = app.app  # type: ignore[attr-defined]
    return app


@pytest.fixture
def console(store, clock, now):
    store.users.set_password("ed", hash_password(PASSWORD), now)
    with make_client(store, clock) as c:
        yield c


def form_token(page_html: str, name: str) -> str:
    doc = lxml_html.fromstring(page_html)
    return doc.xpath(f"//input[@name='{name}']/@value")[0]


def login(c: TestClient, name: str = "ed", password: str = PASSWORD, next_: str = ""):
    page = c.get("/console/login" + (f"?next={next_}" if next_ else ""))
    assert page.status_code == 200
    return c.post("/console/login", data={"name": name, "password": password,
                                          "token": form_token(page.text, "token"),
                                          "next": next_ or form_token(page.text, "next")})


def csrf(c: TestClient, path: str = "/console") -> str:
    return form_token(c.get(path).text, "csrf")


def test_every_console_page_redirects_to_login_without_a_session(console):
    paths = [r.path for r in starlette_app(console).routes if getattr(r, "path", "").startswith("/console")]
    assert len(paths) >= 10
    for path in paths:
        if path == "/console/login":
            continue
        url = (path.replace("{story_id:int}", "1").replace("{item_id:int}", "1")
               .replace("{name}", "x").replace("{action:str}", "pause"))
        for method in ("GET", "POST"):
            answer = console.request(method, url)
            assert answer.status_code == 303, (method, url)
            assert answer.headers["location"].startswith("/console/login?next=/console")


def test_login_sets_a_hardened_session_cookie_and_opens_the_console(console):
    answer = login(console, next_="/console/takedowns")
    assert answer.status_code == 303 and answer.headers["location"] == "/console/takedowns"
    cookie = next(v for k, v in answer.headers.multi_items()
                  if k == "set-cookie" and v.startswith("__Host-wd_session="))
    flags = {part.strip().lower() for part in cookie.split(";")}
    assert {"httponly", "secure", "samesite=strict", "path=/"} <= flags
    page = console.get("/console")
    assert page.status_code == 200 and "Sources" in page.text
    assert page.headers["cache-control"] == "no-store"


def test_without_https_the_cookie_is_not_secure(store, clock, now):
    store.users.set_password("ed", hash_password(PASSWORD), now)
    with make_client(store, clock, base_url="http://127.0.0.1:8000") as c:
        answer = login(c)
        cookie = next(v for k, v in answer.headers.multi_items()
                      if k == "set-cookie" and v.startswith("wd_session="))
        assert "secure" not in cookie.lower() and "httponly" in cookie.lower()
        assert c.get("/console").status_code == 200


def test_next_after_login_never_leaves_the_console(console):
    for target in ("https://evil.example/", "//evil.example", "/story/1", "/console/../x",
                   "/console\\@evil.example"):
        console.cookies.clear()
        assert login(console, next_=target).headers["location"] == "/console"


def test_wrong_password_and_forged_or_ended_sessions_are_refused(console):
    answer = login(console, password="wrong password")
    assert answer.status_code == 401 and "Wrong name or password" in answer.text
    assert login(console, name="nobody").status_code == 401
    assert login(console).status_code == 303
    real = console.cookies.get("__Host-wd_session")
    token, _, mac = real.rpartition(".")
    console.cookies.set("__Host-wd_session", token + "." + "0" * len(mac))
    assert console.get("/console").status_code == 303
    console.cookies.set("__Host-wd_session", real)
    assert console.post("/console/logout", data={"csrf": csrf(console)}).status_code == 303
    console.cookies.set("__Host-wd_session", real)  # a copy kept after logout opens nothing
    assert console.get("/console").status_code == 303


def test_five_failures_lock_the_name_for_fifteen_minutes(console, clock):
    for _ in range(4):
        assert login(console, password="wrong password").status_code == 401
    fifth = login(console, password="wrong password")
    assert fifth.status_code == 429  # the fifth failure says so at once
    locked = login(console)  # the right password, but locked
    assert locked.status_code == 429 and "Too many failed logins" in locked.text
    assert int(locked.headers["retry-after"]) > 0
    clock.now = later(clock.now, minutes=14)
    assert login(console).status_code == 429
    clock.now = later(clock.now, minutes=1, seconds=1)
    assert login(console).status_code == 303


def test_five_failures_from_one_address_lock_that_address_for_every_name(store, clock, now):
    users = store.users
    users.set_password("ed", hash_password(PASSWORD), now)
    with make_client(store, clock) as c:
        for n in range(4):
            assert login(c, name=f"guess{n}", password="wrong password").status_code == 401
        assert login(c, name="guess4", password="wrong password").status_code == 429
        assert login(c).status_code == 429
    other = make_client(store, clock)  # a client from another address is not locked out
    with TestClient(other.app, base_url=SITE, follow_redirects=False,
                    client=("10.0.0.2", 5000)) as c2:
        assert login(c2).status_code == 303


def test_every_form_needs_its_csrf_token(console, store, now):
    deliver(store, ninjs_item(at=now), now)
    story_id = store.story_by_uri("urn:test:1").id
    login(console)
    for path in (f"/console/stories/{story_id}/kill", "/console/logout",
                 "/console/sources/test/pause"):
        for data in ({"reason": "x"}, {"reason": "x", "csrf": "forged"}):
            answer = console.post(path, data=data)
            assert answer.status_code == 403, path
    assert store.story_by_uri("urn:test:1").state == "live"
    page = console.get("/console/login")  # logged in: the login page sends you on
    assert page.status_code == 303
    console.cookies.clear()
    no_token = console.post("/console/login", data={"name": "ed", "password": PASSWORD})
    assert no_token.status_code == 400 and "expired" in no_token.text


def test_kill_needs_a_reason_and_lands_in_the_takedown_log(console, store, now):
    deliver(store, ninjs_item(at=now, headline="Story to kill"), now)
    record = store.story_by_uri("urn:test:1")
    login(console)
    token = csrf(console, f"/console/stories/{record.id}")
    blank = console.post(f"/console/stories/{record.id}/kill", data={"csrf": token,
                                                                      "reason": "   "})
    assert blank.status_code == 400 and "needs a reason" in blank.text
    assert store.story_by_uri("urn:test:1").state == "live"
    unconfirmed = console.post(f"/console/stories/{record.id}/kill",
                               data={"csrf": token, "reason": "Legal"})
    assert unconfirmed.status_code == 400 and "confirm" in unconfirmed.text
    assert store.story_by_uri("urn:test:1").state == "live"
    done = console.post(f"/console/stories/{record.id}/kill",
                        data={"csrf": token, "reason": "Legal: <b>court order</b> 12/3",
                              "confirm": "yes"})
    assert done.status_code == 303 and done.headers["location"] == "/console/takedowns?msg=killed"
    assert console.get(f"/story/{record.id}").status_code == 410
    log = console.get("/console/takedowns")
    assert "Story to kill" in log.text and "ed (console)" in log.text
    assert "Legal: &lt;b&gt;court order&lt;/b&gt; 12/3" in log.text
    (entry,) = store.takedowns()
    assert entry.reason == "removed" and entry.actor == "ed (console)"
    page = console.get(f"/console/stories/{record.id}")
    assert "Kill this story" not in page.text and "takendown" in page.text


def test_versions_side_by_side_with_a_word_diff(console, store, now):
    deliver(store, ninjs_item(at=now, headline="Storm nears Tokyo",
                              body="<p>The storm hit Tokyo on Monday.</p>"), now)
    deliver(store, ninjs_item(version=2, at=later(now, minutes=5), headline="Storm hits Osaka",
                              body="<p>The storm hit Osaka &lt;b&gt; on Monday night.</p>"), now)
    record = store.story_by_uri("urn:test:1")
    login(console)
    page = console.get(f"/console/stories/{record.id}")
    assert page.status_code == 200
    doc = lxml_html.fromstring(page.text)
    deleted = [e.text_content() for e in doc.xpath("//div[@class='diff']//del")]
    inserted = [e.text_content() for e in doc.xpath("//div[@class='diff']//ins")]
    assert deleted == ["Tokyo", "Monday."]
    assert inserted == ["Osaka <b>", "Monday night."]
    assert "&lt;b&gt;" in page.text  # the agency's text, escaped, never markup
    fields = doc.xpath("//table[contains(@class,'fields')]//tr[th='Headline']")[0]
    assert "Storm nears Tokyo" in fields.text_content() and "Storm hits Osaka" in fields.text_content()


def test_quarantine_preview_is_escaped_and_discard_closes_it(console, store, now):
    bad = b'{"uri": <script>alert(1)</script>\x00\xff'
    report = deliver(store, bad, now, name="bad.json")
    assert report.error
    (row,) = store.quarantine.records()
    login(console)
    listing = console.get("/console/quarantine")
    assert f"/console/quarantine/{row.id}" in listing.text
    page = console.get(f"/console/quarantine/{row.id}")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text and "<script>alert" not in page.text
    assert "\ufffd" in lxml_html.fromstring(page.text).xpath("string(//pre)")
    answer = console.post(f"/console/quarantine/{row.id}/discard",
                          data={"csrf": form_token(page.text, "csrf")})
    assert answer.status_code == 303 and answer.headers["location"].endswith("msg=discarded")
    assert store.quarantine.records() == [] \
        and store.quarantine.records(status="discarded")[0].id == row.id


def test_retry_after_a_fix_applies_the_stored_bytes(console, store, now, monkeypatch):
    good = ninjs_item("urn:retry", at=now, headline="Back from quarantine")
    real_parse = formats.parse

    def broken(*_args, **_kw):
        raise FormatError("ninjs", "$.bodies", "a parser bug, fixed in the next release")

    monkeypatch.setattr(formats, "parse", broken)
    assert deliver(store, good, now, name="good.json").error
    (row,) = store.quarantine.records()
    login(console)
    token = csrf(console, f"/console/quarantine/{row.id}")
    still = console.post(f"/console/quarantine/{row.id}/retry", data={"csrf": token})
    assert still.status_code == 422 and "still cannot be read" in still.text
    assert store.quarantine.records()[0].id == row.id  # still open, not quarantined twice
    monkeypatch.setattr(formats, "parse", real_parse)  # the fix
    done = console.post(f"/console/quarantine/{row.id}/retry", data={"csrf": token})
    assert done.status_code == 303 and done.headers["location"].endswith("msg=retried")
    assert store.story_by_uri("urn:retry").state == "live"
    assert store.quarantine.records() == [] \
        and store.quarantine.item(row.id).record.status == "done"
    again = console.post(f"/console/quarantine/{row.id}/retry", data={"csrf": token})
    assert again.headers["location"].endswith("msg=handled")


def test_sources_page_shows_health_per_day_and_pauses(console, store, now):
    deliver(store, ninjs_item(at=now), now, source="wire-a")
    deliver(store, ninjs_item("urn:test:2", at=now), now, source="wire-a")
    login(console)
    page = console.get("/console")
    doc = lxml_html.fromstring(page.text)
    row = doc.xpath("//table[1]//tr[th='wire-a']")[0].text_content()
    assert "ok" in row and "cli" in row
    per_day = doc.xpath("//table[contains(@class,'per-day')]//tr[th='wire-a']/td/text()")
    assert per_day[-1] == "2" and len(per_day) == 7
    token = form_token(page.text, "csrf")
    answer = console.post("/console/sources/wire-a/pause", data={"csrf": token})
    assert answer.headers["location"] == "/console?msg=paused"
    assert store.sources.get("wire-a").paused
    assert "Resume" in console.get("/console").text
    console.post("/console/sources/wire-a/resume", data={"csrf": token})
    assert not store.sources.get("wire-a").paused
    missing = console.post("/console/sources/nope/pause", data={"csrf": token})
    assert missing.headers["location"] == "/console?msg=nosource"


def test_ending_page_lists_only_the_next_24_hours(console, store, now):
    deliver(store, ninjs_item("urn:soon", at=now, headline="Ends soon",
                              expires=now + timedelta(hours=3)), now)
    deliver(store, ninjs_item("urn:later", at=now, headline="Ends later",
                              expires=now + timedelta(days=3)), now)
    login(console)
    page = console.get("/console/ending")
    assert "Ends soon" in page.text and "Ends later" not in page.text


def test_stories_page_finds_by_uri(console, store, now):
    deliver(store, ninjs_item("urn:find:me", at=now, headline="Findable"), now)
    login(console)
    assert "Findable" in console.get("/console/stories").text
    found = console.get("/console/stories?uri=urn:find:me")
    assert found.status_code == 303
    assert found.headers["location"] == f"/console/stories/{store.story_by_uri('urn:find:me').id}"
    assert "No story with the uri" in console.get("/console/stories?uri=urn:none").text


def test_secret_is_made_once_and_kept_in_the_store(store, clock):
    a = Auth(store, Settings(), clock)
    b = Auth(store, Settings(), clock)
    assert a.secret == b.secret and len(a.secret) >= 48
    fixed = Auth(store, Settings(secret_key="s" * 40), clock)
    assert fixed.secret == b"s" * 40


def test_user_add_from_the_command_line(tmp_path, clock):
    db = tmp_path / "w.db"
    env = dict(os.environ, WIREDESK_DATABASE_URL=f"sqlite:///{db}")

    def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "wiredesk.cli", "user", *args],
                              input=stdin, capture_output=True, text=True, env=env, timeout=120)

    Store.open(f"sqlite:///{db}").close()  # only `wiredesk init` makes a store
    short = run("add", "ed", "--password-stdin", stdin="short\n")
    assert short.returncode == 2 and "at least 10 characters" in short.stderr
    added = run("add", "ed", "--password-stdin", stdin=PASSWORD + "\n")
    assert added.returncode == 0 and "added user ed" in added.stdout
    assert re.search(r"^ed\tsince ", run("list").stdout, re.M)
    store = Store.open(f"sqlite:///{db}")
    try:
        with make_client(store, clock) as c:
            assert login(c).status_code == 303
    finally:
        store.close()
    changed = run("add", "ed", "--password-stdin", stdin="another long password\n")
    assert "password changed for user ed" in changed.stdout
    assert run("remove", "ed").returncode == 0
    assert run("remove", "ed").returncode == 2
