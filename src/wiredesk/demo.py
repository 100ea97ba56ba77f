"""The demo's clock: the bundled samples are dated around one reference moment; the demo
moves every time in them by the same amount so that the reference is now. Then the stories
are fresh, the embargoed one lifts a few minutes after start, and the short-lived one ends
while you watch. Words, bodies and raw bytes are untouched.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime

from wiredesk.story import Delivery, Story
from wiredesk.times import utc_now

REFERENCE = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)  # "now" in the samples' own dates
_TIMES = ("firstcreated", "versioncreated", "embargoed", "expires")


def shift_to_now(now: datetime | None = None) -> Callable[[list[Story], Delivery], list[Story]]:
    offset = (now or utc_now()) - REFERENCE

    def shift(stories: list[Story], delivery: Delivery) -> list[Story]:
        moved = []
        for story in stories:
            changes = {name: getattr(story, name) + offset for name in _TIMES
                       if getattr(story, name) is not None}
            moved.append(replace(story, **changes))
        return moved

    return shift
