"""One feed entry, whichever parser read it (lxml for well-formed feeds, feedparser for
malformed ones), and the Story it makes: the plain-copy rules find byline, advisories,
dateline and credit line in its body."""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from wiredesk.formats.dates import safe_datetime
from wiredesk.formats.errors import FormatError
from wiredesk.formats.feeds_media import read_media
from wiredesk.formats.revisions import label_of
from wiredesk.formats.wirerules import (
    WireBody,
    headline_rules,
    join_names,
    plain_uri,
    wire_body,
    withdrawn_notice,
)
from wiredesk.story import Body, Picture, Pubstatus, Story, StoryWarning, Subject

NAME = "feed"

MARKUP_TAG = re.compile(r"<[^>]*>")
_RFC822 = re.compile(r"(?:[A-Za-z]{3}, *)?(\d{1,2}) ([A-Za-z]{3}) (\d{4}) (\d\d):(\d\d)(?::(\d\d))?"
                     r" *(GMT|UTC?|Z|[+-]\d{4})$")
log = logging.getLogger("wiredesk.formats.feeds")
_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}
# Dates feedparser reads that the strict parsers refuse, tried only once those have failed:
# RFC 822 with the month spelt out or as "Sept", or without a time (midnight UTC), and
# W3C-DTF's reduced precisions "2026" and "2026-01" (dc:date), the first instant of them,
# and RFC 3339's leap second (":60": the next minute's start, as POSIX time and feedparser
# count it; Python's datetime cannot hold it).
_LOOSE_822 = re.compile(r"(?:[A-Za-z]+\.?,? *)?(\d{1,2}) +([A-Za-z]{3,9})\.? +(\d{2,4})(?P<rest> +\S.*)?$")
_MONTH_WORDS = {**{name: name[:3] for name in (
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december")}, "sept": "sep", **{m: m for m in _MONTHS}}
_W3C_REDUCED = re.compile(r"\d{4}(?:-\d\d)?$")
_LEAP_SECOND = re.compile(r"([Tt ]\d\d:\d\d:)60(?=[.Zz+-]|$)")


@dataclass(slots=True)
class Entry:
    where: str
    raw: bytes
    uri: str | None = None
    link: str | None = None
    title: str = ""
    title_html: bool = False
    content: str | None = None
    content_html: bool = False
    summary: str | None = None
    summary_html: bool = False
    dates: dict[str, tuple[str, str]] = field(default_factory=dict)  # role -> (value, where)
    authors: list[str] = field(default_factory=list)
    categories: list[tuple[str, str | None, str | None]] = field(default_factory=list)
    rights: str | None = None
    rightsholder: str | None = None
    license: str | None = None
    language: str | None = None
    source: str | None = None
    deleted: bool = False
    comment: str | None = None
    # Media RSS, enclosure and Atom enclosure elements, read into pictures in entry_story.
    # (tuples by default: nothing to make per entry for the entries that carry none)
    media: Sequence[Any] = ()
    enclosures: Sequence[Any] = ()
    pictures: tuple[Picture, ...] = ()
    picture_warnings: Sequence[StoryWarning] = ()


@dataclass
class FeedInfo:
    title: str | None = None
    language: str | None = None
    rights: str | None = None
    rightsholder: str | None = None
    license: str | None = None


class NoWords(FormatError):
    """An entry with neither a title nor any text: nothing to show a reader (see `kept`)."""


def kept(stories: list[Story], skipped: list[NoWords]) -> list[Story]:
    """A feed's stories once its wordless entries are left out: one such entry costs only
    itself, not the feed (logged, naming the first); a feed of nothing else is refused."""
    if skipped and not stories:
        raise skipped[0]
    if skipped:
        log.warning("%d feed entr%s with neither a title nor text left out (%s)", len(skipped),
                    "y" if len(skipped) == 1 else "ies", skipped[0])
    return stories


def entry_story(e: Entry, feed: FeedInfo, agency: str | None) -> Story:
    # Tags out, then entities decoded: "&lt;em&gt;" in HTML is the text "<em>" (RFC 4287 3.1.1.2)
    title = html.unescape(MARKUP_TAG.sub("", e.title)) if e.title_html else e.title
    headline, signals, version, kill_tag = headline_rules(title)
    text = e.content if e.content is not None else e.summary
    is_html = e.content_html if e.content is not None else e.summary_html
    if e.deleted:
        wb = WireBody(Body.empty())  # a tombstone carries no story, only its uri
    elif not headline and not (text or "").strip():
        raise NoWords(NAME, e.where, "expected a title or a description/content")
    else:
        wb = wire_body(text or "", is_html)
    canceled = e.deleted or kill_tag or withdrawn_notice(wb.body.text)
    if canceled:
        signals.append("withdrawn")
    uri = e.uri or e.link or plain_uri(wb.agency or e.source or agency or feed.title, headline)
    dropped: list[StoryWarning] = []
    when = {role: _lenient(role, value, where, dropped) for role, (value, where) in e.dates.items()}
    pictures, picture_warnings = e.pictures, e.picture_warnings
    if e.media or e.enclosures:
        pictures, picture_warnings = read_media(e.media, e.enclosures, e.where)
    return Story(
        uri=uri.strip(),
        headline=headline,
        body=wb.body,
        version=version,
        firstcreated=when.get("published"),
        versioncreated=when.get("updated") or when.get("published"),
        pubstatus=Pubstatus.CANCELED if canceled else Pubstatus.USABLE,
        embargoed=when.get("available"),
        expires=when.get("expires"),
        by=join_names(e.authors) or wb.by,
        located=wb.located,
        dateline=wb.dateline,
        agency=wb.agency or e.source or agency or feed.title,
        language=e.language or feed.language,
        subjects=_subjects(e.categories),
        copyrightholder=e.rightsholder or feed.rightsholder,
        copyrightnotice=e.rights or feed.rights,
        usageterms=e.license or feed.license,
        ednote=e.comment if e.deleted else wb.ednote,
        creditline=wb.creditline,
        signals=tuple(dict.fromkeys(signals)) if signals else (),
        label=label_of(title) if signals else None,
        raw=e.raw,
        format=NAME,
        pictures=pictures,
        warnings=(*dropped, *picture_warnings) if picture_warnings or dropped else (),
    )


_DATE_FIELDS = {"published": "firstcreated", "updated": "versioncreated"}


def _lenient(role: str, value: str, where: str, dropped: list[StoryWarning]) -> datetime | None:
    """An entry's date; one nobody can read ("yesterday afternoon") is dropped with a
    warning naming it, and the entry stays a story, as ninjs and G2 dates are. Never an
    embargo or an expiry: when readers may see a story is not guessed, so those still refuse."""
    try:
        return _when(value, where)
    except FormatError as exc:
        if role not in _DATE_FIELDS:
            raise
        dropped.append(StoryWarning(_DATE_FIELDS[role], f"{where}: {exc.problem}", "dropped"))
        return None


_DAY = timedelta(days=1)
_OFFSETS: dict[str, timedelta] = {}  # "+0100" -> its offset: a feed repeats one or two


def _when(value: str, where: str) -> datetime | None:
    """RFC 822 dates without the email module's generality (a third of the cost per entry)."""
    if (m := _RFC822.match(value)) and (month := _MONTHS.get(m.group(2).lower())):
        day, _, year, hour, minute, second, zone = m.groups()
        try:
            moment = datetime(int(year), month, int(day), int(hour), int(minute),
                              int(second or 0), tzinfo=UTC)
            if zone[0] not in "+-":
                return moment
            offset = _OFFSETS.get(zone)
            if offset is None:
                offset = timedelta(hours=int(zone[1:3]), minutes=int(zone[3:]))
                offset = -offset if zone[0] == "-" else offset
                if len(_OFFSETS) < 512:
                    _OFFSETS[zone] = offset
            # Shifting a UTC time is what astimezone(UTC) does, without a timezone object;
            # a day or more is no offset (timezone() refuses it): the general parser decides.
            if -_DAY < offset < _DAY:
                return moment - offset
        except (ValueError, OverflowError):
            pass  # 31 Feb and the like: the general parser words the error
    try:
        return safe_datetime(value, NAME, where)
    except FormatError as exc:
        if (loose := _loose_date(value)) is not None:
            try:
                moment = safe_datetime(loose, NAME, where)
                # (a leap second was read as :59)
                return moment + _SECOND if moment and ":60" in value else moment
            except (FormatError, OverflowError):
                pass
        raise exc


_SECOND = timedelta(seconds=1)


def _loose_date(value: str) -> str | None:
    """A date the strict parsers refused, respelt for them; None: no such date."""
    if ":60" in value:
        return _LEAP_SECOND.sub(r"\g<1>59", value, count=1) if _LEAP_SECOND.search(value) else None
    if _W3C_REDUCED.match(value):
        return value + ("-01-01" if len(value) == 4 else "-01")
    if (m := _LOOSE_822.match(value)) and (month := _MONTH_WORDS.get(m.group(2).lower())):
        return f"{m.group(1)} {month.title()} {m.group(3)}{m.group('rest') or ' 00:00:00 GMT'}"
    return None


# Subjects by category: a feed repeats a few categories over all its entries, and a Subject
# is immutable, so one object serves them all (one per distinct Subject, so repeats are
# dropped by identity: a Subject's dataclass hash runs Python code). Bounded, so odd input
# cannot grow it for ever.
_Category = tuple[str, str | None, str | None]
_SUBJECTS: dict[_Category, Subject | None] = {}
_CANONICAL: dict[tuple[str, str | None, str | None], Subject] = {}
_SUBJECTS_MAX = 4096


def _subjects(categories: list[_Category]) -> tuple[Subject, ...]:
    """Categories as subjects, repeats dropped; none or one (the usual cases) directly."""
    if len(categories) > 1:
        found = [_SUBJECTS[c] if c in _SUBJECTS else _remember(c) for c in categories]
        return tuple({id(s): s for s in found if s is not None}.values())
    if categories:
        c = categories[0]
        subject = _SUBJECTS[c] if c in _SUBJECTS else _remember(c)
        return () if subject is None else (subject,)
    return ()


def _remember(category: _Category) -> Subject | None:
    """The Subject of a category (None: it names nothing), kept for the next entries."""
    if not (category[0] or category[2]):
        return None
    fields = _subject(*category)
    subject = _CANONICAL.get(fields) or Subject(*fields)
    if len(_SUBJECTS) < _SUBJECTS_MAX:
        _SUBJECTS[category] = subject
        _CANONICAL[fields] = subject
    return subject


def _subject(term: str, scheme: str | None, label: str | None) -> tuple[str, str | None, str | None]:
    """Atom's term + scheme (RSS's text + domain): the scheme IRI and term name the concept.
    The Subject's (name, uri, code)."""
    if not scheme or not term:
        return (label or term, None, None)
    joiner = "" if scheme.endswith(("/", "#", ":", "=")) else "/"
    return (label or term, scheme + joiner + term, term)
