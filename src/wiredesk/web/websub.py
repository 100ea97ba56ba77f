"""The WebSub callback (`/websub/{source}`): hubs check our intent here and push content.

GET answers the hub's verification of intent: the challenge is echoed only for a topic we
asked for while our request is in hand (sources/websub.py decides), else 404. POST is a
content push: read with the source's size limit, applied only when `X-Hub-Signature` is
the HMAC of the body by the subscription's hub.secret (403 otherwise, nothing applied).
Like the push route: never cached, no cookies, the push rate bucket.
"""

from __future__ import annotations

from datetime import UTC, datetime

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from wiredesk.sources import registry, websub
from wiredesk.web.context import Context
from wiredesk.web.policy import Policy, route
from wiredesk.web.push import NO_STORE, TooLarge, read_body

CALLBACK = Policy(cache=False, cookie_key=False, rate_bucket="push", json_errors=True)


def routes(ctx: Context) -> list[Route]:
    store = ctx.store

    def answer(status: int, body: dict) -> Response:
        return JSONResponse(body, status_code=status, headers=NO_STORE)

    async def verify_intent(request: Request) -> Response:
        name = request.path_params["source"]
        params = dict(request.query_params)
        challenge = await run_in_threadpool(websub.confirm, store, name, params, ctx.clock())
        if challenge is None:
            return PlainTextResponse("no such subscription", status_code=404, headers=NO_STORE)
        return PlainTextResponse(challenge, headers=NO_STORE)

    async def content(request: Request) -> Response:
        arrived = datetime.now(UTC)  # wire to web starts when the hub's request reached us
        name = request.path_params["source"]
        row = await run_in_threadpool(store.sources.get, name)
        if row is None or row.kind != "http":
            return answer(404, {"error": f"no feed source named {name!r}"})
        cfg = registry.config_of(row)
        limit = getattr(cfg, "max_bytes", 10 * 1024 * 1024)
        try:
            body = await read_body(request, limit)
        except TooLarge:
            return answer(413, {"error": f"body over the limit of {limit} bytes"})
        result = await run_in_threadpool(
            websub.accept, store, cfg, body, request.headers.get(websub.HEADER),
            content_type=request.headers.get("content-type"), now=ctx.clock(),
            arrived=arrived, paused=row.paused)
        return answer(result.status, result.body)

    return [route("/websub/{source}", verify_intent, CALLBACK, methods=["GET"]),
            route("/websub/{source}", content, CALLBACK, methods=["POST"])]
