"""The pictures a ninjs item carries in `associations` (1.x: an object by name; 2.x/3.x: an
array), as Story.pictures, feature picture first. A small reader for the picture store's
end-to-end path; the full reading of every format's pictures is formats' own work.
"""

from __future__ import annotations

import re
from typing import Any

from wiredesk.story import Picture, Pubstatus, Rendition

_LEAD_ROLES = ("featureimage", "featuremedia", "main", "feature")


def pictures(item: dict[str, Any]) -> tuple[Picture, ...]:
    found = item.get("associations")
    if isinstance(found, dict):
        entries = [{"name": name, **value} for name, value in found.items()
                   if isinstance(value, dict)]
    elif isinstance(found, list):
        entries = [value for value in found if isinstance(value, dict)]
    else:
        return ()
    out = [p for p in (_picture(e) for e in entries) if p is not None]
    lead = [p for p in out if (p.role or "").lower() in _LEAD_ROLES]
    return (*lead, *(p for p in out if p not in lead))


def _picture(entry: dict[str, Any]) -> Picture | None:
    if entry.get("type") not in ("picture", "image", "graphic") or not entry.get("uri"):
        return None
    renditions = entry.get("renditions") or []
    if isinstance(renditions, dict):  # 1.x: by name
        renditions = [{"name": name, **value} for name, value in renditions.items()
                      if isinstance(value, dict)]
    kept = tuple(Rendition(href=str(r["href"]), name=r.get("name"), width=_int(r.get("width")),
                           height=_int(r.get("height")),
                           contenttype=r.get("contenttype") or r.get("mimetype"),
                           size=_int(r.get("sizeinbytes")))
                 for r in renditions if isinstance(r, dict) and r.get("href"))
    descriptions = _by_role(entry.get("descriptions"))
    headline = _by_role(entry.get("headlines")).get("main") or entry.get("headline")
    try:
        pubstatus = Pubstatus.parse(entry.get("pubstatus"))
    except ValueError:
        pubstatus = Pubstatus.USABLE
    return Picture(
        uri=str(entry["uri"]), renditions=kept, role=entry.get("name") or entry.get("role"),
        headline=headline,
        caption=descriptions.get("caption") or descriptions.get("main")
        or entry.get("description_text") or entry.get("body_text"),
        alt=descriptions.get("alt") or descriptions.get("alttext"),
        by=entry.get("by") or entry.get("byline"),
        creditline=descriptions.get("creditline"),
        copyrightholder=entry.get("copyrightholder"),
        copyrightnotice=entry.get("copyrightnotice"), usageterms=entry.get("usageterms"),
        version=entry.get("version"), pubstatus=pubstatus)


def _by_role(entries: Any) -> dict[str, str]:
    if not isinstance(entries, list):
        return {}
    return {str(e.get("role") or "main"): str(e["value"]) for e in entries
            if isinstance(e, dict) and e.get("value")}


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def associations(pictures_: tuple[Picture, ...], profile: str) -> Any:
    """Story.pictures as ninjs `associations`: an array (2.2, 3.1) or an object by name
    (1.6), each a ninjs item of type picture."""
    named: list[tuple[str, dict[str, Any]]] = []
    for n, picture in enumerate(pictures_):
        name = re.sub(r"[^A-Za-z0-9_]", "_", picture.role or "") or f"picture{n + 1}"
        if any(name == taken for taken, _ in named):
            name = f"{name}_{n + 1}"
        named.append((name, item(picture, profile)))
    if profile == "1.6":
        return dict(named)
    return [{"name": name, **entry} for name, entry in named]


def item(picture: Picture, profile: str) -> dict[str, Any]:
    """One picture as a ninjs item of type picture (also what `wiredesk parse` prints for a
    picture item that came alone)."""
    v3 = profile == "3.1"
    key = {"copyrightholder": "copyrightHolder", "copyrightnotice": "copyrightNotice",
           "usageterms": "usageTerms", "contenttype": "contentType",
           "pubstatus": "pubStatus"}.get if v3 else (lambda k, _d=None: k)
    out: dict[str, Any] = {"uri": picture.uri, "type": "picture"}
    for field in ("copyrightholder", "copyrightnotice", "usageterms"):
        if getattr(picture, field):
            out[key(field, field)] = getattr(picture, field)
    if picture.version:
        out["version"] = picture.version
    if picture.pubstatus is not Pubstatus.USABLE:
        out[key("pubstatus", "pubstatus")] = str(picture.pubstatus)
    if picture.by:
        out["byline" if profile == "1.6" else "by"] = picture.by
    texts = [("caption", picture.caption), ("alt", picture.alt),
             ("creditline", picture.creditline)]
    if profile == "1.6":
        if picture.headline:
            out["headline"] = picture.headline
        if picture.caption:
            out["description_text"] = picture.caption
        renditions: Any = {re.sub(r"[^A-Za-z0-9_]", "_", r.name or f"r{n}"): {
            k: val for k, val in (("href", r.href), ("mimetype", r.contenttype),
                                  ("width", r.width), ("height", r.height)) if val is not None}
            for n, r in enumerate(picture.renditions)}
    else:
        if picture.headline:
            out["headlines"] = [{"role": "main", "value": picture.headline}]
        if any(value for _, value in texts):
            out["descriptions"] = [{"role": role, "value": value} for role, value in texts
                                   if value]
        renditions = [{k: val for k, val in (
            ("name", r.name or f"r{n}"), ("href", r.href),
            (key("contenttype", "contenttype"), r.contenttype), ("width", r.width),
            ("height", r.height)) if val is not None} for n, r in enumerate(picture.renditions)]
    if picture.renditions:
        out["renditions"] = renditions
    return out
