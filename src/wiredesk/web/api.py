"""The JSON API under /api/v1: stories as IPTC ninjs (2.2 by default, 3.1 or 1.6 on request).

A taken-down story answers 410 with only {"uri", "takendown_at", "reason"}: nothing of its
content. Lists page by a keyset cursor on (versioncreated, id), so a client walking the
pages sees no gaps and no repeats even while new stories arrive at the top.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from wiredesk.formats import ninjs
from wiredesk.formats.dates import parse_datetime
from wiredesk.formats.errors import FormatError
from wiredesk.store import ListFilter, StoryRecord
from wiredesk.store.search import QueryError
from wiredesk.times import iso
from wiredesk.web import openapi
from wiredesk.web import pictures as picture_view
from wiredesk.web.availability import Availability, State, availability
from wiredesk.web.context import Context
from wiredesk.web.history import shown_versions
from wiredesk.web.http import ITEM_MAX_AGE, LIST_MAX_AGE, max_age, respond, story_keys
from wiredesk.web.keys import full_text
from wiredesk.web.policy import Policy, route
from wiredesk.web.public_text import PublicText
from wiredesk.web.render import highlight

MAX_LIMIT = 100
JSON_TYPE = "application/json"
# Cached, the same bytes whatever the text size; the guard answers in JSON.
API = Policy(cookie_key=False, json_errors=True)
SEARCH = Policy(cookie_key=False, json_errors=True, rate_bucket="search")


class BadRequest(ValueError):
    pass


def item_json(ctx: Context, record: StoryRecord, profile: str,
              cluster: int | None = None) -> dict[str, Any]:
    """The story as ninjs, with our page's address as an alternative id where the profile has
    one, and the event cluster it belongs to (role wiredesk-cluster: /api/v1/clusters/{id})."""
    shown = ctx.store.pictures.shown(record.id, ctx.clock())  # associations: our renditions
    story = record.story.with_changes(pictures=tuple(
        picture_view.as_picture(ctx, p) for p in shown)) if shown else record.story
    item = ninjs.to_ninjs(story, profile)
    url = ctx.absolute(ctx.story_path(record.id, record.story.headline))
    ids = [{"role": "url", "value": url}, {"role": "wiredesk-id", "value": str(record.id)}]
    if cluster is not None:
        ids.append({"role": "wiredesk-cluster", "value": str(cluster)})
    if profile == "2.2":
        item["altids"] = ids
    elif profile == "3.1":
        item["altIds"] = ids
    return item


def gone_json(record: StoryRecord, gone: Availability) -> dict[str, Any]:
    return {"uri": record.uri, "takendown_at": iso(gone.takendown_at), "reason": gone.reason}


def routes(ctx: Context) -> list[Route]:
    public = PublicText(ctx.store)

    def shown(request: Request, record: StoryRecord, profile: str,
              cluster: int | None = None) -> dict[str, Any]:
        """The item as this caller may have it: full text with an API key, else what the
        story's source allows the public (web/public_text.py)."""
        found = item_json(ctx, record, profile, cluster)
        return found if full_text(request.scope) else public.trim(found, record.source,
                                                                   record.story)

    def send(request: Request, data: Any, *, cache: int, keys: list[str],
             status: int = 200) -> Response:
        body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        return respond(request, body, JSON_TYPE, cache_seconds=cache, keys=keys, status=status)

    def error(status: int, message: str) -> Response:
        return JSONResponse({"error": message}, status_code=status,
                            headers={"Cache-Control": "no-cache"})

    def one(request: Request, record: StoryRecord | None,
            build: Callable[[Request, StoryRecord, str], Any]) -> Response:
        """Shared answer about a single story: 404 unknown or not yet usable, 410 gone, else
        what `build` makes of it in the asked profile."""
        now = ctx.clock()
        try:
            profile = _profile(request)
        except BadRequest as exc:
            return error(400, str(exc))
        found = availability(record, now)
        if record is None or found.state is State.NOT_FOUND:
            return error(State.NOT_FOUND.status, "no such story")
        if found.state is State.GONE:
            return send(request, gone_json(record, found), cache=ITEM_MAX_AGE,
                        keys=story_keys(record.id, record.story.agency), status=State.GONE.status)
        return send(request, build(request, record, profile),
                    cache=max_age(now, [record.ends_at, *(p.expires for p in ctx.store.pictures
                                                          .shown(record.id, now))],
                                  ITEM_MAX_AGE),
                    keys=story_keys(record.id, record.story.agency,
                                    [s.name for s in record.story.subjects]))

    def item(request: Request, record: StoryRecord, profile: str) -> dict[str, Any]:
        return shown(request, record, profile, ctx.store.clusters.cluster_of(record.id))

    def history(request: Request, record: StoryRecord, profile: str) -> dict[str, Any]:
        """The versions readers could have seen, as the history page lists them: a late older
        version, a withheld one or one replaced under embargo was never public, key or not."""
        keyed = full_text(request.scope)
        return {"uri": record.uri, "versions": [
            {"version": v.version, "versioncreated": iso(v.versioncreated),
             "received": iso(v.received_at), "pubstatus": v.pubstatus, "format": v.format,
             "current": v.is_head,
             "item": ninjs.to_ninjs(v.story, profile) if keyed
             else public.trim(ninjs.to_ninjs(v.story, profile), record.source, v.story)}
            for v in shown_versions(ctx.store.history(record.id), ctx.clock())]}

    def provenance(_request: Request, record: StoryRecord, _profile: str) -> dict[str, Any]:
        """The bytes behind what readers saw: no words, only hashes, sizes, times, sources."""
        return {"uri": record.uri, "agency": record.story.agency, "versions": [
            {"sha256": v.sha256, "format": v.format, "size": v.size,
             "received": iso(v.received_at), "source": v.source, "version": v.version,
             "current": v.current} for v in ctx.store.ledger.provenance(record.id)]}

    async def story(request: Request) -> Response:
        return one(request, ctx.store.story(request.path_params["story_id"]), item)

    async def by_uri(request: Request) -> Response:
        uri = request.query_params.get("uri", "")
        if not uri:
            return error(400, "uri: give the agency's uri of the story")
        return one(request, ctx.store.story_by_uri(uri), item)

    async def versions(request: Request) -> Response:
        return one(request, ctx.store.story(request.path_params["story_id"]), history)

    async def proof(request: Request) -> Response:
        return one(request, ctx.store.story(request.path_params["story_id"]), provenance)

    async def stories(request: Request) -> Response:
        now = ctx.clock()
        params = request.query_params
        try:
            profile = _profile(request)
            limit = _int(params.get("limit"), "limit", 20, 1, MAX_LIMIT)
            where = ListFilter(
                agency=params.get("agency") or None,
                subject=params.get("subject") or None,
                max_urgency=_int(params.get("urgency"), "urgency", None, 1, 9),
                since=_time(params.get("since"), "since"),
                before=_cursor(params.get("cursor"), ctx.store.max_id),
            )
        except BadRequest as exc:
            return error(400, str(exc))
        records = ctx.store.live_stories(now, limit=limit + 1, where=where)
        page = records[:limit]
        clusters = ctx.store.clusters.ids(r.id for r in page)
        data: dict[str, Any] = {"items": [shown(request, r, profile, clusters.get(r.id))
                                          for r in page], "next": None}
        if len(records) > limit:
            last = page[-1]
            query = {k: v for k, v in params.items() if k != "cursor"}
            query["cursor"] = _encode_cursor(last.versioncreated, last.id)
            data["next"] = f"/api/v1/stories?{urlencode(query)}"
        keys = ["stories", *(f"story-{r.id}" for r in page)]
        return send(request, data, cache=max_age(now, [r.ends_at for r in page], LIST_MAX_AGE),
                    keys=keys)

    async def search(request: Request) -> Response:
        now = ctx.clock()
        params = request.query_params
        try:
            profile = _profile(request)
            page_no = _int(params.get("page"), "page", 1, 1, openapi.MAX_PAGE)
            limit = _int(params.get("limit"), "limit", 10, 1, MAX_LIMIT)
            result = ctx.store.search(params.get("q", ""), now, agency=params.get("agency") or None,
                                      start=_time(params.get("from"), "from"),
                                      end=_time(params.get("to"), "to"),
                                      limit=limit, offset=(page_no - 1) * limit,
                                      before=_int(params.get("before"), "before", None, 1, 2**31 - 1))
        except (BadRequest, QueryError) as exc:
            return error(400, str(exc))
        keyed = full_text(request.scope)
        clusters = ctx.store.clusters.ids(r.id for r, _ in result.results)
        items = [{"item": shown(request, record, profile, clusters.get(record.id)),
                  "snippet": str(highlight(snippet))  # the body's words: full text only
                  if keyed or public.level(record.source) == "full" else ""}
                 for record, snippet in result.results]
        # total_exact false: more than `total` stories match (the walk stopped past the page),
        # or, with `older`, a phrase's budget stopped it: before=older searches on from there.
        return send(request, {"total": result.total, "total_exact": result.exact,
                              "older": result.older, "page": page_no, "items": items},
                    cache=max_age(now, [r.ends_at for r, _ in result.results], LIST_MAX_AGE),
                    keys=["stories", "search"])

    async def cluster(request: Request) -> Response:
        """The visible stories of one event cluster: links, never their text."""
        now = ctx.clock()
        cluster_id = request.path_params["cluster_id"]
        members = ctx.store.clusters.members(cluster_id, now) \
            if 0 < cluster_id <= ctx.store.max_id else []
        if not members:
            return error(404, "no such cluster, or none of its stories is visible now")
        data = {"id": cluster_id, "stories": [{
            "id": m.id, "agency": m.agency, "headline": m.headline, "urgency": m.urgency,
            "firstcreated": iso(m.firstcreated), "versioncreated": iso(m.versioncreated),
            "url": ctx.absolute(ctx.story_path(m.id, m.headline)),
            "api": f"/api/v1/stories/{m.id}"} for m in members]}
        return send(request, data, cache=max_age(now, [m.ends_at for m in members], LIST_MAX_AGE),
                    keys=["stories", f"cluster-{cluster_id}", *(f"story-{m.id}" for m in members)])

    return [
        route("/api/v1/clusters/{cluster_id:int}", cluster, API),
        route("/api/v1/stories", stories, API),
        route("/api/v1/stories/by-uri", by_uri, API),
        route("/api/v1/stories/{story_id:int}", story, API),
        route("/api/v1/stories/{story_id:int}/versions", versions, API),
        route("/api/v1/stories/{story_id:int}/provenance", proof, API),
        route("/api/v1/search", search, SEARCH),
        *openapi.routes(ctx),
    ]


def _profile(request: Request) -> str:
    profile = request.query_params.get("profile", "2.2")
    if profile not in ninjs.PROFILES:
        raise BadRequest(f"profile: expected one of {', '.join(ninjs.PROFILES)}, got {profile!r}")
    return profile


def _int(value: str | None, name: str, default: int | None, low: int, high: int) -> Any:
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except ValueError as exc:
        raise BadRequest(f"{name}: expected a whole number, got {value!r}") from exc
    if not low <= number <= high:
        raise BadRequest(f"{name}: expected {low} to {high}, got {number}")
    return number


def _time(value: str | None, name: str) -> datetime | None:
    if value is None:
        return None
    try:
        found = parse_datetime(value, "query", name)
    except FormatError:
        found = None
    if found is None:  # given but empty is a mistake, not "no limit"
        raise BadRequest(f"{name}: expected an ISO 8601 date-time, got {value!r}")
    return found


def _encode_cursor(at: datetime, story_id: int) -> str:
    raw = f"{at.isoformat()}|{story_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _cursor(value: str | None, max_id: int) -> tuple[datetime, int] | None:
    if not value:
        return None
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
        at, story_id = raw.split("|")
        when, number = datetime.fromisoformat(at), int(story_id)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest("cursor: not a cursor this API gave out") from exc
    # What the API gives out is a real story's time and id: anything else is refused here,
    # before a number too big for the id column or a time without its zone reaches the store.
    if when.tzinfo is None or not 0 < number <= max_id:
        raise BadRequest("cursor: not a cursor this API gave out")
    return when, number
