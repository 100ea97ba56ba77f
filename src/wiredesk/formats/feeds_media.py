"""Pictures in feed entries: RSS `enclosure`, Media RSS (`media:content`, `media:group`,
`media:thumbnail`, `media:description`, `media:credit`, `media:title`, `media:copyright`,
www.rssboard.org/media-rss) and Atom's `link rel="enclosure"` (RFC 4287 4.2.7.2).

A `media:group` is one picture in several renditions; a `media:content` outside a group is
one picture; its own description and credit win over the entry's, which apply to all
(Media RSS: "optional elements ... at the item level apply to all media objects"). An
entry-level thumbnail becomes a rendition of the entry's first picture, or a picture of its
own when there is none. Hrefs are kept as given (relative ones resolve at fetch time).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lxml import etree

from wiredesk.formats.bodies import html_to_text
from wiredesk.formats.pictures import Pictures, credit_name, text
from wiredesk.story import Picture, Rendition, StoryWarning

MRSS = "{http://search.yahoo.com/mrss/}"
_CONTENT, _GROUP, _THUMB = MRSS + "content", MRSS + "group", MRSS + "thumbnail"
_DESCRIPTION, _CREDIT, _TITLE = MRSS + "description", MRSS + "credit", MRSS + "title"
_COPYRIGHT = MRSS + "copyright"
# Every element this module reads from an RSS item (the feed parser's loop keeps these).
TAGS = frozenset({"enclosure", _CONTENT, _GROUP, _THUMB, _DESCRIPTION, _CREDIT, _TITLE,
                  _COPYRIGHT})
_IMAGE_EXT = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif", ".jfif")


def _is_image(url: str | None, ctype: str | None, medium: str | None = None) -> bool:
    """Typed as an image, or untyped with an image's file name (refusals happen later)."""
    if medium:
        return medium.strip().lower() == "image"
    if ctype:
        return ctype.strip().lower().startswith("image/")
    path = (url or "").split("#", 1)[0].split("?", 1)[0].lower()
    return path.endswith(_IMAGE_EXT) or path.endswith((".svg", ".svgz"))


class _Meta:
    """The words about a picture: its own, else the entry's."""

    def __init__(self, children: list[etree._Element], fallback: _Meta | None = None) -> None:
        found: dict[str, str | None] = {}
        for child in children:
            tag = child.tag
            if tag == _DESCRIPTION and "caption" not in found:
                value = child.text or ""
                found["caption"] = text(html_to_text(value) if child.get("type") == "html"
                                        else value)
            elif tag == _TITLE and "headline" not in found:
                found["headline"] = text(child.text)
            elif tag == _CREDIT and "credit" not in found and (
                    (child.get("role") or "photographer").lower() in
                    ("photographer", "author", "creator", "owner", "publisher")):
                found["credit"] = text(child.text)
            elif tag == _COPYRIGHT and "copyright" not in found:
                found["copyright"] = text(child.text)
        base = fallback.found if fallback is not None else {}
        self.found = {k: found.get(k) or base.get(k) for k in
                      ("caption", "headline", "credit", "copyright")}

    def fields(self) -> dict[str, Any]:
        credit = self.found["credit"]
        return {"caption": self.found["caption"], "headline": self.found["headline"],
                "by": credit_name(credit), "creditline": credit,
                "copyrightnotice": self.found["copyright"]}


def _rendition(kit: Pictures, el: etree._Element, where: str, name: str | None = None
               ) -> Rendition | None:
    return kit.rendition(el.get("url"), name=name, width=el.get("width"),
                         height=el.get("height"), contenttype=el.get("type"),
                         size=el.get("fileSize") or el.get("length"), where=where)


def read_media(elements: Sequence[etree._Element], links: Sequence[etree._Element], where: str
               ) -> tuple[tuple[Picture, ...], list[StoryWarning]]:
    """The pictures of one entry from its media elements (in document order) and its Atom
    enclosure links, lead (first) first; and the warnings for what was refused."""
    kit = Pictures()
    entry = _Meta(elements)
    found: list[tuple[list[Rendition | None], int, _Meta]] = []
    thumbs: list[Rendition | None] = []
    for el in elements:
        tag = el.tag
        if tag == _GROUP:
            kids = [c for c in el if isinstance(c.tag, str)]
            images = [c for c in kids if c.tag == _CONTENT and _is_image(
                c.get("url"), c.get("type"), c.get("medium"))]
            if images:
                renditions = [_rendition(kit, c, f"{where}/media:group/media:content")
                              for c in images]
                renditions += [_rendition(kit, t, f"{where}/media:group/media:thumbnail",
                                          "thumbnail") for c in (el, *images)
                               for t in c.iterchildren(_THUMB)]
                found.append((renditions, len(images), _Meta(
                    [*kids, *(g for c in images for g in c if isinstance(g.tag, str))], entry)))
        elif tag == _CONTENT and _is_image(el.get("url"), el.get("type"), el.get("medium")):
            kids = [c for c in el if isinstance(c.tag, str)]
            renditions = [_rendition(kit, el, f"{where}/media:content")]
            renditions += [_rendition(kit, t, f"{where}/media:content/media:thumbnail",
                                      "thumbnail") for t in kids if t.tag == _THUMB]
            # (nothing of its own, as news feeds send it: the entry's words, unchanged)
            found.append((renditions, 1, _Meta(kids, entry) if kids else entry))
        elif tag == "enclosure" and _is_image(el.get("url"), el.get("type")):
            found.append(([_rendition(kit, el, f"{where}/enclosure")], 1, entry))
        elif tag == _THUMB:
            thumbs.append(_rendition(kit, el, f"{where}/media:thumbnail", "thumbnail"))
    for link in links:
        if _is_image(link.get("href"), link.get("type")):
            found.append(([kit.rendition(link.get("href"), contenttype=link.get("type"),
                                         size=link.get("length"),
                                         where=f"{where}/link[@rel='enclosure']")], 1, entry))
    if thumbs:
        if found:
            found[0] = (found[0][0] + thumbs, found[0][1] + len(thumbs), found[0][2])
        else:
            found.append((thumbs, len(thumbs), entry))
    for renditions, offered, meta in found:
        kit.add(renditions, offered=offered, **meta.fields())
    return kit.result(), kit.warnings


def media_description(elements: Sequence[etree._Element]) -> tuple[str, bool] | None:
    """The first Media RSS description of an entry (its own, else its first group's) and
    whether it is HTML: the entry's text when it has none other (a YouTube video's)."""
    for el in elements:
        found = el if el.tag == _DESCRIPTION else el.find(_DESCRIPTION) if el.tag == _GROUP \
            else None
        if found is not None and found.text and not found.text.isspace():
            return found.text, found.get("type") == "html"
    return None


def read_loose(x: Any, where: str) -> tuple[tuple[Picture, ...], list[StoryWarning]]:
    """The same from feedparser's entry dict (malformed feeds): enclosures, media_content
    and media_thumbnail as feedparser names them."""
    kit = Pictures()
    caption = text(x.get("media_description")) if isinstance(x.get("media_description"), str) \
        else None
    credit = next((text(c.get("content")) for c in x.get("media_credit") or []
                   if isinstance(c, dict) and text(c.get("content"))), None)
    meta = {"caption": caption, "by": credit_name(credit), "creditline": credit}
    for item in x.get("media_content") or []:
        if isinstance(item, dict) and _is_image(item.get("url"), item.get("type"),
                                                item.get("medium")):
            kit.add([kit.rendition(item.get("url"), width=item.get("width"),
                                   height=item.get("height"), contenttype=item.get("type"),
                                   size=item.get("filesize"), where=f"{where}/media:content")],
                    offered=1, **meta)
    for link in x.get("enclosures") or []:
        if isinstance(link, dict) and _is_image(link.get("href"), link.get("type")):
            kit.add([kit.rendition(link.get("href"), contenttype=link.get("type"),
                                   size=link.get("length"), where=f"{where}/enclosure")],
                    offered=1, **meta)
    if not kit.found:
        for thumb in x.get("media_thumbnail") or []:
            if isinstance(thumb, dict):
                kit.add([kit.rendition(thumb.get("url"), name="thumbnail",
                                       width=thumb.get("width"), height=thumb.get("height"),
                                       where=f"{where}/media:thumbnail")], offered=1, **meta)
    return kit.result(), kit.warnings
