"""The rules of acceptance: what a delivered Story means for what readers see.

The one door: every delivery (CLI, worker, push, console retry) comes in through `apply`
with its source's `Terms`, and every takedown (agency kill, operator kill, the clock) is
announced to the same `observers`, so metrics and logs see all of them alike.

One Delivery is applied in one transaction. A newer version replaces the live one; a late
older one goes to history; the same bytes twice change nothing; a kill takes every version
down at once; a hold hides (the agency's Story.hold, or a body still to be fetched from
Story.body_href: stored withheld, the reason in the console, whatever the pubstatus); an
embargo waits; bad bytes are quarantined, never lost, and so is a story with neither a
headline nor a body.
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
from wiredesk.formats.cleantext import clean
from wiredesk.store import Store, Writer
from wiredesk.store.writes import LockedStory
from wiredesk.story import Delivery, Pubstatus, Story
from wiredesk.terms import DEFAULT_LICENCE_DAYS, Terms

__all__ = ["DEFAULT_LICENCE_DAYS", "Applied", "Outcome", "Report", "TakenDown", "Terms",
           "Transform", "announce", "apply", "held_reason", "kill", "may_change", "observers",
           "refuse"]
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
    REFUSED_OWNER = "not-owner"  # the story belongs to another source's agency: untouched
    QUARANTINED = "quarantined"


@dataclass
class Report:
    name: str | None
    outcomes: list[tuple[str, Outcome]] = field(default_factory=list)
    error: str | None = None
    error_format: str | None = None  # the format that failed to read, when quarantined
    warnings: Counter[str] = field(default_factory=Counter)  # format -> warnings on its stories

    def counts(self) -> Counter[str]:
        return Counter(str(outcome) for _, outcome in self.outcomes)


# A step between parsing and the rules: the demo's time shift, a feed entry completed from
# its linked page. It may return fewer stories (nothing new) or raise FormatError.
Transform = Callable[[list[Story], Delivery], list[Story]]


@dataclass(frozen=True, slots=True)
class Applied:
    """Event: one delivery applied (or quarantined), with the seconds it took."""

    delivery: Delivery
    report: Report
    seconds: float


@dataclass(frozen=True, slots=True)
class TakenDown:
    """Event: a takedown by `kind` (operator, agency or clock); `done` is False when the
    story was already down. `seconds` runs from the takedown's start to its commit."""

    uri: str
    kind: str
    reason: str
    actor: str | None
    done: bool = True
    seconds: float = 0.0


Event = Applied | TakenDown

# Told of every event, in the process that applied it: metrics and event logs
# (`wiredesk.metrics.install`) hook in here, so every path into the desk is counted alike.
observers: list[Callable[[Event], None]] = []


def announce(event: Event) -> None:
    for observe in list(observers):
        try:
            observe(event)
        except Exception:  # metrics or logs in trouble must never fail a committed change
            log.exception("desk observer failed")


DEFAULT_TERMS = Terms()


def apply(store: Store, delivery: Delivery, terms: Terms = DEFAULT_TERMS, *,
          transform: Transform | None = None, quarantine: bool = True) -> Report:
    """Parse and apply one delivery in one transaction, under its source's terms.

    Bytes that cannot be read are quarantined with the message; with `quarantine=False`
    (the console retrying a quarantined file) the report carries the message and nothing
    is written."""
    started = time.monotonic()
    report = _apply(store, delivery, terms, transform, quarantine)
    announce(Applied(delivery, report, time.monotonic() - started))
    for uri, outcome in report.outcomes:
        if outcome is Outcome.KILLED:
            announce(TakenDown(uri, "agency", "killed by the agency", None,
                               seconds=time.monotonic() - started))
    return report


def refuse(store: Store, delivery: Delivery, fmt: str | None, error: str) -> Report:
    """Quarantine a delivery without reading it (a file over its source's size limit: the
    source keeps the file and hands over only its first bytes), counted like any other."""
    started = time.monotonic()
    report = _refuse(store, delivery, Report(delivery.name), fmt, error, True)
    announce(Applied(delivery, report, time.monotonic() - started))
    return report


def _apply(store: Store, delivery: Delivery, terms: Terms, transform: Transform | None,
           quarantine: bool) -> Report:
    report = Report(delivery.name)
    fmt = terms.format
    try:
        stories = _parse(delivery, terms)
        # A picture item that came alone is never a story of its own: until the picture
        # store takes it (issue 13, items 2-5) the desk leaves it out, as it did before.
        stories = [story for story in stories if story.type == "text"]
        problem = _check(stories)
        if problem is None and transform is not None:
            stories = transform(stories, delivery)
    except FormatError as exc:
        return _refuse(store, delivery, report, exc.format, str(exc), quarantine)
    for story in stories:
        if story.warnings:
            report.warnings[story.format or fmt or "unknown"] += len(story.warnings)
        for warning in story.warnings:
            log.info("%s %s: %s: %s, %s", delivery.name or delivery.source, story.uri,
                     warning.field, warning.problem, warning.action)
    if problem:
        return _refuse(store, delivery, report, stories[0].format if stories else fmt, problem,
                       quarantine)
    if not stories:
        return report  # the transform found nothing new (entries taken on an earlier poll)
    now = delivery.received
    with store.write() as w:
        licence = timedelta(days=w.ensure_source(delivery.source, now, agency=terms.agency,
                                                 licence_days=terms.licence_days))
        if len(stories) > 1:  # a few statements for the whole delivery, not a few a story
            _prepare(w, stories, delivery)
        for story in stories:
            report.outcomes.append((story.uri, _apply_story(w, story, delivery,
                                                            _Held(licence, terms.agency))))
    return report


def _parse(delivery: Delivery, terms: Terms) -> list[Story]:
    """The delivery's stories, or a FormatError. A parser that fails any other way has a
    bug, but that file alone is quarantined (named, with the exception): the rest of a batch
    still lands and a drop folder does not retry it forever."""
    name = terms.format or "detect"
    try:
        name = terms.format or formats.detect(delivery.data)
        return formats.parse(delivery.data, name, agency=terms.agency)
    except FormatError:
        raise
    except Exception as exc:
        log.exception("%s: internal error while parsing %s", name, delivery.name or delivery.source)
        raise FormatError(name, "internal error while parsing",
                          f"{type(exc).__name__}: {str(exc)[:300]}") from exc


def kill(store: Store, uri: str, *, reason: str, actor: str, now: datetime) -> bool:
    """An operator's takedown; True if the story was up and is now down. Announced to the
    observers (logged and timed) from whichever process calls it: console or CLI."""
    if not reason.strip():
        raise ValueError("a kill needs a reason")
    started = time.monotonic()
    with store.write() as w:
        locked = w.lock_story(uri)
        if locked is None:
            raise LookupError(f"no story with uri {uri!r}")
        done = w.take_down(locked.id, reason="removed", detail=reason.strip(), actor=actor,
                           now=now)
    announce(TakenDown(uri, "operator", reason.strip(), actor, done, time.monotonic() - started))
    return done


def may_change(w: Writer, locked: LockedStory, source: str, agency: str | None) -> bool:
    """The owner rule: a story belongs to its agency (the one its copy names, else the one
    its first source is configured for). A delivery may update, correct or kill it only from
    the source that first delivered it, or from a source configured for that agency (a
    folder and a push may both serve Reuters). The agency a delivery's own copy claims counts
    for nothing here, and neither does its uri (plain copy builds uris from headlines): only
    what the operator configured. A source without an agency (`wiredesk ingest` without
    --agency, the demo's `samples`) changes only the stories it delivered itself."""
    if locked.source == source:
        return True
    if not agency:
        return False
    owner = locked.agency or w.source_agency(locked.source)
    return bool(owner) and agency.casefold() == owner.casefold()


def _prepare(w: Writer, stories: list[Story], delivery: Delivery) -> None:
    """Lock the delivery's known stories and create its new ones, in one statement each, and
    number its versions: `_apply_story` then finds them ready, with the same rules."""
    w.lock_many([story.uri for story in stories])
    now, seen = delivery.received, set()
    new = []
    for story in stories:
        if story.uri not in seen and w.prefetched.get(story.uri, False) is None:
            created = story.versioncreated or now
            new.append((story, story.firstcreated or created, created))
        seen.add(story.uri)
    w.create_many(new, source=delivery.source, now=now)
    w.take_version_ids(len(stories))


@dataclass(frozen=True, slots=True)
class _Held:
    """What the delivering source holds: its licence period and the agency it serves."""

    licence: timedelta
    agency: str | None


def _apply_story(w: Writer, story: Story, delivery: Delivery, held: _Held) -> Outcome:
    now = delivery.received
    licence, agency = held.licence, held.agency
    versioncreated = story.versioncreated or now
    locked = w.lock_story(story.uri)
    if locked is None:
        locked = w.create_story(story, source=delivery.source,
                                firstcreated=story.firstcreated or versioncreated,
                                versioncreated=versioncreated, now=now)
    if not may_change(w, locked, delivery.source, agency):
        w.refuse(locked, story.uri, source=delivery.source, source_agency=agency,
                 pubstatus=str(story.pubstatus), delivery_name=delivery.name, now=now)
        log.warning("refused %s from source %s (agency %s): the story belongs to source %s "
                    "(agency %s)", story.uri, delivery.source, agency or "none", locked.source,
                    locked.agency or "none",
                    extra={"source": delivery.source, "uri": story.uri,
                           "outcome": str(Outcome.REFUSED_OWNER)})
        return Outcome.REFUSED_OWNER
    if locked.state == "takendown":
        return Outcome.REFUSED
    if w.has_version(locked.id, story.raw_sha256):
        return Outcome.UNCHANGED
    key = w.add_version(locked.id, story, versioncreated=versioncreated, received_at=now,
                        source=delivery.source, delivery_name=delivery.name, follows=locked.head)
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
    if story.pubstatus is Pubstatus.WITHHELD or held_reason(story) is not None:
        state = "withheld"
    elif story.embargoed is not None and story.embargoed > now:
        state = "embargoed"
    else:
        state = "live"
    w.set_head(locked.id, key, story, state=state, ends_at=ends_at, now=now, was=locked.state)
    if ends_at <= now:
        w.take_down(locked.id, reason="expired", detail="licence ended before arrival",
                    actor=None, now=now)
        return Outcome.EXPIRED
    if state == "withheld":
        return Outcome.WITHHELD
    if state == "embargoed":
        return Outcome.EMBARGOED
    return Outcome.NEW if locked.head is None else Outcome.UPDATED


def held_reason(story: Story) -> str | None:
    """Why a story must not reach readers whatever its pubstatus, or None: the agency's hold
    (an advisory, a daybook, not for publication), or its text still to be fetched."""
    if story.hold:
        return story.hold
    if story.body_href and not story.body.text.strip():
        return f"waiting for its text from {story.body_href}"
    return None


def _check(stories: list[Story]) -> str | None:
    if not stories:
        return "no story in this delivery (nothing but non-text items, or empty)"
    for story in stories:
        if not story.uri.strip():
            return f"{story.format}: a story has no uri"
        if not (story.headline.strip() or story.body.text.strip() or story.body_href
                or story.pubstatus is Pubstatus.CANCELED):
            return f"{story.format}: {story.uri}: neither a headline nor a body"
    return None


def _refuse(store: Store, delivery: Delivery, report: Report, fmt: str | None, error: str,
            quarantine: bool) -> Report:
    error = clean(error)  # a message quoting the input may hold what a store cannot (NUL)
    if quarantine:
        with store.write() as w:
            w.quarantine(source=delivery.source, name=delivery.name, data=delivery.data,
                         fmt=fmt, error=error, now=delivery.received)
    report.error = error
    report.error_format = fmt
    report.outcomes.append((delivery.name or "", Outcome.QUARANTINED))
    return report
