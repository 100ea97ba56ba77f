"""IPTC ninjs 1.x, 2.x and 3.x in; ninjs 1.6, 2.2 and 3.1 out.

The generation is told by content (ninjs 3 is camelCase, ninjs 1 has a plain `headline` and
`body_*` keys; most fields win over one stray field of another generation), every item is
validated against the official schema of its generation. A field that fails it and can be
ignored is dropped with a StoryWarning; a vital one (uri, headlines, bodies, pubstatus,
embargo, expiry) fails the item with that field's JSON path in the message. A body without
a headline gets one derived (formats/headlines.py). Superdesk's own ninjs dialect is read by
formats/superdesk.py.
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

from wiredesk.formats import ninjs_pictures
from wiredesk.formats.bodies import body_from_html, body_from_text
from wiredesk.formats.cleantext import json_bytes, read_json
from wiredesk.formats.contract import Format
from wiredesk.formats.dates import parse_datetime
from wiredesk.formats.errors import FormatError
from wiredesk.formats.headlines import ensure_headline
from wiredesk.formats.ninjs_out import PROFILES as PROFILES
from wiredesk.formats.ninjs_out import V3_KEYS as _V3_KEYS
from wiredesk.formats.ninjs_out import to_ninjs as to_ninjs
from wiredesk.formats.pictures import Pictures
from wiredesk.formats.revisions import signal_words
from wiredesk.story import Body, Picture, Pubstatus, Story, StoryWarning, Subject

NAME = "ninjs"
_HTML_TYPES = ("text/html", "application/xhtml+xml", "application/html")
_NON_TEXT = {"picture", "video", "audio", "graphic"}
_PICTURE_TYPES = {"picture", "graphic"}

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


# Fields a story cannot do without, or whose meaning for readers must not be guessed (a kill
# status, an embargo, an end of use): wrong here, the item is refused. Any other field that
# fails the schema is dropped with a warning and the rest of the item is read.
_VITAL = frozenset({"uri", "type", "headline", "headlines", "bodies", "pubstatus", "pubStatus",
                    "embargoed", "embargoedUntil", "expires"})


@cache
def _known(profile: str) -> tuple[frozenset[str], tuple[str, ...]]:
    """The top-level field names the profile's schema defines, and its name patterns."""
    schema = _schema(profile)
    node = schema if "properties" in schema else schema.get("$defs", {}).get("ninjsType", {})
    patterns = tuple(p.strip("^").split("[", 1)[0] for p in schema.get("patternProperties", {}))
    return frozenset(node.get("properties", {})), patterns


def lenient(item: dict[str, Any], profile: str, where: str
            ) -> tuple[dict[str, Any], tuple[StoryWarning, ...]]:
    """The item without the fields that fail its schema and can be ignored, and a warning
    for each; a FormatError naming the field (its JSON path) when a vital one is wrong."""
    if _fast(profile).is_valid(item):
        return item, ()
    fmt = f"ninjs {profile}"
    known, patterns = _known(profile)
    drop: dict[str, str] = {}
    for error in validator(profile).iter_errors(item):
        path = list(error.absolute_path)
        if path:
            key, problem, at = str(path[0]), error.message, error.json_path
        elif error.validator == "required":
            missing = [k for k in error.validator_value if k not in item]
            key = missing[0] if missing else "uri"
            problem, at = f"required field {key!r} is missing", f"$.{key}"
        elif error.validator in ("additionalProperties", "unevaluatedProperties"):
            for extra in item:
                if extra not in known and not extra.startswith(patterns) and extra not in drop:
                    drop[extra] = f"not a ninjs {profile} field"
            continue
        else:
            raise FormatError(fmt, where, error.message[:300])
        if key in _VITAL or key.startswith(("body_", "headline_")):
            raise FormatError(fmt, at.replace("$", where, 1), problem[:300])
        drop.setdefault(key, f"{problem[:200]} (at {at.replace('$', where, 1)})")
    kept = {k: v for k, v in item.items() if k not in drop}
    error = check(kept, profile)
    if error is not None:  # dropping fields cannot make new errors; a guard all the same
        raise FormatError(fmt, error.json_path.replace("$", where, 1), error.message[:300])
    warnings = []
    for key, problem in drop.items():
        action = "dropped"
        if profile != "1.6" and isinstance(item[key], str) and item[key].strip():
            # A 1.x field in a 2.x/3.x item: read as its 2.x equivalent when that is missing.
            moved = _from_v1(kept, key, item[key], profile)
            action = f"read as {moved}" if moved else action
        warnings.append(StoryWarning(key, problem, action))
    return kept, tuple(warnings)


def _from_v1(kept: dict[str, Any], key: str, value: str, profile: str) -> str | None:
    """Put a stray ninjs 1.x text field into `kept` under its 2.x name if that is free."""
    ctype = "contentType" if profile == "3.1" else "contenttype"
    if key == "byline" and not kept.get("by"):
        kept["by"] = value
        return "by"
    if key == "headline" and not kept.get("headlines"):
        kept["headlines"] = [{"role": "main", "value": value}]
        return "headlines"
    if key in ("body_html", "body_text") and not kept.get("bodies"):
        kind = "text/html" if key == "body_html" else "text/plain"
        kept["bodies"] = [{"role": "main", ctype: kind, "value": value}]
        return "bodies"
    return None


# What each generation calls its fields, to tell them apart by content (ninjs 3 keeps the
# 2.x names of these and renames others to camelCase: _V3_MARKERS).
_V1_KEYS = frozenset({"headline", "byline", "subject", "infosource", "place", "person",
                      "organisation", "event", "object", "trustindicator"})
_V1_PREFIXES = ("body_", "description_", "headline_")
_V2_KEYS = frozenset({"headlines", "bodies", "by", "subjects", "infosources", "descriptions",
                      "places", "people", "organisations", "events", "objects", "genres",
                      "trustindicators"})


def generation(item: dict[str, Any]) -> str:
    """Which schema an item follows, by its own signals: the version it declares, unless
    its fields are all of another generation; else the generation most of its fields name
    (a 2.x item carrying one stray 1.x field is still 2.x, and is checked as such)."""
    standard = item.get("standard") or item.get("$standard") or {}
    declared = str(standard.get("version", "")) if isinstance(standard, dict) else ""
    declared = {"1": "1.6", "2": "2.2", "3": "3.1"}.get(declared[:1], "")
    keys = item.keys()
    v1 = len(keys & _V1_KEYS)
    names = "\x00" + "\x00".join(keys)
    if "_" in names:  # 1.x's body_*, description_*, headline_* (2.x names have no "_")
        v1 += sum(names.count("\x00" + p) for p in _V1_PREFIXES)
    v3 = len(keys & _V3_MARKERS) or any(
        isinstance(b, dict) and "contentType" in b for b in item.get("bodies", []) or [])
    if not v1 and not declared:  # nearly every 2.x and 3.x item: nothing to weigh
        return "3.1" if v3 else "2.2"
    v2 = len(keys & _V2_KEYS)
    by_content = ("3.1" if v3 and v3 + v2 >= v1 else "1.6" if v1 > v2 else
                  "2.2" if v2 > v1 else "")
    own = {"1.6": v1, "2.2": v2, "3.1": v3}
    if declared and (not by_content or by_content == declared or own[declared] > 0):
        return declared
    return by_content or declared or "2.2"


def looks_like(data: bytes) -> bool:
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if head not in (b"{", b"["):
        return False
    return b'"uri"' in data[:65536]


def parse(data: bytes, *, agency: str | None = None) -> list[Story]:
    """Parse a ninjs document: one item, or a JSON array of items. `agency` is not used:
    every item names its own originator (infosources, else the copyright holder)."""
    doc, warnings = read_json(data, NAME)
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
            stories.append(story.with_changes(warnings=(*warnings, *story.warnings))
                           if warnings else story)
    return stories


def _item_to_story(item: dict[str, Any], where: str, raw: bytes) -> Story | None:
    profile = generation(item)
    fmt = f"ninjs {profile}"
    signals = signal_words(item.get("signals"))  # no ninjs field, but agencies send it
    item, dropped = lenient(item, profile, where)
    if signals and dropped:
        dropped = tuple(w for w in dropped if w.field != "signals")
    v = _V3_KEYS.get if profile == "3.1" else (lambda key, default=None: key)
    if item.get("type") in _PICTURE_TYPES:
        agency = _originator(item.get(v("infosources", "infosources"))
                             or item.get("infosource") or [])
        return ninjs_pictures.picture_item(item, profile, where, raw, dropped, agency)
    if item.get("type") in _NON_TEXT:
        return None  # a video or sound is not a story; it is carried as an association

    def get(key: str) -> Any:
        return item.get(v(key, key))

    def when(key: str) -> Any:
        try:
            return parse_datetime(get(key), fmt, f"{where}.{v(key, key)}")
        except FormatError as exc:
            if key in ("embargoed", "expires"):
                raise  # when readers may see it is never guessed
            nonlocal dropped
            dropped += (StoryWarning(v(key, key), exc.problem, "dropped"),)
            return None

    read = _read_v1(item) if profile == "1.6" else _read_v2(item, v)
    urgency = get("urgency")
    if urgency is not None and not (isinstance(urgency, int | float) and 0 <= urgency <= 9):
        dropped += (StoryWarning("urgency", f"expected a number from 1 to 9, got {urgency!r}",
                                 "dropped"),)
        urgency = None
    try:
        pubstatus = Pubstatus.parse(get("pubstatus"))
    except ValueError as exc:
        raise FormatError(fmt, f"{where}.{v('pubstatus', 'pubstatus')}", str(exc)) from exc
    agency = _originator(read.infosources) or get("copyrightholder")
    pictures: tuple[Picture, ...] = ()
    if "associations" in item:
        kit = Pictures()
        ninjs_pictures.associations(kit, item["associations"], profile, where)
        pictures, dropped = kit.result(), (*dropped, *kit.warnings)
    story = Story(
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
        signals=signals,
        description=_summary(read.descriptions) if read.descriptions else None,
        raw=raw,
        format=fmt,
        warnings=dropped,
        pictures=pictures,
    )
    return story if story.headline else ensure_headline(story, fmt, where)


def _summary(descriptions: dict[str, Any]) -> str | None:
    """The agency's own summary of the story, for lists (issue 14), in one line."""
    for role in ("summary", "drol:summary", "text", ""):
        value = descriptions.get(role)
        if isinstance(value, str) and value.strip():
            return " ".join(value.split())
    return None


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


FORMAT = Format(NAME, looks_like, parse)
