"""Pushes in (`POST /push/{source}`); source details out are in web/sources_api.py.

A push is a source like any other: the body goes to the desk as one Delivery, only after its
HMAC-SHA256 signature checks out. The body is read with a size limit before anything else,
and the desk runs in a thread so a large delivery never stalls the event loop.
"""

from __future__ import annotations

from datetime import UTC, datetime

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from wiredesk.sources import push, registry
from wiredesk.web.context import Context
from wiredesk.web.policy import Policy, route

# Health changes without any story changing: "private" keeps it out of the page cache too.
NO_STORE = {"Cache-Control": "private, no-store"}
PUSH = Policy(cache=False, cookie_key=False, rate_bucket="push", json_errors=True)


class TooLarge(Exception):
    pass


async def read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise TooLarge
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def routes(ctx: Context) -> list[Route]:
    sources = ctx.store.sources

    def answer(status: int, body: dict, **headers: str) -> Response:
        return JSONResponse(body, status_code=status, headers={**NO_STORE, **headers})

    async def receive(request: Request) -> Response:
        arrived = datetime.now(UTC)  # wire to web starts when the request reached us
        name = request.path_params["source"]
        row = await run_in_threadpool(sources.get, name)
        if row is None or row.kind != "push":
            return answer(404, {"error": f"no push source named {name!r}"})
        cfg = registry.config_of(row)
        try:
            body = await read_body(request, cfg.max_bytes)
        except TooLarge:
            return answer(413, {"error": f"body over the limit of {cfg.max_bytes} bytes"})
        result = await run_in_threadpool(
            push.accept, ctx.store, cfg, body, request.headers.get(push.HEADER),
            content_type=request.headers.get("content-type"), now=ctx.clock(),
            paused=row.paused, arrived=arrived)
        extra = {"Retry-After": str(push.PAUSED_RETRY_AFTER)} if result.status == 503 else {}
        return answer(result.status, result.body, **extra)

    return [route("/push/{source}", receive, PUSH, methods=["POST"])]
