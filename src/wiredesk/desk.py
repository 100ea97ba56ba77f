"""The rules of acceptance: what a delivered Story means for what readers see.

One Delivery is applied in one transaction. A newer version replaces the live one; a late
older one goes to history; the same bytes twice change nothing; a kill takes every version
down at once; a hold hides; an embargo waits; bad bytes are quarantined, never lost.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from wiredesk import formats
from wiredesk.formats import FormatError
from wiredesk.store import Store, Writer
from wiredesk.story import Delivery, Pubstatus, Story

DEFAULT_LICENCE_DAYS = 30  # AP's published limit for stored copy
log = logging.getLogger("wiredesk.desk")


class Outcome(StrEnum):
    NEW = "new"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    STALE = "stale"  # an older version arriving late: history only
    KILLED = "killed"
    WITHHELD = "withheld"
    EMBARGOED = "embargoed"
    EXPIRED = "expired"  # arrived already past its licence or expiry
    REFUSED = "refused"  # the story was taken down before; nothing of it comes back
    QUARANTINED = "quarantined"


@dataclass
class Report:
    name: str | None
    outcomes: list[tuple[str, Outcome]] = field(default_factory=list)
    error: str | None = None
    error_format: str | None = None  # the format that failed to read, when quarantined

    def counts(self) -> Counter[str]:
        return Counter(str(outcome) for _, outcome in self.outcomes)


def apply(store: Store, delivery: Delivery, *, format: str | None = None,
          stories: list[Story] | None = None, agency: str | None = None,
          licence_days: int = DEFAULT_LICENCE_DAYS) -> Report:
    """Parse (unless `stories` is given) and apply one delivery in one transaction."""
    started = time.monotonic()
    report = _apply(store, delivery, format=format, stories=stories, agency=agency,
                    licence_days=licence_days)
    for observe in observers:
        try:
            observe(delivery, report, time.monotonic() - started)
        except Exception:  # metrics or logs in trouble must never fail a committed delivery
            log.exception("delivery observer failed")
    return report


# Told of each applied delivery, its report and the seconds it took: metrics and event logs
# (`wiredesk.metrics.install`) hook in here, so every caller of `apply` is counted alike.
observers: list[Callable[[Delivery, Report, float], None]] = []


def _apply(store: Store, delivery: Delivery, *, format: str | None, stories: list[Story] | None,
           agency: str | None, licence_days: int) -> Report:
    report = Report(delivery.name)
    if stories is None:
        try:
            stories = formats.parse(delivery.data, format, agency=agency)
        except FormatError as exc:
            return _quarantine(store, delivery, report, exc.format, str(exc))
    problem = _check(stories)
    if problem:
        return _quarantine(store, delivery, report, stories[0].format if stories else format, problem)
    now = delivery.received
    with store.write() as w:
        licence = timedelta(days=w.ensure_source(delivery.source, now, agency=agency,
                                                 licence_days=licence_days))
        for story in stories:
            report.outcomes.append((story.uri, _apply_story(w, story, delivery, licence)))
    return report


def kill(store: Store, uri: str, *, reason: str, actor: str, now: datetime) -> bool:
    """An operator's takedown; True if the story was up and is now down."""
    if not reason.strip():
        raise ValueError("a kill needs a reason")
    with store.write() as w:
        locked = w.lock_story(uri)
        if locked is None:
            raise LookupError(f"no story with uri {uri!r}")
        return w.take_down(locked.id, reason="removed", detail=reason.strip(), actor=actor, now=now)


def _apply_story(w: Writer, story: Story, delivery: Delivery, licence: timedelta) -> Outcome:
    now = delivery.received
    versioncreated = story.versioncreated or now
    locked = w.lock_story(story.uri)
    if locked is None:
        locked = w.create_story(story, source=delivery.source,
                                firstcreated=story.firstcreated or versioncreated,
                                versioncreated=versioncreated, now=now)
    if locked.state == "takendown":
        return Outcome.REFUSED
    if w.has_version(locked.id, story.raw_sha256):
        return Outcome.UNCHANGED
    key = w.add_version(locked.id, story, versioncreated=versioncreated, received_at=now,
                        source=delivery.source, delivery_name=delivery.name)
    if story.pubstatus is Pubstatus.CANCELED:
        # A kill is final whatever its version number: the licence is the safe side.
        if locked.head is None:  # a kill for a story we never had: record it so nothing follows
            w.set_head(locked.id, key, story, state="withheld", ends_at=now, now=now)
        detail = story.ednote or "killed by the agency"
        w.take_down(locked.id, reason="killed", detail=detail, actor=story.agency or delivery.source,
                    now=now)
        return Outcome.KILLED
    if locked.head is not None and not locked.head < key:
        return Outcome.STALE
    ends_at = locked.firstcreated + licence
    if story.expires is not None:
        ends_at = min(ends_at, story.expires)
    if story.pubstatus is Pubstatus.WITHHELD:
        state = "withheld"
    elif story.embargoed is not None and story.embargoed > now:
        state = "embargoed"
    else:
        state = "live"
    w.set_head(locked.id, key, story, state=state, ends_at=ends_at, now=now)
    if ends_at <= now:
        w.take_down(locked.id, reason="expired", detail="licence ended before arrival",
                    actor=None, now=now)
        return Outcome.EXPIRED
    if state == "withheld":
        return Outcome.WITHHELD
    if state == "embargoed":
        return Outcome.EMBARGOED
    return Outcome.NEW if locked.head is None else Outcome.UPDATED


def _check(stories: list[Story]) -> str | None:
    if not stories:
        return "no story in this delivery (nothing but non-text items, or empty)"
    for story in stories:
        if not story.uri.strip():
            return f"{story.format}: a story has no uri"
    return None


def _quarantine(store: Store, delivery: Delivery, report: Report, fmt: str | None,
                error: str) -> Report:
    with store.write() as w:
        w.quarantine(source=delivery.source, name=delivery.name, data=delivery.data, fmt=fmt,
                     error=error, now=delivery.received)
    report.error = error
    report.error_format = fmt
    report.outcomes.append((delivery.name or "", Outcome.QUARANTINED))
    return report
