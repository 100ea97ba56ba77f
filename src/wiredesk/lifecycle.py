"""The clock: lift embargoes, end licences, purge. Idempotent; cost follows what changes.

Readers never depend on the clock having run: every surface asks the store for stories
visible *now* (embargo passed, licence not ended). `tick` makes that permanent: it writes
the takedown, purges bodies and raw bytes, and leaves the audit row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from wiredesk.store import Store

BATCH = 500  # stories per transaction: bounded work, short locks


@dataclass
class TickReport:
    expired: int = 0
    embargoes_lifted: int = 0


def tick(store: Store, now: datetime) -> TickReport:
    report = TickReport()
    with store.write() as w:
        report.embargoes_lifted = w.lift_embargoes(now)
    while True:
        with store.write() as w:
            due = w.due_expiries(now, BATCH)
            report.expired += w.take_down_many(due, reason="expired",
                                               detail="licence period ended", actor=None, now=now)
        if len(due) < BATCH:
            return report
