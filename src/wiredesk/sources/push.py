"""The push kind: an agency POSTs a story, signed with HMAC-SHA256 over the exact body.

The signature travels as `X-Wiredesk-Signature: sha256=<hex>`, keyed by the source's shared
secret. Unsigned or wrongly signed requests are refused before anything is read into the
desk (Superdesk's Newshub only logs a warning; a desk that republishes verbatim must not).
Nothing polls a push source, so the kind has no run step: web/push.py calls `accept`.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from wiredesk.sources.config import ConfigError, SourceConfig, parse_size, resolve_secret
from wiredesk.sources.deliver import apply_delivery
from wiredesk.sources.kind import Flag, Kind
from wiredesk.store import Store
from wiredesk.story import Delivery

HEADER = "X-Wiredesk-Signature"
PREFIX = "sha256="
PAUSED_RETRY_AFTER = 60  # seconds
MAX_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class PushConfig(SourceConfig):
    secret: str | None = None  # the HMAC-SHA256 key; `$ENV` allowed
    max_bytes: int = MAX_BYTES  # largest body read

    SECRETS: ClassVar[tuple[tuple[str, ...], ...]] = (("secret",),)

    @classmethod
    def parse(cls, values: Mapping[str, Any]) -> dict[str, Any]:
        return {"secret": values.get("secret"),
                "max_bytes": parse_size(values.get("max_bytes", MAX_BYTES), "max_bytes")}

    def check(self) -> None:
        if not self.secret:
            raise ConfigError("a push source needs --secret (the HMAC-SHA256 key)")


FLAGS = (
    Flag("--secret", "push: the HMAC-SHA256 shared secret (made up if not given)"),
    Flag("--max-bytes", "largest push body accepted (10MB)"),
)


def from_flags(args: argparse.Namespace) -> dict[str, Any]:
    return {"secret": args.secret, "max_bytes": args.max_bytes}


def complete(values: dict[str, Any]) -> str | None:
    """`sources add` without --secret makes one up, shown to the operator once."""
    if values.get("secret"):
        return None
    values["secret"] = secrets.token_hex(32)
    return f"push secret (give it to the agency; shown only now): {values['secret']}"


def sign(secret: str, body: bytes) -> str:
    """The header value a sender puts on `body`."""
    return PREFIX + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def verify(secret: str | None, body: bytes, header: str | None) -> bool:
    if not secret or not header or not header.strip().lower().startswith(PREFIX):
        return False
    # compare_digest: the time taken must not tell an attacker how much of a guess was right.
    return hmac.compare_digest(sign(secret, body), PREFIX + header.strip()[len(PREFIX):].lower())


@dataclass
class PushAnswer:
    status: int
    body: dict[str, Any] = field(default_factory=dict)


def accept(store: Store, cfg: PushConfig, body: bytes, signature: str | None, *,
           content_type: str | None, now: datetime, paused: bool = False,
           arrived: datetime | None = None) -> PushAnswer:
    """Check the signature, then apply the body as one delivery."""
    try:
        secret = resolve_secret(cfg.secret)
    except ConfigError:
        return PushAnswer(503, {"error": "this source's secret is not configured"})
    if not verify(secret, body, signature):
        return PushAnswer(401, {"error": f"missing or wrong {HEADER} (HMAC-SHA256 of the body "
                                         "by the source's shared secret)"})
    if paused:  # a paused source applies nothing; the sender is asked to come back later
        return PushAnswer(503, {"error": f"source {cfg.name} is paused"})
    name = f"push:{hashlib.sha256(body).hexdigest()[:16]}"
    report = apply_delivery(store, cfg, Delivery(body, cfg.name, name, now, content_type,
                                                 arrived=arrived))
    store.sources.record_result(cfg.name, now, report.error)
    if report.error:
        return PushAnswer(422, {"error": report.error, "uris": [], "outcomes": {}})
    outcomes = {uri: str(outcome) for uri, outcome in report.outcomes}
    return PushAnswer(202, {"uris": list(outcomes), "outcomes": outcomes})


KIND = Kind("push", PushConfig, flags=FLAGS, from_flags=from_flags, complete=complete)
