"""The review queue's door: an editor publishes or ignores a story an editorial rule held.

Used by the console's buttons and by `wiredesk publish|ignore URI` alike. Nothing here
overrides the agency's hold: a story held as an advisory, a daybook, "not for publication"
or an AP item without `newscontent` (Story.hold, desk.held_reason) is refused, whoever asks.
"""

from __future__ import annotations

from datetime import datetime

from wiredesk import desk
from wiredesk.store import Store
from wiredesk.store import review as queue

WAITING = ("review", "ignored")  # what an editor may publish; only "review" may be ignored


class NotWaiting(ValueError):
    """The story is not in the review queue (or is held by the agency); the message says why."""


def publish(store: Store, uri: str, *, actor: str, now: datetime) -> str:
    """Show a story held for review (or ignored) as it is; its new state: live, embargoed
    (shown at the lift) or expired (its licence ended while it waited: taken down)."""
    with store.write() as w:
        waiting = _waiting(queue.lock(w, uri), uri, WAITING)
        if waiting.ends_at <= now:
            w.take_down(waiting.locked.id, reason="expired",
                        detail="licence ended while waiting for review", actor=actor, now=now)
            return "expired"
        embargoed = waiting.embargoed is not None and waiting.embargoed > now
        state = "embargoed" if embargoed else "live"
        queue.show(w, waiting, state, actor=actor, now=now)
        return state


def ignore(store: Store, uri: str, *, actor: str, now: datetime) -> None:
    """Keep a story in review for the record, never shown; it stays in the console's list."""
    with store.write() as w:
        queue.ignore(w, _waiting(queue.lock(w, uri), uri, ("review",)), actor=actor, now=now)


def _waiting(found: queue.Waiting | None, uri: str, states: tuple[str, ...]) -> queue.Waiting:
    if found is None:
        raise LookupError(f"no story with uri {uri!r}")
    hold = desk.held_reason(found.story)
    if found.locked.state == "withheld" or hold is not None:
        raise NotWaiting(f"{uri} is held by the agency ({hold or 'withheld'}): it is never "
                         "published, whatever a rule or an editor says")
    if found.locked.state not in states:
        raise NotWaiting(f"{uri} is {found.locked.state}, not waiting for review")
    return found
