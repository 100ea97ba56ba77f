"""Photos in IPTC NewsML 1.2, as AFP sends them (read by formats/newsml12.py).

A photo is a NewsComponent whose Role FormalName is "Photo", "Picture", "Image" or
"Graphic". Its renditions are ContentItems with an Href and a MediaType FormalName "Photo"
(or "Image", "Picture", "Graphic"), either directly in it or each in a NewsComponent of its
own whose Role names the rendition (AFP: "HighDef", "Preview", "Quicklook", "Thumbnail"). A
ContentItem gives its type as MimeType FormalName (else Format FormalName, "JPEG Baseline")
and its size in Characteristics: SizeInBytes, and Property FormalName="Width"/"Height" with a
Value. The caption is the text of a NewsComponent with Role "Caption" (NITF or plain text in
DataContent), else a NewsLine typed "Caption"; the headline, credit and copyright line are
the photo's NewsLines; the photographer is AdministrativeMetadata/Creator/Party; rights are
RightsMetadata (CopyrightHolder, UsageRights with its EndDate).

A NewsItem that carries photos and no text is a picture item (a Story of type "picture").
Expects a tree whose namespaces parse() has stripped.
"""

from __future__ import annotations

from datetime import datetime

from lxml import etree

from wiredesk.formats.dates import when
from wiredesk.formats.pictures import Pictures, credit_name, text
from wiredesk.formats.wirerules import strip_by
from wiredesk.formats.xmlsafe import find_path, findall_path, text_of
from wiredesk.story import Picture, Pubstatus, Rendition

NAME = "newsml12"
PICTURE_ROLES = frozenset({"photo", "picture", "image", "graphic"})
PICTURE_MEDIA = frozenset({"photo", "picture", "image", "graphic"})
_FORMAT_TYPES = {"jpeg": "image/jpeg", "jpg": "image/jpeg", "png": "image/png",
                 "gif": "image/gif", "webp": "image/webp", "svg": "image/svg+xml",
                 "tiff": "image/tiff"}


def _formal(base: etree._Element | None, path: str) -> str | None:
    found = find_path(base, path) if base is not None else None
    value = found.get("FormalName") if found is not None else None
    return value.strip() if value and value.strip() else None


def _role(component: etree._Element) -> str:
    return (_formal(component, "Role") or "").lower()


def is_picture_media(content: etree._Element) -> bool:
    return (_formal(content, "MediaType") or "").lower() in PICTURE_MEDIA


def picture_components(root: etree._Element) -> list[etree._Element]:
    """The outermost NewsComponents under `root` (itself included) that are photos."""
    found: list[etree._Element] = []
    for component in root.iter("NewsComponent"):
        if _role(component) in PICTURE_ROLES and not any(
                a in found for a in component.iterancestors("NewsComponent")):
            found.append(component)
    return found


def within(element: etree._Element, components: list[etree._Element]) -> bool:
    """Does `element` lie inside one of these components (a photo's caption, say)?"""
    return any(a in components for a in element.iterancestors("NewsComponent"))


def _contenttype(content: etree._Element) -> str | None:
    mime = _formal(content, "MimeType")
    if mime:
        return mime
    fmt = (_formal(content, "Format") or "").lower()
    return next((t for word, t in _FORMAT_TYPES.items() if word in fmt), None)


def _characteristics(content: etree._Element) -> tuple[str | None, str | None, str | None]:
    chars = find_path(content, "Characteristics")
    if chars is None:
        return None, None, None
    props = {(p.get("FormalName") or "").strip().lower(): p.get("Value")
             for p in findall_path(chars, "Property")}
    return text_of(find_path(chars, "SizeInBytes")) or None, props.get("width"), \
        props.get("height")


def _renditions(component: etree._Element, kit: Pictures, where: str
                ) -> tuple[list[Rendition | None], int]:
    out: list[Rendition | None] = []
    offered = 0
    for content in component.iter("ContentItem"):
        href = (content.get("Href") or "").strip()
        if not href or not is_picture_media(content):
            continue
        offered += 1
        holder = next(content.iterancestors("NewsComponent"), None)
        name = (_formal(holder, "Role") if holder is not None and holder is not component
                else None)
        size, width, height = _characteristics(content)
        out.append(kit.rendition(href, name=name, width=width, height=height, size=size,
                                 contenttype=_contenttype(content),
                                 where=f"{where}/ContentItem/@Href"))
    return out, offered


def _caption(component: etree._Element) -> str | None:
    for part in component.iter("NewsComponent"):
        if _role(part) == "caption":
            words = [text_of(d) for d in part.iter("DataContent")]
            found = text(" ".join(w for w in words if w))
            if found:
                return found
    for line in component.iter("NewsLine"):
        if (_formal(line, "NewsLineType") or "").lower() == "caption":
            return text(text_of(find_path(line, "NewsLineText"))) or None
    return None


def read_photo(component: etree._Element, where: str, kit: Pictures, *, uri: str | None = None,
               version: str | None = None, versioncreated: datetime | None = None,
               pubstatus: Pubstatus = Pubstatus.USABLE) -> Picture | None:
    """The picture a photo NewsComponent describes (added to `kit`), or None."""
    renditions, offered = _renditions(component, kit, where)
    lines = find_path(component, "NewsLines")
    credit = text(text_of(find_path(lines, "CreditLine"))) if lines is not None else None
    creator = _formal(component, "AdministrativeMetadata/Creator/Party")
    rights = find_path(component, "RightsMetadata")
    usage = find_path(rights, "UsageRights") if rights is not None else None
    terms = [text_of(find_path(usage, k)) for k in ("UsageType", "Limitations")] \
        if usage is not None else []
    end = text_of(find_path(usage, "EndDate")) if usage is not None else ""
    return kit.add(
        renditions, uri=uri or component.get("Euid"), offered=offered,
        headline=text(text_of(find_path(lines, "HeadLine"))) if lines is not None else None,
        caption=_caption(component),
        by=strip_by(creator or (text_of(find_path(lines, "ByLine")) if lines is not None
                                else "")) or credit_name(credit),
        creditline=credit,
        copyrightholder=text(text_of(find_path(rights, "Copyright/CopyrightHolder")))
        if rights is not None else None,
        copyrightnotice=text(text_of(find_path(lines, "CopyrightLine")))
        if lines is not None else None,
        usageterms="; ".join(t for t in terms if t) or None,
        expires=when(end, NAME, f"{where}/RightsMetadata/UsageRights/EndDate") if end else None,
        version=version, versioncreated=versioncreated, pubstatus=pubstatus,
    )


def story_pictures(component: etree._Element, where: str, kit: Pictures) -> None:
    """The photos a text item's components carry, into `kit`."""
    for index, photo in enumerate(picture_components(component), 1):
        read_photo(photo, f"{where}/NewsComponent[photo {index}]", kit)


def photo_only(component: etree._Element) -> list[etree._Element]:
    """The photos of an item without text: its photo components, else the item's component
    itself when it holds photo ContentItems directly (as a bare photo item does)."""
    found = picture_components(component)
    if found:
        return found
    return [component] if any(is_picture_media(c) and c.get("Href")
                              for c in component.iter("ContentItem")) else []
