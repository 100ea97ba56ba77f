"""Hardening at the door: security headers everywhere, size limits, per-address rate limits."""

from __future__ import annotations

import re

import pytest
from lxml import html as lxml_html
from starlette.testclient import TestClient

from conftest import SAMPLES
from helpers import deliver, ninjs_item
from wiredesk import desk
from wiredesk.config import Settings
from wiredesk.story import Delivery
from wiredesk.web.app import create_app
from wiredesk.web.security import CSP, TokenBucket

EXPECTED = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
}


def app_client(store, clock, **settings: object) -> TestClient:
    cfg = Settings(site_name="Example News", base_url="https://news.example", **settings)  # type: ignore[arg-type]
    return TestClient(create_app(cfg, store=store, clock=clock), follow_redirects=False)


def test_csp_is_strict_with_no_inline_script():
    parts = dict(p.strip().split(" ", 1) for p in CSP.split(";"))
    assert parts == {"default-src": "'self'", "script-src": "'self'", "object-src": "'none'",
                     "base-uri": "'none'", "frame-ancestors": "'none'", "form-action": "'self'"}
    assert "unsafe" not in CSP


def test_every_surface_carries_the_security_headers(client, store, now):
    deliver(store, ninjs_item(at=now), now)
    story = f"/story/{store.story_by_uri('urn:test:1').id}"
    for path in ("/", "/", story, story, "/api/v1/stories", "/static/site.css", "/no/such/page",
                 "/console", "/console/login", "/metrics", "/healthz", "/sitemap.xml"):
        answer = client.get(path, follow_redirects=False)  # each twice: the cached copy too
        for name, value in EXPECTED.items():
            assert answer.headers.get(name) == value, (path, name)
        assert answer.headers["x-frame-options"] == "DENY"
        assert answer.headers.get_list("content-security-policy") == [CSP], path


def test_article_page_has_no_script_but_its_json_ld(client, store, now):
    desk.apply(store, Delivery((SAMPLES / "00-reuters-via-euronews.txt").read_bytes(), "test",
                               "seed", now))
    (record,) = store.live_stories(now)
    page = client.get(f"/story/{record.id}")
    doc = lxml_html.fromstring(page.text)
    scripts = doc.xpath("//script")
    # The site's own text-size, live-page and local-time scripts, and JSON-LD (data, never
    # run): nothing inline.
    assert [s.get("type") for s in scripts] == ["text/javascript", "application/ld+json", None, None]
    assert re.fullmatch(r"/static/textsize\.[0-9a-f]{10}\.js", scripts[0].get("src"))
    assert re.fullmatch(r"/static/live\.[0-9a-f]{10}\.js", scripts[2].get("src"))
    assert re.fullmatch(r"/static/times\.[0-9a-f]{10}\.js", scripts[3].get("src"))
    assert not any((s.text or "").strip() for s in scripts if s.get("src"))
    assert not doc.xpath("//@*[starts-with(name(), 'on')]")
    assert not doc.xpath("//*[@style]") and not doc.xpath("//style")


def test_a_body_over_the_limit_is_refused_with_413(store, clock):
    with app_client(store, clock, max_request_bytes=1000) as c:
        declared = c.post("/push/anything", content=b"x" * 2000)
        assert declared.status_code == 413 and "over 1000 bytes" in declared.json()["error"]

        def chunks():  # no Content-Length: counted as it streams in
            for _ in range(10):
                yield b"name=" + b"x" * 300

        streamed = c.post("/console/login", content=chunks(),
                          headers={"content-type": "application/x-www-form-urlencoded"})
        assert streamed.status_code == 413
        assert c.post("/console/login", content=b"name=ed").status_code == 400  # small: read


@pytest.mark.parametrize("path", ["/search", "/api/v1/search"])
def test_search_is_rate_limited_per_address(store, clock, path):
    with app_client(store, clock, rate_search=3) as c:
        # Different words each time: a cached answer would cost nothing, a new one a query.
        for word in ("storm", "oil", "fed"):
            assert c.get(path, params={"q": word}).status_code == 200
        refused = c.get(path, params={"q": "museum"})
        assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
        assert refused.headers["cache-control"] == "no-store"
        if path.startswith("/api/"):
            assert refused.json()["error"].startswith("too many requests")
    with TestClient(c.app, client=("10.0.0.9", 1234)) as other:
        assert other.get(path, params={"q": "dpa"}).status_code == 200


def test_push_and_login_are_rate_limited(store, clock):
    with app_client(store, clock, rate_push=2, rate_login=2) as c:
        assert [c.post("/push/nosuch", content=b"{}").status_code for _ in range(3)] == [
            404, 404, 429]
        answers = [c.post("/console/login", data={"name": "x", "password": "y"}).status_code
                   for _ in range(3)]
        assert answers == [400, 400, 429]
        assert c.get("/console/login").status_code == 200  # showing the form is not limited


def test_a_limit_of_zero_turns_it_off(store, clock):
    with app_client(store, clock, rate_search=0) as c:
        assert all(c.get("/search", params={"q": f"w{n}"}).status_code == 200 for n in range(80))


def test_token_bucket_refills_with_time():
    now = [100.0]
    bucket = TokenBucket(6, lambda: now[0])  # six a minute: one every ten seconds
    assert all(bucket.take("a") == 0 for _ in range(6))
    wait = bucket.take("a")
    assert 9.9 < wait <= 10.0
    assert bucket.take("b") == 0  # addresses are counted apart
    now[0] += 10.0
    assert bucket.take("a") == 0 and bucket.take("a") > 0
    now[0] += 3600.0
    assert all(bucket.take("a") == 0 for _ in range(6))  # refilled, never above the burst
    assert bucket.take("a") > 0


def assert_guarded(answer, what: object) -> None:
    for name, value in EXPECTED.items():
        assert answer.headers.get(name) == value, (what, name)
    assert answer.headers.get("x-frame-options") == "DENY", what


BIG = ["2147483648", "9223372036854775808", "18446744073709551616", "1" + "0" * 40]
ODD_URLS = {
    # story ids past PostgreSQL's INTEGER and SQLite's 64 bits
    "ids": [(p.format(n), 404) for n in BIG for p in (
        "/api/v1/stories/{}", "/api/v1/stories/{}/versions", "/story/{}", "/story/{}/slug")],
    "pages": [(f"{p}page={n}", 400) for n in [*BIG, "-1", "0", "x", "1e3"]
              for p in ("/search?q=storm&", "/api/v1/search?q=storm&")]
    # numbered reader lists (issue 14): a page that is not there is not found
    + [(f"{p}page={n}", 404) for n in [*BIG, "-1", "0", "x", "1e3"]
       for p in ("/?", "/sections/sport?", "/agencies/ap?")],
    # control characters and odd bytes in paths and query strings
    "controls": [("/story/%00", 400), ("/feeds/agency/%00/atom.xml", 400),
                 ("/feeds/subject/a%01b/rss.xml", 400), ("/api/v1/stories?agency=%00", 400),
                 ("/api/v1/stories/by-uri?uri=urn%00x", 400), ("/search?q=%00", 400),
                 ("/feeds/agency/%EF%BF%BE/atom.xml", 400), ("/search?q=%1b%5b31m", 400),
                 ("/api/v1/search?q=a%7f", 400), ("/story/%ff%fe", 404),
                 ("/api/v1/stories/by-uri?uri=%ff%fe", 404), ("/api/v1/nope%ff", 404)],
}


@pytest.mark.parametrize("group", sorted(ODD_URLS))
def test_odd_urls_answer_404_or_400_never_500(store, clock, now, group):
    deliver(store, ninjs_item(at=now), now)
    cfg = Settings(site_name="Example News", base_url="https://news.example")
    with TestClient(create_app(cfg, store=store, clock=clock),
                    raise_server_exceptions=False) as c:
        got = {path: c.get(path) for path, _ in ODD_URLS[group]}
    assert {p: a.status_code for p, a in got.items()} == dict(ODD_URLS[group])
    for path, answer in got.items():
        assert_guarded(answer, path)
        if path.startswith("/api/"):
            assert answer.headers["content-type"] == "application/json", path
            assert answer.json()["error"], path


def test_console_story_ids_past_the_id_column_are_404(store, clock, now):
    from test_console import PASSWORD, login
    from wiredesk.passwords import hash_password

    store.users.set_password("ed", hash_password(PASSWORD), now)
    cfg = Settings(site_name="Example News", base_url="https://news.example", rate_login=1000)
    with TestClient(create_app(cfg, store=store, clock=clock), base_url="https://news.example",
                    follow_redirects=False, raise_server_exceptions=False) as c:
        assert login(c).status_code == 303
        token = lxml_html.fromstring(c.get("/console").text).xpath("//input[@name='csrf']/@value")
        for n in BIG:
            assert c.get(f"/console/stories/{n}").status_code == 404, n
            killed = c.post(f"/console/stories/{n}/kill", data={"reason": "x", "csrf": token[0]})
            assert killed.status_code == 404, n


def test_every_error_answer_keeps_the_security_headers(store, clock, now, monkeypatch):
    deliver(store, ninjs_item(at=now), now)
    deliver(store, ninjs_item("urn:gone", at=now), now)
    gone = store.story_by_uri("urn:gone").id
    desk.kill(store, "urn:gone", reason="legal", actor="ed", now=now)
    with app_client(store, clock, max_request_bytes=100, rate_search=1) as c:
        answers = {
            404: [c.get("/no/such/page"), c.get("/story/999999"), c.get("/api/v1/nope"),
                  c.get("/api/v1/stories/999999")],
            400: [c.get("/search?q=storm&page=x"), c.get("/api/v1/stories?limit=0")],
            405: [c.post("/"), c.post("/api/v1/stories"), c.delete("/story/1")],
            410: [c.get(f"/story/{gone}"), c.get(f"/api/v1/stories/{gone}")],
            413: [c.post("/push/x", content=b"x" * 200), c.post("/api/v1/search", content=b"x" * 200)],
            429: [c.get("/api/v1/search?q=a"), c.get("/api/v1/search?q=b")][1:],
        }
    for status, found in answers.items():
        for answer in found:
            assert answer.status_code == status, (status, answer.url)
            assert_guarded(answer, answer.url)
            if answer.url.path.startswith("/api/"):  # API errors are JSON, never a page
                assert answer.headers["content-type"] == "application/json", answer.url
    assert answers[405][0].headers["allow"] and "Method not allowed" in answers[405][0].text
    assert answers[405][1].json() == {"error": "method not allowed"}
    assert answers[404][2].json() == {"error": "not found"}


def test_a_server_error_is_a_page_with_the_security_headers(store, clock, now, monkeypatch):
    def broken(*_args: object, **_kw: object) -> None:
        raise RuntimeError("the store fell over")

    monkeypatch.setattr(store, "story", broken)
    cfg = Settings(site_name="Example News", base_url="https://news.example")
    with TestClient(create_app(cfg, store=store, clock=clock),
                    raise_server_exceptions=False) as c:
        page, api = c.get("/story/1"), c.get("/api/v1/stories/1")
    assert page.status_code == api.status_code == 500
    assert page.headers["content-type"].startswith("text/html")
    assert "Something went wrong" in page.text and "Example News" in page.text
    assert api.json() == {"error": "server error"}
    for answer in (page, api):
        assert_guarded(answer, answer.url)
        assert answer.headers["cache-control"] == "no-store"
