"""AP Media API JSON: a feed or search page (`data.items[].item`, with `data.next_page`), a
single item (`data.item`), or the item objects themselves (what a source that splits pages
at `data.items` delivers).

Fields as AP's Media API documentation describes them (Content Metadata Fields; Identifying
Publishable Content): `altids.itemid` is the stable id across revisions, `altids.etag` and
`version` mark a revision; only an item whose `signals` carry `newscontent` may ever be
published: advisories, daybooks and other editors-only items lack it and get Story.hold, as
does anything marked not for publication. `editorialtypes` Kill and Elimination cancel,
Withhold withholds, Correction is a correction. The text is not in the JSON: it is the NITF
rendition at `renditions.nitf.href`, which becomes Story.body_href; the source fetches it
(sources/renditions.py) and the story waits, unshown, until it has it.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from wiredesk.formats.cleantext import json_bytes, read_json
from wiredesk.formats.contract import Format
from wiredesk.formats.dates import safe_datetime
from wiredesk.formats.errors import FormatError
from wiredesk.formats.headlines import ensure_headline
from wiredesk.formats.pictures import Pictures, picture_story, status
from wiredesk.formats.pictures import text as plain
from wiredesk.story import Picture, Pubstatus, Story, StoryWarning, Subject

NAME = "apmedia"
URI_PREFIX = "tag:ap.org,2011:"  # the guid AP's own NewsML-G2 gives the same item
_NON_TEXT = {"picture", "video", "audio", "graphic", "complexdata"}
_PICTURE_TYPES = {"picture", "graphic"}
_NOT_FOR_PUBLICATION = re.compile(r"\bnot for (?:publication|pub)\b|\bnot for publishing\b", re.I)
_EDITORS_ONLY = ("advisory", "daybook", "budget", "schedule")
_AGENCY_TITLES = {"associated press", "the associated press", "ap"}


def looks_like(data: bytes) -> bool:
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if head not in (b"{", b"["):
        return False
    window = data[:65536]
    return b'"altids"' in window and b'"itemid"' in window


def parse(data: bytes, *, agency: str | None = None) -> list[Story]:
    """The text items of an AP Media API response; pictures and video are not stories."""
    doc, warnings = read_json(data, NAME)
    found = _items(doc)
    stories = []
    for where, item in found:
        raw = data if len(found) == 1 else json_bytes(item)
        story = _story(item, where, raw, agency)
        if story is not None:
            stories.append(story.with_changes(warnings=(*warnings, *story.warnings))
                           if warnings else story)
    return stories


def _items(doc: Any) -> list[tuple[str, dict[str, Any]]]:
    """(JSON path, item) for every item in a response, an entry, or an array of either."""
    if isinstance(doc, list):
        if not doc:
            raise FormatError(NAME, "$", "an empty array: expected AP Media API items")
        out = []
        for i, entry in enumerate(doc):
            out += [(f"$[{i}]{sub[1:]}", item) for sub, item in _items_of(entry, f"$[{i}]")]
        return out
    return _items_of(doc, "$")


def _items_of(node: Any, where: str) -> list[tuple[str, dict[str, Any]]]:
    if not isinstance(node, dict):
        raise FormatError(NAME, where, f"expected a JSON object, got {type(node).__name__}")
    data = node.get("data")
    if isinstance(data, dict):
        if "items" in data:
            items = data["items"]
            if not isinstance(items, list):
                raise FormatError(NAME, "$.data.items", f"expected a list, got {type(items).__name__}")
            return [(f"$.data.items[{i}].item", _entry_item(e, f"$.data.items[{i}]"))
                    for i, e in enumerate(items)]
        if "item" in data:
            return [("$.data.item", _entry_item(data, "$.data"))]
        raise FormatError(NAME, "$.data", "expected `items` (a feed or search) or `item`")
    if "item" in node:
        return [("$.item", _entry_item(node, "$"))]
    if "altids" in node:
        return [("$", node)]
    raise FormatError(NAME, where, "not an AP Media API response: no data.items, data.item or item")


def _entry_item(entry: Any, where: str) -> dict[str, Any]:
    item = entry.get("item") if isinstance(entry, dict) else None
    if not isinstance(item, dict):
        raise FormatError(NAME, f"{where}.item", "expected the item object")
    return item


class _Read:
    """An item's fields, with a warning for each one that had to be dropped."""

    def __init__(self, item: dict[str, Any], where: str) -> None:
        self.item, self.where = item, where
        self.warnings: list[StoryWarning] = []

    def drop(self, key: str, problem: str) -> None:
        self.warnings.append(StoryWarning(key, problem, "dropped"))

    def text(self, key: str, node: dict[str, Any] | None = None) -> str | None:
        value = (self.item if node is None else node).get(key)
        if value is None or value == "":
            return None
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return " ".join(v.strip() for v in value if v.strip()) or None  # usageterms
        if not isinstance(value, str):
            self.drop(key, f"expected text, got {type(value).__name__}")
            return None
        return value.strip() or None

    def words(self, key: str) -> list[str]:
        value = self.item.get(key)
        if value is None:
            return []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            self.drop(key, f"expected a list, got {type(value).__name__}")
            return []
        return [v.strip() for v in value if isinstance(v, str) and v.strip()]

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


def _story(item: dict[str, Any], where: str, raw: bytes, agency: str | None) -> Story | None:
    r = _Read(item, where)
    kind = item.get("type")
    if kind in _NON_TEXT and kind not in _PICTURE_TYPES:
        return None  # video, sound: not stories
    altids = item.get("altids") if isinstance(item.get("altids"), dict) else {}
    itemid = altids.get("itemid")
    if not isinstance(itemid, str) or not itemid.strip():
        raise FormatError(NAME, f"{where}.altids.itemid",
                          "an AP item needs altids.itemid (its id across revisions)")
    types = r.words("editorialtypes")
    editorial = {t.lower() for t in types}
    pubstatus, signals = _status(r, editorial, f"{where}.pubstatus")
    if kind in _PICTURE_TYPES:
        return _picture_item(item, r, where, raw, agency, pubstatus)
    version = item.get("version")
    if isinstance(version, bool) or not isinstance(version, int | str):
        version = None
    etag = altids.get("etag") if isinstance(altids.get("etag"), str) else None
    urgency = item.get("urgency")
    if urgency is not None and (isinstance(urgency, bool) or not isinstance(urgency, int)
                                or not 0 <= urgency <= 9):
        r.drop("urgency", f"expected a number from 1 to 8, got {str(urgency)[:40]!r}")
        urgency = None
    headline = r.text("headline")
    extended = r.text("headline_extended")
    if not headline and extended:
        headline = extended
        r.warnings.append(StoryWarning("headline", "no headline", "derived from headline_extended"))
    ednote = r.text("ednote")
    pictures: tuple[Picture, ...] = ()
    if "associations" in item:
        kit = Pictures()
        _associations(kit, item["associations"], where)
        pictures = kit.result()
        r.warnings += kit.warnings
    story = Story(
        uri=URI_PREFIX + itemid.strip(),
        headline=" ".join((headline or "").split()),
        version=str(version) if version is not None else etag,
        firstcreated=r.time("firstcreated"),
        versioncreated=r.time("versioncreated"),
        pubstatus=pubstatus,
        embargoed=r.time("embargoed", vital=True),
        expires=r.time("expires", vital=True),
        urgency=urgency,
        slugline=r.text("slugline"),
        by=_bylines(item.get("bylines"), r),
        located=r.text("located") or _located(item.get("datelinelocation")),
        agency=_infosource(item.get("infosource")) or agency or "AP",
        language=r.text("language"),
        subjects=_subjects(item, r),
        copyrightnotice=r.text("copyrightnotice"),
        usageterms=r.text("usageterms"),
        ednote=ednote,
        signals=signals,
        # AP's editorial types as it spells them: "Correction", "Writethru", "Ld-Writethru".
        label=", ".join(t for t in types if t.lower() in _LABELS or "writethru" in t.lower())
        or None,
        hold=_hold(item, r, editorial, headline, ednote),
        body_href=_nitf_href(item.get("renditions"), r),
        raw=raw,
        format=NAME,
        pictures=pictures,
    )
    if (r.text("pubstatus") or "").lower() == "embargoed" and story.embargoed is None:
        # AP: "Embargoed. Do not distribute the content item at this time." With no release
        # time given there is no moment at which it may be shown: held until a new version.
        story = story.with_changes(hold="AP: embargoed, with no release time given")
    if story.body_href is None and story.hold is None and story.pubstatus is Pubstatus.USABLE:
        story = story.with_changes(hold="no text: the item has no NITF rendition to read")
        r.warnings.append(StoryWarning("renditions", "no NITF rendition (renditions.nitf.href)",
                                       "held from readers"))
    story = story.with_changes(warnings=tuple(r.warnings))
    return ensure_headline(story, NAME, where)


_LABELS = {"correction", "writethru", "update", "lead", "refile", "advisory"}


def _picture_item(item: dict[str, Any], r: _Read, where: str, raw: bytes,
                  agency: str | None, pubstatus: Pubstatus) -> Story:
    """An AP picture item (or its kill) as a Story of type "picture"; held like any item
    AP does not mark `newscontent`."""
    kit = Pictures()
    picture = _picture(kit, item, where, None, alone=True)
    if picture is None:
        raise FormatError(NAME, f"{where}.renditions",
                          kit.warnings[0].problem if kit.warnings else "no rendition we may fetch")
    picture = replace(picture, pubstatus=pubstatus, expires=r.time("expires", vital=True),
                      versioncreated=r.time("versioncreated"))
    story = picture_story(picture, raw=raw, fmt=NAME,
                          agency=_infosource(item.get("infosource")) or agency or "AP",
                          warnings=(*r.warnings, *kit.warnings), language=r.text("language"),
                          firstcreated=r.time("firstcreated"))
    signals = {s.lower() for s in r.words("signals")}
    if "newscontent" not in signals and pubstatus is Pubstatus.USABLE:
        story = story.with_changes(
            hold="AP: no newscontent signal (an item for editors only, not for publication)")
    return story


def _picture(kit: Pictures, node: dict[str, Any], where: str, role: str | None,
             alone: bool = False) -> Picture | None:
    """A picture as AP describes it: `renditions` keyed by name (main, preview, thumbnail)
    with href, contentid, mimetype, width, height, sizeinbytes; the caption in
    `description_caption` (else the headline), the photographer in `photographer` or
    `bylines`. Its uri is AP's itemid (tag:ap.org,2011:...), as for AP's text."""
    found = node.get("renditions")
    renditions, offered = [], 0
    if isinstance(found, dict):
        for name, rendition in found.items():
            if not isinstance(rendition, dict) or name == "nitf":
                continue
            offered += isinstance(rendition.get("href"), str) and bool(rendition["href"].strip())
            renditions.append(kit.rendition(
                rendition.get("href"), name=str(name), width=rendition.get("width"),
                height=rendition.get("height"), contenttype=rendition.get("mimetype"),
                size=rendition.get("sizeinbytes"), where=f"{where}.renditions.{name}"))
    altids = node.get("altids") if isinstance(node.get("altids"), dict) else {}
    itemid = altids.get("itemid")
    uri = URI_PREFIX + itemid.strip() if isinstance(itemid, str) and itemid.strip() else None
    photographer = node.get("photographer")
    by = plain(photographer.get("name")) if isinstance(photographer, dict) else plain(photographer)
    headline = plain(node.get("headline"))
    usage = node.get("usageterms")
    version = node.get("version")
    return kit.add(
        renditions, uri=uri, offered=0 if alone and not offered else offered, role=role,
        headline=headline,
        caption=plain(node.get("description_caption")) or plain(node.get("caption"))
        or plain(node.get("description_summary")) or plain(node.get("headline_extended"))
        or headline,
        alt=plain(node.get("description_alt")) or plain(node.get("alt")),
        by=by or _bylines(node.get("bylines"), _Read(node, where)),
        creditline=plain(node.get("creditline")) or plain(node.get("credit")),
        copyrightholder=plain(node.get("copyrightholder")),
        copyrightnotice=plain(node.get("copyrightnotice")),
        usageterms=" ".join(u.strip() for u in usage if isinstance(u, str)) or None
        if isinstance(usage, list) else plain(usage),
        version=str(version) if isinstance(version, int) and not isinstance(version, bool)
        else plain(version),
        pubstatus=status(node.get("pubstatus")),
    )


def _associations(kit: Pictures, associations: Any, where: str) -> None:
    """The pictures a text item's `associations` name (an object keyed "1", "2"... or
    "featureimage"; or an array): each one's AP id, headline and any renditions given."""
    if isinstance(associations, dict):
        entries = list(associations.items())
    elif isinstance(associations, list):
        entries = [(a.get("name") if isinstance(a, dict) else None, a) for a in associations]
    else:
        return
    for name, node in entries:
        if isinstance(node, dict) and node.get("type") in _PICTURE_TYPES:
            role = str(name) if name is not None and not str(name).isdigit() else None
            _picture(kit, node, f"{where}.associations.{name}", role)


def _status(r: _Read, editorial: set[str], where: str) -> tuple[Pubstatus, tuple[str, ...]]:
    """pubstatus, overruled by the editorial types that cancel or withhold; signals."""
    word = r.text("pubstatus")
    signals: list[str] = []
    try:
        # AP lists "embargoed" as a pubstatus: usable once the embargo time has passed.
        pubstatus = Pubstatus.parse("usable" if (word or "").lower() == "embargoed" else word)
    except ValueError as exc:
        raise FormatError(NAME, where, str(exc)) from exc
    if editorial & {"kill", "elimination"}:
        pubstatus = Pubstatus.CANCELED
    elif "withhold" in editorial and pubstatus is Pubstatus.USABLE:
        pubstatus = Pubstatus.WITHHELD
    if "correction" in editorial:
        signals.append("correction")
    if editorial & {"writethru", "update", "lead"}:
        signals.append("update")
    return pubstatus, tuple(signals)


def _hold(item: dict[str, Any], r: _Read, editorial: set[str], headline: str | None,
          ednote: str | None) -> str | None:
    """Why AP says this item must never reach readers, or None. AP: an item without the
    `newscontent` signal may not be published at any time (advisories, daybooks)."""
    signals = {s.lower() for s in r.words("signals")}
    profile = (r.text("profile") or "").lower()
    kind = next((k for k in _EDITORS_ONLY if k in profile or k in editorial), None)
    if kind:
        return f"AP {kind}: for editors, not for publication"
    for text in (ednote, headline):
        if text and _NOT_FOR_PUBLICATION.search(text):
            return "marked not for publication"
    if "newscontent" not in signals:
        return "AP: no newscontent signal (an item for editors only, not for publication)"
    return None


def _bylines(value: Any, r: _Read) -> str | None:
    """`bylines`: [{by, title, code}]; "By JANE DOE" gives JANE DOE, and a title other than
    the agency's own name is kept after a comma ("JANE DOE, AP Medical Writer")."""
    if value is None:
        return None
    if not isinstance(value, list):
        r.drop("bylines", f"expected a list, got {type(value).__name__}")
        return None
    parts = []
    for entry in value:
        if not isinstance(entry, dict) or not isinstance(entry.get("by"), str):
            continue
        name = re.sub(r"^\s*by\s+", "", entry["by"], flags=re.I).strip()
        title = entry.get("title") if isinstance(entry.get("title"), str) else ""
        if name:
            keep = title.strip() and title.strip().lower() not in _AGENCY_TITLES
            parts.append(f"{name}, {title.strip()}" if keep else name)
    return "; ".join(parts) or None


def _located(value: Any) -> str | None:
    """`datelinelocation`: {city, countryareaname, countryname...} as "City, Area"."""
    if not isinstance(value, dict):
        return None
    city = value.get("city") if isinstance(value.get("city"), str) else None
    area = next((value[k] for k in ("countryareaname", "countryname")
                 if isinstance(value.get(k), str) and value[k].strip()), None)
    return ", ".join(p for p in (city, area) if p) or None


def _infosource(value: Any) -> str | None:
    if isinstance(value, list):
        for source in value:
            if isinstance(source, dict) and isinstance(source.get("name"), str) and source["name"].strip():
                return source["name"].strip()
    return None


def _subjects(item: dict[str, Any], r: _Read) -> tuple[Subject, ...]:
    out: list[Subject] = []
    subject = item.get("subject")
    if isinstance(subject, list):
        for entry in subject:
            if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
                continue
            code, scheme = entry.get("code"), entry.get("scheme")
            uri = (scheme + code) if isinstance(scheme, str) and isinstance(code, str) and \
                scheme.startswith(("http://", "https://")) else None
            out.append(Subject(entry["name"], uri, code if isinstance(code, str) else None))
    elif subject is not None:
        r.drop("subject", f"expected a list, got {type(subject).__name__}")
    out += [Subject(k) for k in r.words("keywords")]
    return tuple(out)


def _nitf_href(renditions: Any, r: _Read) -> str | None:
    if not isinstance(renditions, dict):
        return None
    nitf = renditions.get("nitf")
    if not isinstance(nitf, dict):
        nitf = next((v for v in renditions.values() if isinstance(v, dict)
                     and str(v.get("format", "")).upper() == "NITF"), None)
    if not isinstance(nitf, dict):
        return None
    href = nitf.get("href")
    if not isinstance(href, str) or not href.strip().lower().startswith(("https://", "http://")):
        r.drop("renditions.nitf.href", f"expected an http(s) URL, got {str(href)[:60]!r}")
        return None
    return href.strip()


FORMAT = Format(NAME, looks_like, parse)
