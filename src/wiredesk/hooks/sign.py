"""The webhook signature: `X-Wiredesk-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>`.

The HMAC is keyed with the subscriber's secret over `f"{t}.".encode() + body`, the bytes
sent. A receiver recomputes it, compares in constant time, and refuses a `t` older than a
few minutes, so a captured request cannot be replayed later; the event id (also in the
`X-Wiredesk-Event-Id` header) lets it drop a delivery it already has (at-least-once).
"""

from __future__ import annotations

import hashlib
import hmac

HEADER = "X-Wiredesk-Signature"
EVENT_HEADER = "X-Wiredesk-Event-Id"
TOLERANCE = 300  # seconds a receiver should accept between `t` and its own clock


def signature(secret: str, body: bytes, t: int) -> str:
    mac = hmac.new(secret.encode("utf-8"), f"{t}.".encode() + body, hashlib.sha256)
    return f"t={t},v1={mac.hexdigest()}"


def verify(secret: str, header: str, body: bytes, now: float,
           tolerance: int = TOLERANCE) -> bool:
    """What a receiver does: True when `header` signs `body` with `secret`, recently."""
    try:
        parts = dict(part.split("=", 1) for part in header.split(","))
        t = int(parts["t"])
        given = parts["v1"]
    except (KeyError, ValueError):
        return False
    if abs(now - t) > tolerance:
        return False
    expected = signature(secret, body, t).split("v1=", 1)[1]
    return hmac.compare_digest(expected, given)
