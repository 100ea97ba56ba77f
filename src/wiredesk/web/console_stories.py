"""Console story pages: the finder (words, agency, state, dates: store/finder.py), one story's
versions side by side with what changed between each and the next, why it is held from
readers, the warnings each version was read with, Publish and Ignore for a story in review,
and the kill button (a reason and a ticked confirmation are required)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from wiredesk import desk, review
from wiredesk.corrections import version_label
from wiredesk.store import StoryRecord, VersionRecord
from wiredesk.store.finder import ORDERS, STATES, Query
from wiredesk.store.search import QueryError
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
        params = request.query_params
        form = {key: params.get(key, "").strip() for key in ("q", "agency", "state", "from",
                                                              "to", "order")}
        searching = any(form.values())
        error = f"No story with the uri {uri}." if uri else None
        total = None
        try:
            query = Query(q=form["q"], agency=form["agency"] or None,
                          state=form["state"] or None, start=_day(form["from"], "From"),
                          end=_end(_day(form["to"], "To")), order=form["order"] or "time")
            if searching:
                found = await run_in_threadpool(ctx.store.finder.find, query, ctx.clock(),
                                                limit=LIST_SIZE)
                records, total = found.records, found.total
            else:
                records = await run_in_threadpool(
                    lambda: ctx.store.live_stories(ctx.clock(), limit=LIST_SIZE))
        except (QueryError, ValueError) as exc:
            records, error = [], str(exc)
        return kit.render(request, "console_stories.html", title="Stories", section="stories",
                          status=400 if error and not uri else 200,
                          records=records, uri=uri, form=form, total=total, searching=searching,
                          states=STATES, orders=ORDERS, error=error)

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
                          held=desk.held_reason(record.story), now=ctx.clock(),
                          decision=ctx.store.rules.decisions([record.id]).get(record.id),
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
        if field(form, "confirm") != "yes":
            return story_page(request, record, history, status=400, reason=reason,
                              error="Tick the box to confirm the kill: it cannot be undone.")
        user = kit.user(request)
        actor = f"{user.name if user else 'unknown'} (console)"
        done = await run_in_threadpool(lambda: desk.kill(ctx.store, record.uri, reason=reason,
                                                         actor=actor, now=ctx.clock()))
        return redirect("/console/takedowns", "killed" if done else "already")

    async def decide(request: Request) -> Response:
        """Publish or Ignore, from the review queue or the story's page."""
        try:
            await kit.form(request)
        except Forbidden:
            return kit.forbidden(request)
        action = request.path_params["action"]
        record = await run_in_threadpool(ctx.store.story, request.path_params["story_id"])
        if record is None or action not in ("publish", "ignore"):
            return kit.not_found(request, "story" if record is None else "action")
        user = kit.user(request)
        actor = f"{user.name if user else 'unknown'} (console)"
        try:
            if action == "publish":
                state = await run_in_threadpool(lambda: review.publish(
                    ctx.store, record.uri, actor=actor, now=ctx.clock()))
            else:
                await run_in_threadpool(lambda: review.ignore(ctx.store, record.uri, actor=actor,
                                                              now=ctx.clock()))
                state = "ignored"
        except review.NotWaiting as exc:
            return kit.render(request, "console_error.html", status=409, title="Not in review",
                              error=str(exc))
        return redirect("/console/review", {"live": "published", "embargoed": "published-later",
                                            "expired": "expired-waiting"}.get(state, "ignored"))

    return [
        route("/console/stories", listing, GATED),
        route("/console/stories/{story_id:int}", story, GATED),
        route("/console/stories/{story_id:int}/kill", kill, GATED, methods=["POST"]),
        # publish | ignore; after kill, which it would otherwise shadow
        route("/console/stories/{story_id:int}/{action:str}", decide, GATED, methods=["POST"]),
    ]


def _day(value: str, label: str) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError as exc:
        raise ValueError(f"{label} date: use the form 2026-01-31.") from exc


def _end(day: datetime | None) -> datetime | None:
    return day + timedelta(days=1) if day else None  # "to" takes the whole of its day


def arrival_labels(history: list[VersionRecord]) -> dict[int, str]:
    """Each version's readable label (corrections.version_label), counted by arrival."""
    ordered = sorted(history, key=lambda v: v.id)
    return {v.id: version_label(v.story, n) for n, v in enumerate(ordered, start=1)}
