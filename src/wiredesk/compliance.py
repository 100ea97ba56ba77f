"""An agency's compliance report, made from the ledger (store/ledger.py): one line per story
(received, first shown, each version shown, embargo lift, takedown with its reason and
latency, the CDN's answer) and the period's figures (stories carried, takedown latency p50,
p99 and max, late takedowns, latency by day, the oldest live story against its licence).

The same report feeds the console's agency page and `wiredesk report` (CSV or JSON). Like
the ledger it holds no words of any story: uris, agencies, sources, hashes, times, reasons.
"""

from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from wiredesk.store import Store
from wiredesk.store.ledger import AGENCY_EXPIRY, AGENCY_KILL, LICENCE, OPERATOR, OldestLive
from wiredesk.store.records import LedgerRow
from wiredesk.times import iso

LATE_SECONDS = 60.0  # a takedown done more than a minute after it was due is late
CSV_COLUMNS = (
    "uri", "agency", "source", "received_at", "received_sha256", "first_shown_at",
    "versions_shown", "shown_versions", "embargo_lifted_at", "takedown_reason",
    "takedown_due_at", "takedown_done_at", "takedown_seconds", "late", "cdn_purged_at",
    "cdn_answer",
)


class ReportError(ValueError):
    """A bad period or an agency the ledger does not know: said in one line."""


@dataclass
class StoryLine:
    story_id: int
    uri: str
    agency: str | None
    source: str | None
    received: list[tuple[datetime, str]] = field(default_factory=list)  # (when, sha256)
    shown: list[tuple[datetime, str]] = field(default_factory=list)  # versions readers saw
    embargo_lifted_at: datetime | None = None
    takedown: LedgerRow | None = None
    purges: list[LedgerRow] = field(default_factory=list)

    @property
    def first_shown_at(self) -> datetime | None:
        return min((at for at, _ in self.shown), default=None)

    @property
    def reason(self) -> str:
        return reason_words(self.takedown) if self.takedown else ""

    @property
    def late(self) -> bool:
        t = self.takedown
        return bool(t and t.shown and t.seconds is not None and t.seconds > LATE_SECONDS)

    @property
    def last_purge(self) -> LedgerRow | None:
        return self.purges[-1] if self.purges else None


@dataclass(frozen=True)
class DayLatency:
    day: date
    takedowns: int
    p50: float
    max: float


@dataclass
class Report:
    agency: str
    start: datetime | None
    end: datetime | None  # exclusive
    stories: list[StoryLine]
    oldest_live: OldestLive | None
    late_after: float = LATE_SECONDS

    @property
    def takedowns(self) -> list[StoryLine]:
        """Takedowns done in the period of stories readers had seen."""
        return [s for s in self.stories if s.takedown is not None and s.takedown.shown
                and s.takedown.seconds is not None and self._within(s.takedown.done_at)]

    @property
    def carried(self) -> int:
        """Stories readers could see at some moment of the period."""
        return sum(1 for s in self.stories if s.first_shown_at is not None
                   and (self.end is None or s.first_shown_at < self.end)
                   and (s.takedown is None or self.start is None
                        or (s.takedown.done_at or s.takedown.at) >= self.start))

    @property
    def late(self) -> list[StoryLine]:
        return [s for s in self.takedowns if s.late]

    def latency(self) -> dict[str, float | None]:
        found = sorted(s.takedown.seconds for s in self.takedowns)  # type: ignore[union-attr,misc]
        return {"p50": percentile(found, 50), "p99": percentile(found, 99),
                "max": found[-1] if found else None}

    def by_day(self) -> list[DayLatency]:
        """Takedown latency per UTC day, every day of the period (or of the takedowns)."""
        days: dict[date, list[float]] = {}
        for s in self.takedowns:
            t = s.takedown
            assert t is not None and t.seconds is not None and t.done_at is not None
            days.setdefault(t.done_at.astimezone(UTC).date(), []).append(t.seconds)
        first = self.start.date() if self.start else min(days, default=None)
        last = (self.end - timedelta(days=1)).date() if self.end else max(days, default=None)
        if first is None or last is None:
            return []
        span = [first + timedelta(days=n) for n in range((last - first).days + 1)][-366:]
        out = []
        for day in span:
            found = sorted(days.get(day, []))
            out.append(DayLatency(day, len(found), percentile(found, 50) or 0.0,
                                  found[-1] if found else 0.0))
        return out

    def _within(self, at: datetime | None) -> bool:
        return at is not None and (self.start is None or at >= self.start) and (
            self.end is None or at < self.end)


def percentile(values: list[float], p: float) -> float | None:
    """Nearest rank of sorted `values`; None when there are none."""
    if not values:
        return None
    return values[max(0, math.ceil(p / 100 * len(values)) - 1)]


def reason_words(row: LedgerRow) -> str:
    """The takedown's reason in precise terms."""
    if row.reason == AGENCY_KILL:
        return f"agency kill ({row.actor})" if row.actor else "agency kill"
    if row.reason == AGENCY_EXPIRY:
        return "agency expiry"
    if row.reason == LICENCE:
        days = row.licence_days
        return f"licence window of {days} day{'' if days == 1 else 's'}"
    if row.reason == OPERATOR:
        return f"removed by operator {row.actor}" if row.actor else "removed by an operator"
    return row.reason or ""


def parse_day(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ReportError(f"{name}: expected a date like 2026-01-31, got {value!r}") from None


def period(start: date | None, end: date | None) -> tuple[datetime | None, datetime | None]:
    """[start 00:00 UTC, the day after `end` 00:00 UTC): both days whole."""
    if start and end and end < start:
        raise ReportError(f"--to {end.isoformat()} is before --from {start.isoformat()}")
    first = datetime.combine(start, datetime.min.time(), tzinfo=UTC) if start else None
    last = (datetime.combine(end, datetime.min.time(), tzinfo=UTC) + timedelta(days=1)
            if end else None)
    return first, last


def build(store: Store, agency: str, now: datetime, *, start: date | None = None,
          end: date | None = None) -> Report:
    """The report on `agency` for the days start..end (inclusive; open when not given)."""
    known = store.ledger.agencies()
    name = next((a for a in known if a.casefold() == agency.strip().casefold()), None)
    if name is None:
        raise ReportError(f"unknown agency {agency!r}: the ledger knows "
                          f"{', '.join(known) if known else 'no agency yet'}")
    first, last = period(start, end)
    lines: dict[int, StoryLine] = {}
    for row in store.ledger.rows(name, first, last):
        line = lines.get(row.story_id)
        if line is None:
            line = lines[row.story_id] = StoryLine(row.story_id, row.uri, row.agency, row.source)
        line.source = line.source or row.source
        if row.kind == "received" and row.sha256:
            line.received.append((row.at, row.sha256))
        elif row.kind in ("shown", "version") and row.sha256:
            line.shown.append((row.at, row.sha256))
        elif row.kind == "embargo_lifted":
            line.embargo_lifted_at = row.at
        elif row.kind == "takedown":
            line.takedown = row
        elif row.kind == "cdn_purge":
            line.purges.append(row)
    stories = sorted(lines.values(), key=lambda s: (s.received[0][0] if s.received
                                                    else s.first_shown_at or now, s.story_id))
    return Report(name, first, last, stories, store.ledger.oldest_live(name, now))


def _joined(pairs: list[tuple[datetime, str]]) -> str:
    return ";".join(f"{iso(at)} {sha}" for at, sha in pairs)  # in the order shown


def story_json(s: StoryLine) -> dict[str, Any]:
    t, purge = s.takedown, s.last_purge
    return {
        "uri": s.uri, "agency": s.agency, "source": s.source,
        "received": [{"at": iso(at), "sha256": sha} for at, sha in s.received],
        "first_shown_at": iso(s.first_shown_at),
        "shown_versions": [{"at": iso(at), "sha256": sha} for at, sha in s.shown],
        "embargo_lifted_at": iso(s.embargo_lifted_at),
        "takedown": None if t is None else {
            "reason": s.reason, "due_at": iso(t.due_at), "done_at": iso(t.done_at),
            "seconds": _seconds(t.seconds), "late": s.late, "was_shown": bool(t.shown)},
        "cdn_purges": [{"at": iso(p.at), "ok": p.reason == "ok", "answer": p.answer}
                       for p in s.purges],
        "cdn_answer": purge.answer if purge else None,
    }


def to_json(report: Report, now: datetime) -> str:
    oldest = report.oldest_live
    latency = report.latency()
    data = {
        "agency": report.agency, "from": iso(report.start), "to": iso(report.end),
        "generated_at": iso(now), "late_after_seconds": report.late_after,
        "summary": {
            "stories": len(report.stories), "carried": report.carried,
            "takedowns": len(report.takedowns),
            "latency_seconds": {k: _seconds(v) for k, v in latency.items()},
            "late": [s.uri for s in report.late],
            "oldest_live": None if oldest is None else {
                "uri": oldest.uri, "firstcreated": iso(oldest.firstcreated),
                "age_days": round(oldest.age_days(now), 2), "licence_days": oldest.licence_days,
                "ends_at": iso(oldest.ends_at)},
        },
        "by_day": [{"day": d.day.isoformat(), "takedowns": d.takedowns,
                    "p50_seconds": _seconds(d.p50), "max_seconds": _seconds(d.max)}
                   for d in report.by_day()],
        "stories": [story_json(s) for s in report.stories],
    }
    return json.dumps(data, ensure_ascii=False, indent=2)


def to_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for s in report.stories:
        t, purge = s.takedown, s.last_purge
        first = min(s.received, default=None)
        writer.writerow([
            s.uri, s.agency or "", s.source or "", iso(first[0]) if first else "",
            first[1] if first else "", iso(s.first_shown_at) or "", len(s.shown),
            _joined(s.shown), iso(s.embargo_lifted_at) or "", s.reason,
            iso(t.due_at) if t else "", iso(t.done_at) if t else "",
            _seconds(t.seconds) if t and t.seconds is not None else "",
            ("yes" if s.late else "no") if t else "",
            iso(purge.at) if purge else "", purge.answer if purge else "",
        ])
    return out.getvalue()


def _seconds(value: float | None) -> float | None:
    return None if value is None else round(value, 3)
