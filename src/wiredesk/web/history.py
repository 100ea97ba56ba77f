"""The public history of a story: every version readers could have seen, with its agency
label, its time and a word diff from the one before.

A version is listed only if it was on the site: it became the story's head when it arrived
(a late older version never did), it was usable and held by nothing (a withheld version, an
advisory, a text still to be fetched), and its embargo lifted before the next version
replaced it. The page lives and dies with the article: 404 where the article is 404, 410
with the gone notice once the story is down, in the page cache under the story's keys.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from wiredesk import desk
from wiredesk.corrections import Correction, correction, version_label
from wiredesk.store import VersionRecord
from wiredesk.web.context import Context
from wiredesk.web.http import ITEM_MAX_AGE, max_age
from wiredesk.web.pages import render_page, shown_story
from wiredesk.web.policy import DEFAULT, route
from wiredesk.web.textdiff import Segment, inline_diff


@dataclass(frozen=True, slots=True)
class ShownVersion:
    """One version as the history page lists it."""

    record: VersionRecord
    label: str
    shown_at: datetime  # when readers could first see it (its arrival, or its embargo's end)
    correction: Correction | None
    changes: list[Segment]  # the word diff of the text from the version listed before
    headline_changed: bool


def shown_versions(history: list[VersionRecord], now: datetime) -> list[VersionRecord]:
    """The versions readers could have seen, oldest first. `history` is in the agency's
    order (Store.history); ids follow arrival, so a version that arrived after one ordered
    later never became the head (stale)."""
    heads: list[VersionRecord] = []
    earliest_later = None  # the smallest id among versions ordered after this one
    for version in reversed(history):
        if earliest_later is None or version.id < earliest_later:
            heads.append(version)
        earliest_later = version.id if earliest_later is None else min(earliest_later, version.id)
    heads.sort(key=lambda v: v.id)  # arrival order: each head replaced the one before
    shown = []
    for index, version in enumerate(heads):
        story = version.story
        start = max(version.received_at, story.embargoed or version.received_at)
        if index + 1 < len(heads):  # shown until the next head replaced it, if at all
            after = heads[index + 1]
            # Replaced in the same instant: shown only if by another delivery (another commit);
            # versions of one delivery are committed together, the earlier never shown.
            seen = start < after.received_at or (
                start == after.received_at == version.received_at
                and (after.source, after.delivery_name) != (version.source, version.delivery_name))
        else:  # the head: shown once its embargo has passed, as the article is
            seen = story.embargoed is None or story.embargoed <= now
        if version.pubstatus == "usable" and desk.held_reason(story) is None and seen:
            shown.append(version)
    return shown


def listing(history: list[VersionRecord], now: datetime,
            words: Callable[[str], str] = str) -> list[ShownVersion]:
    """The versions shown, oldest first; `words` puts the site's labels in its language."""
    out: list[ShownVersion] = []
    before: VersionRecord | None = None
    for ordinal, version in enumerate(shown_versions(history, now), start=1):
        story = version.story
        out.append(ShownVersion(
            record=version, label=version_label(story, ordinal, words),
            shown_at=max(version.received_at, story.embargoed or version.received_at),
            correction=correction(story),
            changes=inline_diff(before.story.body.text, story.body.text) if before else [],
            headline_changed=before is not None and before.story.headline != story.headline))
        before = version
    return out


def routes(ctx: Context) -> list[Route]:
    async def history(request: Request) -> Response:
        now = ctx.clock()
        shown = shown_story(ctx, request, now)
        if isinstance(shown, Response):
            return shown
        record, keys = shown
        versions = listing(ctx.store.history(record.id), now, ctx.renderer.gettext)
        return render_page(ctx, request, "history.html", record=record, story=record.story,
                           versions=list(reversed(versions)), now=now,
                           article=ctx.story_path(record.id, record.story.headline), keys=keys,
                           cache_seconds=max_age(now, [record.ends_at], ITEM_MAX_AGE))

    # Before the article's /story/{id}/{slug}, which would take "history" for a slug.
    return [route("/story/{story_id:int}/history", history, DEFAULT)]
