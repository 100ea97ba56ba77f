"""The quarantine as the console works it: one record with its bytes, and its status moves.

Status is `open` until an operator acts: `done` (retried and applied), `replaced` (retried,
and the desk quarantined it again as a new record), or `discarded`. Bytes are kept in every
case: nothing is deleted that has not been applied, and a discard can be looked at later.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update

from wiredesk.store import Store
from wiredesk.store.records import QuarantineRecord
from wiredesk.store.schema import quarantine

STATUSES = ("open", "done", "replaced", "discarded")


@dataclass(frozen=True, slots=True)
class QuarantineItem:
    record: QuarantineRecord
    data: bytes


class QuarantineOps:
    def __init__(self, store: Store) -> None:
        self.store = store

    def item(self, item_id: int) -> QuarantineItem | None:
        with self.store.engine.connect() as c:
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

    def set_status(self, item_id: int, status: str) -> bool:
        """Move an open record to `status`; False if it was not open (someone else acted)."""
        if status not in STATUSES or status == "open":
            raise ValueError(f"not a closing quarantine status: {status!r}")
        with self.store.write() as w:
            return bool(w.c.execute(update(quarantine)
                                    .where(quarantine.c.id == item_id,
                                           quarantine.c.status == "open")
                                    .values(status=status)).rowcount)
