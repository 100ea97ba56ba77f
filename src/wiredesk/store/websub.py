"""WebSub subscriptions as data: all the SQL for them. Used as `store.websub`.

The worker asks a hub (pending), the web answers the hub's check of intent (active until the
lease ends) and takes the content pushes; either side reads the row the other wrote. The
rules themselves (when to ask, renew, fall back to polling) are sources/websub.py's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, insert, select, update

from wiredesk.store.schema import websub
from wiredesk.store.writes import Write


@dataclass(frozen=True, slots=True)
class Subscription:
    source: str
    hub: str
    topic: str
    secret: str
    state: str  # pending | active | refused | lapsed
    lease_seconds: int | None
    requested_at: datetime
    verified_at: datetime | None
    expires_at: datetime | None
    last_push_at: datetime | None
    error: str | None

    def active(self, now: datetime) -> bool:
        return self.state == "active" and self.expires_at is not None and now < self.expires_at


class WebSubStore:
    def __init__(self, engine: Engine, write: Write) -> None:
        self.engine = engine
        self.write = write

    def get(self, source: str) -> Subscription | None:
        with self.engine.connect() as c:
            row = c.execute(select(websub).where(websub.c.source == source)).first()
        return Subscription(**row._mapping) if row else None

    def request(self, source: str, *, hub: str, topic: str, secret: str, lease_seconds: int,
                now: datetime) -> None:
        """A subscription asked of the hub, awaiting its check of intent. A renewal keeps
        the active lease meanwhile (and the old secret is replaced: pushes signed with it
        stop being taken once the hub has the new one)."""
        values = {"hub": hub, "topic": topic, "secret": secret, "lease_seconds": lease_seconds,
                  "requested_at": now, "error": None}
        with self.write() as w:
            old = w.c.execute(select(websub.c.state, websub.c.expires_at)
                              .where(websub.c.source == source)).first()
            if old is None:
                w.c.execute(insert(websub).values(source=source, state="pending", **values))
                return
            renewing = old.state == "active" and old.expires_at is not None \
                and old.expires_at > now
            w.c.execute(update(websub).where(websub.c.source == source).values(
                state="active" if renewing else "pending", **values))

    def verify(self, source: str, topic: str, lease_seconds: int | None, now: datetime) -> bool:
        """The hub confirms a subscription we asked for: active for its lease. False (and
        nothing changes) for a topic we did not ask for or nothing asked."""
        with self.write() as w:
            row = w.c.execute(select(websub).where(websub.c.source == source)).first()
            if row is None or row.topic != topic or row.state not in ("pending", "active"):
                return False
            lease = lease_seconds or row.lease_seconds or 0
            w.c.execute(update(websub).where(websub.c.source == source).values(
                state="active", verified_at=now, lease_seconds=lease,
                expires_at=now + timedelta(seconds=lease), error=None))
        return True

    def fail(self, source: str, state: str, error: str) -> None:
        """The hub refused (or the subscription lapsed): the source polls as before."""
        with self.write() as w:
            w.c.execute(update(websub).where(websub.c.source == source)
                        .values(state=state, error=error[:2000]))

    def pushed(self, source: str, now: datetime) -> None:
        with self.write() as w:
            w.c.execute(update(websub).where(websub.c.source == source)
                        .values(last_push_at=now))

    def remove(self, source: str) -> None:
        with self.write() as w:
            w.c.execute(delete(websub).where(websub.c.source == source))
