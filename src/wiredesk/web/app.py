"""The ASGI app: reader pages and every other surface, composed from one module each.

Every surface asks the store what is visible *now*, so a story whose licence ended a second
ago is gone even if the clock has not run yet; the clock makes it permanent.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from importlib import resources

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from wiredesk import lifecycle, metrics
from wiredesk.config import Settings
from wiredesk.store import Store
from wiredesk.web import api, console, feeds, notify, observe, pages, push, sitemaps
from wiredesk.web.auth import Auth
from wiredesk.web.cache import CacheMiddleware, PageCache
from wiredesk.web.context import Clock, Context, system_clock
from wiredesk.web.render import Renderer
from wiredesk.web.security import Guard

log = logging.getLogger("wiredesk.web")

__all__ = ["create_app", "system_clock"]


def create_app(settings: Settings, *, store: Store | None = None, clock: Clock = system_clock,
               run_clock: bool = False, cache: bool = True,
               background: Callable[[Store], Callable[[], None]] | None = None) -> Starlette:
    """The ASGI app. `run_clock` applies `lifecycle.tick` every `settings.clock_seconds`;
    `cache` serves every GET surface from the rendered-page cache (web/cache.py);
    `background` is started with the store when the app starts and its returned function
    called when it stops (`wiredesk serve` runs the ingest worker this way)."""
    ctx = Context(settings=settings, store=store or Store.open(settings.database_url),
                  renderer=Renderer(settings), clock=clock)
    notifier = notify.attach(ctx.store, settings)
    windows = (timedelta(days=feeds.TOMBSTONE_DAYS), timedelta(days=sitemaps.NEWS_DAYS))
    pages_cache = PageCache(ctx.store, clock, windows=windows) if cache else None
    auth = Auth(ctx.store, settings, clock)
    metrics.install()
    if pages_cache:
        metrics.register_cache("pages", pages_cache)

    async def health(_: Request) -> Response:
        return PlainTextResponse("ok")

    async def not_found(request: Request, _exc: Exception) -> Response:
        return pages.render_page(ctx, request, "notfound.html", status=404)

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        task = asyncio.create_task(_run_clock(ctx, settings.clock_seconds)) if run_clock else None
        stop_background = await asyncio.to_thread(background, ctx.store) if background else None
        try:
            yield
        finally:
            if stop_background:
                await asyncio.to_thread(stop_background)  # finishes the deliveries in hand
            if pages_cache:
                pages_cache.close()
            if notifier:
                ctx.store.listeners.remove(notifier)
                notifier.close()
            if task:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    static = StaticFiles(directory=str(resources.files("wiredesk.web").joinpath("static")))
    routes = [
        *pages.routes(ctx),
        *api.routes(ctx),
        *feeds.routes(ctx),
        *sitemaps.routes(ctx),
        *push.routes(ctx),
        *console.routes(ctx, auth),
        *observe.routes(ctx),
        Route("/healthz", health),
        Mount("/static", static, name="static"),
    ]
    # Outermost first: time every answer, then guard the door.
    middleware = [Middleware(observe.RequestMetrics, routes=routes),
                  Middleware(Guard, settings=settings, auth=auth)]
    app = Starlette(routes=routes, exception_handlers={404: not_found}, lifespan=lifespan,
                    middleware=middleware)
    app.state.ctx = ctx
    app.state.cache = pages_cache
    if pages_cache is None:
        return app
    # The cache sits outside everything, so a hit is one lookup and two sends: it keeps the
    # headers the guard added when the page was rendered. Measured in bench/serve.py.
    return CacheMiddleware(app, pages_cache)  # type: ignore[return-value]


async def _run_clock(ctx: Context, every: float) -> None:
    while True:
        try:
            report = await asyncio.to_thread(lifecycle.tick, ctx.store, ctx.clock())
            if report.expired or report.embargoes_lifted:
                log.info("clock: %d expired, %d embargoes lifted", report.expired,
                         report.embargoes_lifted)
        except Exception:  # the clock must survive a bad moment in the store and try again
            log.exception("clock tick failed")
        await asyncio.sleep(every)
