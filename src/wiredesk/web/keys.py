"""API keys: `Authorization: Bearer KEY` (or `X-Api-Key: KEY`) gets full text from the API
and feeds, whatever a source's `public_text`, and counts against the key's own rate limit
instead of the reader's address.

A key is shown once, when made (`wiredesk keys add NAME`); only its SHA-256 digest is kept
(a key is 32 random bytes: a fast hash is enough, no password stretching needed). Lookups are
remembered for TTL seconds, so a busy client costs no query per request and a removed key
stops working within that time.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from datetime import datetime

from starlette.types import Scope

from wiredesk.store import Store
from wiredesk.store.records import ApiKeyRow

PREFIX = "wdk_"
DEFAULT_PER_MINUTE = 600
TTL = 30.0  # seconds a lookup is remembered
KEY_SCOPE = "wiredesk.api_key"  # where the guard leaves the request's key in the ASGI scope
MAX_REMEMBERED = 10_000


def digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def new_key(store: Store, name: str, per_minute: int, now: datetime) -> str:
    key = PREFIX + secrets.token_urlsafe(32)
    store.keys.add(name, digest(key), per_minute, now)
    return key


def presented(scope: Scope) -> str | None:
    """The key a request carries, if any."""
    for name, value in scope.get("headers", []):
        if name == b"x-api-key":
            return value.decode("latin-1").strip() or None
        if name == b"authorization":
            text = value.decode("latin-1").strip()
            if text[:7].lower() == "bearer " and text[7:].strip().startswith(PREFIX):
                return text[7:].strip()
    return None


def full_text(scope: Scope) -> bool:
    """Did the guard find a valid API key on this request?"""
    return scope.get(KEY_SCOPE) is not None


class Keys:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.seen: dict[str, tuple[ApiKeyRow | None, float]] = {}

    def lookup(self, key: str) -> ApiKeyRow | None:
        hashed = digest(key)
        now = time.monotonic()
        found = self.seen.get(hashed)
        if found is not None and found[1] > now:
            return found[0]
        row = self.store.keys.find(hashed)
        if len(self.seen) >= MAX_REMEMBERED:
            self.seen.clear()
        self.seen[hashed] = (row, now + TTL)
        return row
