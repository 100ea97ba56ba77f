"""`GET /api/v1/takedowns?since=`: what was taken down, for a consumer that cached stories.

`since` is an event id (the `last_event_id` of the previous answer, or an `/events` id) or an
ISO 8601 time. Takedowns come from the story journal (a week of them, each with its event
id); for a time before the journal's first event, older takedowns come from the stories
themselves (store.tombstones), without an event id. Each gives the story's uri, id, when and
the reason class (killed, expired, removed, withheld), never its words. A consumer keeps
`last_event_id` and asks again with it; `more` says a page was full.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from wiredesk.formats.dates import parse_datetime
from wiredesk.formats.errors import FormatError
from wiredesk.times import iso
from wiredesk.web.context import Context
from wiredesk.web.policy import Policy, route

LIMIT = 500
MAX_EVENT_ID = 2**63 - 1
TAKEDOWNS = Policy(cache=False, cookie_key=False, json_errors=True)  # changes any second


class BadSince(ValueError):
    pass


def parse_since(value: str | None) -> int | datetime:
    if value is None or not value.strip():
        raise BadSince("since: give an event id or an ISO 8601 date-time")
    value = value.strip()
    if value.isdigit():
        if int(value) > MAX_EVENT_ID:
            raise BadSince(f"since: event id {value} is too large")
        return int(value)
    try:
        found = parse_datetime(value, "query", "since")
    except FormatError:
        found = None
    if found is None:
        raise BadSince(f"since: expected an event id or an ISO 8601 date-time, got {value!r}")
    return found


def routes(ctx: Context) -> list[Route]:
    journal = ctx.store.journal

    def listing(since: int | datetime) -> dict[str, Any]:
        rows: list[dict[str, Any]] = []
        if isinstance(since, datetime):
            events = journal.since(0, kinds=("takedown",), start=since, limit=LIMIT)
            first = journal.since(journal.oldest(), limit=1)
            covered_from = first[0].at if first else None
            if covered_from is None or since < covered_from:
                told = {e.story_id for e in events}
                older = ctx.store.tombstones(since, limit=LIMIT)
                rows += [{"event_id": None, "id": t.id, "uri": t.uri,
                          "time": iso(t.takendown_at), "reason": t.reason}
                         for t in reversed(older) if t.id not in told
                         and (covered_from is None or t.takendown_at < covered_from)]
        else:
            events = journal.since(since, kinds=("takedown",), limit=LIMIT)
        rows += [{"event_id": e.id, "id": e.story_id, "uri": e.uri, "time": iso(e.at),
                  "reason": e.reason or "removed"} for e in events]
        more = len(events) == LIMIT
        last = events[-1].id if more else max(journal.latest(), events[-1].id if events else 0)
        return {"takedowns": rows, "last_event_id": last, "more": more}

    async def takedowns(request: Request) -> Response:
        from starlette.concurrency import run_in_threadpool

        try:
            since = parse_since(request.query_params.get("since"))
        except BadSince as exc:
            return JSONResponse({"error": str(exc)}, status_code=400,
                                headers={"Cache-Control": "no-cache"})
        data = await run_in_threadpool(listing, since)
        return JSONResponse(data, headers={"Cache-Control": "no-cache"})

    return [route("/api/v1/takedowns", takedowns, TAKEDOWNS)]
