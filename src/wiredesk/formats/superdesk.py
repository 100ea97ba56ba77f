"""Superdesk's ninjs: what Superdesk's NINJSFormatter writes (superdesk-core,
superdesk/publish/formatters/ninjs_formatter.py), the newsroom system behind several
national agencies' feeds. It is ninjs 1.x in spirit but not in schema: the id is `guid`
(no `uri`), `associations` is an object keyed by name (`featuremedia`, `editor_0`...),
`subject`/`service`/`genre`/`place` entries carry `code`/`name`/`scheme`, and it adds
`priority`, `service`, `authors`, `keywords`, `extra`, `anpa_take_key`, `evolvedfrom`,
`profile`, `signal`, `wordcount`/`charcount`/`readtime`, `firstpublished`.

Told apart from official ninjs by content: a `guid` and either no `uri` or a field only
Superdesk writes. Mapped to Story field by field; what is odd is dropped with a warning,
never refused, except a missing id, an unknown pubstatus or an unreadable embargo.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from wiredesk.formats.cleantext import json_bytes, read_json
from wiredesk.formats.contract import Format
from wiredesk.formats.dates import safe_datetime
from wiredesk.formats.errors import FormatError
from wiredesk.formats.headlines import ensure_headline
from wiredesk.formats.pictures import Pictures, picture_story, status, text
from wiredesk.formats.wirerules import WireBody, wire_body
from wiredesk.story import Body, Picture, Pubstatus, Story, StoryWarning, Subject

NAME = "superdesk"
# Fields only Superdesk's formatter writes (none is a ninjs 1.x, 2.x or 3.x field).
_MARKERS = ("priority", "service", "anpa_take_key", "evolvedfrom", "authors", "keywords",
            "extra", "signal", "wordcount", "charcount", "readtime", "firstpublished")
_BYTE_MARKERS = tuple(f'"{m}"'.encode() for m in _MARKERS)
_NON_TEXT = {"picture", "video", "audio", "graphic"}
_PICTURE_TYPES = {"picture", "graphic"}
_TEXT_TYPES = {"text", "preformatted", "composite", None}


def looks_like(data: bytes) -> bool:
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if head not in (b"{", b"["):
        return False
    window = data[:65536]
    if b'"guid"' not in window:
        return False
    return b'"uri"' not in window or any(m in window for m in _BYTE_MARKERS)


def is_superdesk(item: Any) -> bool:
    """Whether a decoded JSON object is a Superdesk item rather than official ninjs."""
    return isinstance(item, dict) and isinstance(item.get("guid"), str) and (
        "uri" not in item or any(m in item for m in _MARKERS))


def parse(data: bytes, *, agency: str | None = None) -> list[Story]:
    """One Superdesk item or a JSON array of them; a composite (package) gives the text
    items it carries in `associations`. `agency` names the sender when the item does not
    (no `source`, no `copyrightholder`)."""
    doc, warnings = read_json(data, NAME)
    items = doc if isinstance(doc, list) else [doc]
    if not items:
        raise FormatError(NAME, "$", "expected a Superdesk ninjs object or a non-empty array of them")
    stories: list[Story] = []
    for index, item in enumerate(items):
        where = f"$[{index}]" if isinstance(doc, list) else "$"
        if not isinstance(item, dict):
            raise FormatError(NAME, where, f"expected a JSON object, got {type(item).__name__}")
        raw = data if len(items) == 1 else json_bytes(item)
        for story in _stories(item, where, raw, agency):
            stories.append(story.with_changes(warnings=(*warnings, *story.warnings))
                           if warnings else story)
    return stories


def _stories(item: dict[str, Any], where: str, raw: bytes, agency: str | None) -> list[Story]:
    kind = item.get("type")
    if kind in _PICTURE_TYPES:
        return [_picture_item(item, where, raw, agency)]
    if kind in _NON_TEXT:
        return []  # video and sound are not stories
    if kind == "composite":
        # A package: its text items are the stories (each has its own guid).
        associations = item.get("associations")
        if not isinstance(associations, dict):
            return []
        stories = [_story(member, f"{where}.associations.{name}", json_bytes(member), agency)
                   for name, member in associations.items()
                   if isinstance(member, dict) and member.get("type", "text") == "text"
                   and (member.get("body_html") or member.get("body_text"))]
        # The package's own pictures go with a story that names none of its own.
        kit = Pictures()
        for name, member in associations.items():
            if isinstance(member, dict) and member.get("type") in _PICTURE_TYPES:
                _picture(kit, member, f"{where}.associations.{name}", str(name))
        shared = kit.result()
        return [s if s.pictures or not shared else
                s.with_changes(pictures=shared, warnings=(*s.warnings, *kit.warnings))
                for s in stories]
    return [_story(item, where, raw, agency)]


class _Fields:
    """Reads an item's fields, collecting a warning for each one it has to drop."""

    def __init__(self, item: dict[str, Any], where: str) -> None:
        self.item, self.where = item, where
        self.warnings: list[StoryWarning] = []

    def drop(self, key: str, problem: str) -> None:
        self.warnings.append(StoryWarning(key, problem, "dropped"))

    def text(self, key: str) -> str | None:
        value = self.item.get(key)
        if value is None or value == "":
            return None
        if isinstance(value, int | float) and not isinstance(value, bool) and key == "version":
            return str(value)
        if not isinstance(value, str):
            self.drop(key, f"expected text, got {type(value).__name__}")
            return None
        return value

    def number(self, key: str, low: int, high: int) -> int | None:
        value = self.item.get(key)
        if value is None:
            return None
        if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) < 20:
            value = int(value.strip())  # (a longer one is no urgency, nor an int() we can do)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.drop(key, f"expected a number from {low} to {high}, got {str(value)[:40]!r}")
            return None
        return value

    def time(self, key: str, vital: bool = False) -> Any:
        value = self.item.get(key)
        if value in (None, ""):
            return None
        try:
            return safe_datetime(value, NAME, f"{self.where}.{key}")
        except FormatError:
            if vital:
                raise
            self.drop(key, f"not a date-time: {str(value)[:40]!r}")
            return None

    def entries(self, key: str) -> list[dict[str, Any]]:
        value = self.item.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.drop(key, f"expected a list, got {type(value).__name__}")
            return []
        return [e for e in value if isinstance(e, dict)]


def _story(item: dict[str, Any], where: str, raw: bytes, agency: str | None) -> Story:
    f = _Fields(item, where)
    guid = item.get("guid")
    if not isinstance(guid, str) or not guid.strip():
        raise FormatError(NAME, f"{where}.guid", "a Superdesk item needs its guid (its id)")
    try:
        pubstatus = Pubstatus.parse(f.text("pubstatus"))
    except ValueError as exc:
        raise FormatError(NAME, f"{where}.pubstatus", str(exc)) from exc
    urgency = f.number("urgency", 0, 9)
    priority = f.number("priority", 0, 9)
    wb = _body(f)
    by = f.text("byline") or _authors(f.entries("authors")) or wb.by
    source = f.text("source")
    pictures: tuple[Picture, ...] = ()
    associations = item.get("associations")
    if isinstance(associations, dict):
        kit = Pictures()
        for name, member in associations.items():
            if isinstance(member, dict) and member.get("type") in _PICTURE_TYPES:
                _picture(kit, member, f"{where}.associations.{name}", str(name))
        pictures = kit.result()
        f.warnings += kit.warnings
    story = Story(
        uri=guid.strip(),
        headline=" ".join((f.text("headline") or "").split()),
        body=wb.body,
        version=f.text("version"),
        firstcreated=f.time("firstcreated"),
        versioncreated=f.time("versioncreated") or f.time("firstpublished"),
        pubstatus=pubstatus,
        embargoed=f.time("embargoed", vital=True),
        expires=f.time("expiry", vital=True),
        urgency=urgency if urgency is not None else priority,
        slugline=f.text("slugline"),
        by=by,
        located=f.text("located") or wb.located,
        dateline=wb.dateline,
        agency=source or f.text("copyrightholder") or wb.agency or agency,
        language=f.text("language"),
        subjects=_subjects(f),
        copyrightholder=f.text("copyrightholder"),
        copyrightnotice=f.text("copyrightnotice"),
        usageterms=f.text("usageterms"),
        ednote=" ".join(x for x in (f.text("ednote"), wb.ednote) if x) or None,
        creditline=wb.creditline,
        signals=_signals(f),
        raw=raw,
        format=NAME,
        pictures=pictures,
    )
    story = story.with_changes(warnings=tuple(f.warnings))
    return ensure_headline(story, NAME, where)


def _picture_item(item: dict[str, Any], where: str, raw: bytes, agency: str | None) -> Story:
    """A Superdesk picture item alone (or its kill) as a Story of type "picture"."""
    kit = Pictures()
    f = _Fields(item, where)
    picture = _picture(kit, item, where, None, alone=True)
    if picture is None:
        problem = kit.warnings[0].problem if kit.warnings else "no rendition we may fetch"
        raise FormatError(NAME, f"{where}.renditions", problem)
    try:
        pubstatus = Pubstatus.parse(f.text("pubstatus"))
    except ValueError as exc:
        raise FormatError(NAME, f"{where}.pubstatus", str(exc)) from exc
    expires = f.time("expiry", vital=True)
    return picture_story(
        replace(picture, pubstatus=pubstatus, expires=expires or picture.expires),
        raw=raw, fmt=NAME, agency=f.text("source") or picture.copyrightholder or agency,
        warnings=(*f.warnings, *kit.warnings), language=f.text("language"),
        firstcreated=f.time("firstcreated"))


def _picture(kit: Pictures, node: dict[str, Any], where: str, role: str | None,
             alone: bool = False) -> Picture | None:
    """A picture as Superdesk's formatter writes it: `renditions` keyed by name (original,
    baseImage, viewImage, thumbnail) with href, width, height and mimetype; the caption in
    `description_text` (else `body_text`), `alt_text`, `byline`, rights fields."""
    found = node.get("renditions")
    renditions, offered = [], 0
    if isinstance(found, dict):
        for name, r in found.items():
            if isinstance(r, dict):
                offered += isinstance(r.get("href"), str) and bool(r["href"].strip())
                renditions.append(kit.rendition(
                    r.get("href"), name=str(name), width=r.get("width"), height=r.get("height"),
                    contenttype=r.get("mimetype") or r.get("contenttype"), where=where))
    when = None
    stamp = node.get("versioncreated")
    if isinstance(stamp, str) and stamp.strip():
        try:
            when = safe_datetime(stamp, NAME, f"{where}.versioncreated")
        except FormatError as exc:
            kit.warn(exc.problem)
    version = node.get("version")
    return kit.add(
        renditions, uri=node.get("guid") or node.get("uri"),
        offered=0 if alone and not offered else offered, role=role,
        headline=text(node.get("headline")),
        caption=text(node.get("description_text")) or text(node.get("body_text")),
        alt=text(node.get("alt_text")),
        by=text(node.get("byline")),
        creditline=text(node.get("creditline")) or text(node.get("credit")),
        copyrightholder=text(node.get("copyrightholder")),
        copyrightnotice=text(node.get("copyrightnotice")),
        usageterms=text(node.get("usageterms")),
        version=str(version) if isinstance(version, int) and not isinstance(version, bool)
        else text(version),
        versioncreated=when,
        pubstatus=status(node.get("pubstatus")),
    )


def _body(f: _Fields) -> WireBody:
    """body_html, else body_text, with the wire-copy rules (lead dateline, credit line)."""
    html = f.text("body_html")
    if html and html.strip():
        return wire_body(html, True)
    text = f.text("body_text")
    if text and text.strip():
        return wire_body(text, False)
    return WireBody(Body.empty())


def _authors(authors: list[dict[str, Any]]) -> str | None:
    """Superdesk's `authors` (name, role, sub_label...) when no `byline` was written."""
    names = [str(a.get("name") or a.get("sub_label") or "").strip() for a in authors
             if str(a.get("role") or "writer").lower() in ("writer", "author", "correspondent", "")]
    names = [n for n in names if n]
    if not names:
        return None
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _subjects(f: _Fields) -> tuple[Subject, ...]:
    out: list[Subject] = []
    for entry in f.entries("subject"):
        name, code = entry.get("name"), entry.get("code") or entry.get("qcode")
        if not isinstance(name, str) and not isinstance(code, str):
            continue
        scheme = entry.get("scheme")
        uri = (scheme + str(code)) if isinstance(scheme, str) and scheme.startswith(
            ("http://", "https://")) and code else None
        out.append(Subject(name=str(name or code), uri=uri, code=str(code) if code else None))
    keywords = f.item.get("keywords")
    if isinstance(keywords, list):
        out += [Subject(name=k.strip()) for k in keywords if isinstance(k, str) and k.strip()]
    elif keywords is not None:
        f.drop("keywords", f"expected a list, got {type(keywords).__name__}")
    return tuple(out)


def _signals(f: _Fields) -> tuple[str, ...]:
    """Superdesk marks a rewrite with `evolvedfrom` (the item it updates), a correction in
    its take key ("Correction", "update 2") and its `signal` entries."""
    out: list[str] = []
    take_key = (f.text("anpa_take_key") or "").lower()
    if "correct" in take_key or any(str(s.get("code", "")).lower() in ("correction", "sig:correction")
                                    for s in f.entries("signal")):
        out.append("correction")
    if f.item.get("evolvedfrom") or "update" in take_key or "writethru" in take_key:
        out.append("update")
    return tuple(out)


FORMAT = Format(NAME, looks_like, parse)
