"""Fetching over HTTP for polled sources: one GET done carefully.

Conditional requests (ETag, Last-Modified), gzip/deflate decoded by us within the size
limit (a small compressed body cannot balloon past it), connect and read timeouts plus an
overall deadline (a server that drips a byte a second never trips a read timeout),
redirects bounded and each hop checked by the SSRF guard, 429/503 turned into a Retry-After,
a User-Agent naming wiredesk, and a cap on concurrent requests per host.
"""

from __future__ import annotations

import re
import threading
import time
import zlib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Protocol
from urllib.parse import urlsplit

import httpx

from wiredesk import __version__
from wiredesk.sources.config import ConfigError, resolve_secret
from wiredesk.sources.fetch_guard import BlockedAddress, check_peer, check_url
from wiredesk.times import utc_now

USER_AGENT = f"wiredesk/{__version__}"
MAX_RETRY_AFTER = 86400.0  # a day: beyond that a Retry-After is more likely a mistake
AUTH_TYPES = ("none", "basic", "bearer", "header")


@dataclass(frozen=True)
class Auth:
    type: str = "none"
    user: str | None = None  # basic
    secret: str | None = None  # basic password, bearer token or header value; `$ENV` allowed
    header: str | None = None  # header name, for type "header"

    @classmethod
    def parse(cls, spec: str | Mapping[str, Any] | None) -> Auth:
        """`basic:USER:PASSWORD`, `bearer:TOKEN`, `header:NAME:VALUE`, or a TOML table."""
        if spec is None or spec == "" or spec == "none":
            return cls()
        if isinstance(spec, Mapping):
            kind = str(spec.get("type", ""))
            auth = cls(kind, spec.get("user"),
                       spec.get("password") or spec.get("token") or spec.get("value"),
                       spec.get("header"))
        else:
            kind, _, rest = str(spec).partition(":")
            if kind == "basic":
                user, _, secret = rest.partition(":")
                auth = cls(kind, user, secret)
            elif kind == "header":
                header, _, secret = rest.partition(":")
                auth = cls(kind, None, secret, header)
            else:
                auth = cls(kind, None, rest)
        if auth.type not in AUTH_TYPES:
            raise ConfigError(f"unknown auth {auth.type!r}: use basic:USER:PASSWORD, "
                              "bearer:TOKEN or header:NAME:VALUE")
        if not auth.secret or (auth.type == "basic" and not auth.user) or (
                auth.type == "header" and not re.fullmatch(r"[A-Za-z0-9-]+", auth.header or "")):
            raise ConfigError(f"incomplete {auth.type} auth: use basic:USER:PASSWORD, "
                              "bearer:TOKEN or header:NAME:VALUE")
        return auth

    def headers(self) -> dict[str, str]:
        """The request headers this auth adds (basic is done by httpx.BasicAuth)."""
        if self.type == "bearer":
            return {"Authorization": f"Bearer {resolve_secret(self.secret)}"}
        if self.type == "header" and self.header:
            return {self.header: resolve_secret(self.secret) or ""}
        return {}


class FetchSettings(Protocol):
    """What a Fetcher reads of a source's settings: an http source's (sources/http.py)
    has them all. A protocol, so that this module need not import the kind that uses it."""

    @property
    def auth(self) -> Auth: ...
    @property
    def allow_private(self) -> bool | tuple[str, ...]: ...
    @property
    def max_bytes(self) -> int: ...
    @property
    def connect_timeout(self) -> float: ...
    @property
    def read_timeout(self) -> float: ...
    @property
    def max_redirects(self) -> int: ...


class FetchError(Exception):
    """A fetch that failed; `retry_after` is the server's own wish, in seconds, if it said."""

    def __init__(self, message: str, retry_after: float | None = None,
                 status: int | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.status = status


@dataclass
class Fetched:
    url: str  # after redirects
    status: int
    data: bytes = b""
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    links: dict[str, str] = field(default_factory=dict)  # rel -> absolute URL, from `Link:`


class HostLimiter:
    """At most `per_host` requests in flight to one host from this process."""

    def __init__(self, per_host: int = 2) -> None:
        self.per_host = per_host
        self._lock = threading.Lock()
        self._slots: dict[str, threading.BoundedSemaphore] = {}

    @contextmanager
    def hold(self, url: str) -> Iterator[None]:
        parts = urlsplit(url)
        key = f"{parts.hostname}:{parts.port or parts.scheme}"
        with self._lock:
            slot = self._slots.setdefault(key, threading.BoundedSemaphore(self.per_host))
        with slot:
            yield


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Retry-After as delta-seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value), MAX_RETRY_AFTER)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    seconds = (when - (now or utc_now())).total_seconds()
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


def decode_body(raw: bytes, encoding: str | None, limit: int, url: str) -> bytes:
    """Undo Content-Encoding, never producing more than `limit` bytes."""
    codings = [c.strip().lower() for c in (encoding or "").split(",") if c.strip()]
    data = raw
    for coding in reversed(codings):
        if coding in ("identity", ""):
            continue
        if coding in ("gzip", "x-gzip"):
            wbits = 16 + zlib.MAX_WBITS
        elif coding == "deflate":
            # "deflate" is zlib-wrapped by the RFC, raw deflate by some servers: zlib's
            # automatic header detection (32+) covers zlib and gzip; raw needs -15.
            wbits = 32 + zlib.MAX_WBITS if data[:1] == b"\x78" else -zlib.MAX_WBITS
        else:
            raise FetchError(f"{url}: unsupported Content-Encoding {coding!r}")
        inflater = zlib.decompressobj(wbits)
        try:
            out = inflater.decompress(data, limit + 1)
        except zlib.error as exc:
            raise FetchError(f"{url}: corrupt {coding} body: {exc}") from None
        if len(out) > limit or inflater.unconsumed_tail:
            raise FetchError(f"{url}: body larger than {limit} bytes once decompressed")
        data = out
    return data


class Fetcher:
    """GETs for one source, with that source's timeouts, limits, auth and SSRF policy."""

    def __init__(self, cfg: FetchSettings, limiter: HostLimiter | None = None) -> None:
        self.cfg = cfg
        self.limiter = limiter or HostLimiter()
        self.deadline_seconds = cfg.connect_timeout + 4 * cfg.read_timeout
        auth = None
        if cfg.auth.type == "basic":
            auth = httpx.BasicAuth(cfg.auth.user or "", resolve_secret(cfg.auth.secret) or "")
        try:
            auth_headers = cfg.auth.headers()
        except ConfigError as exc:
            raise FetchError(str(exc)) from None
        self.client = httpx.Client(
            timeout=httpx.Timeout(connect=cfg.connect_timeout, read=cfg.read_timeout,
                                  write=cfg.read_timeout, pool=cfg.connect_timeout),
            follow_redirects=cfg.max_redirects > 0,
            max_redirects=cfg.max_redirects,
            headers={"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate",
                     **auth_headers},
            auth=auth,
            trust_env=False,  # no proxies or netrc from the environment: what is set is used
            event_hooks={"request": [self._check_request], "response": [self._check_response]},
        )

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _check_request(self, request: httpx.Request) -> None:
        # Runs for the first request and for every redirect hop httpx follows.
        check_url(str(request.url), self.cfg.allow_private)

    def _check_response(self, response: httpx.Response) -> None:
        check_peer(response, self.cfg.allow_private)

    def get(self, url: str, headers: dict[str, str] | None = None, *,
            accept: str | None = None) -> Fetched:
        """GET `url`: a Fetched (status 200 or 304), or a FetchError saying what went wrong."""
        extra = dict(headers or {})
        if accept:
            extra["Accept"] = accept
        try:
            with self.limiter.hold(url), self.client.stream("GET", url, headers=extra) as r:
                return self._read(url, r)
        except BlockedAddress as exc:
            raise FetchError(str(exc)) from None
        except httpx.TooManyRedirects:
            raise FetchError(f"more than {self.cfg.max_redirects} redirects from {url} "
                             "(a redirect loop?)") from None
        except httpx.TimeoutException as exc:
            what = {"ConnectTimeout": "connecting", "ReadTimeout": "waiting for data",
                    "PoolTimeout": "waiting for a connection"}.get(type(exc).__name__, "")
            raise FetchError(f"timed out {what} from {url}".replace("  ", " ")) from None
        except httpx.HTTPError as exc:
            raise FetchError(f"cannot fetch {url}: {exc or type(exc).__name__}") from None

    def _read(self, url: str, r: httpx.Response) -> Fetched:
        final = str(r.url)
        if r.status_code == 304:
            return Fetched(final, 304, etag=r.headers.get("etag"),
                           last_modified=r.headers.get("last-modified"))
        if r.status_code in (429, 503):
            wait = retry_after_seconds(r.headers.get("retry-after"))
            hint = f"; retry after {wait:g}s" if wait is not None else ""
            raise FetchError(f"HTTP {r.status_code} {r.reason_phrase} from {final}{hint}", wait,
                             r.status_code)
        if r.status_code >= 300:  # a 3xx here is a redirect we were not allowed to follow
            raise FetchError(f"HTTP {r.status_code} {r.reason_phrase} from {final}",
                             status=r.status_code)
        limit = self.cfg.max_bytes
        declared = r.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise FetchError(f"{final}: body of {declared} bytes is over the limit of {limit}")
        deadline = time.monotonic() + self.deadline_seconds
        chunks, size = [], 0
        for chunk in r.iter_raw():
            size += len(chunk)
            if size > limit:
                raise FetchError(f"{final}: body larger than the limit of {limit} bytes")
            if time.monotonic() > deadline:
                raise FetchError(f"{final}: body still arriving after "
                                 f"{self.deadline_seconds:g}s; gave up")
            chunks.append(chunk)
        data = decode_body(b"".join(chunks), r.headers.get("content-encoding"), limit, final)
        links = {rel: str(r.url.join(link["url"]))
                 for rel, link in r.links.items() if rel and link.get("url")}
        return Fetched(final, r.status_code, data, r.headers.get("content-type"),
                       r.headers.get("etag"), r.headers.get("last-modified"), links)
