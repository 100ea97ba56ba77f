"""Console pages for editorial rules (rules.py) and the review queue (review.py).

/console/rules lists the rules in the order they apply, adds one (checked as the CLI and the
sources file check it: the error names the rule and the setting), removes, switches on and
off, and tries one on the newest stories before it is switched on. /console/review lists the
stories a rule holds for an editor, sortable by time, urgency or agency, each with Publish
and Ignore (posted to console_stories.py), and the stories ignored. Every change is a POST
with the console's CSRF token.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from wiredesk import rules as editorial
from wiredesk.store.finder import ORDERS, Query
from wiredesk.web.console_kit import GATED, Forbidden, Kit, field, redirect
from wiredesk.web.context import Context
from wiredesk.web.policy import route

QUEUE_SIZE = 100


def routes(ctx: Context, kit: Kit) -> list[Route]:
    def page(request: Request, *, status: int = 200, error: str | None = None,
             form: dict[str, str] | None = None) -> Response:
        found = ctx.store.rules.all()
        tried = None
        name = request.query_params.get("test", "")
        rule = next((r for r in found if r.name == name), None)
        if rule is not None:
            records = ctx.store.finder.find(Query(), ctx.clock(), limit=editorial.TRIAL).records
            hits = editorial.trial(rule, [(r.story, r.source) for r in records])
            tried = (rule, [records[n] for n in hits], len(records))
        return kit.render(request, "console_rules.html", status=status, title="Rules",
                          section="rules", rules=found, tried=tried, error=error,
                          form=form or {}, actions=editorial.ACTIONS, types=editorial.TYPES)

    async def listing(request: Request) -> Response:
        if request.method == "GET":
            return await run_in_threadpool(page, request)
        try:
            form = await kit.form(request)
        except Forbidden:
            return kit.forbidden(request)
        values: dict[str, object] = {key: field(form, key) for key in editorial.MATCHERS
                                     if field(form, key)}
        values.update(action=field(form, "action"), enabled=field(form, "enabled") == "yes",
                      position=int(field(form, "position")) if field(form, "position").isdigit()
                      else 0)
        try:
            rule = editorial.parse(field(form, "name"), values)
            await run_in_threadpool(ctx.store.rules.add, rule, ctx.clock())
        except ValueError as exc:
            message = str(exc)
            return await run_in_threadpool(lambda: page(request, status=400, error=message,
                                                        form=form))
        return redirect("/console/rules", "rule-added")

    async def change(request: Request) -> Response:
        try:
            await kit.form(request)
        except Forbidden:
            return kit.forbidden(request)
        name, action = request.path_params["name"], request.path_params["action"]
        rules = ctx.store.rules
        if action == "remove":
            done = await run_in_threadpool(rules.remove, name)
        elif action in ("enable", "disable"):
            done = await run_in_threadpool(rules.set_enabled, name, action == "enable",
                                           ctx.clock())
        else:
            return kit.not_found(request, "action")
        return redirect("/console/rules", f"rule-{action}d" if done else "norule")

    async def queue(request: Request) -> Response:
        order = request.query_params.get("order", "time")
        if order not in ORDERS:
            order = "time"
        now = ctx.clock()

        def load() -> dict[str, object]:
            waiting = ctx.store.finder.queue(now, order=order, limit=QUEUE_SIZE)
            ignored = ctx.store.finder.find(Query(state="ignored"), now, limit=QUEUE_SIZE)
            ids = [r.id for r in waiting.records + ignored.records]
            return {"waiting": waiting, "ignored": ignored,
                    "decisions": ctx.store.rules.decisions(ids)}

        return kit.render(request, "console_review.html", title="Review queue",
                          section="review", order=order, orders=ORDERS, now=now,
                          **await run_in_threadpool(load))

    return [
        route("/console/rules", listing, GATED, methods=["GET", "POST"]),
        route("/console/rules/{name}/{action:str}", change, GATED, methods=["POST"]),
        route("/console/review", queue, GATED),
    ]
