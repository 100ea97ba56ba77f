"""Sources as data: their settings, poll state, leases and health. All the SQL for them.

Used as `SourceStore(store)`. A worker takes a due source with a lease (owner and expiry),
selected `FOR UPDATE SKIP LOCKED` on PostgreSQL so several workers never take the same
source; on SQLite, BEGIN IMMEDIATE already serialises writers. A dead worker's lease lapses
at `lease_until`, and every later write by the old owner is refused by the owner check.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, false, func, insert, or_, select, update

from wiredesk.store import Store
from wiredesk.store.schema import clock_lease, quarantine, source_state, sources, versions

POLLED_KINDS = ("http", "folder")


@dataclass(frozen=True, slots=True)
class SourceRow:
    name: str
    kind: str
    agency: str | None
    licence_days: int
    settings: dict[str, Any]
    paused: bool
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Health:
    name: str
    kind: str
    paused: bool
    last_attempt_at: datetime | None = None
    last_success_at: datetime | None = None
    last_error_at: datetime | None = None
    last_error: str | None = None
    consecutive_failures: int = 0
    next_poll_at: datetime | None = None
    stories_24h: int = 0
    lease_owner: str | None = None


@dataclass(frozen=True, slots=True)
class Claim:
    """A source this worker holds the lease on, with what its last poll left for the next."""

    source: SourceRow
    memo: dict[str, Any] = field(default_factory=dict)
    consecutive_failures: int = 0


def _row(r: Any) -> SourceRow:
    return SourceRow(r.name, r.kind, r.agency, int(r.licence_days), dict(r.settings or {}),
                     bool(r.paused), r.created_at)


class SourceStore:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.engine = store.engine

    # --- the operator's settings ----------------------------------------------------------
    def add(self, name: str, *, kind: str, agency: str | None, licence_days: int,
            settings: dict[str, Any], now: datetime, replace: bool = False,
            paused: bool | None = None) -> bool:
        """Create a source (or, with `replace`, update it); True if anything changed.

        A source that `ingest --source` made on the fly (kind "cli") may be taken over.
        Changed settings reset the poll memo (an ETag for another URL means nothing) and
        make the source due at once.
        """
        values = {"kind": kind, "agency": agency, "licence_days": licence_days,
                  "settings": settings}
        with self.store.write() as w:
            old = w.c.execute(select(sources).where(sources.c.name == name)).first()
            if old is not None and not replace and old.kind != "cli":
                raise ValueError(f"source {name!r} already exists (remove it first, or edit "
                                 "the sources file)")
            if old is None:
                w.c.execute(insert(sources).values(name=name, created_at=now,
                                                   paused=bool(paused), **values))
            else:
                same = all(getattr(old, k) == v for k, v in values.items())
                if same and (paused is None or bool(old.paused) == paused):
                    return False
                if paused is not None:
                    values["paused"] = paused
                w.c.execute(update(sources).where(sources.c.name == name).values(**values))
            due = now if kind in POLLED_KINDS else None
            kept = w.c.execute(update(source_state).where(source_state.c.name == name)
                               .values(next_poll_at=due, memo={})).rowcount
            if not kept:  # health history stays across a change of settings
                w.c.execute(insert(source_state).values(name=name, next_poll_at=due, memo={},
                                                        consecutive_failures=0))
        return True

    def get(self, name: str) -> SourceRow | None:
        with self.engine.connect() as c:
            row = c.execute(select(sources).where(sources.c.name == name)).first()
        return _row(row) if row else None

    def all(self) -> list[SourceRow]:
        with self.engine.connect() as c:
            return [_row(r) for r in c.execute(select(sources).order_by(sources.c.name))]

    def set_paused(self, name: str, paused: bool, now: datetime) -> bool:
        """Pause or resume; a resumed source is due at once. False if there is no such source."""
        with self.store.write() as w:
            done = w.c.execute(update(sources).where(sources.c.name == name)
                               .values(paused=paused)).rowcount
            if done and not paused:
                w.c.execute(update(source_state).where(source_state.c.name == name)
                            .values(next_poll_at=now))
        return bool(done)

    def remove(self, name: str) -> bool:
        """Forget a source. Its stories stay: they are taken down by their own licence."""
        with self.store.write() as w:
            w.c.execute(delete(source_state).where(source_state.c.name == name))
            return bool(w.c.execute(delete(sources).where(sources.c.name == name)).rowcount)

    # --- health --------------------------------------------------------------------------
    def health(self, now: datetime, name: str | None = None) -> list[Health]:
        recent = (select(versions.c.source, func.count(versions.c.story_id.distinct()).label("n"))
                  .where(versions.c.received_at >= now - timedelta(hours=24))
                  .group_by(versions.c.source).subquery())
        query = (select(sources.c.name, sources.c.kind, sources.c.paused, source_state,
                        recent.c.n)
                 .select_from(sources.outerjoin(source_state,
                                                source_state.c.name == sources.c.name)
                              .outerjoin(recent, recent.c.source == sources.c.name))
                 .order_by(sources.c.name))
        if name is not None:
            query = query.where(sources.c.name == name)
        with self.engine.connect() as c:
            rows = c.execute(query).all()
        return [Health(
            name=r.name, kind=r.kind, paused=bool(r.paused), last_attempt_at=r.last_attempt_at,
            last_success_at=r.last_success_at, last_error_at=r.last_error_at,
            last_error=r.last_error, consecutive_failures=int(r.consecutive_failures or 0),
            next_poll_at=r.next_poll_at, stories_24h=int(r.n or 0), lease_owner=r.lease_owner,
        ) for r in rows]

    # --- leases --------------------------------------------------------------------------
    def claim_due(self, owner: str, now: datetime, lease_for: timedelta, limit: int,
                  kinds: tuple[str, ...] = POLLED_KINDS) -> list[Claim]:
        """Take up to `limit` due sources that no live lease holds, for `lease_for`."""
        query = (
            select(sources, source_state.c.memo, source_state.c.consecutive_failures)
            .join(source_state, source_state.c.name == sources.c.name)
            .where(sources.c.paused == false(), sources.c.kind.in_(kinds),
                   source_state.c.next_poll_at <= now,
                   or_(source_state.c.lease_until.is_(None), source_state.c.lease_until < now))
            .order_by(source_state.c.next_poll_at).limit(limit)
            .with_for_update(skip_locked=True, of=source_state)
        )
        with self.store.write() as w:
            rows = w.c.execute(query).all()
            if rows:
                w.c.execute(update(source_state)
                            .where(source_state.c.name.in_([r.name for r in rows]))
                            .values(lease_owner=owner, lease_until=now + lease_for))
        return [Claim(_row(r), dict(r.memo or {}), int(r.consecutive_failures or 0))
                for r in rows]

    def renew(self, name: str, owner: str, until: datetime) -> bool:
        """Extend a lease between deliveries; False if it lapsed and someone else took it."""
        with self.store.write() as w:
            return bool(w.c.execute(update(source_state).where(
                source_state.c.name == name, source_state.c.lease_owner == owner,
            ).values(lease_until=until)).rowcount)

    def checkpoint(self, name: str, owner: str, memo: dict[str, Any], until: datetime) -> bool:
        """Save the poll memo and extend the lease in one write; False if the lease was lost."""
        with self.store.write() as w:
            return bool(w.c.execute(update(source_state).where(
                source_state.c.name == name, source_state.c.lease_owner == owner,
            ).values(memo=memo, lease_until=until)).rowcount)

    def finish(self, name: str, owner: str, *, now: datetime, error: str | None,
               next_poll_at: datetime, memo: dict[str, Any], warning: str | None = None) -> bool:
        """Record one poll's result and give the lease back. A `warning` (a quarantined
        page, an unreadable file) is shown as the last error without counting as a failure."""
        values: dict[str, Any] = {"last_attempt_at": now, "next_poll_at": next_poll_at,
                                  "memo": memo, "lease_owner": None, "lease_until": None}
        if error is None:
            values.update(last_success_at=now, consecutive_failures=0)
            if warning:
                values.update(last_error_at=now, last_error=warning[:2000])
        else:
            values.update(last_error_at=now, last_error=error[:2000],
                          consecutive_failures=source_state.c.consecutive_failures + 1)
        with self.store.write() as w:
            return bool(w.c.execute(update(source_state).where(
                source_state.c.name == name, source_state.c.lease_owner == owner,
            ).values(**values)).rowcount)

    def release(self, owner: str) -> int:
        """Give back every lease `owner` holds (a clean stop), so others may start at once."""
        with self.store.write() as w:
            return w.c.execute(update(source_state).where(source_state.c.lease_owner == owner)
                               .values(lease_owner=None, lease_until=None)).rowcount

    def claim_clock(self, owner: str, now: datetime, lease_for: timedelta) -> bool:
        """Take or keep the clock for `lease_for`; False while another live worker holds it."""
        with self.store.write() as w:
            w._insert_ignore(clock_lease, {"id": 1, "owner": None, "until": None}, ["id"])
            return bool(w.c.execute(update(clock_lease).where(
                clock_lease.c.id == 1,
                or_(clock_lease.c.owner == owner, clock_lease.c.owner.is_(None),
                    clock_lease.c.until < now),
            ).values(owner=owner, until=now + lease_for)).rowcount)

    def release_clock(self, owner: str) -> None:
        with self.store.write() as w:
            w.c.execute(update(clock_lease).where(clock_lease.c.owner == owner)
                        .values(owner=None, until=None))

    def release_dead(self, prefix: str, alive: Callable[[str], bool]) -> int:
        """Free leases of owners named `prefix...` that `alive` says are gone (a SIGKILLed
        worker on this host), so a restart need not wait for the lease to lapse."""
        with self.engine.connect() as c:
            owners = set(c.execute(select(source_state.c.lease_owner).where(
                source_state.c.lease_owner.startswith(prefix, autoescape=True))).scalars())
        return sum(self.release(owner) for owner in owners if not alive(owner))

    def next_due(self, kinds: tuple[str, ...] = POLLED_KINDS) -> datetime | None:
        with self.engine.connect() as c:
            return c.execute(
                select(func.min(source_state.c.next_poll_at))
                .join(sources, sources.c.name == source_state.c.name)
                .where(sources.c.paused == false(), sources.c.kind.in_(kinds))
            ).scalar()

    # --- push and delivery bookkeeping ---------------------------------------------------
    def record_result(self, name: str, now: datetime, error: str | None) -> None:
        """Health for a delivery that came without a lease (a push)."""
        values: dict[str, Any] = {"last_attempt_at": now}
        if error is None:
            values.update(last_success_at=now, consecutive_failures=0)
        else:
            values.update(last_error_at=now, last_error=error[:2000],
                          consecutive_failures=source_state.c.consecutive_failures + 1)
        with self.store.write() as w:
            w.c.execute(update(source_state).where(source_state.c.name == name).values(**values))

    def quarantined_before(self, source: str, sha256: str, name: str | None = None) -> str | None:
        """The error of an earlier quarantine of these very bytes from this source, if any:
        re-applying them (after a crash before the file moved, or a re-push) would only
        quarantine them twice."""
        where = [quarantine.c.source == source, quarantine.c.sha256 == sha256]
        if name is not None:
            where.append(quarantine.c.name == name)
        with self.engine.connect() as c:
            return c.execute(select(quarantine.c.error).where(and_(*where))
                             .order_by(quarantine.c.id.desc()).limit(1)).scalar()

