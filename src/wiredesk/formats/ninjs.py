"""IPTC ninjs 1.x, 2.x and 3.x in; ninjs 1.6, 2.2 and 3.1 out.

The generation is told by content (ninjs 3 is camelCase, ninjs 1 has a plain `headline` and
`body_*` keys), every item is validated against the official schema of its generation, and
an invalid item fails with the field's JSON path in the message.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any, NamedTuple

import jsonschema_rs
from jsonschema import Draft7Validator, Draft202012Validator
from jsonschema.exceptions import best_match
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from wiredesk.formats.bodies import body_from_html, body_from_text
from wiredesk.formats.cleantext import json_bytes, load_json
from wiredesk.formats.contract import Format
from wiredesk.formats.dates import iso, parse_datetime
from wiredesk.formats.errors import FormatError
from wiredesk.formats.textcodec import decode
from wiredesk.story import Body, Pubstatus, Story, Subject

NAME = "ninjs"
PROFILES = ("1.6", "2.2", "3.1")
_HTML_TYPES = ("text/html", "application/xhtml+xml", "application/html")
_NON_TEXT = {"picture", "video", "audio", "graphic"}

# ninjs 3 renamed these keys to camelCase; the rest keep their 2.x names.
_V3_KEYS = {
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
_V3_MARKERS = set(_V3_KEYS.values())


# ninjs points place geometry at the GeoJSON schema on the web; we never fetch at run time,
# so geometry is accepted as any JSON value (the one part of the schema not enforced).
GEOJSON = "https://geojson.org/schema/GeoJSON.json"


@cache
def _schema(profile: str) -> dict[str, Any]:
    text = resources.files("wiredesk.formats").joinpath(f"schemas/ninjs-schema_{profile}.json")
    return json.loads(text.read_text(encoding="utf-8"))


@cache
def validator(profile: str) -> Draft7Validator | Draft202012Validator:
    """The reference validator (python-jsonschema): used for the message when an item fails."""
    registry: Registry = Registry().with_resource(
        GEOJSON, Resource.from_contents({}, default_specification=DRAFT202012))
    cls = Draft7Validator if profile == "1.6" else Draft202012Validator
    return cls(_schema(profile), registry=registry)


@cache
def _fast(profile: str) -> Any:
    """The same schema compiled by jsonschema-rs: about 200 times faster on valid items,
    which is nearly all of them; formats are not checked, as python-jsonschema does not."""
    return jsonschema_rs.validator_for(_schema(profile), validate_formats=False,
                                       retriever=lambda _uri: {})


def check(item: dict[str, Any], profile: str) -> Any:
    """None if the item is valid for its schema, else python-jsonschema's best error."""
    if _fast(profile).is_valid(item):
        return None
    return best_match(validator(profile).iter_errors(item))


def generation(item: dict[str, Any]) -> str:
    """Which schema an item follows, by its content."""
    standard = item.get("standard") or item.get("$standard") or {}
    declared = str(standard.get("version", "")) if isinstance(standard, dict) else ""
    if declared[:1] in ("1", "2", "3"):
        return {"1": "1.6", "2": "2.2", "3": "3.1"}[declared[:1]]
    if _V3_MARKERS & item.keys() or any(
        isinstance(b, dict) and "contentType" in b for b in item.get("bodies", []) or []
    ):
        return "3.1"
    if "headline" in item or "byline" in item or any(k.startswith("body_") for k in item):
        return "1.6"
    return "2.2"


def looks_like(data: bytes) -> bool:
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if head not in (b"{", b"["):
        return False
    return b'"uri"' in data[:65536]


def parse(data: bytes, *, agency: str | None = None) -> list[Story]:
    """Parse a ninjs document: one item, or a JSON array of items. `agency` is not used:
    every item names its own originator (infosources, else the copyright holder)."""
    text = decode(data, NAME)
    try:
        doc, warnings = load_json(text)
    except json.JSONDecodeError as exc:
        raise FormatError(NAME, f"line {exc.lineno} column {exc.colno}", f"invalid JSON: {exc.msg}") from exc
    except RecursionError as exc:
        raise FormatError(NAME, "$", "JSON nested too deeply") from exc
    items = doc if isinstance(doc, list) else [doc]
    if not items:
        raise FormatError(NAME, "$", "expected a ninjs object or a non-empty array of them")
    stories = []
    for index, item in enumerate(items):
        where = f"$[{index}]" if isinstance(doc, list) else "$"
        if not isinstance(item, dict):
            raise FormatError(NAME, where, f"expected a JSON object, got {type(item).__name__}")
        raw = data if len(items) == 1 else json_bytes(item)
        story = _item_to_story(item, where, raw)
        if story is not None:
            stories.append(story.with_changes(warnings=warnings) if warnings else story)
    return stories


def _item_to_story(item: dict[str, Any], where: str, raw: bytes) -> Story | None:
    profile = generation(item)
    fmt = f"ninjs {profile}"
    error = check(item, profile)
    if error is not None:
        path = error.json_path.replace("$", where, 1)
        raise FormatError(fmt, path, error.message[:300])
    if item.get("type") in _NON_TEXT:
        return None  # a picture or video is not a story; it is carried as an association
    v = _V3_KEYS.get if profile == "3.1" else (lambda key, default=None: key)

    def get(key: str) -> Any:
        return item.get(v(key, key))

    def when(key: str) -> Any:
        return parse_datetime(get(key), fmt, f"{where}.{v(key, key)}")

    read = _read_v1(item) if profile == "1.6" else _read_v2(item, v)
    if not read.headline:
        raise FormatError(fmt, f"{where}.headline", "a story needs a headline")
    urgency = get("urgency")
    if urgency is not None and not (isinstance(urgency, int | float) and 0 <= urgency <= 9):
        raise FormatError(fmt, f"{where}.urgency", f"expected a number from 1 to 9, got {urgency!r}")
    try:
        pubstatus = Pubstatus.parse(get("pubstatus"))
    except ValueError as exc:
        raise FormatError(fmt, f"{where}.{v('pubstatus', 'pubstatus')}", str(exc)) from exc
    agency = _originator(read.infosources) or get("copyrightholder")
    return Story(
        uri=item["uri"],
        headline=" ".join(str(read.headline).split()),
        body=read.body,
        version=get("version"),
        firstcreated=when("firstcreated"),
        versioncreated=when("versioncreated"),
        pubstatus=pubstatus,
        embargoed=when("embargoed"),
        expires=when("expires"),
        urgency=int(urgency) if urgency is not None else None,
        slugline=item.get("slugline"),
        by=read.byline,
        located=item.get("located"),
        dateline=read.descriptions.get("dateline"),
        agency=agency,
        language=item.get("language"),
        subjects=read.subjects,
        copyrightholder=get("copyrightholder"),
        copyrightnotice=get("copyrightnotice"),
        usageterms=get("usageterms"),
        ednote=get("ednote"),
        creditline=read.descriptions.get("creditline"),
        raw=raw,
        format=fmt,
    )


class _Read(NamedTuple):
    """The fields ninjs 1 names differently from ninjs 2 and 3."""

    headline: Any
    body: Body
    byline: Any
    subjects: tuple[Subject, ...]
    infosources: Any
    descriptions: dict[str, Any]


def _read_v1(item: dict[str, Any]) -> _Read:
    return _Read(
        headline=item.get("headline") or item.get("headline_main") or "",
        body=_body_v1(item),
        byline=item.get("byline"),
        subjects=tuple(
            Subject(name=s.get("name") or s.get("code") or "", code=s.get("code"),
                    uri=(s.get("scheme", "") + s["code"]) if s.get("code") else None)
            for s in item.get("subject", []) or []
        ),
        infosources=item.get("infosource", []) or [],
        descriptions={k[len("description_"):]: val for k, val in item.items()
                      if k.startswith("description_")},
    )


def _read_v2(item: dict[str, Any], v: Any) -> _Read:
    """ninjs 2 and 3 (`v` gives a key its ninjs 3 name)."""
    return _Read(
        headline=_pick(item.get("headlines"), ("main", None), v)[0],
        body=_body_v2(item.get("bodies") or [], v),
        byline=item.get("by"),
        subjects=tuple(
            Subject(name=s.get("name") or s.get("uri") or "", uri=s.get("uri"))
            for s in item.get("subjects", []) or []
        ),
        infosources=item.get(v("infosources", "infosources")) or [],
        descriptions={d.get("role") or "": d["value"] for d in item.get("descriptions", []) or []},
    )


def _originator(infosources: Any) -> Any:
    """The name of the first infosource whose role is originator (or that gives no role)."""
    return next(
        (s.get("name") for s in infosources
         if isinstance(s, dict) and s.get("name") and "originator" in (s.get("role") or "originator")),
        None,
    )


def _pick(entries: Any, roles: tuple[str | None, ...], v: Any) -> tuple[str, str]:
    """The value and content type of the first entry whose role matches, in role order."""
    entries = [e for e in entries or [] if isinstance(e, dict)]
    for role in roles:
        for entry in entries:
            if role is None or entry.get("role") == role:
                return entry.get("value", ""), entry.get(v("contenttype", "contenttype")) or ""
    return "", ""


def _body_v2(bodies: list[dict[str, Any]], v: Any) -> Body:
    ctype_key = v("contenttype", "contenttype")
    html_bodies = [b for b in bodies if (b.get(ctype_key) or "").split(";")[0] in _HTML_TYPES]
    if html_bodies:
        main = next((b for b in html_bodies if b.get("role") in ("main", "richtext")), html_bodies[0])
        return body_from_html(main["value"])
    if bodies:
        main = next((b for b in bodies if b.get("role") == "main"), bodies[0])
        return body_from_text(main["value"])
    return Body.empty()


def _body_v1(item: dict[str, Any]) -> Body:
    for key in ("body_html", "body_xhtml", "body_richtext"):
        if item.get(key):
            return body_from_html(item[key])
    for key in ("body_text", "body_main", "body_plain"):
        if item.get(key):
            return body_from_text(item[key])
    other = next((k for k in item if k.startswith("body_")), None)
    return body_from_text(item[other]) if other else Body.empty()


def to_ninjs(story: Story, profile: str = "2.2") -> dict[str, Any]:
    """A Story as a ninjs item of the given profile (1.6, 2.2 or 3.1), schema-valid."""
    if profile not in PROFILES:
        raise ValueError(f"unknown ninjs profile {profile!r}; expected one of {', '.join(PROFILES)}")
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
    key = (lambda k: _V3_KEYS.get(k, k)) if profile == "3.1" else (lambda k: k)
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
    return out


def _subject_v1(subject: Subject) -> dict[str, str]:
    entry = {"name": subject.name}
    if subject.code:
        entry["code"] = subject.code
    return entry


FORMAT = Format(NAME, looks_like, parse)
