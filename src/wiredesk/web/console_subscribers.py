"""Console subscribers: who is told of changes by webhook, what is owed to each, and the dead
letters (deliveries given up after a day of failures), each of which can be sent again."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from wiredesk.web.console_kit import GATED, Forbidden, Kit, redirect
from wiredesk.web.context import Context
from wiredesk.web.policy import route


def routes(ctx: Context, kit: Kit) -> list[Route]:
    hooks = ctx.store.subscribers

    def overview() -> tuple[list[dict], list]:
        rows = []
        for s in hooks.all():
            rows.append({"s": s, "pending": len(hooks.recent(s.name, status="pending",
                                                             limit=1000))})
        return rows, hooks.recent(status="dead", limit=200)

    async def listing(request: Request) -> Response:
        rows, dead = await run_in_threadpool(overview)
        return kit.render(request, "console_subscribers.html", title="Subscribers",
                          section="subscribers", rows=rows, dead=dead)

    async def retry(request: Request) -> Response:
        try:
            await kit.form(request)
        except Forbidden:
            return kit.forbidden(request)
        done = await run_in_threadpool(hooks.retry, request.path_params["delivery_id"],
                                       ctx.clock())
        return redirect("/console/subscribers", "resent" if done else "handled")

    return [
        route("/console/subscribers", listing, GATED),
        route("/console/subscribers/deliveries/{delivery_id:int}/retry", retry, GATED,
              methods=["POST"]),
    ]
