"""Pictures in ninjs: a story's `associations` (1.x: an object by name; 2.x/3.x: an array
with `name`) and items whose own type is picture, read into Story.pictures by the shared
picture kit (formats/pictures.py). Writing them out is formats/ninjs_out.py.
"""

from __future__ import annotations

from typing import Any

from wiredesk.formats.bodies import html_to_text
from wiredesk.formats.dates import parse_datetime
from wiredesk.formats.errors import FormatError
from wiredesk.formats.ninjs_out import V3_KEYS
from wiredesk.formats.pictures import Pictures, picture_story, status, text
from wiredesk.story import Picture, Pubstatus, Story, StoryWarning

PICTURE_TYPES = {"picture", "graphic"}


def picture_item(item: dict[str, Any], profile: str, where: str, raw: bytes,
                 dropped: tuple[StoryWarning, ...], agency: str | None) -> Story:
    """A ninjs item whose own type is picture, alone or as its kill: a Story of type
    "picture" carrying it. One that names renditions none of which we may fetch is refused."""
    fmt = f"ninjs {profile}"
    kit = Pictures()
    picture = _picture(kit, item, profile, where, None, alone=True)
    if picture is None:
        problem = kit.warnings[0].problem if kit.warnings else "no rendition we may fetch"
        raise FormatError(fmt, f"{where}.renditions", problem)
    agency = agency or picture.copyrightholder
    return picture_story(picture, raw=raw, fmt=fmt, agency=agency,
                         warnings=(*dropped, *kit.warnings), language=item.get("language"))


def associations(kit: Pictures, associations: Any, profile: str, where: str) -> None:
    """The pictures among a story's associations: ninjs 1.x's object keyed by name, or
    2.x/3.x's array of objects each with its `name`. Text, video and sound are left out."""
    if isinstance(associations, dict):
        entries = list(associations.items())
    elif isinstance(associations, list):
        entries = [(a.get("name") if isinstance(a, dict) else None, a) for a in associations]
    else:
        return
    for index, (name, node) in enumerate(entries):
        if not isinstance(node, dict):
            continue
        kind = node.get("type")
        if kind in PICTURE_TYPES or (kind is None and _image_renditions(node)):
            at = f"{where}.associations.{name}" if isinstance(associations, dict) \
                else f"{where}.associations[{index}]"
            _picture(kit, node, profile, at, name if isinstance(name, str) else None)


def _image_renditions(node: dict[str, Any]) -> bool:
    """Whether an association without a type offers image renditions (then it is one)."""
    found = node.get("renditions")
    entries = found.values() if isinstance(found, dict) else found if isinstance(found, list) else ()
    return any(isinstance(r, dict) and str(r.get("contenttype") or r.get("contentType")
                                           or r.get("mimetype") or "").startswith("image/")
               for r in entries)


_CAPTION_ROLES = ("caption", "main", "summary", "description", "")
_ALT_ROLES = ("alt", "alttext", "alt_text", "alternative", "accessibility")


def _picture(kit: Pictures, node: dict[str, Any], profile: str, where: str,
             role: str | None, alone: bool = False) -> Picture | None:
    """One picture (an association, or an item of type picture) read from any ninjs
    generation: renditions as 1.x's object keyed by name or 2.x/3.x's array with `name`."""
    camel = profile == "3.1"

    def get(key: str) -> Any:
        value = node.get(V3_KEYS.get(key, key)) if camel else None
        return value if value is not None else node.get(key)

    found = node.get("renditions")
    entries = (list(found.items()) if isinstance(found, dict) else
               [(r.get("name") if isinstance(r, dict) else None, r) for r in found]
               if isinstance(found, list) else [])
    renditions = []
    offered = 0
    for name, r in entries:
        if not isinstance(r, dict):
            continue
        offered += isinstance(r.get("href"), str) and bool(r["href"].strip())
        renditions.append(kit.rendition(
            r.get("href"), name=name if isinstance(name, str) else None,
            width=r.get("width"), height=r.get("height"),
            contenttype=r.get("contenttype") or r.get("contentType") or r.get("mimetype"),
            size=r.get("sizeinbytes") or r.get("sizeInBytes"), where=where))
    descriptions = {(d.get("role") or "").lower(): d.get("value")
                    for d in node.get("descriptions") or [] if isinstance(d, dict)} \
        if isinstance(node.get("descriptions"), list) else {}
    caption = (next((text(descriptions[r]) for r in _CAPTION_ROLES if text(descriptions.get(r))),
                    None) or text(node.get("description_text"))
               or _plain(node.get("description_html")) or text(node.get("body_text")))
    alt = next((text(descriptions[r]) for r in _ALT_ROLES if text(descriptions.get(r))), None) \
        or text(node.get("description_alt")) or text(node.get("alt_text"))
    headlines = node.get("headlines")
    headline = text(node.get("headline")) or _main_headline(headlines)
    return kit.add(
        renditions, uri=node.get("uri"), offered=0 if alone and not offered else offered,
        role=role, headline=headline, caption=caption, alt=alt,
        by=text(node.get("by")) or text(node.get("byline")),
        creditline=text(descriptions.get("creditline")) or text(node.get("description_creditline")),
        copyrightholder=text(get("copyrightholder")), copyrightnotice=text(get("copyrightnotice")),
        usageterms=text(get("usageterms")), version=_version(node.get("version")),
        versioncreated=_when(kit, get("versioncreated"), profile, where, "versioncreated", alone),
        pubstatus=_status(get("pubstatus"), profile, where, alone),
        expires=_when(kit, get("expires"), profile, where, "expires", alone),
    )


def _version(value: Any) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return text(value)


def _status(value: Any, profile: str, where: str, alone: bool) -> Pubstatus:
    if not alone:
        return status(value)
    try:
        return Pubstatus.parse(value)
    except ValueError as exc:
        raise FormatError(f"ninjs {profile}", f"{where}.pubstatus", str(exc)) from exc


def _when(kit: Pictures, value: Any, profile: str, where: str, key: str, alone: bool) -> Any:
    """A picture's date; a bad one is dropped with a warning, except a picture item's own
    expiry (when its licence ends is never guessed)."""
    if value is None:
        return None
    try:
        return parse_datetime(value, f"ninjs {profile}", f"{where}.{key}")
    except FormatError as exc:
        if alone and key == "expires":
            raise
        kit.warn(f"{where}.{key}: {exc.problem}")
        return None


def _plain(html: Any) -> str | None:
    return text(html_to_text(html)) if isinstance(html, str) and html.strip() else None


def _main_headline(headlines: Any) -> str | None:
    """ninjs 2.x/3.x `headlines`: the main one, else the first."""
    entries = [e for e in headlines if isinstance(e, dict)] if isinstance(headlines, list) else []
    found = next((e for e in entries if e.get("role") == "main"), entries[0] if entries else None)
    return text(found.get("value")) if found else None
