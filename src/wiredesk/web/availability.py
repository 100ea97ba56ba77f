"""Whether a reader may have a story now, decided in one place for every surface.

Unknown, held and still-embargoed stories are NOT_FOUND alike: a reader must not learn that
such a story exists. A story taken down, or whose licence has ended (even if the clock has
not run yet), is GONE, with why and since when; anything else visible is LIVE.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from wiredesk.store import StoryRecord


class State(Enum):
    LIVE = 200
    NOT_FOUND = 404  # unknown, held or embargoed
    GONE = 410  # killed, expired or removed

    @property
    def status(self) -> int:
        """The HTTP status every surface answers with."""
        return self.value


@dataclass(frozen=True, slots=True)
class Availability:
    state: State
    reason: str | None = None  # GONE only: killed, expired or removed
    takendown_at: datetime | None = None  # GONE only: when it went (the licence end if expired)


LIVE = Availability(State.LIVE)
NOT_FOUND = Availability(State.NOT_FOUND)


def availability(record: StoryRecord | None, now: datetime) -> Availability:
    if record is None:
        return NOT_FOUND
    if record.state == "takendown" or record.ends_at <= now:
        return Availability(State.GONE, record.takedown_reason or "expired",
                            record.takendown_at or record.ends_at)
    if not record.visible(now):
        return NOT_FOUND
    return LIVE
