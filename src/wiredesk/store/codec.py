"""Story <-> row: the version row keeps every Story field; bodies in their own columns."""

from __future__ import annotations

from datetime import datetime
from operator import attrgetter
from typing import Any

from wiredesk.story import Body, Pubstatus, Story, StoryWarning, Subject

_TIMES = ("firstcreated", "versioncreated", "embargoed", "expires")
_TEXTS = (
    "uri", "headline", "version", "slugline", "by", "located", "dateline", "agency", "language",
    "copyrightholder", "copyrightnotice", "usageterms", "ednote", "creditline", "format",
    "hold", "body_href", "description",
    "label",
)
_TEXT_VALUES, _TIME_VALUES = attrgetter(*_TEXTS), attrgetter(*_TIMES)


def story_meta(story: Story) -> dict[str, Any]:
    # Once a version on ingest: attrgetter reads the fields in one C call, in _TEXTS' order.
    meta: dict[str, Any] = dict(zip(_TEXTS, _TEXT_VALUES(story), strict=True))
    meta.update(zip(_TIMES, map(_iso, _TIME_VALUES(story)), strict=True))
    meta["pubstatus"] = str(story.pubstatus)
    meta["urgency"] = story.urgency
    meta["subjects"] = [[s.name, s.uri, s.code] for s in story.subjects]
    meta["signals"] = list(story.signals)
    meta["warnings"] = [[w.field, w.problem, w.action] for w in story.warnings]
    return meta


def story_from_row(meta: dict[str, Any], row: Any, raw: bytes = b"") -> Story:
    """Rebuild a Story from a version row (bodies may have been purged: then they are empty)."""
    body = Body(
        received=row.body_received or "",
        content_type=row.body_content_type or "text/plain",
        html=row.body_html or "",
        text=row.body_text or "",
    )
    return Story(
        **{name: meta.get(name) for name in _TEXTS if name != "headline" and name != "uri"},
        uri=meta["uri"],
        headline=meta["headline"],
        body=body,
        pubstatus=Pubstatus(meta["pubstatus"]),
        urgency=meta.get("urgency"),
        subjects=tuple(Subject(name=n, uri=u, code=c) for n, u, c in meta.get("subjects", [])),
        signals=tuple(meta.get("signals", [])),
        warnings=tuple(StoryWarning(*w) for w in meta.get("warnings", [])),
        raw=raw,
        **{name: _parse(meta.get(name)) for name in _TIMES},
    )


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _parse(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None
