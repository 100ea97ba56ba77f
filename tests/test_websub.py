"""WebSub with a real hub on 127.0.0.1: a feed that names a hub is subscribed to, the hub's
check of intent is answered only for what we asked, signed content pushes land, badly
signed or unsigned ones are refused and change nothing, the lease is renewed, and a
subscription refused or lapsed leaves the source polling on its own interval."""

from __future__ import annotations

import secrets
import socket
import threading
import time
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode

import httpx
import pytest
import uvicorn

from wiredesk.config import Settings
from wiredesk.sources import websub
from wiredesk.sources.fetch import Fetched
from wiredesk.sources.kinds import build
from wiredesk.sources.registry import add_source
from wiredesk.sources.worker import Worker
from wiredesk.web.app import create_app

GUARD = 60.0  # seconds: a guard against a hang, never a measure


def atom(feed: str, hub: str | None, *entries: str, when: str = "2026-11-29T11:00:00Z") -> bytes:
    items = "".join(f"""<entry><title>Story {e}</title><id>urn:ws:{e}</id>
      <updated>{when}</updated><content type="html">&lt;p&gt;Text of {e}.&lt;/p&gt;</content>
      </entry>""" for e in entries)
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Wire</title><id>urn:ws:feed</id>
  <updated>{when}</updated>{f'<link rel="hub" href="{hub}"/>' if hub else ""}
  <link rel="self" href="{feed}"/>
  {items}</feed>""".encode()


class Hub:
    """A WebSub hub and the feed it serves, on 127.0.0.1: it checks the subscriber's intent
    (after answering 202, as hubs do) and pushes content signed with the subscriber's secret."""

    def __init__(self, lease: int = 86400) -> None:
        self.lease = lease
        self.refuse = False
        self.advertise = True  # the feed names the hub
        self.requests: list[dict[str, str]] = []
        self.checks: list[tuple[int, str, str]] = []  # (status, challenge sent, body back)
        self.entries = ["1"]
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                body = atom(hub.topic, hub.url if hub.advertise else None, *hub.entries)
                self.send_response(200)
                self.send_header("Content-Type", "application/atom+xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:  # noqa: N802
                size = int(self.headers.get("Content-Length", "0"))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(size).decode()).items()}
                hub.requests.append(form)
                status = 400 if hub.refuse else 202
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()
                if status == 202:
                    threading.Thread(target=hub.check_intent, args=(form,), daemon=True).start()

            def log_message(self, *_: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True).start()
        base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.url, self.topic = f"{base}/hub", f"{base}/feed.atom"

    def check_intent(self, form: dict[str, str], topic: str | None = None) -> None:
        challenge = secrets.token_hex(8)
        query = urlencode({"hub.mode": "subscribe", "hub.topic": topic or form["hub.topic"],
                           "hub.challenge": challenge, "hub.lease_seconds": str(self.lease)})
        answer = httpx.get(f"{form['hub.callback']}?{query}", timeout=10)
        self.checks.append((answer.status_code, challenge, answer.text))

    def push(self, body: bytes, signature: str | None) -> httpx.Response:
        form = self.requests[-1]
        headers = {"Content-Type": "application/atom+xml"}
        if signature is not None:
            headers[websub.HEADER] = signature
        return httpx.post(form["hub.callback"], content=body, headers=headers, timeout=10)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def hub():
    h = Hub()
    yield h
    h.close()


@pytest.fixture
def site(store, now):
    """The real app on 127.0.0.1 (uvicorn in a thread): the hub calls it back."""
    clock = Clock(now)
    app = create_app(Settings(), store=store, clock=clock, cache=False)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + GUARD
    while not server.started:
        assert time.monotonic() < deadline, "the site did not start"
        time.sleep(0.01)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}", clock
    server.should_exit = True
    thread.join(GUARD)


def wait_until(what, message: str) -> None:
    deadline = time.monotonic() + GUARD
    while not what():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting: {message}")
        time.sleep(0.01)


def subscribed(store, hub, site, every: str = "1s"):
    base, clock = site
    add_source(store, build("wire", "http", {"url": hub.topic, "every": every,
                                             "allow_private": True}), clock())
    worker = Worker(store, clock=clock, base_url=base)
    assert worker.run_once() == 1  # polls the feed, finds the hub, asks it
    return worker, clock


def test_discovery_from_link_headers_and_from_the_feed():
    got = Fetched("http://x/feed", 200, b"{}", links={"hub": "http://h/", "self": "http://x/f"})
    assert websub.discover(got) == websub.Advert("http://h/", "http://x/f")
    body = atom("http://x/feed.atom", "/hub")
    found = websub.discover(Fetched("http://x/feed.atom", 200, body))
    assert found == websub.Advert("http://x/hub", "http://x/feed.atom")  # relative: resolved
    assert websub.discover(Fetched("http://x/f", 200, b"<rss><channel/></rss>")) is None


def test_signatures_by_each_method_and_nothing_else():
    body = b"<feed/>"
    for method in ("sha1", "sha256", "sha384", "sha512"):
        assert websub.verify("s3cret", body, websub.sign("s3cret", body, method))
    good = websub.sign("s3cret", body)
    assert not websub.verify("other", body, good)
    assert not websub.verify("s3cret", body + b" ", good)
    assert not websub.verify("s3cret", body, None) and not websub.verify("s3cret", body, "")
    assert not websub.verify("s3cret", body, "md5=" + good.split("=")[1])


def test_subscribe_verify_push_renew_and_lapse(store, hub, site):
    worker, clock = subscribed(store, hub, site)
    assert store.story_by_uri("urn:ws:1") is not None  # the poll itself
    (form,) = hub.requests
    assert form["hub.mode"] == "subscribe" and form["hub.topic"] == hub.topic
    assert form["hub.callback"].endswith("/websub/wire") and len(form["hub.secret"]) >= 32
    wait_until(lambda: hub.checks, "the hub to check our intent")
    status, challenge, echoed = hub.checks[0]
    assert status == 200 and echoed == challenge
    sub = store.websub.get("wire")
    assert sub.state == "active" and sub.expires_at == clock() + timedelta(seconds=hub.lease)
    assert sub.secret.startswith("sealed:") and form["hub.secret"] not in sub.secret  # at rest

    # A check for a topic we never asked for is not confirmed.
    hub.check_intent(form, topic=hub.topic + "?other")
    assert hub.checks[-1][0] == 404

    # Signed content: applied at once. Unsigned or wrongly signed: refused, nothing applied.
    pushed = atom(hub.topic, hub.url, "2")
    assert hub.push(pushed, None).status_code == 403
    assert hub.push(pushed, websub.sign("not-the-secret", pushed)).status_code == 403
    assert hub.push(pushed, websub.sign(form["hub.secret"], pushed + b"x")).status_code == 403
    assert store.story_by_uri("urn:ws:2") is None
    answer = hub.push(pushed, websub.sign(form["hub.secret"], pushed, "sha1"))
    assert answer.status_code == 202 and answer.json()["outcomes"] == {"urn:ws:2": "new"}
    assert store.story_by_uri("urn:ws:2") is not None
    assert store.websub.get("wire").last_push_at is not None

    # While subscribed, the feed is polled rarely; near the lease's end it is renewed.
    clock.now += timedelta(seconds=2)
    assert worker.run_once() == 1 and len(hub.requests) == 1  # nothing to ask yet
    health = store.sources.health(clock(), "wire")[0]
    assert (health.next_poll_at - clock()).total_seconds() == websub.SUBSCRIBED_POLL
    clock.now = sub.expires_at - timedelta(seconds=30)  # within the renewal margin
    assert worker.run_once() == 1
    assert len(hub.requests) == 2 and hub.requests[1]["hub.secret"] != form["hub.secret"]
    wait_until(lambda: len(hub.checks) == 3, "the hub to check the renewal")
    renewed = store.websub.get("wire")
    assert renewed.state == "active" and renewed.expires_at > sub.expires_at
    old = atom(hub.topic, hub.url, "3")
    assert hub.push(old, websub.sign(form["hub.secret"], old)).status_code == 403  # old secret
    assert hub.push(old, websub.sign(hub.requests[1]["hub.secret"], old)).status_code == 202

    # The lease runs out with no renewal (the feed no longer names the hub): polling again.
    hub.advertise = False
    clock.now = renewed.expires_at + timedelta(seconds=1)
    worker.run_once()
    assert store.websub.get("wire").state == "lapsed"
    health = store.sources.health(clock(), "wire")[0]
    assert (health.next_poll_at - clock()).total_seconds() == 1.0  # its own interval
    late = atom(hub.topic, hub.url, "4")
    assert hub.push(late, websub.sign(hub.requests[-1]["hub.secret"], late)).status_code == 410


def test_a_hub_that_refuses_leaves_the_source_polling(store, hub, site):
    hub.refuse = True
    _worker, clock = subscribed(store, hub, site)
    sub = store.websub.get("wire")
    assert sub.state == "refused" and "HTTP 400" in sub.error
    health = store.sources.health(clock(), "wire")[0]
    assert (health.next_poll_at - clock()).total_seconds() == 1.0


def test_a_check_of_intent_with_nothing_asked_is_not_confirmed(store, site):
    base, _clock = site
    query = urlencode({"hub.mode": "subscribe", "hub.topic": "http://x/feed",
                       "hub.challenge": "abc", "hub.lease_seconds": "60"})
    answer = httpx.get(f"{base}/websub/nobody?{query}", timeout=10)
    assert answer.status_code == 404 and "abc" not in answer.text
    assert answer.headers["cache-control"] == "private, no-store"
    assert "set-cookie" not in answer.headers
    posted = httpx.post(f"{base}/websub/nobody", content=b"<feed/>", timeout=10)
    assert posted.status_code == 404


def test_no_subscription_without_a_public_address(store, hub, now):
    # A desk at a loopback address asks only a hub that is local too: here it is, so it
    # asks; with no base URL at all it never asks.
    add_source(store, build("wire", "http", {"url": hub.topic, "every": "1s",
                                             "allow_private": True}), now)
    Worker(store, clock=lambda: now).run_once()
    assert hub.requests == [] and store.websub.get("wire") is None
    assert not websub.reachable("http://127.0.0.1:8000", "https://hub.example.com/")
    assert websub.reachable("https://desk.example.com", "https://hub.example.com/")
