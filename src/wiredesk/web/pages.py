"""Reader pages: the front page, article pages, the text-size control."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from wiredesk.web.context import Context
from wiredesk.web.render import TextSize

PAGE_SIZE = 30


def render_page(ctx: Context, request: Request, template: str, status: int = 200,
                **context: object) -> HTMLResponse:
    size = TextSize.from_cookie(request.cookies.get(TextSize.COOKIE))
    html = ctx.renderer.render(template, request_path=request.url.path, textsize=size,
                               query=request.query_params.get("q", ""), **context)
    response = HTMLResponse(html, status_code=status)
    response.headers["Cache-Control"] = "no-cache"
    return response


def routes(ctx: Context) -> list[Route]:
    async def front(request: Request) -> Response:
        try:
            number = max(1, int(request.query_params.get("page", "1")))
        except ValueError:
            number = 1
        now = ctx.clock()
        records = ctx.store.live_stories(now, limit=PAGE_SIZE + 1, offset=(number - 1) * PAGE_SIZE)
        return render_page(ctx, request, "front.html", records=records[:PAGE_SIZE], now=now,
                           page=number, has_next=len(records) > PAGE_SIZE)

    async def article(request: Request) -> Response:
        now = ctx.clock()
        record = ctx.store.story(request.path_params["story_id"])
        if record is None:
            return render_page(ctx, request, "notfound.html", status=404)
        if record.state == "takendown" or record.ends_at <= now:
            return render_page(ctx, request, "gone.html", status=410)
        if not record.visible(now):
            return render_page(ctx, request, "notfound.html", status=404)  # held or embargoed
        return render_page(ctx, request, "article.html", record=record, story=record.story,
                           now=now, notice=ctx.settings.notice_for(record.story.agency))

    async def textsize(request: Request) -> Response:
        """Smaller/larger by cookie, so the control works with JavaScript off."""
        current = TextSize.from_cookie(request.cookies.get(TextSize.COOKIE))
        size = current.step(request.query_params.get("size", ""))
        response = RedirectResponse(local_path(request.query_params.get("next", "/")),
                                    status_code=303)
        response.set_cookie(TextSize.COOKIE, str(size.level), max_age=365 * 86400,
                            samesite="lax", httponly=True)
        return response

    return [
        Route("/", front),
        Route("/story/{story_id:int}", article),
        Route("/story/{story_id:int}/{slug}", article),
        Route("/textsize", textsize),
    ]


_SAFE_PATH = re.compile(r"^/[A-Za-z0-9/_\-.?=&%]*$")


def local_path(target: str) -> str:
    """Only same-site paths: the text-size redirect must not become an open redirect."""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not _SAFE_PATH.match(target) or target.startswith("//"):
        return "/"
    return target
