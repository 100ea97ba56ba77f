"""Section and agency pages: `/sections/{slug}` (with its Atom, RSS and JSON feeds) and
`/agencies/{slug}`, numbered like the front page.

They follow takedowns like every list: each route's policy names the Surrogate-Key a takedown
purges (`sections`, `agencies`, and `feeds` for the feeds), every response names the stories
it shows, and the rendered-page cache is dropped on every change of the store.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from wiredesk.store import ListFilter
from wiredesk.web import feeds
from wiredesk.web.context import Context
from wiredesk.web.http import LIST_MAX_AGE, key_part, max_age
from wiredesk.web.pages import PAGE_SIZE, page_number, pages_for, render_page
from wiredesk.web.policy import Policy, route
from wiredesk.web.public_text import PublicText
from wiredesk.web.render import slug

SECTION = Policy(purge=("sections",))
AGENCY = Policy(purge=("agencies",))
SECTION_FEED = Policy(cookie_key=False, purge=("feeds",))


def routes(ctx: Context) -> list[Route]:
    public = PublicText(ctx.store)

    def listing(request: Request, where: ListFilter, heading: str, base: str,
                feed_prefix: str | None, keys: list[str]) -> Response:
        number = page_number(request.query_params.get("page"))
        now = ctx.clock()
        pages, more = pages_for(ctx, now, number or 1, where)
        if number is None or number > pages:
            return not_found(request)
        records = ctx.store.live_stories(now, limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE,
                                         where=where)
        return render_page(ctx, request, "listing.html", heading=heading, records=records,
                           now=now, page=number, pages=pages, more=more, base=base, feeds=feed_prefix,
                           keys=[*keys, "stories", *(f"story-{r.id}" for r in records)],
                           cache_seconds=max_age(now, [r.ends_at for r in records], LIST_MAX_AGE))

    known: dict[str, object] = {}

    def agencies() -> list[str]:
        """The agencies with a visible story, read again only when the store has changed (a
        DISTINCT over every story is the costliest read of an agency page)."""
        generation, until = ctx.store.generation(), ctx.store.next_visibility_change(ctx.clock())
        key = (generation, until)
        if known.get("key") != key:
            known.update(key=key, names=ctx.store.agencies(ctx.clock()))
        return known["names"]  # type: ignore[return-value]

    def not_found(request: Request) -> Response:
        return render_page(ctx, request, "notfound.html", status=404)

    async def section_page(request: Request) -> Response:
        section = ctx.store.sections.get(request.path_params["slug"])
        if section is None:
            return not_found(request)
        base = f"/sections/{section.slug}"
        return listing(request, ListFilter(section=section), ctx.renderer.section_title(section), base, base + "/",
                       ["sections", f"section-{section.slug}"])

    async def section_feed(request: Request) -> Response:
        kind = request.path_params["kind"]
        section = ctx.store.sections.get(request.path_params["slug"])
        if kind not in feeds.KINDS or section is None:
            return feeds.no_such_feed()
        return feeds.feed_response(ctx, public, request, kind, ListFilter(section=section),
                                   f"{ctx.settings.site_name}: {ctx.renderer.section_title(section)}",
                                   [f"section-{section.slug}"])

    async def agency_page(request: Request) -> Response:
        wanted = request.path_params["slug"]
        agency = next((a for a in agencies() if slug(a) == wanted), None)
        if agency is None:
            return not_found(request)
        return listing(request, ListFilter(agency=agency), agency, f"/agencies/{wanted}",
                       f"/feeds/agency/{agency}/", ["agencies", f"agency-{key_part(agency)}"])

    return [
        route("/sections/{slug}", section_page, SECTION),
        route("/sections/{slug}/{kind}", section_feed, SECTION_FEED),
        route("/agencies/{slug}", agency_page, AGENCY),
    ]
