"""Reader pages: the front page, article pages, the text-size control."""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from wiredesk.store import ListFilter, StoryRecord
from wiredesk.store.records import Section
from wiredesk.store.search import QueryError
from wiredesk.times import iso
from wiredesk.web import pictures as picture_view
from wiredesk.web import related
from wiredesk.web.availability import State, availability
from wiredesk.web.context import Context
from wiredesk.web.http import ITEM_MAX_AGE, LIST_MAX_AGE, max_age, respond, story_keys
from wiredesk.web.i18n import N_
from wiredesk.web.policy import DEFAULT, UNCACHED, Policy, route
from wiredesk.web.presentation import agency_path, sections_of
from wiredesk.web.render import URGENT, TextSize, slug

PAGE_SIZE = 30
BLOCK_SIZE = 4  # stories in each section block of the front page
MORE_SIZE = 5  # stories in each "More from" list of an article
SEARCH_PAGE = 10
MAX_PAGE = 1000  # ?page= beyond this is refused before it becomes an OFFSET
# Reader pages are cached, keyed by text size; the lists' keys are purged on every takedown.
FRONT = Policy(purge=("front",))
SEARCH = Policy(rate_bucket="search", purge=("search",))


def render_page(ctx: Context, request: Request, template: str, status: int = 200, *,
                cache_seconds: int = 0, keys: list[str] | None = None,
                **context: object) -> Response:
    size = TextSize.from_cookie(request.cookies.get(TextSize.COOKIE))
    context.setdefault("nav_sections", nav_sections(ctx))
    html = ctx.renderer.render(template, request_path=request.url.path, textsize=size,
                               query=request.query_params.get("q", ""), **context)
    response = respond(request, html.encode("utf-8"), "text/html; charset=utf-8",
                       cache_seconds=cache_seconds, keys=keys or ["pages"], status=status)
    if size.level != TextSize.DEFAULT:
        # Rendered for one reader's cookie (a size chosen without JavaScript): for that
        # reader only, never for a shared cache (web/cache.py and the edge skip it).
        response.headers["Cache-Control"] = "private, no-cache"
    return response


ERRORS = {400: N_("Bad request"), 405: N_("Method not allowed"), 413: N_("Request too large"),
          429: N_("Too many requests"), 500: N_("Something went wrong")}
PAGES = N_("Pages are numbered 1 to {max}.")


def render_error(ctx: Context, request: Request, status: int, message: str, *,
                 headers: dict[str, str] | None = None) -> Response:
    """An error as a reader page: the site's frame, the status and what went wrong (in the
    site's language where the catalogue has the words; escaped like any other value)."""
    words = ctx.renderer.gettext
    response = render_page(ctx, request, "error.html", status=status, message=words(message),
                           heading=words(ERRORS.get(status, N_("Error"))))
    response.headers.update(headers or {})
    return response


def nav_sections(ctx: Context) -> list[Section]:
    """The header's sections; none (rather than no page) when the store cannot say."""
    try:
        return ctx.store.sections.all()
    except SQLAlchemyError:  # an error page must still render while the store is down
        return []


def page_number(value: str | None) -> int | None:
    """?page= as 1..MAX_PAGE (absent or empty: 1); None for anything else."""
    if not value:
        return 1
    try:
        number = int(value)
    except ValueError:
        return None
    return number if 1 <= number <= MAX_PAGE else None


def shown_story(ctx: Context, request: Request, now: datetime,
                ) -> tuple[StoryRecord, list[str]] | Response:
    """The story at /story/{story_id} a reader may see now, with its cache keys; else the
    page that says why not (404 never here or not yet, 410 gone), for every story surface."""
    record = ctx.store.story(request.path_params["story_id"])
    found = availability(record, now)
    if record is None or found.state is State.NOT_FOUND:
        return render_page(ctx, request, "notfound.html", status=State.NOT_FOUND.status)
    keys = story_keys(record.id, record.story.agency, [s.name for s in record.story.subjects])
    if found.state is State.GONE:
        return render_page(ctx, request, "gone.html", status=State.GONE.status, keys=keys,
                           cache_seconds=ITEM_MAX_AGE)
    return record, keys


AGENCIES_TTL = 30.0  # seconds the search form's agency list is remembered


def routes(ctx: Context) -> list[Route]:
    # The search form's agency choices: a DISTINCT over every visible story (about a second
    # at a million stories) would otherwise run on every uncached search. A list of names,
    # no story's words, so a half-minute's staleness shows nothing a licence forbids.
    agencies_seen: list = [0.0, []]

    def agencies(now: datetime) -> list[str]:
        if time.monotonic() >= agencies_seen[0]:
            agencies_seen[1] = ctx.store.agencies(now)
            agencies_seen[0] = time.monotonic() + AGENCIES_TTL
        return agencies_seen[1]

    async def front(request: Request) -> Response:
        number = page_number(request.query_params.get("page"))
        now = ctx.clock()
        pages, more = pages_for(ctx, now, number or 1)
        if number is None or number > pages:  # not a number, or past the last page
            return render_page(ctx, request, "notfound.html", status=404)
        shown = ctx.store.live_stories(now, limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE)
        leads, linked = related.group_front(ctx.store, shown, now)
        blocks: list[tuple[Section, list[StoryRecord]]] = []
        if number == 1:
            leads = lead_first(leads)
            blocks = section_blocks(ctx, now)
        in_blocks = [r for _, records in blocks for r in records]
        thumbs = picture_view.leads(ctx, [lead.record.id for lead in leads], now)
        return render_page(ctx, request, "front.html", leads=leads, now=now, page=number,
                           pages=pages, more=more, base="/", blocks=blocks, thumbs=thumbs,
                           keys=["front", "stories", *linked,
                                 *(f"story-{r.id}" for r in in_blocks),
                                 *(f"picture-{t.id}" for t in thumbs.values())],
                           cache_seconds=max_age(now, [*(r.ends_at for r in (*shown, *in_blocks)), *(
                               m.ends_at for lead in leads for m in lead.also), *(
                               t.expires for t in thumbs.values())], LIST_MAX_AGE))

    async def article(request: Request) -> Response:
        now = ctx.clock()
        shown = shown_story(ctx, request, now)
        if isinstance(shown, Response):
            return shown
        record, keys = shown
        path = ctx.story_path(record.id, record.story.headline)
        if request.path_params.get("slug", slug(record.story.headline)) != slug(record.story.headline):
            return RedirectResponse(path, status_code=301)  # an old or mistyped slug
        canonical = ctx.absolute(path)
        links = related.for_article(ctx.store, record, now)
        keys += links.keys  # a takedown of a linked story purges this page too
        shown = ctx.store.pictures.shown(record.id, now)  # lead first; each with its licence
        pictures = [picture_view.shown(p) for p in shown]
        keys += [f"picture-{p.id}" for p in pictures]
        # Pictures the agency placed in its text stay there (web/inline_pictures.py).
        inline = [p for p in pictures if p.role == "body"]
        more = more_from(ctx, record, now)
        more_records = [r for _, _, records in more for r in records]
        keys += [f"story-{r.id}" for r in more_records]
        return render_page(ctx, request, "article.html", record=record, story=record.story,
                           related=links, pictures=[p for p in pictures if p.role != "body"],
                           inline=inline, more=more,
                           provenance=ctx.store.ledger.provenance(record.id),
                           now=now, notice=ctx.settings.notice_for(record.story.agency, ctx.renderer.gettext),
                           canonical=canonical,
                           jsonld=structured_data(ctx, record, canonical, pictures),
                           description=_description(record.story.body.text),
                           keys=keys, cache_seconds=max_age(now, [record.ends_at, *(
                               m.ends_at for m in (*links.also, *links.earlier)), *(
                               p.expires for p in shown), *(
                               r.ends_at for r in more_records)], ITEM_MAX_AGE))

    async def search(request: Request) -> Response:
        now = ctx.clock()
        params = request.query_params
        q = params.get("q", "").strip()
        agency = params.get("agency") or None
        number = page_number(params.get("page"))
        if number is None:
            return render_error(ctx, request, 400, ctx.renderer.gettext(PAGES).format(max=MAX_PAGE))
        context: dict[str, object] = {"q": q, "agency": agency, "page": number,
                                      "agencies": agencies(now), "results": [],
                                      "total": 0, "exact": True, "message": None,
                                      "start": params.get("from", ""), "end": params.get("to", ""),
                                      "before": _story_id(params.get("before")), "older": None}
        if q:
            try:
                start = _day(params.get("from"), N_("From date: use the form 2026-01-31."))
                end = _day(params.get("to"), N_("To date: use the form 2026-01-31."))
                found = ctx.store.search(q, now, agency=agency, start=start,
                                         end=end + timedelta(days=1) if end else None,
                                         limit=SEARCH_PAGE, offset=(number - 1) * SEARCH_PAGE,
                                         before=context["before"])
                # older: a phrase's walk stopped at its budget; the reader may go on from there
                context.update(results=found.results, total=found.total, exact=found.exact,
                               older=found.older,
                               has_next=found.total > number * SEARCH_PAGE
                               or not (found.exact or found.older),
                               thumbs=picture_view.leads(ctx, [r.id for r, _ in found.results],
                                                         now))
            except (QueryError, ValueError) as exc:
                context["message"] = ctx.renderer.gettext(str(exc))  # ours are in the catalogue
        return render_page(ctx, request, "search.html", keys=["search", "stories"], **context)

    async def textsize(request: Request) -> Response:
        """Smaller/larger by cookie, so the control works with JavaScript off."""
        current = TextSize.from_cookie(request.cookies.get(TextSize.COOKIE))
        size = current.step(request.query_params.get("size", ""))
        response = RedirectResponse(local_path(request.query_params.get("next", "/")),
                                    status_code=303)
        # Readable by static/textsize.js, which moves it to localStorage and drops it once
        # JavaScript runs, so later pages are the shared cached copies again.
        response.set_cookie(TextSize.COOKIE, str(size.level), max_age=365 * 86400,
                            samesite="lax", httponly=False)
        # Pages no longer say Vary: Cookie, so the browser's copies of the shared pages
        # (default size) would be shown again: have it drop them.
        response.headers["Clear-Site-Data"] = '"cache"'

        return response

    return [
        route("/", front, FRONT),
        route("/story/{story_id:int}", article, DEFAULT),
        route("/story/{story_id:int}/{slug}", article, DEFAULT),
        route("/textsize", textsize, UNCACHED),  # sets a cookie
        route("/search", search, SEARCH),
    ]


AHEAD = 2  # numbered pages shown after the current one


def pages_for(ctx: Context, now: datetime, number: int, where: ListFilter | None = None,
              ) -> tuple[int, bool]:
    """How many pages there are, counted up to AHEAD past page `number` (one, empty, when
    there are no stories), and whether more follow. Counting stops there, so a page costs
    what its place in the list costs, not what the whole list does."""
    cap = (number + AHEAD) * PAGE_SIZE + 1
    total = ctx.store.count_live(now, where=where, cap=cap)
    return min(MAX_PAGE, max(1, -(-min(total, cap - 1) // PAGE_SIZE))), total >= cap


def lead_first(leads: list[related.Lead]) -> list[related.Lead]:
    """The lead story first: the newest urgent one on the page, else the newest."""
    urgent = next((i for i, lead in enumerate(leads)
                   if lead.record.story.urgency and lead.record.story.urgency <= URGENT), 0)
    return [leads[urgent], *leads[:urgent], *leads[urgent + 1:]] if leads else leads


def section_blocks(ctx: Context, now: datetime) -> list[tuple[Section, list[StoryRecord]]]:
    """The front page's section blocks: each section with recent stories, its newest few
    (among the newest 500 stories: a block shows what is fresh, not a section's archive)."""
    sections = nav_sections(ctx)
    newest = ctx.store.sections.newest(now, sections, per=BLOCK_SIZE)
    records = ctx.store.records_by_id([i for ids in newest.values() for i in ids])
    return [(s, [records[i] for i in newest[s.slug] if i in records])
            for s in sections if s.slug in newest]


def more_from(ctx: Context, record: StoryRecord, now: datetime,
              ) -> list[tuple[str, str, list[StoryRecord]]]:
    """An article's "More from" lists: its first section's and its agency's newest others."""
    shown = {record.id}

    def others(where: ListFilter) -> list[StoryRecord]:
        # Each story once: the agency's list skips what the section's list already links.
        found = ctx.store.live_stories(now, limit=MORE_SIZE + len(shown), where=where)
        picked = [r for r in found if r.id not in shown][:MORE_SIZE]
        shown.update(r.id for r in picked)
        return picked

    story = record.story
    out = []
    mine = sections_of(story, nav_sections(ctx))
    if mine:
        out.append((ctx.renderer.section_title(mine[0]), f"/sections/{mine[0].slug}", others(ListFilter(section=mine[0]))))
    if story.agency:
        out.append((story.agency, agency_path(story.agency), others(ListFilter(agency=story.agency))))
    return out


def _story_id(value: str | None) -> int | None:
    """?before= (search older stories: those below this id); anything else is no limit."""
    return int(value) if value and value.isascii() and value.isdigit() and len(value) < 19 else None


def _day(value: str | None, problem: str) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError as exc:
        raise ValueError(problem) from exc


def _description(text: str, limit: int = 200) -> str:
    first = text.split("\n", 1)[0]
    return first if len(first) <= limit else first[:limit].rsplit(" ", 1)[0] + "…"


def _authors(byline: str | None) -> list[str]:
    if not byline:
        return []
    return [n.strip() for n in re.split(r",\s*|\s+and\s+", byline) if n.strip()]


def structured_data(ctx: Context, record: StoryRecord, canonical: str,
                    pictures: list[picture_view.Shown] | None = None) -> str:
    """schema.org NewsArticle JSON-LD, safe to place inside a <script> element."""
    story = record.story
    data: dict[str, object] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": story.headline,
        "datePublished": iso(record.firstcreated),
        "dateModified": iso(record.versioncreated),
        "expires": iso(record.ends_at),
        "mainEntityOfPage": canonical,
        "url": canonical,
        "publisher": {"@type": "Organization", "name": ctx.settings.site_name,
                      "url": ctx.absolute("/")},
        "isAccessibleForFree": True,
    }
    authors = _authors(story.by)
    if authors:
        data["author"] = [{"@type": "Person", "name": name} for name in authors]
    elif story.agency:
        data["author"] = [{"@type": "Organization", "name": story.agency}]
    if story.agency:
        data["sourceOrganization"] = {"@type": "Organization", "name": story.agency}
    if story.copyrightholder or story.agency:
        data["copyrightHolder"] = {"@type": "Organization",
                                   "name": story.copyrightholder or story.agency}
    if story.language:
        data["inLanguage"] = story.language
    if story.located:
        data["dateline"] = story.dateline or story.located
    if pictures:
        data["image"] = [picture_view.image_object(ctx, p) for p in pictures]
    text = json.dumps(data, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


_SAFE_PATH = re.compile(r"^/[A-Za-z0-9/_\-.?=&%]*$")


def local_path(target: str) -> str:
    """Only same-site paths: the text-size redirect must not become an open redirect."""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not _SAFE_PATH.match(target) or target.startswith("//"):
        return "/"
    return target
