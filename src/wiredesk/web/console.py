"""The operator console at /console: login, sources and their health, the takedown log, what
ends in the next day; the quarantine and story pages are in console_quarantine.py and
console_stories.py. Every page but the login form is behind the gate in security.py, and
every change is a POST carrying a CSRF token.
"""

from __future__ import annotations

from datetime import timedelta

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from wiredesk import metrics
from wiredesk.sources import registry
from wiredesk.store import stats
from wiredesk.web import (
    console_ledger,
    console_quarantine,
    console_rules,
    console_stories,
    console_subscribers,
)
from wiredesk.web.auth import SESSION_LIFETIME, Auth
from wiredesk.web.console_kit import (
    GATED,
    LOGIN,
    LOGIN_PATH,
    Forbidden,
    Kit,
    console_path,
    field,
    read_form,
    redirect,
)
from wiredesk.web.context import Context
from wiredesk.web.policy import route
from wiredesk.web.render import when
from wiredesk.web.security import client_address


def routes(ctx: Context, auth: Auth) -> list[Route]:
    kit = Kit(ctx, auth)
    sources = ctx.store.sources

    def login_form(request: Request, *, status: int = 200, error: str | None = None,
                   **headers: str) -> Response:
        nonce, token = auth.login_nonce()
        response = kit.render(request, "console_login.html", status=status, error=error,
                              title="Log in", token=token, headers=headers,
                              next=console_path(request.query_params.get("next")))
        response.set_cookie(auth.login_cookie, nonce, max_age=3600, path="/", httponly=True,
                            samesite="strict", secure=auth.secure)
        return response

    async def login(request: Request) -> Response:
        if request.method == "GET":
            user = await run_in_threadpool(auth.user, request.cookies.get(auth.cookie))
            if user is not None:
                return redirect("/console")
            return login_form(request)
        try:
            form = await read_form(request)
        except Forbidden:
            form = {}
        if not auth.login_nonce_ok(request.cookies.get(auth.login_cookie),
                                   field(form, "token")):
            return login_form(request, status=400,
                              error="The login form had expired. Please try again.")
        result = await run_in_threadpool(auth.login, field(form, "name"),
                                         form.get("password", ""), client_address(request.scope))
        if result.ok:
            metrics.LOGINS.labels("ok").inc()
            response = redirect(console_path(field(form, "next")))
            response.set_cookie(auth.cookie, result.token or "", path="/", httponly=True,
                                samesite="strict", secure=auth.secure,
                                max_age=int(SESSION_LIFETIME.total_seconds()))
            response.delete_cookie(auth.login_cookie, path="/", secure=auth.secure,
                                   httponly=True, samesite="strict")
            return response
        if result.locked_until is not None:
            metrics.LOGINS.labels("locked").inc()
            wait = max(1, int((result.locked_until - ctx.clock()).total_seconds()))
            return login_form(request, status=429, **{"Retry-After": str(wait)},
                              error="Too many failed logins for this name or from this "
                                    f"address. Try again after {when(result.locked_until)}.")
        metrics.LOGINS.labels("failed").inc()
        return login_form(request, status=401, error="Wrong name or password.")

    async def logout(request: Request) -> Response:
        try:
            await kit.form(request)
        except Forbidden:
            return kit.forbidden(request)
        user = kit.user(request)
        if user is not None:
            await run_in_threadpool(auth.logout, user)
        response = redirect(LOGIN_PATH, "out")
        response.delete_cookie(auth.cookie, path="/", secure=auth.secure, httponly=True,
                               samesite="strict")
        return response

    async def overview(request: Request) -> Response:
        now = ctx.clock()

        def load() -> dict[str, object]:
            days, per_day = stats.stories_per_day(ctx.store, now)
            return {"health": sources.health(now), "days": days, "per_day": per_day,
                    "counts": ctx.store.status(now), "origins": registry.origins(ctx.store)}

        return kit.render(request, "console_sources.html", title="Sources", section="sources",
                          now=now, **await run_in_threadpool(load))

    async def pause(request: Request) -> Response:
        try:
            await kit.form(request)
        except Forbidden:
            return kit.forbidden(request)
        action = request.path_params["action"]
        if action not in ("pause", "resume"):
            return kit.not_found(request, "action")
        paused = action == "pause"
        done = await run_in_threadpool(sources.set_paused, request.path_params["name"], paused,
                                       ctx.clock())
        return redirect("/console", ("paused" if paused else "resumed") if done else "nosource")

    async def takedowns(request: Request) -> Response:
        rows = await run_in_threadpool(lambda: ctx.store.takedowns(limit=200))
        return kit.render(request, "console_takedowns.html", title="Takedown log",
                          section="takedowns", rows=rows)

    async def ending(request: Request) -> Response:
        now = ctx.clock()
        rows = await run_in_threadpool(ctx.store.ending_between, now, now + timedelta(hours=24))
        return kit.render(request, "console_ending.html", title="Ending in the next 24 hours",
                          section="ending", rows=rows, now=now)

    return [
        route("/console", overview, GATED),  # first: paths no route matches are gated too
        route(LOGIN_PATH, login, LOGIN, methods=["GET", "POST"]),
        route("/console/logout", logout, GATED, methods=["POST"]),
        route("/console/sources/{name}/{action:str}", pause, GATED, methods=["POST"]),
        route("/console/takedowns", takedowns, GATED),
        route("/console/ending", ending, GATED),
        *console_quarantine.routes(ctx, kit),
        *console_stories.routes(ctx, kit),
        *console_subscribers.routes(ctx, kit),
        *console_rules.routes(ctx, kit),
        *console_ledger.routes(ctx, kit),
    ]
