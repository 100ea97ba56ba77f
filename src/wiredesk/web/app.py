"""The reader site: front page, article pages, the text-size control. Read only.

Every page asks the store what is visible *now*, so a story whose licence ended a second
ago is gone even if the clock has not run yet; the clock makes it permanent.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from importlib import resources
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from wiredesk import lifecycle
from wiredesk.config import Settings
from wiredesk.store import Store
from wiredesk.web.render import Renderer, TextSize

log = logging.getLogger("wiredesk.web")
Clock = Callable[[], datetime]
PAGE_SIZE = 30


def system_clock() -> datetime:
    return datetime.now(UTC)


def create_app(settings: Settings, *, store: Store | None = None, clock: Clock = system_clock,
               run_clock: bool = False) -> Starlette:
    """The ASGI app. `run_clock` applies `lifecycle.tick` every `settings.clock_seconds`."""
    store = store or Store.open(settings.database_url)
    renderer = Renderer(settings)

    def page(request: Request, template: str, status: int = 200, **context: object) -> Response:
        size = TextSize.from_cookie(request.cookies.get(TextSize.COOKIE))
        html = renderer.render(template, request_path=request.url.path, textsize=size, **context)
        response = HTMLResponse(html, status_code=status)
        response.headers["Cache-Control"] = "no-cache"
        return response

    async def front(request: Request) -> Response:
        try:
            number = max(1, int(request.query_params.get("page", "1")))
        except ValueError:
            number = 1
        now = clock()
        records = store.live_stories(now, limit=PAGE_SIZE + 1, offset=(number - 1) * PAGE_SIZE)
        return page(request, "front.html", records=records[:PAGE_SIZE], now=now,
                    page=number, has_next=len(records) > PAGE_SIZE)

    async def article(request: Request) -> Response:
        now = clock()
        record = store.story(request.path_params["story_id"])
        if record is None:
            return page(request, "notfound.html", status=404)
        if record.state == "takendown" or record.ends_at <= now:
            return page(request, "gone.html", status=410)
        if not record.visible(now):
            return page(request, "notfound.html", status=404)  # held or under embargo
        return page(request, "article.html", record=record, story=record.story, now=now,
                    notice=settings.notice_for(record.story.agency))

    async def textsize(request: Request) -> Response:
        """Smaller/larger by cookie, so the control works with JavaScript off."""
        current = TextSize.from_cookie(request.cookies.get(TextSize.COOKIE))
        size = current.step(request.query_params.get("size", ""))
        response = RedirectResponse(_local(request.query_params.get("next", "/")), status_code=303)
        response.set_cookie(TextSize.COOKIE, str(size.level), max_age=365 * 86400,
                            samesite="lax", httponly=True)
        return response

    async def health(_: Request) -> Response:
        return PlainTextResponse("ok")

    async def not_found(request: Request, _exc: Exception) -> Response:
        return page(request, "notfound.html", status=404)

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        task = asyncio.create_task(_run_clock(store, clock, settings.clock_seconds)) if run_clock else None
        try:
            yield
        finally:
            if task:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    static = StaticFiles(directory=str(resources.files("wiredesk.web").joinpath("static")))
    app = Starlette(
        routes=[
            Route("/", front),
            Route("/story/{story_id:int}", article),
            Route("/story/{story_id:int}/{slug}", article),
            Route("/textsize", textsize),
            Route("/healthz", health),
            Mount("/static", static, name="static"),
        ],
        exception_handlers={404: not_found},
        lifespan=lifespan,
    )
    app.state.store = store
    app.state.settings = settings
    return app


async def _run_clock(store: Store, clock: Clock, every: float) -> None:
    while True:
        try:
            report = await asyncio.to_thread(lifecycle.tick, store, clock())
            if report.expired or report.embargoes_lifted:
                log.info("clock: %d expired, %d embargoes lifted", report.expired,
                         report.embargoes_lifted)
        except Exception:  # the clock must survive a bad moment in the store and try again
            log.exception("clock tick failed")
        await asyncio.sleep(every)


_SAFE_PATH = re.compile(r"^/[A-Za-z0-9/_\-.?=&%]*$")


def _local(target: str) -> str:
    """Only same-site paths: the text-size redirect must not become an open redirect."""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not _SAFE_PATH.match(target) or target.startswith("//"):
        return "/"
    return target
