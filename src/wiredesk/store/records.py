"""What the store hands to the web and the CLI: plain typed records, never rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from wiredesk.story import Story


@dataclass(frozen=True, slots=True)
class StoryRecord:
    """A story as the site knows it: its newest version and where it stands."""

    id: int
    uri: str
    state: str  # live | embargoed | withheld | takendown
    story: Story  # the head version (bodies empty once purged)
    source: str
    firstcreated: datetime
    versioncreated: datetime
    ends_at: datetime
    version_count: int
    takendown_at: datetime | None = None
    takedown_reason: str | None = None
    takedown_detail: str | None = None

    @property
    def updated(self) -> bool:
        """A newer version replaced the first one the readers saw."""
        return self.version_count > 1 and self.versioncreated > self.firstcreated

    def visible(self, now: datetime) -> bool:
        embargo = self.story.embargoed
        return (
            self.state in ("live", "embargoed")
            and (embargo is None or embargo <= now)
            and self.ends_at > now
        )


@dataclass(frozen=True, slots=True)
class VersionRecord:
    id: int
    version: str | None
    versioncreated: datetime
    received_at: datetime
    pubstatus: str
    format: str
    source: str
    delivery_name: str | None
    raw_sha256: str
    purged: bool
    is_head: bool
    story: Story


@dataclass(frozen=True, slots=True)
class AuditRecord:
    id: int
    story_id: int | None
    uri: str
    headline: str
    agency: str | None
    at: datetime
    reason: str
    detail: str | None
    actor: str | None


@dataclass(frozen=True, slots=True)
class QuarantineRecord:
    id: int
    source: str
    name: str | None
    received_at: datetime
    format: str | None
    error: str
    sha256: str
    size: int
    status: str


@dataclass(frozen=True, slots=True)
class SourceRecord:
    name: str
    kind: str
    agency: str | None
    licence_days: int
    paused: bool


@dataclass(frozen=True, slots=True)
class StatusCounts:
    live: int
    held: int
    embargoed: int
    takendown: int
    quarantined: int
    versions: int


@dataclass(frozen=True, slots=True)
class Tombstone:
    id: int
    uri: str
    takendown_at: datetime
    reason: str
    agency: str | None


@dataclass(frozen=True, slots=True)
class SearchPage:
    total: int
    results: list[tuple[StoryRecord, str]]  # the record and its highlighted snippet
