"""Pictures on the site: their renditions at /pictures/{id}/{width}.{webp|jpg}, and what a
page needs to show one (srcset, size, alt, caption, the agency's credit).

A rendition is made on its first request and kept in the store (store/pictures.py), so it
is made once for every web node, and the desk never waits on a resize: a delivery of a
12-megapixel photo lands as fast as its text. It is served only while the picture is live
and a story a reader may see now shows it (410 once the picture is gone; 404 for a picture
no visible story shows: never a photo alone). Its Cache-Control never outlives the picture's
licence nor the last story showing it; its Surrogate-Keys name the picture and those
stories, so a kill or a takedown purges it at the edge through the journal.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from wiredesk import imaging
from wiredesk.store.pictures import PictureRecord
from wiredesk.story import Picture, Rendition
from wiredesk.web.context import Context
from wiredesk.web.http import max_age, respond
from wiredesk.web.policy import Policy, route

PICTURE_MAX_AGE = 3600  # the bytes never change; the edge is purged by key when they go
GONE_MAX_AGE = 60
# Served from the rendered-page cache like every GET surface (bounded, and cleared by the
# commit of a kill or takedown, or when a licence ends: web/cache.py), the same bytes at
# every text size. bench/pictures.py: 122 req/s uncached against ~1,000+ cached.
PICTURES = Policy(cookie_key=False)
SIZES = "(max-width: 720px) 100vw, 720px"  # the article column
THUMB_WIDTH = 160  # CSS pixels in a list; the 320 rendition serves 2x screens


@dataclass(frozen=True, slots=True)
class Shown:
    """A picture as a page shows it."""

    id: int
    src: str  # the widest JPEG, for <img src> and og:image
    srcset_jpg: str
    srcset_webp: str
    thumb: str  # the narrowest JPEG
    thumb_webp: str
    thumb_height: int  # at THUMB_WIDTH
    width: int  # of `src`: width/height reserve the space, so nothing jumps
    height: int
    alt: str
    caption: str | None
    credit: str | None
    copyright: str | None
    expires: datetime | None  # the picture's licence: no page showing it is cached past it
    uri: str = ""
    role: str | None = None  # "body": the agency placed it in the text (web/inline_pictures.py)


def url(picture_id: int, width: int, fmt: str) -> str:
    return f"/pictures/{picture_id}/{width}.{fmt}"


def shown(record: PictureRecord) -> Shown:
    width, height = record.width or 1, record.height or 1
    widths = imaging.widths_for(width)
    widest = widths[-1]

    def srcset(fmt: str) -> str:
        return ", ".join(f"{url(record.id, w, fmt)} {w}w" for w in widths)
    return Shown(
        id=record.id, src=url(record.id, widest, "jpg"), srcset_jpg=srcset("jpg"),
        srcset_webp=srcset("webp"), thumb=url(record.id, widths[0], "jpg"),
        thumb_webp=url(record.id, widths[0], "webp"),
        thumb_height=imaging.height_for(width, height, THUMB_WIDTH), width=widest,
        height=imaging.height_for(width, height, widest),
        alt=(record.alt or record.caption or record.headline or "").strip(),
        caption=record.caption, credit=credit(record),
        copyright=record.copyrightnotice or record.copyrightholder, expires=record.expires,
        uri=record.uri, role=record.role)


def credit(record: PictureRecord) -> str | None:
    """The credit as the agency writes it: its own creditline when it gave one, else built
    from the agency and the photographer in that agency's style."""
    if record.creditline:
        return record.creditline.strip()
    agency, by = (record.agency or "").strip(), (record.by or "").strip()
    key = agency.casefold()
    if "reuters" in key:
        return f"REUTERS/{by}" if by else "REUTERS"
    if key in ("ap", "associated press", "the associated press"):
        return f"(AP Photo/{by})" if by else "(AP Photo)"
    if key.startswith("afp") or key == "agence france-presse":
        return f"{by}/AFP" if by else "AFP"
    if key.startswith("dpa"):
        return f"Photo: {by}/dpa" if by else "Photo: dpa"
    if by and agency:
        return f"{by}/{agency}"
    return by or agency or None


def as_picture(ctx: Context, record: PictureRecord) -> Picture:
    """The picture as ninjs carries it, its renditions our own URLs (API associations)."""
    width, height = record.width or 1, record.height or 1
    return Picture(
        uri=record.uri, role=record.role, headline=record.headline, caption=record.caption,
        alt=record.alt, by=record.by, creditline=credit(record),
        copyrightholder=record.copyrightholder, copyrightnotice=record.copyrightnotice,
        usageterms=record.usageterms, expires=record.expires,
        renditions=tuple(Rendition(href=ctx.absolute(url(record.id, w, fmt)), name=f"{w}-{fmt}",
                                   width=w, height=imaging.height_for(width, height, w),
                                   contenttype=imaging.FORMATS[fmt])
                         for w in imaging.widths_for(width) for fmt in ("jpg", "webp")))


def image_object(ctx: Context, picture: Shown) -> dict[str, object]:
    """schema.org ImageObject for JSON-LD."""
    data: dict[str, object] = {"@type": "ImageObject", "url": ctx.absolute(picture.src),
                               "contentUrl": ctx.absolute(picture.src),
                               "width": picture.width, "height": picture.height}
    if picture.caption:
        data["caption"] = picture.caption
    if picture.credit:
        data["creditText"] = picture.credit
    if picture.copyright:
        data["copyrightNotice"] = picture.copyright
    return data


def for_story(ctx: Context, story_id: int, now: datetime) -> list[Shown]:
    return [shown(r) for r in ctx.store.pictures.shown(story_id, now)]


def leads(ctx: Context, story_ids: list[int], now: datetime) -> dict[int, Shown]:
    """Each story's lead picture, for the thumbnails of a list."""
    return {sid: shown(found[0]) for sid, found in
            ctx.store.pictures.shown_many(story_ids, now).items() if found}


def ends(ctx: Context, story_id: int, now: datetime) -> list[datetime | None]:
    """The licence ends of a story's pictures: its page changes when one passes."""
    return [r.expires for r in ctx.store.pictures.shown(story_id, now)]


def routes(ctx: Context) -> list[Route]:
    async def rendition(request: Request) -> Response:
        now = ctx.clock()
        picture_id, width = request.path_params["picture_id"], request.path_params["width"]
        fmt = request.path_params["fmt"]
        record = ctx.store.pictures.get(picture_id)
        if fmt not in imaging.FORMATS or record is None:
            return _plain(404, "no such picture")
        if record.state == "gone" or (record.expires is not None and record.expires <= now):
            return _plain(410, "this picture is no longer available", record.id)
        showing = ctx.store.pictures.showing(record.id, now)
        if not showing or record.sha256 is None or not record.width or \
                width not in imaging.widths_for(record.width):
            return _plain(404, "no such picture")
        made = await asyncio.to_thread(_rendition, ctx, record, width, fmt)
        if made is None:  # its bytes went between the two reads
            return _plain(410, "this picture is no longer available", record.id)
        seconds = max_age(now, [record.expires, max(end for _, end in showing)],
                          PICTURE_MAX_AGE)
        keys = [f"picture-{record.id}", *(f"story-{sid}" for sid, _ in showing)]
        return respond(request, made, imaging.FORMATS[fmt], cache_seconds=seconds, keys=keys)

    return [route("/pictures/{picture_id:int}/{width:int}.{fmt}", rendition, PICTURES)]


def _rendition(ctx: Context, record: PictureRecord, width: int, fmt: str) -> bytes | None:
    sha = record.sha256
    assert sha is not None
    kept = ctx.store.pictures.rendition(sha, width, fmt)
    if kept is not None:
        return kept[0]
    original = ctx.store.pictures.original(sha)
    if original is None:
        return None
    # Every rendition from one decode, kept together: the first request pays for all six,
    # and decoding a 12-megapixel original is most of the cost (bench/pictures.py).
    made = imaging.render_all(original, imaging.widths_for(record.width or width),
                              tuple(imaging.FORMATS))
    for (w, f), (data, height) in made.items():
        if not ctx.store.pictures.keep_rendition(sha, w, f, data, height):
            return None
    return made[width, fmt][0]


def _plain(status: int, message: str, picture_id: int | None = None) -> Response:
    headers = {"Cache-Control": f"public, max-age=0, s-maxage={GONE_MAX_AGE}"
               if status == 410 else "no-cache"}
    if picture_id is not None:
        headers["Surrogate-Key"] = f"picture-{picture_id}"
    return Response(message + "\n", status_code=status, media_type="text/plain; charset=utf-8",
                    headers=headers)
