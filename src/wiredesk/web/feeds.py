"""Syndication feeds of live stories: Atom 1.0 (with RFC 6721 tombstones), RSS 2.0 and
JSON Feed 1.1; overall, per agency and per subject; conditional GET; WebSub-ready links."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from lxml import etree
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from wiredesk.formats.cleantext import clean
from wiredesk.store import Changes, ListFilter, StoryRecord, Tombstone
from wiredesk.times import iso
from wiredesk.web import feed_pictures
from wiredesk.web import pictures as picture_view
from wiredesk.web.context import Context
from wiredesk.web.http import LIST_MAX_AGE, header_uri, key_part, max_age, respond, uri_path
from wiredesk.web.i18n import N_
from wiredesk.web.keys import full_text
from wiredesk.web.policy import Policy, route
from wiredesk.web.public_text import PublicText, for_public

ATOM = "http://www.w3.org/2005/Atom"
TOMBSTONES = "http://purl.org/atompub/tombstones/1.0"
DC = "http://purl.org/dc/elements/1.1/"
ATOM_LINK = f"{{{ATOM}}}link"
ENTRIES = 50
TOMBSTONE_DAYS = 7
KINDS = {"atom.xml": "application/atom+xml", "rss.xml": "application/rss+xml",
         "feed.json": "application/feed+json"}


def _agencies(changes: Changes) -> set[str]:
    return ({a for _, a in changes.updated if a}
            | {t.agency for t in changes.takedowns if t.agency})


# Cached, the same bytes whatever the text size. After any change the WebSub hub hears of
# every overall feed and the Atom feed of each agency the change touched.
FEED = Policy(cookie_key=False, purge=("feeds",),
              ping=lambda _changes: [{"kind": kind} for kind in KINDS])
AGENCY_FEED = Policy(cookie_key=False, purge=("feeds",),
                     ping=lambda changes: [{"agency": agency, "kind": "atom.xml"}
                                           for agency in sorted(_agencies(changes))])
SUBJECT_FEED = Policy(cookie_key=False, purge=("feeds",))


def feed_response(ctx: Context, public: PublicText, request: Request, kind: str,
                  where: ListFilter, title: str, keys: list[str]) -> Response:
    """A feed of the stories `where` picks, in one of KINDS: every list feed is made here
    (overall, per agency, per subject, per section)."""
    now = ctx.clock()
    records = ctx.store.live_stories(now, limit=ENTRIES, where=where)
    if not full_text(request.scope):  # each source's public_text, unless an API key
        records = [for_public(r, public.level(r.source)) for r in records]
    gone = ctx.store.tombstones(now - timedelta(days=TOMBSTONE_DAYS), where=where)
    self_url = ctx.absolute(uri_path(request.url.path))  # the topic WebSub pings name
    pictures = picture_view.leads(ctx, [r.id for r in records], now)
    body = {"atom.xml": _atom, "rss.xml": _rss, "feed.json": _json_feed}[kind](
        ctx, title, self_url, records, gone, now, pictures)
    links = [f'<{header_uri(self_url)}>; rel="self"']
    if ctx.settings.websub_hub:
        links.insert(0, f'<{header_uri(ctx.settings.websub_hub)}>; rel="hub"')
    return respond(request, body, KINDS[kind] + "; charset=utf-8",
                   cache_seconds=max_age(now, [*(r.ends_at for r in records), *(
                       p.expires for p in pictures.values())], LIST_MAX_AGE),
                   keys=["feeds", "stories", *keys, *(f"picture-{p.id}" for p in pictures.values())],
                   last_modified=_updated(records, gone), extra={"Link": ", ".join(links)})


def no_such_feed() -> Response:
    return Response("no such feed", status_code=404, media_type="text/plain")


def routes(ctx: Context) -> list[Route]:
    public = PublicText(ctx.store)

    async def feed(request: Request) -> Response:
        kind = request.path_params["kind"]
        if kind not in KINDS:
            return no_such_feed()
        agency = request.path_params.get("agency")
        subject = request.path_params.get("subject")
        title = ctx.settings.site_name + (f": {agency}" if agency else "") + (
            f": {subject}" if subject else "")
        keys = ([f"agency-{key_part(agency)}"] if agency else []) + (
            [f"subject-{key_part(subject)}"] if subject else [])
        return feed_response(ctx, public, request, kind,
                             ListFilter(agency=agency, subject=subject), title, keys)

    return [
        route("/feeds/{kind}", feed, FEED),
        route("/feeds/agency/{agency}/{kind}", feed, AGENCY_FEED),
        route("/feeds/subject/{subject}/{kind}", feed, SUBJECT_FEED),
    ]


def _updated(records: list[StoryRecord], gone: list[Tombstone]) -> datetime | None:
    times = [r.versioncreated for r in records] + [t.takendown_at for t in gone]
    return max(times) if times else None


def _content_html(ctx: Context, record: StoryRecord) -> str:
    """The article as the agency wrote it, with its attribution, for feed readers."""
    story = record.story
    parts = []
    if story.dateline:
        parts.append(f"<p><strong>{_esc(story.dateline)} -</strong></p>")
    parts.append(story.body.html)
    if story.creditline:
        parts.append(f"<p><em>{_esc(story.creditline)}</em></p>")
    if story.copyrightnotice:
        parts.append(f"<p><small>{_esc(story.copyrightnotice)}</small></p>")
    parts.append(f"<p><small>{_esc(ctx.settings.notice_for(story.agency, ctx.renderer.gettext))}</small></p>")
    return "".join(parts)


def _esc(text: str) -> str:
    from html import escape

    return escape(text, quote=False)


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    # clean(): lxml refuses characters XML cannot carry; stories are cleaned on the way in,
    # but one old row or odd setting must not turn a feed into a 500 for every reader.
    element = etree.SubElement(parent, tag, {k.rstrip("_"): clean(v) for k, v in attrs.items()})
    if text is not None:
        element.text = clean(text)
    return element


def _atom(ctx: Context, title: str, self_url: str, records: list[StoryRecord],
          gone: list[Tombstone], now: datetime,
          pictures: dict[int, picture_view.Shown] | None = None) -> bytes:
    a = f"{{{ATOM}}}"
    root = etree.Element(a + "feed", nsmap={None: ATOM, "at": TOMBSTONES,
                                            "media": feed_pictures.MEDIA})
    _sub(root, a + "id", self_url)
    _sub(root, a + "title", title)
    _sub(root, a + "updated", iso(_updated(records, gone) or now))
    _sub(root, a + "link", rel="self", href=self_url, type="application/atom+xml")
    _sub(root, a + "link", rel="alternate", href=ctx.absolute("/"), type="text/html")
    if ctx.settings.websub_hub:
        _sub(root, a + "link", rel="hub", href=ctx.settings.websub_hub)
    _sub(root, a + "generator", "wiredesk")
    for record in records:
        story = record.story
        entry = _sub(root, a + "entry")
        _sub(entry, a + "id", story.uri)
        _sub(entry, a + "title", story.headline)
        _sub(entry, a + "published", iso(record.firstcreated))
        _sub(entry, a + "updated", iso(record.versioncreated))
        _sub(entry, a + "link", rel="alternate", type="text/html",
             href=ctx.absolute(ctx.story_path(record.id, story.headline)))
        author = _sub(entry, a + "author")
        _sub(author, a + "name", story.by or story.agency or ctx.renderer.gettext(N_("Agency")))
        for subject in story.subjects:
            _sub(entry, a + "category", term=subject.name, **({"scheme": subject.uri} if subject.uri else {}))
        if story.copyrightnotice:
            _sub(entry, a + "rights", story.copyrightnotice)
        source = _sub(entry, a + "source")
        _sub(source, a + "title", story.agency or ctx.renderer.gettext(N_("Agency")))
        _sub(entry, a + "content", _content_html(ctx, record), type="html")
        feed_pictures.atom(entry, ctx, (pictures or {}).get(record.id))
    for tomb in gone:
        deleted = _sub(root, f"{{{TOMBSTONES}}}deleted-entry", ref=tomb.uri, when=iso(tomb.takendown_at))
        _sub(deleted, f"{{{TOMBSTONES}}}comment", ctx.renderer.gettext(_tomb_comment(tomb)))
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


def _tomb_comment(tomb: Tombstone) -> str:
    return {"expired": N_("The licence for this story has ended."),
            "killed": N_("The agency has withdrawn this story."),
            "removed": N_("This story was removed.")}.get(tomb.reason, N_("This story was removed."))


def _rss(ctx: Context, title: str, self_url: str, records: list[StoryRecord],
         gone: list[Tombstone], now: datetime,
         pictures: dict[int, picture_view.Shown] | None = None) -> bytes:
    from email.utils import format_datetime

    root = etree.Element("rss", version="2.0", nsmap={"atom": ATOM, "dc": DC,
                                                      "media": feed_pictures.MEDIA})
    channel = _sub(root, "channel")
    _sub(channel, "title", title)
    _sub(channel, "link", ctx.absolute("/"))
    _sub(channel, "description",
         ctx.renderer.gettext(N_("Agency stories on {site}")).format(site=ctx.settings.site_name))
    _sub(channel, ATOM_LINK, rel="self", href=self_url, type="application/rss+xml")
    if ctx.settings.websub_hub:
        _sub(channel, ATOM_LINK, rel="hub", href=ctx.settings.websub_hub)
    _sub(channel, "lastBuildDate", format_datetime(_updated(records, gone) or now, usegmt=True))
    for record in records:
        story = record.story
        item = _sub(channel, "item")
        _sub(item, "title", story.headline)
        _sub(item, "link", ctx.absolute(ctx.story_path(record.id, story.headline)))
        _sub(item, "guid", story.uri, isPermaLink="false")
        _sub(item, "pubDate", format_datetime(record.versioncreated, usegmt=True))
        if story.by:
            _sub(item, f"{{{DC}}}creator", story.by)
        if story.copyrightnotice:
            _sub(item, f"{{{DC}}}rights", story.copyrightnotice)
        for subject in story.subjects:
            _sub(item, "category", subject.name)
        _sub(item, "source", story.agency or ctx.renderer.gettext(N_("Agency")), url=self_url)
        _sub(item, "description", _content_html(ctx, record))
        feed_pictures.rss(item, ctx, (pictures or {}).get(record.id))
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


def _json_feed(ctx: Context, title: str, self_url: str, records: list[StoryRecord],
               gone: list[Tombstone], now: datetime,
               pictures: dict[int, picture_view.Shown] | None = None) -> bytes:
    feed: dict[str, Any] = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": title,
        "home_page_url": ctx.absolute("/"),
        "feed_url": self_url,
        "items": [],
    }
    if ctx.settings.websub_hub:
        feed["hubs"] = [{"type": "WebSub", "url": ctx.settings.websub_hub}]
    for record in records:
        story = record.story
        item: dict[str, Any] = {
            "id": story.uri,
            "url": ctx.absolute(ctx.story_path(record.id, story.headline)),
            "title": story.headline,
            "content_html": _content_html(ctx, record),
            "date_published": iso(record.firstcreated),
            "date_modified": iso(record.versioncreated),
            "_wiredesk": {"agency": story.agency, "copyright": story.copyrightnotice,
                          "expires": iso(record.ends_at)},
        }
        if story.by:
            item["authors"] = [{"name": story.by}]
        if story.subjects:
            item["tags"] = [s.name for s in story.subjects]
        if story.language:
            item["language"] = story.language
        feed_pictures.json_item(item, ctx, (pictures or {}).get(record.id))
        feed["items"].append(item)
    return json.dumps(feed, ensure_ascii=False, indent=1).encode("utf-8")
