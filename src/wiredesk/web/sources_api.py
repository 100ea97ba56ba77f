"""Source details out (`/api/v1/sources`): settings and health, for the operator only.

A source's settings and errors say where its copy comes from and how it logs in, so these
answer only a logged-in console session or `Authorization: Bearer <WIREDESK_API_TOKEN>`;
anyone else gets 401 in JSON with `WWW-Authenticate: Bearer`. Even then secrets are masked
(SourceConfig.redacted, masking.py). Never cached anywhere: who asks decides the answer.
"""

from __future__ import annotations

import hmac

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from wiredesk.sources import registry
from wiredesk.web.auth import Auth
from wiredesk.web.context import Context
from wiredesk.web.policy import Policy, route

NO_STORE = {"Cache-Control": "private, no-store"}
SOURCES = Policy(cache=False, cookie_key=False, json_errors=True)
CHALLENGE = 'Bearer realm="wiredesk"'


def routes(ctx: Context, auth: Auth) -> list[Route]:
    token = ctx.settings.api_token

    def answer(status: int, body: dict, **headers: str) -> Response:
        return JSONResponse(body, status_code=status, headers={**NO_STORE, **headers})

    async def allowed(request: Request) -> bool:
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        if token and scheme.lower() == "bearer" and given.strip():
            # compare_digest: the time taken tells nothing of how much of a guess was right.
            return hmac.compare_digest(given.strip().encode(), token.encode())
        user = await run_in_threadpool(auth.user, request.cookies.get(auth.cookie))
        return user is not None

    def refused() -> Response:
        how = "a console session" + (" or Authorization: Bearer <token>" if token else "")
        return answer(401, {"error": f"source details need {how}"},
                      **{"WWW-Authenticate": CHALLENGE})

    async def list_sources(request: Request) -> Response:
        if not await allowed(request):
            return refused()
        found = await run_in_threadpool(registry.all_json, ctx.store, ctx.clock())
        return answer(200, {"sources": found})

    async def one_source(request: Request) -> Response:
        if not await allowed(request):
            return refused()
        name = request.path_params["name"]
        found = await run_in_threadpool(registry.all_json, ctx.store, ctx.clock(), name)
        if not found:
            return answer(404, {"error": f"no source named {name!r}"})
        return answer(200, found[0])

    return [
        route("/api/v1/sources", list_sources, SOURCES),
        route("/api/v1/sources/{name}", one_source, SOURCES),
    ]
