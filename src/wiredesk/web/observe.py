"""Request metrics by route template, and `/metrics` in Prometheus text format.

The route label is the template (`/story/{story_id:int}/{slug}`), never the raw URL: one
series per route rather than one per story, which would grow without end.
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Sequence

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Match, Mount, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from wiredesk import metrics
from wiredesk.web.context import Context
from wiredesk.web.policy import UNCACHED, route

METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


def route_template(routes: Sequence[BaseRoute], scope: Scope) -> str:
    """The path template of the route that will answer, matched as the router matches
    (a cache hit never reaches the router, so the router's own note cannot be used)."""
    partial = None
    for candidate in routes:
        match, _ = candidate.matches(scope)
        if match is Match.FULL:
            return _template(candidate)
        if match is Match.PARTIAL and partial is None:
            partial = candidate  # the right path with the wrong method: a 405
    return _template(partial) if partial is not None else "unmatched"


def _template(route: BaseRoute) -> str:
    if isinstance(route, Mount):
        return route.path + "/{path}"
    if isinstance(route, Route):
        return route.path
    return "other"


class RequestMetrics:
    def __init__(self, app: ASGIApp, *, routes: Sequence[BaseRoute]) -> None:
        self.app = app
        self.routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method = scope["method"] if scope["method"] in METHODS else "other"
        route = route_template(self.routes, scope)
        status = 500  # what the client gets if the app raises before answering
        started = time.perf_counter()

        async def note_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, note_status)
        finally:
            metrics.REQUEST_SECONDS.labels(method, route).observe(time.perf_counter() - started)
            metrics.REQUESTS.labels(method, route, str(status)).inc()


def routes(ctx: Context) -> list[Route]:
    token = ctx.settings.metrics_token

    async def exposition(request: Request) -> Response:
        if token:
            given = request.headers.get("authorization", "")
            if not hmac.compare_digest(given, f"Bearer {token}"):
                return Response("metrics need a bearer token", status_code=401,
                                headers={"WWW-Authenticate": "Bearer", "Cache-Control": "no-store"})
        body = await run_in_threadpool(generate_latest, REGISTRY)
        return Response(body, media_type=CONTENT_TYPE_LATEST,
                        headers={"Cache-Control": "no-store"})

    async def health(_: Request) -> Response:
        return PlainTextResponse("ok")

    return [route("/metrics", exposition, UNCACHED), route("/healthz", health, UNCACHED)]
