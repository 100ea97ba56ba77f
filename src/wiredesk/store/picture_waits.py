"""Pushed deliveries waiting for their remote pictures (the push kind's worker step).

A push is answered as soon as its stories are applied; fetching a picture from the agency's
server could take the read timeout and more. So the delivery's bytes wait here and the push
source is made due at once; a worker, holding the source's lease, fetches the pictures and
links them to the stories (wiredesk.late_pictures), then drops the wait.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, delete, func, insert, select, update

from wiredesk.store.picture_tables import picture_waits
from wiredesk.store.schema import source_state
from wiredesk.store.writes import Write

MAX_WAITING = 1000  # per source: a sender that floods us waits its turn, the oldest first


@dataclass(frozen=True, slots=True)
class Wait:
    id: int
    source: str
    name: str | None
    content_type: str | None
    data: bytes
    received_at: datetime


class PictureWaits:
    def __init__(self, engine: Engine, write: Write) -> None:
        self.engine, self.write = engine, write

    def add(self, source: str, *, name: str | None, content_type: str | None, data: bytes,
            received_at: datetime, now: datetime) -> bool:
        """Keep a delivery for the worker and make its source due now; False (nothing kept)
        when the source already has MAX_WAITING deliveries waiting."""
        with self.write() as w:
            waiting = w.c.execute(select(func.count()).select_from(picture_waits)
                                  .where(picture_waits.c.source == source)).scalar_one()
            if waiting >= MAX_WAITING:
                return False
            w.c.execute(insert(picture_waits).values(
                source=source, name=(name or "")[:200] or None,
                content_type=(content_type or "")[:200] or None, data=data,
                received_at=received_at))
            w.c.execute(update(source_state).where(source_state.c.name == source)
                        .values(next_poll_at=now))
        return True

    def due(self, source: str, limit: int = 20) -> list[Wait]:
        """The oldest waits of a source (its lease keeps other workers off them)."""
        with self.engine.connect() as c:
            rows = c.execute(select(picture_waits).where(picture_waits.c.source == source)
                             .order_by(picture_waits.c.id).limit(limit)).all()
        return [Wait(r.id, r.source, r.name, r.content_type, r.data, r.received_at)
                for r in rows]

    def count(self, source: str) -> int:
        with self.engine.connect() as c:
            return int(c.execute(select(func.count()).select_from(picture_waits)
                                 .where(picture_waits.c.source == source)).scalar_one())

    def done(self, wait_id: int) -> None:
        with self.write() as w:
            w.c.execute(delete(picture_waits).where(picture_waits.c.id == wait_id))
