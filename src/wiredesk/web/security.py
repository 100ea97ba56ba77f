"""Hardening at the door, before routing: security headers on every answer, a request size
limit, per-address rate limits, and the console's login gate.

Which bucket counts a request, whether it is behind the gate and whether the guard's own
answers are JSON or text is each route's declared policy (web/policy.py), not a list of
paths here. The guard sits inside the page cache: a cached page keeps the headers the guard
added when it was rendered, and a hit is not counted against a rate limit.
"""

from __future__ import annotations

import json
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote, unquote

from starlette.concurrency import run_in_threadpool
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from wiredesk import metrics
from wiredesk.config import Settings
from wiredesk.web import branding, keys
from wiredesk.web.auth import Auth
from wiredesk.web.policy import Policies

# No inline script anywhere: the site needs none. JSON-LD (<script type="application/ld+json">)
# is data, never run, so this policy does not touch it.
CSP = ("default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; "
       "frame-ancestors 'none'; form-action 'self'")
HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"x-frame-options", b"DENY"),  # frame-ancestors for browsers that predate it
)


def headers_for(settings: Settings) -> tuple[tuple[bytes, bytes], ...]:
    """HEADERS, with the origins a publisher allowed (WIREDESK_CSP_EXTRA, web/branding.py)."""
    policy = branding.csp(CSP, settings.csp_extra).encode()
    return tuple((k, policy if k == b"content-security-policy" else v) for k, v in HEADERS)


USER_KEY = "wiredesk.user"  # where the gate leaves the logged-in user in the ASGI scope
MAX_ADDRESSES = 10_000  # rate-limit state kept per bucket before idle entries are dropped
# Control characters and XML's non-characters name nothing on this site, and would reach
# places that refuse them (PostgreSQL text holds no NUL, an XML feed no control character).
ODD = re.compile("[\x00-\x1f\x7f\ufffe\uffff]")


class BodyTooLarge(Exception):
    pass


@dataclass
class TokenBucket:
    """`per_minute` requests a minute per key, in bursts of up to as many."""

    per_minute: int
    monotonic: Callable[[], float] = time.monotonic

    def __post_init__(self) -> None:
        self.rate = self.per_minute / 60.0
        self.state: dict[str, tuple[float, float]] = {}  # key -> (tokens, when counted)

    def take(self, key: str) -> float:
        """0 if a request may pass now (and count it), else seconds until one may."""
        if self.per_minute <= 0:
            return 0.0
        now = self.monotonic()
        tokens, then = self.state.get(key, (float(self.per_minute), now))
        tokens = min(float(self.per_minute), tokens + (now - then) * self.rate)
        if tokens >= 1.0:
            self.state[key] = (tokens - 1.0, now)
            self._prune(now)
            return 0.0
        self.state[key] = (tokens, now)
        return (1.0 - tokens) / self.rate

    def _prune(self, now: float) -> None:
        if len(self.state) <= MAX_ADDRESSES:
            return
        full = self.per_minute / self.rate  # seconds for an empty bucket to fill
        self.state = {k: v for k, v in self.state.items() if now - v[1] < full}


def client_address(scope: Scope) -> str:
    # The peer address as the server saw it: behind a proxy, run uvicorn with
    # --forwarded-allow-ips so this is the reader's address rather than the proxy's.
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


def cookie(scope: Scope, name: str) -> str | None:
    """Read as Starlette's Request.cookies reads it, so the gate and the pages agree."""
    for key, value in scope.get("headers", []):
        if key == b"cookie":
            found = cookie_parser(value.decode("latin-1")).get(name)
            if found is not None:
                return found
    return None


class Guard:
    def __init__(self, app: ASGIApp, *, settings: Settings, auth: Auth, policies: Policies,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.app = app
        self.auth = auth
        self.policies = policies
        self.limit = settings.max_request_bytes
        self.headers = headers_for(settings)
        self.buckets = {
            "push": TokenBucket(settings.rate_push, monotonic),
            "search": TokenBucket(settings.rate_search, monotonic),
            "login": TokenBucket(settings.rate_login, monotonic),
        }
        self.keys = keys.Keys(auth.store)
        self.key_buckets: dict[int, TokenBucket] = {}  # by a key's limit; counted by name
        self.monotonic = monotonic
        unknown = policies.buckets() - self.buckets.keys()
        if unknown:
            raise ValueError(f"routes name rate-limit buckets with no limit: {sorted(unknown)}")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                given = list(message.get("headers", []))
                if keys.KEY_SCOPE in scope:  # full text for one key: no shared cache keeps it
                    given = [h for h in given if h[0].lower() != b"cache-control"]
                    given.append((b"cache-control", b"private, no-store"))
                present = {name.lower() for name, _ in given}
                message["headers"] = [*given, *(h for h in self.headers if h[0] not in present)]
            await send(message)

        path = scope["path"]
        policy = self.policies.of(scope)
        if odd_address(scope):
            await _answer(send_with_headers, 400, policy.json_errors,
                          "control characters in the address")
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.limit:
            await _answer(send_with_headers, 413, policy.json_errors,
                          f"request body over {self.limit} bytes")
            return
        key = keys.presented(scope)
        found = await run_in_threadpool(self.keys.lookup, key) if key else None
        if key and found is None:
            await _answer(send_with_headers, 401, True, "unknown or revoked API key",
                          [(b"www-authenticate", b'Bearer realm="wiredesk"')])
            return
        name = policy.bucket(scope["method"])
        if found is not None:  # a key counts against its own limit, wherever it asks
            scope[keys.KEY_SCOPE] = found
            bucket = self.key_buckets.setdefault(
                found.per_minute, TokenBucket(found.per_minute, self.monotonic))
            wait = bucket.take(found.name)
            if wait > 0:
                metrics.RATE_LIMITED.labels("api-key").inc()
                await _answer(send_with_headers, 429, True, "too many requests for this key",
                              [(b"retry-after", str(max(1, math.ceil(wait))).encode())])
                return
            name = None
        if name is not None:
            wait = self.buckets[name].take(client_address(scope))
            if wait > 0:
                metrics.RATE_LIMITED.labels(name).inc()
                await _answer(send_with_headers, 429, policy.json_errors,
                              "too many requests; slow down",
                              [(b"retry-after", str(max(1, math.ceil(wait))).encode())])
                return
        if policy.login is not None:
            user = await run_in_threadpool(self.auth.user, cookie(scope, self.auth.cookie))
            if user is None:
                target = policy.login + "?next=" + quote(path, safe="/")
                await _answer(send_with_headers, 303, policy.json_errors, "log in first",
                              [(b"location", target.encode())])
                return
            scope[USER_KEY] = user

        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise BodyTooLarge
            return message

        try:
            await self.app(scope, limited_receive, send_with_headers)
        except BodyTooLarge:
            if started:
                raise
            await _answer(send_with_headers, 413, policy.json_errors,
                          f"request body over {self.limit} bytes")


def odd_address(scope: Scope) -> bool:
    """True when the path or query, percent-decoded, holds a character ODD refuses."""
    query = unquote(scope.get("query_string", b"").decode("latin-1"))
    return bool(ODD.search(scope["path"]) or ODD.search(query))


def _content_length(scope: Scope) -> int | None:
    for key, value in scope.get("headers", []):
        if key == b"content-length":
            return int(value) if value.isdigit() else None
    return None


async def _answer(send: Send, status: int, json_errors: bool, text: str,
                  extra: list[tuple[bytes, bytes]] | None = None) -> None:
    """A short answer in the surface's own language: JSON for programs, text for people."""
    if json_errors:
        body, kind = json.dumps({"error": text}).encode(), b"application/json"
    else:
        body, kind = text.encode(), b"text/plain; charset=utf-8"
    headers = [(b"content-type", kind), (b"content-length", str(len(body)).encode()),
               (b"cache-control", b"no-store"), *(extra or [])]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
