"""Sitemaps for search engines: a Google News sitemap of the last two days, a sitemap of
every live story, and an index over both. Taken-down stories never appear."""

from __future__ import annotations

from datetime import timedelta

from lxml import etree
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from wiredesk.formats.cleantext import clean
from wiredesk.store import ListFilter
from wiredesk.times import iso
from wiredesk.web import feed_pictures
from wiredesk.web.context import Context
from wiredesk.web.http import LIST_MAX_AGE, max_age, respond, uri_path
from wiredesk.web.pictures import shown as shown_picture
from wiredesk.web.policy import Policy, route
from wiredesk.web.render import slug

SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS = "http://www.google.com/schemas/sitemap-news/0.9"
NEWS_DAYS = 2
NEWS_LIMIT = 1000  # Google News sitemaps hold at most 1,000 URLs
STORIES_LIMIT = 50000  # the sitemap protocol's limit per file
XML = "application/xml"
MAPS = Policy(cookie_key=False, purge=("sitemap",))
ROBOTS = Policy(cookie_key=False)


def routes(ctx: Context) -> list[Route]:
    async def index(request: Request) -> Response:
        now = ctx.clock()
        root = etree.Element(f"{{{SITEMAP}}}sitemapindex", nsmap={None: SITEMAP})
        for path in ("/sitemap-news.xml", "/sitemap-stories.xml", "/sitemap-sections.xml"):
            entry = etree.SubElement(root, f"{{{SITEMAP}}}sitemap")
            etree.SubElement(entry, f"{{{SITEMAP}}}loc").text = ctx.absolute(path)
            etree.SubElement(entry, f"{{{SITEMAP}}}lastmod").text = iso(now)
        return respond(request, _bytes(root), XML, cache_seconds=LIST_MAX_AGE,
                       keys=["sitemap", "stories"])

    async def news(request: Request) -> Response:
        now = ctx.clock()
        records = ctx.store.live_stories(
            now, limit=NEWS_LIMIT, where=ListFilter(first_since=now - timedelta(days=NEWS_DAYS)))
        root = etree.Element(f"{{{SITEMAP}}}urlset", nsmap={None: SITEMAP, "news": NEWS,
                                                            "image": feed_pictures.IMAGE})
        n = f"{{{NEWS}}}"
        shown = ctx.store.pictures.shown_many([r.id for r in records], now)
        for record in records:
            url = etree.SubElement(root, f"{{{SITEMAP}}}url")
            etree.SubElement(url, f"{{{SITEMAP}}}loc").text = ctx.absolute(
                ctx.story_path(record.id, record.story.headline))
            item = etree.SubElement(url, n + "news")
            publication = etree.SubElement(item, n + "publication")
            etree.SubElement(publication, n + "name").text = clean(ctx.settings.site_name)
            etree.SubElement(publication, n + "language").text = clean(record.story.language or "en")
            etree.SubElement(item, n + "publication_date").text = iso(record.firstcreated)
            # clean(): lxml refuses what XML cannot carry; an old row must not 500 the map
            etree.SubElement(item, n + "title").text = clean(record.story.headline)
            feed_pictures.sitemap(url, ctx, [shown_picture(p) for p in shown.get(record.id, [])])
        return respond(request, _bytes(root), XML,
                       cache_seconds=max_age(now, [*(r.ends_at for r in records), *(
                           p.expires for found in shown.values() for p in found)], LIST_MAX_AGE),
                       keys=["sitemap", "stories", *(f"picture-{p.id}" for found in shown.values()
                                                     for p in found)])

    async def stories(request: Request) -> Response:
        now = ctx.clock()
        records = ctx.store.live_stories(now, limit=STORIES_LIMIT)
        root = etree.Element(f"{{{SITEMAP}}}urlset", nsmap={None: SITEMAP})
        for record in records:
            url = etree.SubElement(root, f"{{{SITEMAP}}}url")
            etree.SubElement(url, f"{{{SITEMAP}}}loc").text = ctx.absolute(
                ctx.story_path(record.id, record.story.headline))
            etree.SubElement(url, f"{{{SITEMAP}}}lastmod").text = iso(record.versioncreated)
        return respond(request, _bytes(root), XML,
                       cache_seconds=max_age(now, [r.ends_at for r in records], LIST_MAX_AGE),
                       keys=["sitemap", "stories"])

    async def sections(request: Request) -> Response:
        """The section pages, and the page of every agency with a live story."""
        now = ctx.clock()
        root = etree.Element(f"{{{SITEMAP}}}urlset", nsmap={None: SITEMAP})
        paths = [f"/sections/{s.slug}" for s in ctx.store.sections.all()]
        paths += [uri_path(f"/agencies/{slug(a)}") for a in ctx.store.agencies(now)]
        for path in paths:
            url = etree.SubElement(root, f"{{{SITEMAP}}}url")
            etree.SubElement(url, f"{{{SITEMAP}}}loc").text = ctx.absolute(path)
        return respond(request, _bytes(root), XML, cache_seconds=LIST_MAX_AGE,
                       keys=["sitemap", "stories"])

    async def robots(_: Request) -> Response:
        return PlainTextResponse(f"User-agent: *\nAllow: /\nSitemap: {ctx.absolute('/sitemap.xml')}\n")

    return [
        route("/sitemap.xml", index, MAPS),
        route("/sitemap-news.xml", news, MAPS),
        route("/sitemap-stories.xml", stories, MAPS),
        route("/sitemap-sections.xml", sections, MAPS),
        route("/robots.txt", robots, ROBOTS),
    ]


def _bytes(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
