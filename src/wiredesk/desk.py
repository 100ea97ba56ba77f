"""The rules of acceptance: what a delivered Story means for what readers see.

The one door: every delivery (CLI, worker, push, console retry) comes in through `apply`
with its source's `Terms`, and every takedown (agency kill, operator kill, the clock) is
announced to the same `observers`, so metrics and logs see all of them alike.

One Delivery is applied in one transaction. A newer version replaces the live one; a late
older one goes to history; the same bytes twice change nothing; a kill takes every version
down at once; a hold hides (the agency's Story.hold, or a body still to be fetched from
Story.body_href: stored withheld, the reason in the console, whatever the pubstatus); an
embargo waits; bad bytes are quarantined, never lost, and so is a story with neither a
headline nor a body. An editorial rule (rules.py) may hold a new story for review or keep it
unseen (`_decision`); its updates keep that decision, and the agency's hold comes first.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum

from wiredesk import formats, reasons
from wiredesk import rules as editorial
from wiredesk.formats import FormatError
from wiredesk.formats.cleantext import clean
from wiredesk.store import Store, Writer
from wiredesk.store import pictures as picture_store
from wiredesk.store.pictures import PictureBatch, PictureBytes
from wiredesk.store.rules import decision_of, enabled_rules, record_decision
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
    REVIEW = "review"  # an editorial rule holds it for an editor (rules.py, review.py)
    IGNORED = "ignored"  # an editorial rule keeps it, never shown
    PICTURE = "picture"  # a picture item that came alone: kept for the stories that name it
    PICTURE_KILLED = "picture-killed"  # gone from every story that showed it


@dataclass
class Report:
    name: str | None
    outcomes: list[tuple[str, Outcome]] = field(default_factory=list)
    error: str | None = None
    error_format: str | None = None  # the format that failed to read, when quarantined
    warnings: Counter[str] = field(default_factory=Counter)  # format -> warnings on its stories
    pictures_refused: list[str] = field(default_factory=list)  # quarantined, story kept
    killed: dict[str, str] = field(default_factory=dict)  # uri -> the kill's words (reasons.py)

    def counts(self) -> Counter[str]:
        return Counter(str(outcome) for _, outcome in self.outcomes)


# A step between parsing and the rules: the demo's time shift, a feed entry completed from
# its linked page. It may return fewer stories (nothing new) or raise FormatError.
Transform = Callable[[list[Story], Delivery], list[Story]]
# Fetches and checks the bytes of a delivery's pictures before its transaction
# (sources/pictures.py); what it could not take is quarantined, the stories still land.
PictureFetch = Callable[[list[Story], Delivery], PictureBatch]


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
          transform: Transform | None = None, quarantine: bool = True,
          pictures: PictureFetch | None = None, parsed: list[Story] | None = None) -> Report:
    """Parse and apply one delivery in one transaction, under its source's terms.

    Bytes that cannot be read are quarantined with the message; with `quarantine=False`
    (the console retrying a quarantined file) the report carries the message and nothing
    is written. `parsed`: the stories `formats.parse(delivery.data, terms.format,
    agency=terms.agency)` returned for these bytes elsewhere (cli ingest reads ahead in
    another process); None: parsed here."""
    started = time.monotonic()
    report = _apply(store, delivery, terms, transform, quarantine, pictures, parsed)
    announce(Applied(delivery, report, time.monotonic() - started))
    for uri, outcome in report.outcomes:
        if outcome is Outcome.KILLED:
            announce(TakenDown(uri, "agency", report.killed.get(uri, "killed by the agency"),
                               None, seconds=time.monotonic() - started))
    return report


def refuse(store: Store, delivery: Delivery, fmt: str | None, error: str) -> Report:
    """Quarantine a delivery without reading it (a file over its source's size limit: the
    source keeps the file and hands over only its first bytes), counted like any other."""
    started = time.monotonic()
    report = _refuse(store, delivery, Report(delivery.name), fmt, error, True)
    announce(Applied(delivery, report, time.monotonic() - started))
    return report


def _apply(store: Store, delivery: Delivery, terms: Terms, transform: Transform | None,
           quarantine: bool, pictures: PictureFetch | None = None,
           parsed: list[Story] | None = None) -> Report:
    report = Report(delivery.name)
    fmt = terms.format
    try:
        stories = _parse(delivery, terms) if parsed is None else parsed
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
    batch = _fetch_pictures(pictures, stories, delivery)
    now = delivery.received
    with store.write() as w:
        licence = timedelta(days=w.ensure_source(delivery.source, now, agency=terms.agency,
                                                 licence_days=terms.licence_days))
        for refused in batch.refused:  # the picture is kept aside; its story still lands
            w.quarantine(source=delivery.source, name=f"{delivery.name or delivery.source}: "
                         f"picture {refused.href}", data=refused.data, fmt="picture",
                         error=clean(refused.error), now=now)
            report.pictures_refused.append(refused.error)
        held = _Held(licence, terms.agency, rules=tuple(enabled_rules(w.c)), pictures=batch)
        texts = [story for story in stories if story.type != "picture"]
        if len(texts) > 1:  # a few statements for the whole delivery, not a few a story
            _prepare(w, texts, delivery)
        for story in stories:
            outcome = _apply_story(w, story, delivery, held)
            report.outcomes.append((story.uri, outcome))
            if outcome is Outcome.KILLED:
                report.killed[story.uri] = reasons.agency_kill(story, terms.agency or delivery.source)
    return report


def _fetch_pictures(pictures: PictureFetch | None, stories: list[Story],
                    delivery: Delivery) -> PictureBatch:
    if pictures is None or not any(story.pictures for story in stories):
        return PictureBatch()
    try:
        return pictures(stories, delivery)
    except Exception:  # a fault in fetching pictures must not cost the stories
        log.exception("pictures of %s not fetched", delivery.name or delivery.source)
        return PictureBatch()


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
        words = reasons.operator(actor, reason.strip())
        done = w.take_down(locked.id, reason="removed", detail=words, actor=actor, now=now)
    # The event names the actor apart: its reason is the operator's own words, as typed.
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
    rules: tuple[editorial.Rule, ...] = ()  # the enabled editorial rules, in order
    pictures: PictureBatch = field(default_factory=PictureBatch)  # the delivery's, fetched


def _apply_story(w: Writer, story: Story, delivery: Delivery, held: _Held) -> Outcome:
    now = delivery.received
    licence, agency = held.licence, held.agency
    if story.type == "picture":
        return _apply_picture(w, story, delivery, held)
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
        detail = reasons.agency_kill(story, agency or delivery.source)
        w.take_down(locked.id, reason="killed", detail=detail, actor=story.agency or delivery.source,
                    now=now)
        return Outcome.KILLED
    if locked.head is not None and not locked.head < key:
        return Outcome.STALE
    ends_at = locked.firstcreated + licence
    if story.expires is not None:
        ends_at = min(ends_at, story.expires)
    decision = _decision(w, locked, story, delivery, held.rules)
    if story.pubstatus is Pubstatus.WITHHELD or held_reason(story) is not None:
        state = "withheld"  # the agency's hold: no rule and no editor overrides it
    elif decision != "publish":
        state = "review" if decision == "review" else "ignored"
    elif story.embargoed is not None and story.embargoed > now:
        state = "embargoed"
    else:
        state = "live"
    w.set_head(locked.id, key, story, state=state, ends_at=ends_at, now=now, was=locked.state)
    if story.pictures or locked.id not in w.fresh:  # an update may drop a picture
        link_pictures(w, locked.id, story, delivery, story.agency or held.agency,
                      held.pictures.got)
    if ends_at <= now:
        words = reasons.expiry(locked.firstcreated, ends_at, story.expires)
        w.take_down(locked.id, reason="expired", detail=f"{words}, ended before arrival",
                    actor=None, now=now)
        return Outcome.EXPIRED
    if state == "withheld":
        return Outcome.WITHHELD
    if state == "embargoed":
        return Outcome.EMBARGOED
    if state in ("review", "ignored"):
        return Outcome.REVIEW if state == "review" else Outcome.IGNORED
    return Outcome.NEW if locked.head is None else Outcome.UPDATED


def _decision(w: Writer, locked: LockedStory, story: Story, delivery: Delivery,
              rules: tuple[editorial.Rule, ...]) -> str:
    """publish, review or ignore. The rules decide a story's first version; its later
    versions keep that decision (what went out stays out), or an editor's since."""
    if locked.head is None:
        decided = editorial.decide(rules, story, delivery.source)
        if decided.action != "publish":
            record_decision(w.c, locked.id, decided.action, rule=decided.rule, actor=None,
                            now=delivery.received)
        return decided.action
    if locked.state in ("review", "ignored"):
        return "review" if locked.state == "review" else "ignore"
    if locked.state == "withheld":  # held by the agency: what was decided under the hold
        return decision_of(w.c, locked.id) or "publish"
    return "publish"
def link_pictures(w: Writer, story_id: int, story: Story, delivery: Delivery,
                  agency: str | None, got: Mapping[str, PictureBytes]) -> list[int]:
    """The story's pictures linked (those with bytes, now or from before); kills applied."""
    shown = []
    for picture in story.pictures:
        if picture.pubstatus is Pubstatus.CANCELED:  # killed where the story names it
            picture_store.kill(w, picture, source=delivery.source, agency=agency,
                               reason="killed", now=delivery.received)
        else:
            shown.append(picture)
    return picture_store.link(w, story_id, shown, got, source=delivery.source, agency=agency,
                              now=delivery.received)


def _apply_picture(w: Writer, story: Story, delivery: Delivery, held: _Held) -> Outcome:
    """A picture item that came alone (Story.type "picture"): kept in the picture store,
    never shown as a story; its kill takes it off every story that shows it. The owner
    rule is the stories': only its first source, or a source of its agency, changes it."""
    now = delivery.received
    picture = story.pictures[0]
    agency = story.agency or held.agency
    owner = picture_store.owner(w, picture.uri)
    if owner is not None and owner[0] != delivery.source and not (
            held.agency and owner[1] and held.agency.casefold() == owner[1].casefold()):
        log.warning("refused picture %s from source %s: it belongs to source %s",
                    picture.uri, delivery.source, owner[0])
        return Outcome.REFUSED_OWNER
    if Pubstatus.CANCELED in (story.pubstatus, picture.pubstatus):
        picture_store.kill(w, picture, source=delivery.source, agency=agency,
                           reason="killed", now=now)
        return Outcome.PICTURE_KILLED
    merged = replace(picture, headline=picture.headline or story.headline or None,
                     by=picture.by or story.by, creditline=picture.creditline or story.creditline,
                     copyrightholder=picture.copyrightholder or story.copyrightholder,
                     copyrightnotice=picture.copyrightnotice or story.copyrightnotice,
                     usageterms=picture.usageterms or story.usageterms,
                     expires=picture.expires or story.expires)
    picture_store.item(w, merged, held.pictures.got.get(picture.uri), source=delivery.source,
                       agency=agency, now=now)
    return Outcome.PICTURE


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
        if story.type == "picture":
            if not story.pictures or not story.pictures[0].uri.strip():
                return f"{story.format}: {story.uri}: a picture item without its picture"
            continue
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
