"""A story's lead picture in its feed entry: Atom and RSS get a Media RSS `media:content`
(with the agency's caption and credit) and an enclosure; JSON Feed its `image`. Every URL is
one of our own renditions, so a feed reader's copy goes when the picture does (410)."""

from __future__ import annotations

from typing import Any

from lxml import etree

from wiredesk.web.context import Context
from wiredesk.web.pictures import Shown

MEDIA = "http://search.yahoo.com/mrss/"
ATOM = "http://www.w3.org/2005/Atom"


def _media(parent: etree._Element, ctx: Context, picture: Shown) -> None:
    content = etree.SubElement(parent, f"{{{MEDIA}}}content", {
        "url": ctx.absolute(picture.src), "medium": "image", "type": "image/jpeg",
        "width": str(picture.width), "height": str(picture.height)})
    if picture.caption:
        etree.SubElement(content, f"{{{MEDIA}}}description").text = picture.caption
    if picture.credit:
        etree.SubElement(content, f"{{{MEDIA}}}credit").text = picture.credit
    if picture.copyright:
        etree.SubElement(content, f"{{{MEDIA}}}copyright").text = picture.copyright


def atom(entry: etree._Element, ctx: Context, picture: Shown | None) -> None:
    if picture is None:
        return
    etree.SubElement(entry, f"{{{ATOM}}}link", {"rel": "enclosure", "type": "image/jpeg",
                                               "href": ctx.absolute(picture.src)})
    _media(entry, ctx, picture)


def rss(item: etree._Element, ctx: Context, picture: Shown | None) -> None:
    if picture is None:
        return
    # RSS requires a length; a rendition's is known only once made: 0 says "unknown".
    etree.SubElement(item, "enclosure", {"url": ctx.absolute(picture.src), "length": "0",
                                         "type": "image/jpeg"})
    _media(item, ctx, picture)


def json_item(item: dict[str, Any], ctx: Context, picture: Shown | None) -> None:
    if picture is not None:
        item["image"] = ctx.absolute(picture.src)


IMAGE = "http://www.google.com/schemas/sitemap-image/1.1"


def sitemap(url: etree._Element, ctx: Context, pictures: list[Shown]) -> None:
    """A news sitemap entry's pictures (Google's image sitemap extension)."""
    for picture in pictures:
        image = etree.SubElement(url, f"{{{IMAGE}}}image")
        etree.SubElement(image, f"{{{IMAGE}}}loc").text = ctx.absolute(picture.src)
