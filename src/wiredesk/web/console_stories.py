"""Console story pages: recent stories, one story's versions side by side with what changed
between each and the next, why it is held from readers, the warnings each version was read
with, and the kill button (a reason is required)."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from wiredesk import desk
from wiredesk.corrections import version_label
from wiredesk.store import StoryRecord, VersionRecord
from wiredesk.web.availability import State, availability
from wiredesk.web.console_kit import GATED, Forbidden, Kit, field, redirect
from wiredesk.web.context import Context
from wiredesk.web.policy import route
from wiredesk.web.textdiff import Comparison, compare

LIST_SIZE = 50
MAX_REASON = 2000


def routes(ctx: Context, kit: Kit) -> list[Route]:
    async def listing(request: Request) -> Response:
        uri = request.query_params.get("uri", "").strip()
        if uri:
            found = await run_in_threadpool(ctx.store.story_by_uri, uri)
            if found is not None:
                return redirect(f"/console/stories/{found.id}")
        records = await run_in_threadpool(lambda: ctx.store.live_stories(ctx.clock(),
                                                                         limit=LIST_SIZE))
        return kit.render(request, "console_stories.html", title="Stories", section="stories",
                          records=records, uri=uri,
                          error=f"No story with the uri {uri}." if uri else None)

    def story_page(request: Request, record: StoryRecord, history: list[VersionRecord], *,
                   status: int = 200, error: str | None = None, reason: str = "") -> Response:
        pairs: list[tuple[VersionRecord, VersionRecord, Comparison]] = [
            (old, new, compare(old.story, new.story)) for old, new in zip(history, history[1:],
                                                                          strict=False)
        ]
        return kit.render(request, "console_story.html", status=status, title=record.story.headline,
                          section="stories", record=record, history=history, pairs=pairs,
                          labels=arrival_labels(history),
                          error=error, reason=reason,
                          live=availability(record, ctx.clock()).state is State.LIVE,
                          held=desk.held_reason(record.story),
                          public=ctx.story_path(record.id, record.story.headline))

    def load(story_id: int) -> tuple[StoryRecord | None, list[VersionRecord]]:
        record = ctx.store.story(story_id)
        return record, (ctx.store.history(story_id) if record else [])

    async def story(request: Request) -> Response:
        record, history = await run_in_threadpool(load, request.path_params["story_id"])
        if record is None:
            return kit.not_found(request, "story")
        return story_page(request, record, history)

    async def kill(request: Request) -> Response:
        try:
            form = await kit.form(request)
        except Forbidden:
            return kit.forbidden(request)
        record, history = await run_in_threadpool(load, request.path_params["story_id"])
        if record is None:
            return kit.not_found(request, "story")
        reason = field(form, "reason")[:MAX_REASON]
        if not reason:
            return story_page(request, record, history, status=400,
                              error="A kill needs a reason: say why the story must come down.")
        user = kit.user(request)
        actor = f"{user.name if user else 'unknown'} (console)"
        done = await run_in_threadpool(lambda: desk.kill(ctx.store, record.uri, reason=reason,
                                                         actor=actor, now=ctx.clock()))
        return redirect("/console/takedowns", "killed" if done else "already")

    return [
        route("/console/stories", listing, GATED),
        route("/console/stories/{story_id:int}", story, GATED),
        route("/console/stories/{story_id:int}/kill", kill, GATED, methods=["POST"]),
    ]


def arrival_labels(history: list[VersionRecord]) -> dict[int, str]:
    """Each version's readable label (corrections.version_label), counted by arrival."""
    ordered = sorted(history, key=lambda v: v.id)
    return {v.id: version_label(v.story, n) for n, v in enumerate(ordered, start=1)}
