"""The quarantine: bytes the desk could not read, kept with why. All the SQL for them.

Used as `store.quarantine`. The record is written by the desk inside the delivery's own
transaction (`Writer.quarantine` calls `keep` here), so a delivery is applied or kept,
never lost in between. Status is `open` until an operator acts: `done` (retried and
applied), `replaced` (retried, and the desk quarantined it again as a new record), or
`discarded`. Bytes are kept in every case: nothing is deleted that has not been applied,
and a discard can be looked at later.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, func, insert, select, update

from wiredesk.store.clauses import count
from wiredesk.store.records import QuarantineItem, QuarantineRecord
from wiredesk.store.schema import quarantine

if TYPE_CHECKING:  # writes.py calls `keep` below, so this module must not import it at run time
    from wiredesk.store.writes import Write

STATUSES = ("open", "done", "replaced", "discarded")


def keep(c: Connection, *, source: str, name: str | None, data: bytes, fmt: str | None,
         error: str, now: datetime) -> int:
    """Keep one delivery's bytes and the reason, in the caller's transaction; the new id."""
    return c.execute(insert(quarantine).values(
        source=source, name=name, received_at=now, format=fmt, error=error,
        sha256=hashlib.sha256(data).hexdigest(), data=data, status="open",
    ).returning(quarantine.c.id)).scalar_one()


def open_count(c: Connection) -> int:
    """Records waiting for an operator, for `Store.status` (read on the caller's connection)."""
    return count(c, quarantine, quarantine.c.status == "open")


class Quarantine:
    def __init__(self, engine: Engine, write: Write) -> None:
        self.engine = engine
        self.write = write

    def records(self, *, status: str = "open", limit: int = 100) -> list[QuarantineRecord]:
        """Records in `status`, oldest first, without their bytes (only their size)."""
        cols = [c for c in quarantine.c if c.name != "data"]
        with self.engine.connect() as c:
            rows = c.execute(
                select(*cols, func.length(quarantine.c.data).label("size"))
                .where(quarantine.c.status == status).order_by(quarantine.c.id).limit(limit)
            ).all()
        return [QuarantineRecord(**row._asdict()) for row in rows]

    def item(self, item_id: int) -> QuarantineItem | None:
        with self.engine.connect() as c:
            row = c.execute(select(quarantine).where(quarantine.c.id == item_id)).first()
        if row is None:
            return None
        data = bytes(row.data)
        record = QuarantineRecord(
            id=row.id, source=row.source, name=row.name, received_at=row.received_at,
            format=row.format, error=row.error, sha256=row.sha256, size=len(data),
            status=row.status,
        )
        return QuarantineItem(record, data)

    def earlier_error(self, source: str, sha256: str, name: str | None = None) -> str | None:
        """The error of an earlier quarantine of these very bytes from this source, if any:
        re-applying them (after a crash before the file moved, or a re-push) would only
        quarantine them twice."""
        where = [quarantine.c.source == source, quarantine.c.sha256 == sha256]
        if name is not None:
            where.append(quarantine.c.name == name)
        with self.engine.connect() as c:
            return c.execute(select(quarantine.c.error).where(*where)
                             .order_by(quarantine.c.id.desc()).limit(1)).scalar()

    def set_status(self, item_id: int, status: str) -> bool:
        """Move an open record to `status`; False if it was not open (someone else acted)."""
        if status not in STATUSES or status == "open":
            raise ValueError(f"not a closing quarantine status: {status!r}")
        with self.write() as w:
            return bool(w.c.execute(update(quarantine)
                                    .where(quarantine.c.id == item_id,
                                           quarantine.c.status == "open")
                                    .values(status=status)).rowcount)
