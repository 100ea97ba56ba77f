"""What the store hands to the web, the CLI and the sources: plain typed records, never rows.

Every domain's records live here (stories, sources, quarantine, users), so a caller finds
every shape the store can return in one place, and the domains import no one but this.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

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
class ClusterMember:
    """A visible story of an event cluster, as links to it need it (no body)."""

    cluster_id: int
    id: int
    headline: str
    agency: str | None
    urgency: int | None
    firstcreated: datetime
    versioncreated: datetime
    ends_at: datetime


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
class RefusalRecord:
    """A delivery the owner rule refused: `source` tried to change `owner`'s story."""

    id: int
    at: datetime
    story_id: int | None
    uri: str
    owner: str
    agency: str | None
    source: str
    source_agency: str | None
    pubstatus: str
    delivery_name: str | None


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
class QuarantineItem:
    """One quarantine record with its bytes, as the console retries or shows it."""

    record: QuarantineRecord
    data: bytes


# --- sources ----------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class SourceRow:
    name: str
    kind: str
    agency: str | None
    licence_days: int
    settings: dict[str, Any]
    paused: bool
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Health:
    name: str
    kind: str
    paused: bool
    last_attempt_at: datetime | None = None
    last_success_at: datetime | None = None
    last_error_at: datetime | None = None
    last_error: str | None = None
    consecutive_failures: int = 0
    next_poll_at: datetime | None = None
    stories_24h: int = 0
    lease_owner: str | None = None
    quarantined_24h: int = 0  # deliveries it sent that no parser could read
    last_latency: float | None = None  # seconds from the last new story's arrival to its commit
    last_latency_at: datetime | None = None

    @property
    def state(self) -> str:
        """paused, failing (fetches fail), quarantining (everything it sent in 24 h failed to
        parse: a folder's files all in failed/), else ok."""
        if self.paused:
            return "paused"
        if self.consecutive_failures:
            return "failing"
        return "quarantining" if self.quarantined_24h and not self.stories_24h else "ok"


@dataclass(frozen=True, slots=True)
class Claim:
    """A source this worker holds the lease on, with what its last poll left for the next."""

    source: SourceRow
    memo: dict[str, Any] = field(default_factory=dict)
    consecutive_failures: int = 0


# --- console users ----------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class UserRow:
    name: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class SessionRow:
    user_name: str
    created_at: datetime
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class StatusCounts:
    live: int
    held: int
    embargoed: int
    takendown: int
    quarantined: int
    versions: int
    review: int = 0  # held by an editorial rule for an editor (rules.py)
    ignored: int = 0  # kept, never shown, by an editorial rule


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
    exact: bool = True  # False: more than `total` stories match (counting stopped there)
    older: int | None = None  # stories below this id not searched: `before=` searches them


@dataclass(frozen=True, slots=True)
class SubscriberRow:
    name: str
    url: str
    secret: str  # sealed (sources/sealed.py) unless a $NAME reference
    events: tuple[str, ...]
    agency: str | None
    allow_private: bool
    created_at: datetime


@dataclass(frozen=True, slots=True)
class DeliveryRow:
    id: int
    subscriber: str
    event_id: int
    event: str
    story_id: int
    uri: str
    agency: str | None
    reason: str | None
    at: datetime
    status: str  # pending | delivered | dead
    attempts: int
    next_try: datetime
    last_error: str | None
    created_at: datetime
    done_at: datetime | None


@dataclass(frozen=True, slots=True)
class ApiKeyRow:
    name: str
    per_minute: int
    created_at: datetime


# --- the compliance ledger (store/ledger.py) ---------------------------------------------

@dataclass(frozen=True, slots=True)
class LedgerRow:
    """One fact of the ledger: no words of the story, only who, what bytes and when."""

    id: int
    at: datetime
    kind: str  # received | shown | version | hidden | embargo_lifted | takedown | cdn_purge
    story_id: int
    uri: str
    agency: str | None
    source: str | None
    sha256: str | None = None
    format: str | None = None
    size: int | None = None
    parsed_with: str | None = None
    due_at: datetime | None = None
    done_at: datetime | None = None
    seconds: float | None = None
    reason: str | None = None
    actor: str | None = None
    licence_days: int | None = None
    shown: bool | None = None
    answer: str | None = None


@dataclass(frozen=True, slots=True)
class ProvenanceVersion:
    """One version as received: the hash of its exact bytes and where they came from."""

    sha256: str
    format: str
    size: int | None  # None only for a version stored before sizes were kept and since purged
    received_at: datetime
    source: str
    version: str | None
    current: bool
    parsed_with: str | None = None  # the agency the parser was given (for `wiredesk verify`)


@dataclass(frozen=True, slots=True)
class OldestLive:
    """An agency's longest-shown live story, against its source's licence period."""

    story_id: int
    uri: str
    firstcreated: datetime
    ends_at: datetime
    licence_days: int | None

    def age_days(self, now: datetime) -> float:
        return (now - self.firstcreated).total_seconds() / 86400


@dataclass(frozen=True, slots=True)
class Section:
    """A section of the reader site: the stories filed under any of its subjects (IPTC
    codes, matched with every code below them, or subject names as the agency wrote them)."""

    slug: str
    title: str
    subjects: tuple[str, ...]
    position: int = 0

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(s for s in self.subjects if ":" in s)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(s.lower() for s in self.subjects if ":" not in s)
