"""Small builders shared by tests: ninjs items and deliveries."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from wiredesk import desk
from wiredesk.store import Store
from wiredesk.story import Delivery
from wiredesk.terms import Terms


def ninjs_item(uri: str = "urn:test:1", *, version: int = 1, at: datetime | None = None,
               headline: str | None = None, body: str = "<p>Body text.</p>", **extra) -> bytes:
    item = {
        "uri": uri,
        "version": str(version),
        "headlines": [{"role": "main", "value": headline or f"Headline v{version}"}],
        "bodies": [{"role": "main", "contenttype": "text/html", "value": body}],
        "infosources": [{"name": "AP", "role": "originator"}],
    }
    if at is not None:
        item["versioncreated"] = at.isoformat()
        item.setdefault("firstcreated", at.isoformat())
    for key, value in extra.items():
        item[key] = value.isoformat() if isinstance(value, datetime) else value
    return json.dumps(item).encode()


def deliver(store: Store, data: bytes, now: datetime, *, name: str = "test",
            source: str = "test", licence_days: int = 30) -> desk.Report:
    return desk.apply(store, Delivery(data, source, name, now), Terms(licence_days=licence_days))


def later(now: datetime, **kw) -> datetime:
    return now + timedelta(**kw)
