"""NewsML-G2 picture items (itemClass ninat:picture or graphic), and the pictures a package
names for its story.

A picture item carries its renditions as `contentSet/remoteContent` (href, contenttype,
width, height, size, a `rendition` qcode such as rnd:highRes or rnd:thumbnail), its caption
as `description role="drol:caption"`, the photographer as `by` (or a `creator`'s name), the
agency's credit as `creditline`, and its rights in `rightsInfo`. Read by local name, so G2
with and without its namespace reads alike.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from lxml import etree

from wiredesk.formats.dates import lenient_when
from wiredesk.formats.errors import FormatError
from wiredesk.formats.fieldvalues import read_pubstatus
from wiredesk.formats.pictures import Pictures, picture_story
from wiredesk.formats.wirerules import agency_name, strip_by
from wiredesk.story import Picture, Rendition, Story, StoryWarning

PICTURE_CLASSES = {"picture", "graphic", "photo"}
_CAPTION_ROLES = ("caption", "summary", "")
_ALT_ROLES = ("alternative", "alt", "alttext", "accessibility")


def _kids(element: etree._Element | None, tag: str) -> list[etree._Element]:
    return [] if element is None else list(element.iterchildren("{*}" + tag))


def _one(element: etree._Element | None, tag: str) -> etree._Element | None:
    found = _kids(element, tag)
    return found[0] if found else None


def _words(element: etree._Element | None) -> str | None:
    if element is None:
        return None
    return " ".join("".join(element.itertext()).split()) or None


def _word(qcode: str | None) -> str:
    return (qcode or "").rsplit(":", 1)[-1].strip().lower()


def _party(element: etree._Element | None) -> str | None:
    if element is None:
        return None
    return _words(_one(element, "name")) or (element.get("literal") or "").strip() or \
        _word(element.get("qcode")) or None


_Names = dict[str, list[etree._Element]]


def _names(element: etree._Element | None) -> _Names:
    """Children by local name in one pass (not a search per field)."""
    out: _Names = {}
    if element is not None:
        for child in element:
            tag = child.tag
            if isinstance(tag, str):
                out.setdefault(tag.rsplit("}", 1)[-1], []).append(child)
    return out


def _first(names: _Names, tag: str) -> etree._Element | None:
    found = names.get(tag)
    return found[0] if found else None


def read_picture(item: etree._Element, where: str, fmt: str, kit: Pictures,
                 warnings: list[StoryWarning], role: str | None = None) -> Picture | None:
    """The picture a picture newsItem describes; None when it names renditions none of which
    we may fetch (with a warning in `kit`)."""
    guid = (item.get("guid") or "").strip()
    if not guid:
        raise FormatError(fmt, f"{where}/@guid", "expected the item's guid attribute")
    where = f"{where}[@guid={guid[:80]!r}]"
    k = _names(item)
    meta, content = _names(_first(k, "itemMeta")), _names(_first(k, "contentMeta"))
    rights_el = _first(k, "rightsInfo")
    rights = _names(rights_el)
    renditions: list[Rendition | None] = []
    offered = 0
    for block in k.get("contentSet", ()):
        for remote in block.iterchildren("{*}remoteContent"):
            href = remote.get("href")
            offered += bool(href and href.strip())
            name = (remote.get("rendition") or "").rsplit(":", 1)[-1].strip() or None
            renditions.append(kit.rendition(
                href, name=name, width=remote.get("width"), height=remote.get("height"),
                contenttype=remote.get("contenttype"), size=remote.get("size"),
                where=f"{where}/contentSet/remoteContent"))
    roles = {_word(d.get("role")): _words(d) for d in content.get("description", ())}
    caption = next((roles[r] for r in _CAPTION_ROLES if roles.get(r)), None)
    alt = next((roles[r] for r in _ALT_ROLES if roles.get(r)), None)
    pub = _first(meta, "pubStatus")
    status = read_pubstatus(pub.get("qcode") if pub is not None else None, fmt,
                            f"{where}/itemMeta/pubStatus/@qcode")

    def date(tag: str, value: str | None) -> datetime | None:
        return lenient_when(value, fmt, f"{where}/{tag}", tag.lower(), warnings) \
            if value else None

    heads = content.get("headline", ())
    headline = next((_words(h) for h in heads
                     if not h.get("role") or h.get("role", "").endswith("main")), None) \
        or (_words(heads[0]) if heads else None) or _words(_first(meta, "title"))
    by = strip_by(_words(_first(content, "by"))) or next(
        (n for c in content.get("creator", ()) if (n := _words(_one(c, "name")))), None)
    validto = rights_el.get("validto") if rights_el is not None else None
    return kit.add(
        renditions, uri=guid, offered=offered, role=role, headline=headline,
        caption=caption, alt=alt, by=by,
        creditline=_words(_first(content, "creditline")),
        copyrightholder=_party(_first(rights, "copyrightHolder")),
        copyrightnotice=_words(_first(rights, "copyrightNotice")),
        usageterms=_words(_first(rights, "usageTerms")),
        version=(item.get("version") or "1").strip(),
        versioncreated=date("versionCreated", _words(_first(meta, "versionCreated"))),
        pubstatus=status,
        expires=date("expires", _words(_first(meta, "expires"))) or date("validto", validto),
    )


def picture_item(item: etree._Element, where: str, raw: bytes, fmt: str,
                 agency: str | None) -> Story:
    """A picture newsItem as a Story of type "picture" (it stands alone until a package in
    the same message hands it to its story). One whose every rendition is refused is a
    FormatError: it names no picture we may show."""
    kit, warnings = Pictures(), []
    picture = read_picture(item, where, fmt, kit, warnings)
    if picture is None:
        raise FormatError(fmt, f"{where}/contentSet/remoteContent",
                          kit.warnings[0].problem if kit.warnings else "no rendition we may fetch")
    content = _one(item, "contentMeta")
    lang = _one(content, "language")
    return picture_story(
        picture, raw=raw, fmt=fmt,
        agency=agency_name(_party(_one(_one(item, "itemMeta"), "provider"))) or agency,
        warnings=(*warnings, *kit.warnings),
        language=(lang.get("tag") if lang is not None else None)
        or item.get("{http://www.w3.org/XML/1998/namespace}lang"))


def package_pictures(package: etree._Element, known: dict[str, Picture]) -> tuple[Picture, ...]:
    """The pictures a package's groups name (itemRefs of class picture or graphic, or whose
    residref is a picture item in the same message), each with its itemRef's role or else
    its group's ("main", "supporting"...): the full picture where the message carries it, else its reference
    (uri, title, version) for the desk to match when the picture item arrives."""
    out: list[Picture] = []
    for group in package.iter("{*}group"):
        group_role = _word(group.get("role")) or None
        for ref in group.iterchildren("{*}itemRef"):
            role = _word(ref.get("role")) or group_role  # an itemRef's own role, if it has one
            residref = (ref.get("residref") or "").strip()
            kind = _one(ref, "itemClass")
            cls = _word(kind.get("qcode")) if kind is not None else ""
            found = known.get(residref) or known.get(residref.rsplit(":", 1)[0])
            if found is None and cls not in PICTURE_CLASSES:
                continue
            if found is not None:
                picture = found
            elif residref:
                picture = Picture(uri=residref, headline=_words(_one(ref, "title")),
                                  version=(ref.get("version") or "").strip() or None)
            else:
                continue
            if all(p.uri != picture.uri for p in out):
                out.append(replace(picture, role=role))
    return tuple(out)
