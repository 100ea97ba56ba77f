"""Stories as IPTC ninjs 1.6, 2.2 and 3.1 (the API, feeds' JSON and `wiredesk parse`),
pictures included: a story's as `associations`, a picture item that came alone as an item of
type picture. Reading ninjs is formats/ninjs.py.
"""

from __future__ import annotations

import re
from typing import Any

from wiredesk.formats.dates import iso
from wiredesk.story import Picture, Pubstatus, Story, Subject

PROFILES = ("1.6", "2.2", "3.1")

# ninjs 3 renamed these keys to camelCase; the rest keep their 2.x names.
V3_KEYS = {
    "firstcreated": "firstCreated",
    "versioncreated": "versionCreated",
    "contentcreated": "contentCreated",
    "embargoed": "embargoedUntil",
    "pubstatus": "pubStatus",
    "copyrightholder": "copyrightHolder",
    "copyrightnotice": "copyrightNotice",
    "usageterms": "usageTerms",
    "ednote": "edNote",
    "infosources": "infoSources",
    "contenttype": "contentType",
    "representationtype": "representationType",
}

def to_ninjs(story: Story, profile: str = "2.2") -> dict[str, Any]:
    """A Story as a ninjs item of the given profile (1.6, 2.2 or 3.1), schema-valid."""
    if profile not in PROFILES:
        raise ValueError(f"unknown ninjs profile {profile!r}; expected one of {', '.join(PROFILES)}")
    if story.type == "picture" and story.pictures:  # a picture item that came alone
        return item(story.pictures[0], profile)
    html_type = "text/html"
    body = story.body
    out: dict[str, Any] = {"uri": story.uri, "type": "text"}
    flat = {
        "version": story.version,
        "firstcreated": iso(story.firstcreated),
        "versioncreated": iso(story.versioncreated),
        "embargoed": iso(story.embargoed),
        "pubstatus": str(story.pubstatus),
        "urgency": story.urgency,
        "copyrightholder": story.copyrightholder,
        "copyrightnotice": story.copyrightnotice,
        "usageterms": story.usageterms,
        "ednote": story.ednote,
        "language": story.language,
        "slugline": story.slugline,
        "located": story.located,
        "expires": iso(story.expires),
    }
    descriptions = [(role, value) for role, value in
                    (("dateline", story.dateline), ("creditline", story.creditline)) if value]
    if profile == "1.6":
        out.update({k: val for k, val in flat.items() if val is not None})
        if story.pictures:
            out["associations"] = associations(story.pictures, profile)
        out["headline"] = story.headline
        if story.by:
            out["byline"] = story.by
        if body.html:
            out["body_html"] = body.html
            out["body_text"] = body.text
        if story.subjects:
            out["subject"] = [_subject_v1(s) for s in story.subjects]
        if story.agency:
            out["infosource"] = [{"name": story.agency}]  # 1.6 has no role here
        for role, value in descriptions:
            out[f"description_{role}"] = value
        return out
    key = (lambda k: V3_KEYS.get(k, k)) if profile == "3.1" else (lambda k: k)
    out.update({key(k): val for k, val in flat.items() if val is not None})
    out["headlines"] = [{"role": "main", "value": story.headline}]
    if story.by:
        out["by"] = story.by
    if body.html:
        out["bodies"] = [
            {"role": "main", key("contenttype"): html_type, "value": body.html},
            {"role": "text", key("contenttype"): "text/plain", "value": body.text},
        ]
    if story.subjects:
        out["subjects"] = [
            {k: val for k, val in (("name", s.name), ("uri", s.uri)) if val} for s in story.subjects
        ]
    if story.agency:
        out[key("infosources")] = [{"name": story.agency, "role": "originator"}]
    if descriptions:
        out["descriptions"] = [{"role": role, "value": value} for role, value in descriptions]
    if story.pictures:
        out["associations"] = associations(story.pictures, profile)
    return out


def _subject_v1(subject: Subject) -> dict[str, str]:
    entry = {"name": subject.name}
    if subject.code:
        entry["code"] = subject.code
    return entry



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
