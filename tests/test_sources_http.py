"""HTTP polling against real servers on 127.0.0.1: ETag/304, gzip, 429 with Retry-After,
slow and oversized answers, redirect loops, auth, paging, SSRF refusals, per-host limits."""

from __future__ import annotations

import base64
import gzip
import json
import threading
import zlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from conftest import FIXTURES
from helpers import ninjs_item
from wiredesk import __version__, formats
from wiredesk.sources.config import SourceConfig
from wiredesk.sources.fetch import Fetcher, FetchError, HostLimiter, retry_after_seconds
from wiredesk.sources.fetch_guard import BlockedAddress, check_peer, check_url
from wiredesk.sources.http import poll_http
from wiredesk.sources.kinds import build
from wiredesk.sources.registry import add_source
from wiredesk.sources.worker import Worker, next_delay

Route = Callable[["Handler"], None]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        owner = self.server.owner
        with owner.lock:
            owner.seen.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
        route = owner.routes.get(urlsplit(self.path).path)
        if route is None:
            self.reply(404, b"not here")
        else:
            route(self)

    def reply(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None,
              content_type: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def query(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}

    def log_message(self, *_: object) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    owner: LocalServer

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that gave up (a timeout test) is expected here, not news


class LocalServer:
    """A real HTTP server on 127.0.0.1 in a thread; each path is a function of the request."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.seen: list[tuple[str, dict[str, str]]] = []
        self.lock = threading.Lock()
        self.release = threading.Event()  # slow handlers wait on it; set at close
        self.httpd = _Server(("127.0.0.1", 0), Handler)
        self.httpd.owner = self
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,),
                                       daemon=True)
        self.thread.start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def close(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def source(url: str, **values: object) -> SourceConfig:
    values.setdefault("allow_private", True)
    return build("wire", "http", {"url": url, **values})


def poll(store, cfg: SourceConfig, now: datetime, memo: dict | None = None):
    with Fetcher(cfg) as fetcher:
        return poll_http(store, cfg, memo or {}, fetcher, now=lambda: now, stop=lambda: False,
                         checkpoint=lambda m: None)


def serve_item(server: LocalServer, path: str, body: bytes, **headers: str) -> None:
    server.routes[path] = lambda h: h.reply(200, body, headers)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


# --- conditional GET, compression, User-Agent -------------------------------------------

def test_conditional_get_sends_etag_and_date_and_a_304_changes_nothing(server, store, now):
    body = ninjs_item("urn:wire:1", at=now)

    def feed(h: Handler) -> None:
        if h.headers.get("If-None-Match") == '"v1"':
            h.reply(304, headers={"ETag": '"v1"'})
        else:
            h.reply(200, body, {"ETag": '"v1"', "Last-Modified": "Sun, 29 Nov 2026 11:00:00 GMT"})

    server.routes["/feed"] = feed
    cfg = source(server.url("/feed"))
    first = poll(store, cfg, now)
    assert first.totals == {"new": 1}
    assert first.memo["etag"] == '"v1"'
    second = poll(store, cfg, now, first.memo)
    assert second.not_modified and second.pages == 0 and not second.totals
    headers = server.seen[-1][1]
    assert headers["if-none-match"] == '"v1"'
    assert headers["if-modified-since"] == "Sun, 29 Nov 2026 11:00:00 GMT"
    assert len(store.history(store.story_by_uri("urn:wire:1").id)) == 1


@pytest.mark.parametrize("coding", ["gzip", "deflate", "raw-deflate"])
def test_compressed_bodies_are_decoded_and_requests_name_wiredesk(server, coding, now):
    body = ninjs_item("urn:wire:z", at=now)
    if coding == "gzip":
        packed = gzip.compress(body)
    elif coding == "deflate":
        packed = zlib.compress(body)
    else:
        squeeze = zlib.compressobj(wbits=-15)
        packed = squeeze.compress(body) + squeeze.flush()
    serve_item(server, "/z", packed, **{"Content-Encoding": coding.replace("raw-", "")})
    with Fetcher(source(server.url("/z"))) as fetcher:
        got = fetcher.get(server.url("/z"))
    assert got.data == body
    headers = server.seen[-1][1]
    assert headers["user-agent"] == f"wiredesk/{__version__}"
    assert "gzip" in headers["accept-encoding"]


# --- failures: 429/503, timeouts, size, redirects ----------------------------------------

def test_429_with_retry_after_is_honoured_and_shown_in_health(server, store, now):
    server.routes["/feed"] = lambda h: h.reply(429, b"slow down", {"Retry-After": "120"})
    add_source(store, source(server.url("/feed"), every="10s"), now, check=False)
    worker = Worker(store, clock=Clock(now))
    assert worker.run_once() == 1
    (health,) = store.sources.health(now)
    assert health.consecutive_failures == 1
    assert "429" in health.last_error and "retry after 120s" in health.last_error
    assert health.next_poll_at >= now + timedelta(seconds=120)
    assert health.last_success_at is None
    assert worker.run_once() == 0  # not due again before the server's time


def test_503_with_an_http_date_retry_after(server, now):
    when = "Wed, 21 Oct 2099 07:28:00 GMT"
    server.routes["/feed"] = lambda h: h.reply(503, b"", {"Retry-After": when})
    with Fetcher(source(server.url("/feed"))) as fetcher, pytest.raises(FetchError) as err:
        fetcher.get(server.url("/feed"))
    assert err.value.status == 503 and err.value.retry_after == 86400.0  # capped at a day
    assert retry_after_seconds("Sun, 29 Nov 2026 12:02:00 GMT", now) == 120.0
    assert retry_after_seconds("soon") is None


def test_a_slow_server_times_out(server):
    def slow(h: Handler) -> None:
        server.release.wait(30)

    server.routes["/slow"] = slow
    cfg = source(server.url("/slow"), read_timeout=0.3, connect_timeout=1)
    with Fetcher(cfg) as fetcher, pytest.raises(FetchError, match="timed out waiting for data"):
        fetcher.get(server.url("/slow"))


def test_a_trickling_server_hits_the_overall_deadline(server):
    def trickle(h: Handler) -> None:
        h.send_response(200)
        h.send_header("Content-Length", "100000")
        h.end_headers()
        for _ in range(600):
            if server.release.wait(0.05):
                return
            try:
                h.wfile.write(b" ")
                h.wfile.flush()
            except OSError:
                return

    server.routes["/drip"] = trickle
    cfg = source(server.url("/drip"), read_timeout=0.2, connect_timeout=0.2)
    with Fetcher(cfg) as fetcher, pytest.raises(FetchError, match="still arriving"):
        fetcher.get(server.url("/drip"))


def test_oversized_bodies_are_refused_declared_streamed_or_compressed(server):
    big = b"x" * 3000
    serve_item(server, "/declared", big)

    def streamed(h: Handler) -> None:  # no Content-Length: read until the server closes
        h.send_response(200)
        h.send_header("Connection", "close")
        h.end_headers()
        h.wfile.write(big)
        h.close_connection = True

    server.routes["/streamed"] = streamed
    serve_item(server, "/bomb", gzip.compress(b"\0" * 200_000), **{"Content-Encoding": "gzip"})
    cfg = source(server.url("/"), max_bytes=1000)
    with Fetcher(cfg) as fetcher:
        with pytest.raises(FetchError, match="3000 bytes is over the limit of 1000"):
            fetcher.get(server.url("/declared"))
        with pytest.raises(FetchError, match="larger than the limit of 1000"):
            fetcher.get(server.url("/streamed"))
        with pytest.raises(FetchError, match="larger than 1000 bytes once decompressed"):
            fetcher.get(server.url("/bomb"))


def test_redirects_are_followed_within_bounds_and_a_loop_fails(server, now):
    serve_item(server, "/feed", ninjs_item("urn:wire:r", at=now))
    server.routes["/old"] = lambda h: h.reply(301, headers={"Location": "/feed"})
    server.routes["/a"] = lambda h: h.reply(302, headers={"Location": "/b"})
    server.routes["/b"] = lambda h: h.reply(302, headers={"Location": "/a"})
    with Fetcher(source(server.url("/old"))) as fetcher:
        got = fetcher.get(server.url("/old"))
        assert got.url == server.url("/feed") and b"urn:wire:r" in got.data
        with pytest.raises(FetchError, match="more than 5 redirects .* redirect loop"):
            fetcher.get(server.url("/a"))
    assert sum(1 for path, _ in server.seen if path in ("/a", "/b")) == 6
    with Fetcher(source(server.url("/old"), max_redirects=0)) as fetcher:
        with pytest.raises(FetchError, match="HTTP 301"):
            fetcher.get(server.url("/old"))


def test_a_missing_page_is_an_error_with_the_status(server):
    with Fetcher(source(server.url("/nope"))) as fetcher:
        with pytest.raises(FetchError, match="HTTP 404 Not Found") as err:
            fetcher.get(server.url("/nope"))
    assert err.value.status == 404


# --- authentication ---------------------------------------------------------------------

@pytest.mark.parametrize("auth, header, expected", [
    ("basic:reader:s3cret:x", "authorization",
     "Basic " + base64.b64encode(b"reader:s3cret:x").decode()),
    ("bearer:tok-123", "authorization", "Bearer tok-123"),
    ("header:X-Api-Key:k-456", "x-api-key", "k-456"),
    ("bearer:$WIRE_TEST_TOKEN", "authorization", "Bearer from-env"),
])
def test_basic_bearer_and_api_key_auth(server, monkeypatch, now, auth, header, expected):
    monkeypatch.setenv("WIRE_TEST_TOKEN", "from-env")
    body = ninjs_item("urn:wire:a", at=now)

    def guarded(h: Handler) -> None:
        ok = h.headers.get(header) == expected
        h.reply(200 if ok else 401, body if ok else b"who are you?")

    server.routes["/api"] = guarded
    with Fetcher(source(server.url("/api"), auth=auth)) as fetcher:
        assert fetcher.get(server.url("/api")).data == body


# --- paging through JSON APIs -----------------------------------------------------------

def _items(now: datetime, first: int, count: int) -> list[dict]:
    return [json.loads(ninjs_item(f"urn:wire:p{n}", at=now)) for n in range(first, first + count)]


def test_cursor_paging_takes_every_page_and_resumes_from_the_last_cursor(server, store, now):
    pages = {"": (_items(now, 0, 2), "c1"), "c1": (_items(now, 2, 2), "c2"),
             "c2": (_items(now, 4, 1), "c3"), "c3": ([], "c3")}

    def api(h: Handler) -> None:
        items, cursor = pages[h.query().get("cursor", "")]
        h.reply(200, json.dumps({"items": items, "meta": {"next_cursor": cursor}}).encode())

    server.routes["/api"] = api
    cfg = source(server.url("/api"), paging={"mode": "cursor", "field": "meta.next_cursor",
                                             "param": "cursor", "items": "items"})
    result = poll(store, cfg, now)
    assert result.totals == {"new": 5} and result.memo["cursor"] == "c3"
    assert all(store.story_by_uri(f"urn:wire:p{n}") for n in range(5))
    pages["c3"] = (_items(now, 5, 1), "c4")
    pages["c4"] = ([], "c4")
    again = poll(store, cfg, now, result.memo)
    assert again.totals == {"new": 1}
    assert server.seen[-2][0].endswith("cursor=c3")  # started where the last poll ended


def test_next_link_paging_by_json_field_and_by_link_header(server, store, now):
    server.routes["/j1"] = lambda h: h.reply(200, json.dumps(
        {"data": _items(now, 10, 2), "links": {"next": "/j2"}}).encode())
    server.routes["/j2"] = lambda h: h.reply(200, json.dumps(
        {"data": _items(now, 12, 1), "links": {"next": None}}).encode())
    cfg = source(server.url("/j1"), paging={"mode": "next", "field": "links.next",
                                            "items": "data"})
    assert poll(store, cfg, now).totals == {"new": 3}

    server.routes["/h1"] = lambda h: h.reply(200, json.dumps(_items(now, 20, 2)).encode(),
                                             {"Link": '</h2>; rel="next"'})
    server.routes["/h2"] = lambda h: h.reply(200, json.dumps(_items(now, 22, 2)).encode(),
                                             {"Link": '</h1>; rel="next"'})  # back: a loop
    result = poll(store, source(server.url("/h1"), paging="link"), now)
    assert result.totals == {"new": 4} and result.pages == 2


# --- SSRF -------------------------------------------------------------------------------

@pytest.mark.parametrize("url", [
    "http://127.0.0.1/", "http://localhost:8080/", "http://[::1]/", "http://10.1.2.3/",
    "http://192.168.0.10/", "http://172.16.5.4/", "http://169.254.169.254/latest/meta-data/",
    "http://[::ffff:127.0.0.1]/", "http://0.0.0.0/", "http://100.64.0.1/", "http://[fe80::1]/",
    "file:///etc/passwd", "ftp://93.184.216.34/", "gopher://93.184.216.34/",
])
def test_private_loopback_link_local_and_odd_schemes_are_refused(url):
    with pytest.raises(BlockedAddress):
        check_url(url)


def test_public_addresses_pass_and_allow_lists_open_only_what_they_name():
    check_url("http://93.184.216.34/feed")
    check_url("https://[2606:2800:220:1:248:1893:25c8:1946]/")
    check_url("http://127.0.0.1:8080/", allow_private=True)
    check_url("http://127.0.0.1:8080/", allow_private=["127.0.0.1:8080"])
    with pytest.raises(BlockedAddress, match="loopback"):
        check_url("http://127.0.0.1:8081/", allow_private=["127.0.0.1:8080"])


def test_the_address_actually_connected_to_is_checked_too(server):
    """Against DNS rebinding: a name checked as public may resolve elsewhere at connect time;
    the socket's peer is checked before any byte of the body is read."""
    serve_item(server, "/feed", b"{}")
    with httpx.Client() as client, client.stream("GET", server.url("/feed")) as response:
        with pytest.raises(BlockedAddress, match="connected to 127.0.0.1, a loopback"):
            check_peer(response)
        check_peer(response, allow_private=True)


def test_a_redirect_to_a_private_address_is_refused_before_it_is_fetched(server):
    inner = LocalServer()
    try:
        inner.routes["/admin"] = lambda h: h.reply(200, b"secret")
        server.routes["/feed"] = lambda h: h.reply(302, headers={"Location": inner.url("/admin")})
        port = server.httpd.server_address[1]
        cfg = source(server.url("/feed"), allow_private=[f"127.0.0.1:{port}"])
        with Fetcher(cfg) as fetcher, pytest.raises(FetchError, match="refused .* loopback"):
            fetcher.get(server.url("/feed"))
        assert inner.seen == []
    finally:
        inner.close()


def test_sources_add_refuses_a_private_url_unless_allowed(store, now):
    with pytest.raises(ValueError, match="loopback address"):
        add_source(store, source("http://127.0.0.1:9/feed", allow_private=False), now)


# --- linked pages -----------------------------------------------------------------------

@pytest.fixture
def feed_formats(monkeypatch):
    """The RSS and web-page formats, registered here if the formats room has not yet."""
    for name, module in (("feed", "feeds"), ("webpage", "webpage")):
        if name not in formats.FORMATS:
            mod = pytest.importorskip(f"wiredesk.formats.{module}")
            monkeypatch.setitem(formats.FORMATS, name,
                                formats.Format(name, mod.looks_like, mod.parse))


def test_summary_only_entries_take_their_body_from_the_linked_page(server, store, now,
                                                                   feed_formats):
    inner = LocalServer()  # another port: a private address the source does not allow
    try:
        feed = (FIXTURES / "sources" / "feed-summary.xml").read_text()
        feed = feed.replace("{BASE}", server.base).replace("{PRIVATE}", inner.base)
        serve_item(server, "/feed", feed.encode(), **{"Content-Type": "application/rss+xml"})
        page = (FIXTURES / "sources" / "article.html").read_bytes()
        server.routes["/story/harbour"] = lambda h: h.reply(200, page, content_type="text/html")
        inner.routes["/story/bridge"] = lambda h: h.reply(200, page, content_type="text/html")
        port = server.httpd.server_address[1]
        cfg = source(server.url("/feed"), fetch_linked=True, format="feed",
                     allow_private=[f"127.0.0.1:{port}"])
        result = poll(store, cfg, now)
        assert result.totals["new"] == 3
        harbour = store.story_by_uri("urn:example:harbour").story
        assert "sank two fishing boats" in harbour.body.text
        assert harbour.headline == "Harbour reopens after storm"
        assert "long debate" in store.story_by_uri("urn:example:budget").story.body.text
        bridge = store.story_by_uri("urn:example:bridge").story
        assert bridge.body.text == "The bridge is closed."  # the page was refused: summary
        assert inner.seen == [] and any("refused" in w for w in result.warnings)
        pages_fetched = sum(1 for p, _ in server.seen if p == "/story/harbour")
        again = poll(store, cfg, now, result.memo)
        assert sum(1 for p, _ in server.seen if p == "/story/harbour") == pages_fetched
        assert "new" not in again.totals and "updated" not in again.totals
    finally:
        inner.close()


# --- per-host limit and backoff ---------------------------------------------------------

def test_concurrent_requests_per_host_are_capped(server, now):
    busy = {"now": 0, "most": 0}
    lock = threading.Lock()

    def slowish(h: Handler) -> None:
        with lock:
            busy["now"] += 1
            busy["most"] = max(busy["most"], busy["now"])
        server.release.wait(0.2)
        with lock:  # before the reply: the client may send its next request right after it
            busy["now"] -= 1
        h.reply(200, b"{}")

    server.routes["/x"] = slowish
    limiter = HostLimiter(per_host=2)
    cfg = source(server.url("/x"))

    def one(_: int) -> int:
        with Fetcher(cfg, limiter) as fetcher:
            return fetcher.get(server.url("/x")).status

    with ThreadPoolExecutor(6) as pool:
        assert list(pool.map(one, range(6))) == [200] * 6
    assert 1 <= busy["most"] <= 2


def test_backoff_grows_exponentially_with_jitter_and_never_undercuts_retry_after():
    assert next_delay(60, 0) == 60
    lows = [next_delay(60, n, rand=lambda: 0.0) for n in range(1, 6)]
    highs = [next_delay(60, n, rand=lambda: 1.0) for n in range(1, 6)]
    assert lows == [60, 120, 240, 480, 960] and highs == [120, 240, 480, 960, 1920]
    assert next_delay(60, 30, rand=lambda: 1.0) == 3600  # capped
    assert next_delay(60, 1, retry_after=600, rand=lambda: 0.0) == 600
    samples = {next_delay(60, 3) for _ in range(50)}
    assert len(samples) > 1 and all(240 <= s <= 480 for s in samples)


def test_a_failing_source_backs_off_then_recovers(server, store, now):
    state = {"fail": True}

    def flaky(h: Handler) -> None:
        if state["fail"]:
            h.reply(500, b"oops")
        else:
            h.reply(200, ninjs_item("urn:wire:f", at=now))

    server.routes["/feed"] = flaky
    add_source(store, source(server.url("/feed"), every="30s"), now, check=False)
    clock = Clock(now)
    worker = Worker(store, clock=clock)
    delays = []
    for _ in range(3):
        assert worker.run_once() == 1
        (h,) = store.sources.health(clock.now)
        delays.append((h.next_poll_at - clock.now).total_seconds())
        clock.now = h.next_poll_at
    assert h.consecutive_failures == 3 and "HTTP 500" in h.last_error
    assert delays[0] >= 30 and delays[2] >= 120  # 30s * 2**n, less at most half for jitter
    state["fail"] = False
    worker.run_once()
    (h,) = store.sources.health(clock.now)
    assert h.consecutive_failures == 0 and h.last_success_at == clock.now
    assert h.stories_24h == 1 and "HTTP 500" in h.last_error  # the last error stays on show


def test_poll_latency_is_observed_per_source(server, store, now):
    from wiredesk import metrics

    serve_item(server, "/feed", ninjs_item("urn:wire:timed", at=now))
    add_source(store, source(server.url("/feed"), every="10s"), now, check=False)
    before = metrics.POLL_SECONDS.labels("wire")._sum.get()
    count = sum(s.value for m in metrics.POLL_SECONDS.collect() for s in m.samples
                if s.name.endswith("_count") and s.labels.get("source") == "wire")
    Worker(store, clock=Clock(now)).run_once()
    after = sum(s.value for m in metrics.POLL_SECONDS.collect() for s in m.samples
                if s.name.endswith("_count") and s.labels.get("source") == "wire")
    assert after == count + 1
    assert metrics.POLL_SECONDS.labels("wire")._sum.get() > before
