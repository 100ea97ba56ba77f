"""The pictures a ninjs item carries in `associations` (1.x: an object by name; 2.x/3.x: an
array), as Story.pictures, feature picture first. A small reader for the picture store's
end-to-end path; the full reading of every format's pictures is formats' own work.
"""

from __future__ import annotations

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
