"""The Story model: one version of one agency item, named as in IPTC ninjs.

The same Story travels from a parser to the store and out of the API. Nothing here imports
another wiredesk module. Bodies are built and made safe in one place, wiredesk.formats.bodies,
so every path gets the same sanitiser.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum


class Pubstatus(StrEnum):
    USABLE = "usable"
    WITHHELD = "withheld"
    CANCELED = "canceled"

    @classmethod
    def parse(cls, value: str | None) -> Pubstatus:
        """Map an agency's status word to ours; Reuters' `withdrawn` is a kill."""
        word = (value or "usable").strip().lower()
        word = word.rsplit(":", 1)[-1]  # stat:usable -> usable
        if word in ("canceled", "cancelled", "withdrawn", "killed", "kill"):
            return cls.CANCELED
        if word in ("withheld", "held", "hold"):
            return cls.WITHHELD
        if word == "usable":
            return cls.USABLE
        raise ValueError(f"unknown pubstatus {value!r} (expected usable, withheld or canceled)")


@dataclass(frozen=True, slots=True)
class Subject:
    name: str
    uri: str | None = None
    code: str | None = None


@dataclass(frozen=True, slots=True)
class StoryWarning:
    """Something the desk changed in a Story's text to make it usable, e.g.
    StoryWarning("headline", "1 character XML cannot carry (U+000B)", "replaced by a space")."""

    field: str
    problem: str
    action: str


@dataclass(frozen=True, slots=True)
class Rendition:
    """One rendition of a picture as the agency offers it (ninjs `renditions` entry)."""

    href: str
    name: str | None = None  # the agency's key: "original", "baseImage", "thumbnail", "main"...
    width: int | None = None
    height: int | None = None
    contenttype: str | None = None
    size: int | None = None  # bytes, where the agency says


@dataclass(frozen=True, slots=True)
class Picture:
    """A picture as a licensed item of its own: own uri, rights, expiry and kills.

    A story names its pictures (ninjs associations, G2 package refs, NITF media, feed
    enclosures); a picture item may also arrive alone (a G2 or AP picture item, or its kill),
    then the parser returns a Story with type "picture" whose only picture is this one.
    """

    uri: str
    renditions: tuple[Rendition, ...] = ()
    role: str | None = None  # "featureimage", "main", "body" (placed inside the text)...
    headline: str | None = None
    caption: str | None = None  # the agency's description, plain text
    alt: str | None = None  # alternative text where the agency gives one apart from the caption
    by: str | None = None  # the photographer
    creditline: str | None = None  # as the agency writes it: "REUTERS/Jane Doe"
    copyrightholder: str | None = None
    copyrightnotice: str | None = None
    usageterms: str | None = None
    version: str | None = None
    versioncreated: datetime | None = None
    pubstatus: Pubstatus = Pubstatus.USABLE
    expires: datetime | None = None


@dataclass(frozen=True, slots=True)
class Body:
    """A story body three ways: as the agency sent it, safe for display, and plain text."""

    received: str
    content_type: str  # "text/html" or "text/plain": what `received` holds
    html: str
    text: str

    @classmethod
    def empty(cls) -> Body:
        return cls(received="", content_type="text/plain", html="", text="")


@dataclass(frozen=True, slots=True)
class Story:
    """One version of one agency item. Field names follow ninjs 2.x."""

    uri: str
    headline: str
    body: Body = field(default_factory=Body.empty)
    version: str | None = None
    firstcreated: datetime | None = None
    versioncreated: datetime | None = None
    pubstatus: Pubstatus = Pubstatus.USABLE
    embargoed: datetime | None = None
    expires: datetime | None = None
    urgency: int | None = None
    slugline: str | None = None
    by: str | None = None
    located: str | None = None
    dateline: str | None = None  # as the agency wrote it, e.g. "TOKYO (Reuters)"
    agency: str | None = None  # the provider; ninjs infosources role "originator"
    language: str | None = None
    subjects: tuple[Subject, ...] = ()
    copyrightholder: str | None = None
    copyrightnotice: str | None = None
    usageterms: str | None = None
    ednote: str | None = None
    creditline: str | None = None  # e.g. "(Reporting by ...; Editing by ...)"
    description: str | None = None  # the agency's own summary (ninjs description), plain text
    signals: tuple[str, ...] = ()  # "update", "correction", "refile", "withdrawn"...
    # The agency's own name for this version as its copy says it ("UPDATE 2", "CORRECTED",
    # "1st Ld-Writethru", "Berichtigung"); None when the copy names none.
    label: str | None = None
    # Why this item must never reach readers whatever else it says (an advisory, a daybook,
    # "not for publication", an AP item without the `newscontent` signal); None: publishable.
    hold: str | None = None
    # Where the text is when the item carries only a pointer to it (AP's NITF rendition,
    # a Reuters package's itemRef href): the source fetches it and the story waits unshown.
    body_href: str | None = None
    raw: bytes = b""
    format: str = ""
    warnings: tuple[StoryWarning, ...] = ()  # what was changed in the text on the way in
    # The pictures the story carries, lead first; each is its own licensed item.
    pictures: tuple[Picture, ...] = ()
    # ninjs `type`: "text" for a story, "picture" for a picture item that came alone (its
    # one picture is in `pictures`; it is never shown as a story of its own).
    type: str = "text"

    @property
    def raw_sha256(self) -> str:
        return hashlib.sha256(self.raw).hexdigest()

    @property
    def version_number(self) -> int:
        """The agency's version as a number for ordering; 0 when it gave none we can read."""
        try:
            return int(str(self.version).strip())
        except (TypeError, ValueError):
            return 0

    def with_changes(self, **changes: object) -> Story:
        return replace(self, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class Delivery:
    """Bytes as they arrived, and from where: the unit the desk applies whole or not at all."""

    data: bytes
    source: str
    name: str | None
    received: datetime
    content_type: str | None = None
    # When the bytes reached us, where known (a file's write or rename, a request's arrival,
    # a poll's answer): wire-to-web latency runs from here to the commit.
    arrived: datetime | None = None
