"""Sources as data: their settings, poll state, leases and health. All the SQL for them.

Used as `store.sources`. A worker takes a due source with a lease (owner and expiry),
selected `FOR UPDATE SKIP LOCKED` on PostgreSQL so several workers never take the same
source; on SQLite, BEGIN IMMEDIATE already serialises writers. A dead worker's lease lapses
at `lease_until`, and every later write by the old owner is refused by the owner check.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, case, delete, false, func, insert, or_, select, update

from wiredesk.masking import mask_text
from wiredesk.store.picture_tables import picture_waits
from wiredesk.store.records import Claim, Health, SourceRow
from wiredesk.store.schema import clock_lease, quarantine, source_state, sources, versions
from wiredesk.store.writes import Write


def _of_kinds(kinds: tuple[str, ...] | None) -> list[Any]:
    return [] if kinds is None else [sources.c.kind.in_(kinds)]


def _row(r: Any) -> SourceRow:
    return SourceRow(r.name, r.kind, r.agency, int(r.licence_days), dict(r.settings or {}),
                     bool(r.paused), r.created_at)


class SourceStore:
    def __init__(self, engine: Engine, write: Write) -> None:
        self.engine = engine
        self.write = write

    # --- the operator's settings ----------------------------------------------------------
    def add(self, name: str, *, kind: str, agency: str | None, licence_days: int,
            settings: dict[str, Any], polled: bool, now: datetime, replace: bool = False,
            paused: bool | None = None, quiet: bool = False) -> bool:
        """Create a source (or, with `replace`, update it); True if anything changed.

        A source that `ingest --source` made on the fly (kind "cli") may be taken over.
        Changed settings reset the poll memo (an ETag for another URL means nothing) and
        make a `polled` source due at once. The store knows kinds only by name (the sources
        room owns them), so whether a kind is polled is said here and kept as the schedule:
        a source without a `next_poll_at` is never claimed. A `quiet` change is one of how
        the settings are stored, not of what they say (a secret sealed): nothing is reset.
        """
        values = {"kind": kind, "agency": agency, "licence_days": licence_days,
                  "settings": settings}
        with self.write() as w:
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
                if quiet:
                    return True
            due = now if polled else None
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
        """Pause or resume; a resumed polled source is due at once. False if there is no such
        source."""
        with self.write() as w:
            done = w.c.execute(update(sources).where(sources.c.name == name)
                               .values(paused=paused)).rowcount
            if done and not paused:  # a source with no schedule (a push) must not gain one
                w.c.execute(update(source_state).where(source_state.c.name == name,
                                                       source_state.c.next_poll_at.is_not(None))
                            .values(next_poll_at=now))
        return bool(done)

    def remove(self, name: str) -> bool:
        """Forget a source. Its stories stay: they are taken down by their own licence."""
        with self.write() as w:
            w.c.execute(delete(source_state).where(source_state.c.name == name))
            w.c.execute(delete(picture_waits).where(picture_waits.c.source == name))
            return bool(w.c.execute(delete(sources).where(sources.c.name == name)).rowcount)

    # --- health --------------------------------------------------------------------------
    def health(self, now: datetime, name: str | None = None) -> list[Health]:
        recent = (select(versions.c.source, func.count(versions.c.story_id.distinct()).label("n"))
                  .where(versions.c.received_at >= now - timedelta(hours=24))
                  .group_by(versions.c.source).subquery())
        failed = (select(quarantine.c.source, func.count().label("q"))
                  .where(quarantine.c.received_at >= now - timedelta(hours=24))
                  .group_by(quarantine.c.source).subquery())
        query = (select(sources.c.name, sources.c.kind, sources.c.paused, source_state,
                        recent.c.n, failed.c.q)
                 .select_from(sources.outerjoin(source_state,
                                                source_state.c.name == sources.c.name)
                              .outerjoin(recent, recent.c.source == sources.c.name)
                              .outerjoin(failed, failed.c.source == sources.c.name))
                 .order_by(sources.c.name))
        if name is not None:
            query = query.where(sources.c.name == name)
        with self.engine.connect() as c:
            rows = c.execute(query).all()
        return [Health(
            name=r.name, kind=r.kind, paused=bool(r.paused), last_attempt_at=r.last_attempt_at,
            last_success_at=r.last_success_at, last_error_at=r.last_error_at,
            last_error=mask_text(r.last_error) if r.last_error else None,
            consecutive_failures=int(r.consecutive_failures or 0),
            next_poll_at=None if r.paused else r.next_poll_at, stories_24h=int(r.n or 0),
            lease_owner=r.lease_owner, quarantined_24h=int(r.q or 0),
            last_latency=r.last_latency, last_latency_at=r.last_latency_at,
        ) for r in rows]

    # --- leases --------------------------------------------------------------------------
    def claim_due(self, owner: str, now: datetime, lease_for: timedelta, limit: int,
                  kinds: tuple[str, ...] | None = None) -> list[Claim]:
        """Take up to `limit` due sources that no live lease holds, for `lease_for`; only
        `kinds` if given (the worker names those it can run), else any with a schedule."""
        query = (
            select(sources, source_state.c.memo, source_state.c.consecutive_failures)
            .join(source_state, source_state.c.name == sources.c.name)
            .where(sources.c.paused == false(), *_of_kinds(kinds),
                   source_state.c.next_poll_at <= now,
                   or_(source_state.c.lease_until.is_(None), source_state.c.lease_until < now))
            .order_by(source_state.c.next_poll_at).limit(limit)
            .with_for_update(skip_locked=True, of=source_state)
        )
        with self.write() as w:
            rows = w.c.execute(query).all()
            if rows:
                w.c.execute(update(source_state)
                            .where(source_state.c.name.in_([r.name for r in rows]))
                            .values(lease_owner=owner, lease_until=now + lease_for))
        return [Claim(_row(r), dict(r.memo or {}), int(r.consecutive_failures or 0))
                for r in rows]

    def renew(self, name: str, owner: str, until: datetime) -> bool:
        """Extend a lease between deliveries; False if it lapsed and someone else took it."""
        with self.write() as w:
            return bool(w.c.execute(update(source_state).where(
                source_state.c.name == name, source_state.c.lease_owner == owner,
            ).values(lease_until=until)).rowcount)

    def checkpoint(self, name: str, owner: str, memo: dict[str, Any], until: datetime) -> bool:
        """Save the poll memo and extend the lease in one write; False if the lease was lost."""
        with self.write() as w:
            return bool(w.c.execute(update(source_state).where(
                source_state.c.name == name, source_state.c.lease_owner == owner,
            ).values(memo=memo, lease_until=until)).rowcount)

    def finish(self, name: str, owner: str, *, now: datetime, error: str | None,
               next_poll_at: datetime, memo: dict[str, Any], warning: str | None = None,
               started: datetime | None = None) -> bool:
        """Record one poll's result and give the lease back. A `warning` (a quarantined
        page, an unreadable file) is shown as the last error without counting as a failure.
        With `started` (when the run began), a source made due during the run (a push
        leaving pictures, a resume) keeps that time rather than the run's next one."""
        due: Any = next_poll_at
        if started is not None:
            due = case((source_state.c.next_poll_at > started, source_state.c.next_poll_at),
                       else_=next_poll_at)
        values: dict[str, Any] = {"last_attempt_at": now, "next_poll_at": due,
                                  "memo": memo, "lease_owner": None, "lease_until": None}
        if error is None:
            values.update(last_success_at=now, consecutive_failures=0)
            if warning:
                values.update(last_error_at=now, last_error=mask_text(warning)[:2000])
        else:
            values.update(last_error_at=now, last_error=mask_text(error)[:2000],
                          consecutive_failures=source_state.c.consecutive_failures + 1)
        with self.write() as w:
            return bool(w.c.execute(update(source_state).where(
                source_state.c.name == name, source_state.c.lease_owner == owner,
            ).values(**values)).rowcount)

    def record_latency(self, name: str, seconds: float, at: datetime) -> None:
        """The wire-to-web latency of the source's newest story (shown on its console page)."""
        with self.write() as w:
            w.c.execute(update(source_state).where(source_state.c.name == name)
                        .values(last_latency=seconds, last_latency_at=at))

    def release(self, owner: str) -> int:
        """Give back every lease `owner` holds (a clean stop), so others may start at once."""
        with self.write() as w:
            return w.c.execute(update(source_state).where(source_state.c.lease_owner == owner)
                               .values(lease_owner=None, lease_until=None)).rowcount

    def claim_clock(self, owner: str, now: datetime, lease_for: timedelta) -> bool:
        """Take or keep the clock for `lease_for`; False while another live worker holds it."""
        with self.write() as w:
            w.insert_ignore(clock_lease, {"id": 1, "owner": None, "until": None}, ["id"])
            return bool(w.c.execute(update(clock_lease).where(
                clock_lease.c.id == 1,
                or_(clock_lease.c.owner == owner, clock_lease.c.owner.is_(None),
                    clock_lease.c.until < now),
            ).values(owner=owner, until=now + lease_for)).rowcount)

    def release_clock(self, owner: str) -> None:
        with self.write() as w:
            w.c.execute(update(clock_lease).where(clock_lease.c.owner == owner)
                        .values(owner=None, until=None))

    def release_dead(self, prefix: str, alive: Callable[[str], bool]) -> int:
        """Free leases of owners named `prefix...` that `alive` says are gone (a SIGKILLed
        worker on this host), so a restart need not wait for the lease to lapse."""
        with self.engine.connect() as c:
            owners = set(c.execute(select(source_state.c.lease_owner).where(
                source_state.c.lease_owner.startswith(prefix, autoescape=True))).scalars())
        return sum(self.release(owner) for owner in owners if not alive(owner))

    def next_due(self, kinds: tuple[str, ...] | None = None) -> datetime | None:
        with self.engine.connect() as c:
            return c.execute(
                select(func.min(source_state.c.next_poll_at))
                .join(sources, sources.c.name == source_state.c.name)
                .where(sources.c.paused == false(), *_of_kinds(kinds))
            ).scalar()

    # --- push and delivery bookkeeping ---------------------------------------------------
    def record_result(self, name: str, now: datetime, error: str | None) -> None:
        """Health for a delivery that came without a lease (a push)."""
        values: dict[str, Any] = {"last_attempt_at": now}
        if error is None:
            values.update(last_success_at=now, consecutive_failures=0)
        else:
            values.update(last_error_at=now, last_error=mask_text(error)[:2000],
                          consecutive_failures=source_state.c.consecutive_failures + 1)
        with self.write() as w:
            w.c.execute(update(source_state).where(source_state.c.name == name).values(**values))
