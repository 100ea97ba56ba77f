"""WebSub (W3C) for polled feeds: where a feed names a hub, have the hub push it to us.

A poll that finds `<link rel="hub">` and `rel="self"` (in an HTTP Link header, or in the
Atom/RSS body) asks the hub to subscribe our callback (`/websub/{source}` on the site's
public address) to the topic, with a fresh `hub.secret`. The hub checks our intent with a
GET that the web answers (web/websub.py) only for the topic we asked and a subscription in
hand; from then on the hub POSTs the feed's new content, signed `X-Hub-Signature:
sha256=<HMAC of the body by hub.secret>` (sha1, sha384 and sha512 too, as the spec allows),
and each signed push is applied like a polled page. Unsigned or wrongly signed pushes are
refused and apply nothing.

While the subscription is active the source is still polled, but only every
SUBSCRIBED_POLL seconds (the pushes carry the news; the poll is the safety net), and it is
renewed when RENEW_FRACTION of its lease is left. A hub that refuses, never confirms, or a
lease that runs out puts the source back on its own interval until the next try.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

import httpx

from wiredesk.formats import FormatError
from wiredesk.formats.xmlsafe import local, parse_xml
from wiredesk.sources import sealed
from wiredesk.sources.config import SourceConfig
from wiredesk.sources.deliver import apply_delivery
from wiredesk.sources.fetch import Fetched
from wiredesk.sources.fetch_guard import Allow, BlockedAddress, check_peer, check_url
from wiredesk.store import Store
from wiredesk.store.websub import Subscription
from wiredesk.story import Delivery
from wiredesk.values import BadValue

log = logging.getLogger("wiredesk.sources")

HEADER = "X-Hub-Signature"
LEASE_SECONDS = 86400  # asked of the hub; the hub may grant another
SUBSCRIBED_POLL = 300.0  # seconds between safety-net polls while pushes arrive
RENEW_FRACTION = 0.1  # renew when this much of the lease is left (at least RENEW_MIN)
RENEW_MIN = 60.0
PENDING_SECONDS = 300.0  # a hub that has not checked our intent by then: ask again later
RETRY_SECONDS = 3600.0  # after a refusal, ask again this much later
TIMEOUT = 10.0
_DIGESTS = {"sha1": hashlib.sha1, "sha256": hashlib.sha256, "sha384": hashlib.sha384,
            "sha512": hashlib.sha512}


@dataclass(frozen=True, slots=True)
class Advert:
    """What a feed says about push: its hub and its own canonical URL (the topic)."""

    hub: str
    topic: str


def discover(got: Fetched) -> Advert | None:
    """The hub and self links of a fetched feed: HTTP Link headers first, then the body."""
    hub, topic = got.links.get("hub"), got.links.get("self")
    if not (hub and topic) and got.data.lstrip()[:1] == b"<":
        found = feed_links(got.data, got.url)
        hub, topic = hub or found.get("hub"), topic or found.get("self")
    if hub and topic and hub.startswith(("http://", "https://")):
        return Advert(hub, topic)
    return None


def feed_links(data: bytes, base: str) -> dict[str, str]:
    """rel -> href of the feed-level `<link>`/`<atom:link>` elements (not the entries')."""
    try:
        root = parse_xml(data, "feed")
    except FormatError:
        return {}
    channel = next((child for child in root if local(child.tag) == "channel"), root)
    found: dict[str, str] = {}
    for element in channel:
        if local(element.tag) == "link" and element.get("rel") and element.get("href"):
            for rel in element.get("rel", "").split():
                found.setdefault(rel.lower(), urljoin(base, element.get("href", "").strip()))
    return found


def sign(secret: str, body: bytes, method: str = "sha256") -> str:
    """The X-Hub-Signature value a hub puts on `body`."""
    return f"{method}={hmac.new(secret.encode(), body, _DIGESTS[method]).hexdigest()}"


def verify(secret: str, body: bytes, header: str | None) -> bool:
    """A good `method=hex` signature of `body` by `secret` (sha1/sha256/sha384/sha512)."""
    if not header or "=" not in header:
        return False
    method, _, given = header.strip().partition("=")
    digest = _DIGESTS.get(method.strip().lower())
    if digest is None:
        return False
    expected = hmac.new(secret.encode(), body, digest).hexdigest()
    return hmac.compare_digest(expected, given.strip().lower())


def callback_url(base_url: str, source: str) -> str:
    return f"{base_url.rstrip('/')}/websub/{quote(source, safe='')}"


def next_poll(sub: Subscription | None, every: float, now: datetime) -> float | None:
    """Seconds to the next poll while subscribed (None: the source's own interval)."""
    if sub is None or not sub.active(now) or sub.expires_at is None:
        return None
    left = (sub.expires_at - now).total_seconds()
    renew_in = left - max(RENEW_MIN, (sub.lease_seconds or 0) * RENEW_FRACTION)
    return max(every, min(SUBSCRIBED_POLL, renew_in))


def needs_asking(sub: Subscription | None, advert: Advert, now: datetime) -> bool:
    if sub is None or (sub.hub, sub.topic) != (advert.hub, advert.topic):
        return True
    waited = (now - sub.requested_at).total_seconds()
    if sub.state == "pending":
        return waited > PENDING_SECONDS
    if sub.state in ("refused", "lapsed"):
        return waited > RETRY_SECONDS
    if sub.expires_at is None:
        return True
    left = (sub.expires_at - now).total_seconds()
    return left <= max(RENEW_MIN, (sub.lease_seconds or 0) * RENEW_FRACTION)


def tend(store: Store, source: str, advert: Advert | None, *, base_url: str | None,
         allow_private: Allow, now: datetime) -> dict[str, Any]:
    """After a poll: subscribe, renew or give up as the feed and the row say. Returns what
    to show in the poll's memo (state, hub)."""
    sub = store.websub.get(source)
    if sub is not None and sub.state == "pending" and \
            (now - sub.requested_at).total_seconds() > PENDING_SECONDS:
        store.websub.fail(source, "lapsed", "the hub never checked our intent")
        sub = store.websub.get(source)
    if sub is not None and sub.state == "active" and not sub.active(now):
        store.websub.fail(source, "lapsed", "the lease ended")
        sub = store.websub.get(source)
    if advert is None or not base_url or not reachable(base_url, advert.hub):
        return {"state": sub.state} if sub else {}
    if needs_asking(sub, advert, now):
        subscribe(store, source, advert, callback_url(base_url, source), allow_private, now)
        sub = store.websub.get(source)
    return {"state": sub.state, "hub": sub.hub} if sub else {}


def reachable(base_url: str, hub: str) -> bool:
    """Could the hub call us back? Not at a loopback address unless it is local too (a
    desk left at the default base URL must not ask the world's hubs to call 127.0.0.1)."""
    def loopback(url: str) -> bool:
        host = (urlsplit(url).hostname or "").lower()
        return host == "localhost" or host.startswith("127.") or host == "::1"
    return not loopback(base_url) or loopback(hub)


def subscribe(store: Store, source: str, advert: Advert, callback: str, allow_private: Allow,
              now: datetime) -> bool:
    """Ask the hub; True if it accepted the request (it checks our intent before or after
    answering). The row is written first: a hub that checks at once finds it."""
    secret = secrets.token_hex(32)
    try:  # encrypted at rest where WIREDESK_SECRET_KEY is set, as the sources' secrets are
        stored = sealed.seal(secret, "hub.secret")
    except BadValue:
        stored = secret  # made up here, one per subscription, replaced at each renewal
    store.websub.request(source, hub=advert.hub, topic=advert.topic, secret=stored,
                         lease_seconds=LEASE_SECONDS, now=now)
    form = {"hub.mode": "subscribe", "hub.topic": advert.topic, "hub.callback": callback,
            "hub.secret": secret, "hub.lease_seconds": str(LEASE_SECONDS)}
    try:
        check_url(advert.hub, allow_private)
        with httpx.Client(timeout=TIMEOUT, follow_redirects=False, trust_env=False,
                          event_hooks={"response": [lambda r: check_peer(r, allow_private)]}
                          ) as client:
            answer = client.post(advert.hub, data=form)
    except (BlockedAddress, httpx.HTTPError) as exc:
        store.websub.fail(source, "refused", f"cannot reach hub {advert.hub}: {exc}")
        return False
    if answer.status_code not in (202, 204):
        store.websub.fail(source, "refused", f"hub {advert.hub} answered HTTP "
                                             f"{answer.status_code}: {answer.text[:200]}")
        return False
    log.info("source %s: asked %s to push %s", source, advert.hub, advert.topic)
    return True


def lease_of(value: str | None) -> int | None:
    """hub.lease_seconds as sent by the hub (None if absent or nonsense)."""
    if value and value.strip().isdigit():
        return min(int(value), 10 * 365 * 86400)
    return None



def confirm(store: Store, source: str, params: dict[str, str], now: datetime) -> str | None:
    """The hub's GET to the callback: the challenge to echo, or None (answer 404). Only a
    subscribe of the very topic we asked for, while a subscription is in hand, is confirmed;
    a hub's `denied` is recorded (and acknowledged with an empty answer)."""
    mode = params.get("hub.mode", "")
    topic = params.get("hub.topic", "")
    if mode == "denied":
        sub = store.websub.get(source)
        if sub is None or sub.topic != topic:
            return None
        store.websub.fail(source, "refused", f"the hub denied: {params.get('hub.reason', '')}")
        return ""
    challenge = params.get("hub.challenge", "")
    if mode != "subscribe" or not topic or not challenge:
        return None  # we never ask to unsubscribe: a lease is left to run out
    lease = lease_of(params.get("hub.lease_seconds"))
    return challenge if store.websub.verify(source, topic, lease, now) else None


@dataclass
class PushAnswer:
    status: int
    body: dict[str, Any]


def accept(store: Store, cfg: SourceConfig, body: bytes, signature: str | None, *,
           content_type: str | None, now: datetime, arrived: datetime,
           paused: bool = False) -> PushAnswer:
    """A content push to the callback: applied as one delivery, if signed by hub.secret."""
    sub = store.websub.get(cfg.name)
    if sub is None or sub.state != "active":
        return PushAnswer(410, {"error": f"no active WebSub subscription for {cfg.name}"})
    try:
        secret = sealed.unseal(sub.secret)
    except BadValue as exc:
        return PushAnswer(503, {"error": str(exc)})
    if not verify(secret, body, signature):
        return PushAnswer(403, {"error": f"missing or wrong {HEADER} (HMAC of the body by "
                                         "hub.secret)"})
    if paused:
        return PushAnswer(503, {"error": f"source {cfg.name} is paused"})
    name = f"websub:{hashlib.sha256(body).hexdigest()[:16]}"
    report = apply_delivery(store, cfg, Delivery(body, cfg.name, name, now, content_type,
                                                 arrived=arrived))
    store.websub.pushed(cfg.name, now)
    if report.error:
        # The hub did its part: 2xx, or it retries the same bytes. The bytes are in the
        # quarantine, counted in the source's health.
        return PushAnswer(202, {"error": report.error})
    return PushAnswer(202, {"outcomes": {uri: str(o) for uri, o in report.outcomes}})
