"""The agency's side of bench/latency.py, on 127.0.0.1: stories as ninjs and Atom, a polled
Atom feed with an ETag, and a WebSub hub that checks the subscriber's intent and pushes
signed content."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import threading
from collections import deque
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode

import httpx


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


def ninjs(uri: str, headline: str) -> bytes:
    return json.dumps({"uri": uri, "version": "1", "versioncreated": now_iso(),
                       "headlines": [{"role": "main", "value": headline}],
                       "bodies": [{"role": "main", "contenttype": "text/html",
                                   "value": f"<p>{headline}: the text.</p>"}],
                       "language": "en"}).encode()


def atom(topic: str, hub: str | None, entries: list[tuple[str, str, str]]) -> bytes:
    items = "".join(f"<entry><title>{h}</title><id>{u}</id><updated>{w}</updated>"
                    f"<content type=\"html\">&lt;p&gt;{h}: the text.&lt;/p&gt;</content></entry>"
                    for u, h, w in entries)
    links = (f'<link rel="hub" href="{hub}"/>' if hub else "") + f'<link rel="self" href="{topic}"/>'
    return (f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            f"<title>Latency bench</title><id>urn:lat:feed</id><updated>{now_iso()}</updated>"
            f"{links}{items}</feed>").encode()


class Wire:
    """The agency's side, on 127.0.0.1: a polled Atom feed (with ETag), and a WebSub hub with
    its own topic feed, which checks the subscriber's intent and pushes signed content."""

    def __init__(self) -> None:
        self.polled: deque[tuple[str, str, str]] = deque(maxlen=100)
        self.added = 0
        self.lock = threading.Lock()
        self.subscription: dict[str, str] = {}
        self.verified = threading.Event()
        wire = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802
                if self.path.startswith("/sub.atom"):
                    self.reply(200, atom(wire.topic, wire.hub, []))
                    return
                with wire.lock:
                    tag, entries = f'"{wire.added}"', list(wire.polled)
                if self.headers.get("If-None-Match") == tag:
                    self.reply(304, b"", {"ETag": tag})
                else:
                    self.reply(200, atom(f"{wire.base}/poll.atom", None, entries[::-1]),
                               {"ETag": tag})

            def do_POST(self) -> None:  # noqa: N802
                size = int(self.headers.get("Content-Length", "0"))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(size).decode()).items()}
                self.reply(202, b"")
                threading.Thread(target=wire.check_intent, args=(form,), daemon=True).start()

            def reply(self, status: int, body: bytes, headers: dict[str, str] | None = None
                      ) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/atom+xml")
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True).start()
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.hub, self.topic = f"{self.base}/hub", f"{self.base}/sub.atom"
        self.client = httpx.Client(timeout=30)

    def check_intent(self, form: dict[str, str]) -> None:
        challenge = secrets.token_hex(8)
        query = urlencode({"hub.mode": "subscribe", "hub.topic": form.get("hub.topic", ""),
                           "hub.challenge": challenge, "hub.lease_seconds": "86400"})
        answer = httpx.get(f"{form.get('hub.callback')}?{query}", timeout=30)
        if answer.status_code == 200 and answer.text == challenge:
            self.subscription = form
            self.verified.set()

    def add_to_feed(self, uri: str, headline: str) -> None:
        with self.lock:
            self.polled.append((uri, headline, now_iso()))
            self.added += 1

    def push(self, uri: str, headline: str) -> None:
        body = atom(self.topic, self.hub, [(uri, headline, now_iso())])
        secret = self.subscription["hub.secret"].encode()
        signature = "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()
        self.client.post(self.subscription["hub.callback"], content=body,
                         headers={"Content-Type": "application/atom+xml",
                                  "X-Hub-Signature": signature}).raise_for_status()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
