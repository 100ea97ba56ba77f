"""The ASGI app: reader pages and every other surface, composed from one module each.

Every surface asks the store what is visible *now*, so a story whose licence ended a second
ago is gone even if the clock has not run yet; the clock makes it permanent.

A surface is a module whose routes carry their own policy (web/policy.py: cached or not,
rate limit, login gate, what a takedown purges), added with one line to `site_routes`; the
page cache, the guard and the notifier read the policies from the routes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from datetime import timedelta

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute

from wiredesk import lifecycle, metrics
from wiredesk.config import Settings
from wiredesk.hooks.dispatch import Dispatcher
from wiredesk.store import Store
from wiredesk.web import (
    api,
    console,
    events,
    feeds,
    history,
    notify,
    observe,
    pages,
    pictures,
    push,
    sections,
    sitemaps,
    sources_api,
    takedowns_api,
    websub,
)
from wiredesk.web.assets import AssetFiles
from wiredesk.web.auth import Auth
from wiredesk.web.cache import CacheMiddleware, PageCache
from wiredesk.web.context import Clock, Context, system_clock
from wiredesk.web.i18n import N_
from wiredesk.web.policy import UNCACHED, Policies, mount
from wiredesk.web.render import Renderer
from wiredesk.web.security import Guard, headers_for

log = logging.getLogger("wiredesk.web")

__all__ = ["create_app", "declared_routes", "site_routes", "system_clock"]


def site_routes(ctx: Context, auth: Auth) -> list[BaseRoute]:
    """Every surface, in the order the router tries them: one line each."""
    static = AssetFiles(ctx.renderer.assets)  # fingerprinted, a year's cache (web/assets.py)
    return [
        *history.routes(ctx),  # before pages: /story/{id}/history is no slug
        *pages.routes(ctx),
        *pictures.routes(ctx),
        *api.routes(ctx),
        *takedowns_api.routes(ctx),
        *feeds.routes(ctx),
        *sections.routes(ctx),
        *sitemaps.routes(ctx),
        *push.routes(ctx),
        *websub.routes(ctx),
        *events.routes(ctx),
        *sources_api.routes(ctx, auth),
        *console.routes(ctx, auth),
        *observe.routes(ctx),
        mount("/static", static, UNCACHED, name="static"),
    ]


def declared_routes(settings: Settings, store: Store) -> list[BaseRoute]:
    """The routes create_app serves, for a caller that reads only their policies."""
    ctx = Context(settings=settings, store=store, renderer=Renderer(settings))
    return site_routes(ctx, Auth(store, settings, ctx.clock))


def create_app(settings: Settings, *, store: Store | None = None, clock: Clock = system_clock,
               run_clock: bool = False, cache: bool = True,
               background: Callable[[Store], Callable[[], None]] | None = None) -> Starlette:
    """The ASGI app. `run_clock` applies `lifecycle.tick` every `settings.clock_seconds`;
    `cache` serves every GET surface from the rendered-page cache (web/cache.py);
    `background` is started with the store when the app starts and its returned function
    called when it stops (`wiredesk serve` runs the ingest worker this way)."""
    ctx = Context(settings=settings, store=store or Store.open(settings.database_url),
                  renderer=Renderer(settings), clock=clock)
    auth = Auth(ctx.store, settings, clock)
    routes = site_routes(ctx, auth)
    policies = Policies(routes)  # compiled once: what the cache and the guard look up
    notifier = notify.attach(ctx.store, settings, routes)
    stream = events.stream_of(routes)
    windows = (timedelta(days=feeds.TOMBSTONE_DAYS), timedelta(days=sitemaps.NEWS_DAYS))
    pages_cache = PageCache(ctx.store, clock, windows=windows) if cache else None
    metrics.install()
    if pages_cache:
        metrics.register_cache("pages", pages_cache)

    async def http_error(request: Request, exc: Exception) -> Response:
        """404 (no route), 405 (no such method) and the like, in the surface's language."""
        assert isinstance(exc, HTTPException)
        status, headers = exc.status_code, dict(exc.headers or {})
        if policies.of(request.scope).json_errors:
            message = "not found" if status == 404 else exc.detail.lower()
            return JSONResponse({"error": message}, status_code=status,
                                headers={**headers, "Cache-Control": "no-cache"})
        if status == 404:
            return pages.render_page(ctx, request, "notfound.html", status=404)
        return pages.render_error(ctx, request, status, exc.detail, headers=headers)

    async def server_error(request: Request, _exc: Exception) -> Response:
        """Our fault: a page like the others. Starlette answers this outside every middleware,
        so the guard's headers are added here."""
        headers = {**{k.decode(): v.decode() for k, v in headers_for(settings)},
                   "Cache-Control": "no-store"}
        message = N_("The server failed to answer; try again in a moment.")
        if policies.of(request.scope).json_errors:
            return JSONResponse({"error": "server error"}, status_code=500, headers=headers)
        try:
            return pages.render_error(ctx, request, 500, message, headers=headers)
        except Exception:  # the page itself failed: say so in plain words
            return PlainTextResponse(message, status_code=500, headers=headers)

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        purger = notify.purger_for(settings, ctx.store, routes) if run_clock else None
        stop_clock = (lifecycle.ClockLoop(ctx.store, every=settings.clock_seconds, now=ctx.clock)
                      .start(purger.start if purger else None) if run_clock else None)
        # Webhooks go where the clock goes: the worker, or a web process without one.
        stop_hooks = (Dispatcher(ctx.store, first_retry=settings.hook_retry_seconds,
                                 give_up=settings.hook_give_up_seconds).start()
                      if run_clock else None)
        stop_background = await asyncio.to_thread(background, ctx.store) if background else None
        try:
            yield
        finally:
            if stream:
                stream.close()  # ends every open /events stream
            if stop_background:
                await asyncio.to_thread(stop_background)  # finishes the deliveries in hand
            if pages_cache:
                pages_cache.close()
            if notifier:
                ctx.store.listeners.remove(notifier)
                notifier.close()
            if stop_clock:
                await asyncio.to_thread(stop_clock)
            if stop_hooks:
                await asyncio.to_thread(stop_hooks)

    # Outermost first: time every answer, then guard the door.
    middleware = [Middleware(observe.RequestMetrics, routes=routes),
                  Middleware(Guard, settings=settings, auth=auth, policies=policies)]
    app = Starlette(routes=routes, exception_handlers={HTTPException: http_error, Exception: server_error}, lifespan=lifespan,
                    middleware=middleware)
    app.state.ctx = ctx
    app.state.cache = pages_cache
    served: Starlette = app
    if pages_cache is not None:
        # The cache sits outside everything, so a hit is one lookup and two sends: it keeps
        # the headers the guard added when the page was rendered. Measured in bench/serve.py.
        served = CacheMiddleware(app, pages_cache, policies)  # type: ignore[assignment]
    # /events streams skip the layers they do not need (web/events.py, bench/live.py).
    return events.FastPath(served, stream) if stream else served  # type: ignore[return-value]
