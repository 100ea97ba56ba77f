"""Subscribers and their delivery outbox: all the SQL for webhooks (hooks/ sends them).

Used as `store.subscribers`. Each subscriber reads the story journal through its own named
cursor (`subscriber:NAME`). `fill` copies the events it wants into `deliveries` and moves the
cursor in the same transaction, so an event is either owed (a row) or not yet read: a worker
killed at any moment loses nothing, and a second worker filling at the same time writes no
duplicate (one row per subscriber and event id). A delivery is taken by pushing its
`next_try` past a lease before it is sent: two workers never send the same row at once, and a
sender that dies leaves a row that is due again when the lease ends.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from wiredesk.store.records import DeliveryRow, SubscriberRow
from wiredesk.store.schema import deliveries, journal, journal_cursors, subscribers
from wiredesk.store.writes import Write
from wiredesk.times import aware

BATCH = 500


def cursor_name(subscriber: str) -> str:
    return f"subscriber:{subscriber}"


def _subscriber(r: Any) -> SubscriberRow:
    return SubscriberRow(r.name, r.url, r.secret, tuple(r.events or ()), r.agency,
                         bool(r.allow_private), r.created_at)


def _delivery(r: Any) -> DeliveryRow:
    return DeliveryRow(r.id, r.subscriber, r.event_id, r.event, r.story_id, r.uri, r.agency,
                       r.reason,
                       r.at, r.status, r.attempts, r.next_try, r.last_error, r.created_at,
                       r.done_at)


def _insert_ignoring(c: Any, table: Any, rows: list[dict[str, Any]], keys: list[str]) -> None:
    builder = postgresql.insert if c.dialect.name == "postgresql" else sqlite.insert
    c.execute(builder(table).on_conflict_do_nothing(index_elements=keys), rows)


def _move_cursor(c: Any, name: str, position: int, now: datetime) -> None:
    _insert_ignoring(c, journal_cursors, [{"name": name, "position": position,
                                           "updated_at": now}], ["name"])
    c.execute(update(journal_cursors).where(journal_cursors.c.name == name,
                                            journal_cursors.c.position < position)
              .values(position=position, updated_at=now))


class SubscriberStore:
    def __init__(self, engine: Engine, write: Write) -> None:
        self.engine = engine
        self.write = write

    # --- the operator's list ---------------------------------------------------------------
    def add(self, name: str, *, url: str, secret: str, events: tuple[str, ...],
            agency: str | None, allow_private: bool, now: datetime) -> None:
        """A new subscriber, told of events from now on (not of the journal's past)."""
        with self.write() as w:
            if w.c.execute(select(subscribers.c.name).where(subscribers.c.name == name)).first():
                raise ValueError(f"subscriber {name!r} already exists (remove it first)")
            w.c.execute(insert(subscribers).values(
                name=name, url=url, secret=secret, events=list(events), agency=agency,
                allow_private=allow_private, created_at=now))
            latest = w.c.execute(select(func.max(journal.c.id))).scalar() or 0
            w.c.execute(delete(journal_cursors)
                        .where(journal_cursors.c.name == cursor_name(name)))
            _move_cursor(w.c, cursor_name(name), int(latest), now)

    def remove(self, name: str) -> bool:
        with self.write() as w:
            gone = w.c.execute(delete(subscribers).where(subscribers.c.name == name)).rowcount
            w.c.execute(delete(deliveries).where(deliveries.c.subscriber == name))
            w.c.execute(delete(journal_cursors)
                        .where(journal_cursors.c.name == cursor_name(name)))
        return bool(gone)

    def get(self, name: str) -> SubscriberRow | None:
        with self.engine.connect() as c:
            row = c.execute(select(subscribers).where(subscribers.c.name == name)).first()
        return _subscriber(row) if row else None

    def all(self) -> list[SubscriberRow]:
        with self.engine.connect() as c:
            return [_subscriber(r) for r in
                    c.execute(select(subscribers).order_by(subscribers.c.name))]

    def reseal(self, name: str, secret: str) -> None:
        with self.write() as w:
            w.c.execute(update(subscribers).where(subscribers.c.name == name)
                        .values(secret=secret))

    # --- the outbox ----------------------------------------------------------------------
    def fill(self, subscriber: SubscriberRow, now: datetime, limit: int = BATCH) -> int:
        """Owe `subscriber` the journal's next events it wants; returns the rows written."""
        name = cursor_name(subscriber.name)
        with self.write() as w:
            position = w.c.execute(select(journal_cursors.c.position)
                                   .where(journal_cursors.c.name == name)).scalar()
            if position is None:  # a subscriber whose cursor was lost: start from now
                position = int(w.c.execute(select(func.max(journal.c.id))).scalar() or 0)
            found = w.c.execute(select(journal).where(journal.c.id > position)
                                .order_by(journal.c.id).limit(limit)).all()
            if not found:
                return 0
            rows = [{"subscriber": subscriber.name, "event_id": r.id, "event": r.kind,
                     "story_id": r.story_id, "uri": r.uri, "agency": r.agency, "reason": r.reason, "at": r.at,
                     "status": "pending", "attempts": 0, "next_try": now, "created_at": now}
                    for r in found if r.kind in subscriber.events
                    and (subscriber.agency is None
                         or (r.agency or "").lower() == subscriber.agency.lower())]
            if rows:
                _insert_ignoring(w.c, deliveries, rows, ["subscriber", "event_id"])
            _move_cursor(w.c, name, int(found[-1].id), now)
        return len(rows)

    def behind(self, subscriber: str) -> bool:
        """Has the journal events this subscriber's cursor has not read?"""
        with self.engine.connect() as c:
            position = c.execute(select(journal_cursors.c.position).where(
                journal_cursors.c.name == cursor_name(subscriber))).scalar()
            latest = c.execute(select(func.max(journal.c.id))).scalar() or 0
        return position is None or int(latest) > int(position)

    def claim_due(self, now: datetime, lease: timedelta, limit: int = 50) -> list[DeliveryRow]:
        """Deliveries due now, each taken for `lease` (its next_try pushed past it)."""
        with self.engine.connect() as c:
            due = c.execute(select(deliveries).where(deliveries.c.status == "pending",
                                                     deliveries.c.next_try <= now)
                            .order_by(deliveries.c.id).limit(limit)).all()
        taken = []
        for row in due:
            with self.write() as w:
                got = w.c.execute(update(deliveries).where(
                    deliveries.c.id == row.id, deliveries.c.status == "pending",
                    deliveries.c.next_try == row.next_try).values(next_try=now + lease)).rowcount
            if got:
                taken.append(_delivery(row))
        return taken

    def delivered(self, delivery_id: int, now: datetime) -> None:
        with self.write() as w:
            w.c.execute(update(deliveries).where(deliveries.c.id == delivery_id).values(
                status="delivered", attempts=deliveries.c.attempts + 1, done_at=now,
                last_error=None))

    def failed(self, delivery_id: int, now: datetime, error: str,
               next_try: datetime | None) -> None:
        """A failed attempt: try again at `next_try`, or (None) give up: dead-lettered."""
        values: dict[str, Any] = {"attempts": deliveries.c.attempts + 1,
                                  "last_error": error[:500]}
        if next_try is None:
            values.update(status="dead", done_at=now)
        else:
            values["next_try"] = next_try
        with self.write() as w:
            w.c.execute(update(deliveries).where(deliveries.c.id == delivery_id).values(**values))

    def retry(self, delivery_id: int, now: datetime) -> bool:
        """A dead letter sent again now, with a fresh window before it is given up."""
        with self.write() as w:
            return bool(w.c.execute(update(deliveries).where(
                deliveries.c.id == delivery_id, deliveries.c.status == "dead").values(
                status="pending", next_try=now, created_at=now, done_at=None)).rowcount)

    def recent(self, subscriber: str | None = None, *, status: str | None = None,
               limit: int = 20) -> list[DeliveryRow]:
        query = select(deliveries)
        if subscriber is not None:
            query = query.where(deliveries.c.subscriber == subscriber)
        if status is not None:
            query = query.where(deliveries.c.status == status)
        with self.engine.connect() as c:
            return [_delivery(r) for r in
                    c.execute(query.order_by(deliveries.c.id.desc()).limit(limit))]

    def next_due(self) -> datetime | None:
        with self.engine.connect() as c:
            found = c.execute(select(func.min(deliveries.c.next_try))
                              .where(deliveries.c.status == "pending")).scalar()
        return aware(found) if found is not None else None

    def prune(self, before: datetime) -> int:
        """Drop settled deliveries (delivered or dead) older than `before`."""
        with self.write() as w:
            return w.c.execute(delete(deliveries).where(
                deliveries.c.status != "pending", deliveries.c.done_at < before)).rowcount
