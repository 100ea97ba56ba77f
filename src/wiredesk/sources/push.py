"""The push kind: an agency POSTs a story, signed with HMAC-SHA256 over the exact body.

The signature travels as `X-Wiredesk-Signature: sha256=<hex>`, keyed by the source's shared
secret. Unsigned or wrongly signed requests are refused before anything is read into the
desk (Superdesk's Newshub only logs a warning; a desk that republishes verbatim must not).
Nothing polls a push source for stories: web/push.py calls `accept`. Remote pictures the
stories name are not fetched in the request (a picture server may be slow): the delivery
waits for the worker, whose step for a push source fetches them through the SSRF guard
(sources/push_pictures.py), with `picture_auth` sent only to `picture_hosts`.
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

from wiredesk.sources import push_pictures
from wiredesk.sources.config import ConfigError, SourceConfig, parse_size, resolve_secret
from wiredesk.sources.deliver import apply_delivery
from wiredesk.sources.fetch import Auth
from wiredesk.sources.kind import Flag, Kind
from wiredesk.sources.pictures import PictureFetch
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
    # Remote pictures (fetched by the worker): credentials for the agency's picture server,
    # sent only to these hosts (host or host:port); private addresses only if allowed.
    picture_auth: Auth = field(default_factory=Auth)
    picture_hosts: tuple[str, ...] = ()
    allow_private: bool | tuple[str, ...] = False

    SECRETS: ClassVar[tuple[tuple[str, ...], ...]] = (("secret",), ("picture_auth", "secret"))

    @classmethod
    def parse(cls, values: Mapping[str, Any]) -> dict[str, Any]:
        auth = values.get("picture_auth")
        return {"secret": values.get("secret"),
                "max_bytes": parse_size(values.get("max_bytes", MAX_BYTES), "max_bytes"),
                "picture_auth": auth if isinstance(auth, Auth) else Auth.parse(auth),
                "picture_hosts": _hosts(values.get("picture_hosts", ()), "picture_hosts"),
                "allow_private": (values.get("allow_private") if isinstance(
                    values.get("allow_private"), bool) else _hosts(
                    values.get("allow_private", ()), "allow_private") or False)}

    @classmethod
    def revive(cls, stored: Mapping[str, Any]) -> dict[str, Any]:
        data = super().revive(stored)
        data["picture_auth"] = Auth(**data.get("picture_auth") or {})
        for key in ("picture_hosts", "allow_private"):
            if isinstance(data.get(key), list):  # JSON has no tuples
                data[key] = tuple(data[key])
        return data

    def check(self) -> None:
        if not self.secret:
            raise ConfigError("a push source needs --secret (the HMAC-SHA256 key)")
        if self.picture_auth.type != "none" and not self.picture_hosts:
            raise ConfigError("--picture-auth needs --picture-host: the hosts its credentials "
                              "may go to")


def _hosts(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if isinstance(value, list | tuple) and all(isinstance(x, str) and x.strip() for x in value):
        return tuple(x.strip().lower() for x in value)
    raise ConfigError(f"bad {where} {value!r}: a list of host[:port]")


FLAGS = (
    Flag("--secret", "push: the HMAC-SHA256 shared secret (made up if not given)"),
    Flag("--max-bytes", "largest push body accepted (10MB)"),
    Flag("--picture-auth", "push: credentials for the agency's picture server (as --auth)"),
    Flag("--picture-host", "push: a host (HOST[:PORT]) --picture-auth may go to (repeatable)",
         {"action": "append", "metavar": "HOST[:PORT]"}),
)


def from_flags(args: argparse.Namespace) -> dict[str, Any]:
    return {"secret": args.secret, "max_bytes": args.max_bytes,
            "picture_auth": getattr(args, "picture_auth", None),
            "picture_hosts": getattr(args, "picture_host", None),
            "allow_private": getattr(args, "allow_private", None)
            or getattr(args, "allow_private_host", None)}


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
    pictures = PictureFetch(store)  # no fetcher here: remote pictures wait for the worker
    report = apply_delivery(store, cfg, Delivery(body, cfg.name, name, now, content_type,
                                                 arrived=arrived), pictures=pictures)
    store.sources.record_result(cfg.name, now, report.error)
    if report.error:
        return PushAnswer(422, {"error": report.error, "uris": [], "outcomes": {}})
    outcomes = {uri: str(outcome) for uri, outcome in report.outcomes}
    answer: dict[str, Any] = {"uris": list(outcomes), "outcomes": outcomes}
    if pictures.waiting:
        kept = store.picture_waits.add(cfg.name, name=name, content_type=content_type,
                                       data=body, received_at=now, now=now)
        answer["pictures"] = (f"{len(pictures.waiting)} to fetch" if kept else
                              "not fetched: too many deliveries wait for their pictures")
    return PushAnswer(202, answer)


# The worker runs a push source only for its pictures, when a push leaves some: on demand.
KIND = Kind("push", PushConfig, run=push_pictures.run, on_demand=True,
            exclusive=("picture_auth", "picture_hosts"), flags=FLAGS,
            from_flags=from_flags, complete=complete)
