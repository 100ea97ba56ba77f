"""JSON Feed 1.1 (and 1.0): one Story per item.

Mapped from the specification (https://jsonfeed.org/version/1.1): `id` -> uri, `title` ->
headline (agency tags stripped), `content_html` / `content_text` -> body (plain-copy rules
for byline, advisories, dateline and credit line), `date_published` -> firstcreated,
`date_modified` -> versioncreated, `authors[].name` (1.0: `author.name`, items inherit the
feed's) -> by, `tags` -> subjects, `language` (item, else feed) -> language, the feed
`title` -> agency when no dateline names one.

JSON Feed has no embargo, status, urgency or rights fields. Its extension rule ("custom
objects ... names must start with an underscore") lets an agency add them: an item may carry
`_ninjs` with ninjs 2.x names (version, pubstatus, embargoed, expires, urgency, slugline,
located, copyrightholder, copyrightnotice, usageterms, ednote); the feed's `_ninjs` gives
default rights (copyrightholder, copyrightnotice, usageterms) for every item.
"""

from __future__ import annotations

import json
import re
from typing import Any

from wiredesk.formats.cleantext import json_bytes, load_json
from wiredesk.formats.contract import Format
from wiredesk.formats.dates import safe_datetime
from wiredesk.formats.errors import FormatError
from wiredesk.formats.headlines import ensure_headline
from wiredesk.formats.pictures import Pictures
from wiredesk.formats.pictures import text as plain
from wiredesk.formats.revisions import label_of
from wiredesk.formats.textcodec import decode
from wiredesk.formats.wirerules import (
    WireBody,
    headline_rules,
    join_names,
    wire_body,
    withdrawn_notice,
)
from wiredesk.formats.xmlsafe import MAX_BYTES
from wiredesk.story import Pubstatus, Story, Subject

NAME = "jsonfeed"
VERSIONS = {"https://jsonfeed.org/version/1": "1.0", "https://jsonfeed.org/version/1.1": "1.1"}
_SNIFF = re.compile(rb'"version"\s*:\s*"https:(?://|\\/\\/)jsonfeed\.org(?:/|\\/)version(?:/|\\/)')
_EXT_TEXT = ("version", "pubstatus", "embargoed", "expires", "slugline", "located",
             "copyrightholder", "copyrightnotice", "usageterms", "ednote")


def looks_like(data: bytes) -> bool:
    """A JSON object whose `version` is a jsonfeed.org version URL (ninjs has none)."""
    head = data[:65536].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head[:1] == b"{" and _SNIFF.search(head) is not None


def parse(data: bytes, *, agency: str | None = None) -> list[Story]:
    if len(data) > MAX_BYTES:
        raise FormatError(NAME, "document", f"{len(data)} bytes is over the {MAX_BYTES} byte limit")
    text = decode(data, NAME)
    try:
        doc, warnings = load_json(text)
    except json.JSONDecodeError as exc:
        raise FormatError(NAME, f"line {exc.lineno} column {exc.colno}",
                          f"invalid JSON: {exc.msg}") from exc
    except (ValueError, RecursionError) as exc:  # 5,000-digit numbers, 10,000 nested brackets
        raise FormatError(NAME, "$", f"unreadable JSON: {str(exc)[:100]}") from exc
    if not isinstance(doc, dict):
        raise FormatError(NAME, "$", f"expected a JSON Feed object, got {_kind(doc)}")
    version = _str(doc, "version", "$", required=True)
    spec = VERSIONS.get(version.rstrip("/"))  # type: ignore[union-attr]
    if spec is None:
        raise FormatError(NAME, "$.version", f"expected {' or '.join(VERSIONS)}, got {version!r}")
    feed_title = _str(doc, "title", "$", required=True)
    items = doc.get("items")
    if not isinstance(items, list):
        raise FormatError(NAME, "$.items", f"expected an array of items, got {_kind(items)}")
    # Feed-level defaults are rights only: a status or version belongs to one item.
    feed_ext = {k: v for k, v in _extension(doc, "$").items()
                if k in ("copyrightholder", "copyrightnotice", "usageterms")}
    feed_authors = _authors(doc, "$", spec)
    feed_language = _str(doc, "language", "$")
    stories = []
    for index, item in enumerate(items):
        where = f"$.items[{index}]"
        if not isinstance(item, dict):
            raise FormatError(NAME, where, f"expected an item object, got {_kind(item)}")
        story = _item(item, where, spec, feed_title, feed_authors, feed_language, feed_ext,
                      agency)
        stories.append(story.with_changes(warnings=(*warnings, *story.warnings))
                       if warnings else story)
    return stories


def _item(item: dict[str, Any], where: str, spec: str, feed_title: str | None,
          feed_authors: list[str], feed_language: str | None, feed_ext: dict[str, Any],
          agency: str | None) -> Story:
    uri = _item_id(item, where, spec)
    title, html, text = _content(item, where)
    headline, signals, version, kill_tag = headline_rules(title)
    wb: WireBody = wire_body(html, True) if html is not None else wire_body(text or "", False)
    ext = {**feed_ext, **_extension(item, where)}

    def when(key: str) -> Any:
        return safe_datetime(_str(item, key, where), NAME, f"{where}.{key}")

    def ext_when(key: str) -> Any:
        return safe_datetime(ext.get(key), NAME, f"{where}._ninjs.{key}")

    pubstatus = _pubstatus(ext, kill_tag or withdrawn_notice(wb.body.text), where)
    if pubstatus is Pubstatus.CANCELED:
        signals.append("withdrawn")
    tags = _tags(item, where)
    published = when("date_published")
    kit = Pictures()
    if "image" in item or "banner_image" in item or "attachments" in item:
        _pictures(kit, item, where)
    story = Story(
        uri=uri.strip(),
        headline=headline,
        body=wb.body,
        version=ext.get("version") or version,
        firstcreated=published,
        versioncreated=when("date_modified") or published,
        pubstatus=pubstatus,
        embargoed=ext_when("embargoed"),
        expires=ext_when("expires"),
        urgency=ext.get("urgency"),
        slugline=ext.get("slugline"),
        by=join_names(_authors(item, where, spec)) or wb.by or join_names(feed_authors),
        located=ext.get("located") or wb.located,
        dateline=wb.dateline,
        agency=wb.agency or agency or feed_title,
        language=_str(item, "language", where) or feed_language,
        subjects=tuple(dict.fromkeys(Subject(name=" ".join(t.split())) for t in tags if t.strip())),
        copyrightholder=ext.get("copyrightholder"),
        copyrightnotice=ext.get("copyrightnotice"),
        usageterms=ext.get("usageterms"),
        ednote=" ".join(x for x in (ext.get("ednote"), wb.ednote) if x) or None,
        creditline=wb.creditline,
        signals=tuple(dict.fromkeys(signals)),
        label=label_of(title) if signals else None,
        # Always the item itself: a polled feed's other items and header change between
        # polls, and the desk tells a repeat from a new version by these bytes.
        raw=json_bytes(item),
        format=NAME,
        pictures=kit.result(),
        warnings=tuple(kit.warnings),
    )
    return ensure_headline(story, NAME, where)  # JSON Feed makes the title optional


def _pictures(kit: Pictures, item: dict[str, Any], where: str) -> None:
    """`image` (the item's main picture: the lead), `banner_image`, and `attachments` whose
    `mime_type` is an image (their `title` the caption). One URL is one picture."""
    for key, role in (("image", "main"), ("banner_image", "banner")):
        href = item.get(key)
        if isinstance(href, str) and href.strip():
            kit.add([kit.rendition(href, where=f"{where}.{key}")], offered=1, role=role)
    attachments = item.get("attachments")
    if not isinstance(attachments, list):
        return
    for index, attachment in enumerate(attachments):
        if not isinstance(attachment, dict):
            continue
        ctype = attachment.get("mime_type")
        if not (isinstance(ctype, str) and ctype.strip().lower().startswith("image/")):
            continue  # podcasts' audio, PDFs: not pictures
        kit.add([kit.rendition(attachment.get("url"), contenttype=ctype,
                               size=attachment.get("size_in_bytes"),
                               where=f"{where}.attachments[{index}]")],
                offered=1, caption=plain(attachment.get("title")))


def _item_id(item: dict[str, Any], where: str, spec: str) -> str:
    uri = item.get("id")
    if spec == "1.0" and isinstance(uri, int | float) and not isinstance(uri, bool):
        uri = str(uri)  # 1.0: "if an id is presented as a number ... coerce it to a string"
    if not isinstance(uri, str) or not uri.strip():
        raise FormatError(NAME, f"{where}.id", f"expected a non-empty string, got {_kind(uri)}")
    return uri


def _content(item: dict[str, Any], where: str) -> tuple[str, str | None, str | None]:
    """The title, content_html and content_text (one of the two is required)."""
    title = _str(item, "title", where) or ""
    html = _str(item, "content_html", where)
    text = _str(item, "content_text", where)
    _str(item, "summary", where)  # type-checked; a teaser, never the body
    if html is None and text is None:
        raise FormatError(NAME, where, "expected content_html or content_text")
    return title, html, text


def _pubstatus(ext: dict[str, Any], killed: bool, where: str) -> Pubstatus:
    """The _ninjs pubstatus; a kill tag or notice cancels."""
    try:
        pubstatus = Pubstatus.parse(ext.get("pubstatus"))
    except ValueError as exc:
        raise FormatError(NAME, f"{where}._ninjs.pubstatus", str(exc)) from exc
    return Pubstatus.CANCELED if killed else pubstatus


def _tags(item: dict[str, Any], where: str) -> list[str]:
    tags = item.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        bad = next((i for i, t in enumerate(tags) if not isinstance(t, str)), None) \
            if isinstance(tags, list) else None
        path = f"{where}.tags" if bad is None else f"{where}.tags[{bad}]"
        raise FormatError(NAME, path, "expected an array of strings")
    return tags


def _str(obj: dict[str, Any], key: str, where: str, required: bool = False) -> str | None:
    value = obj.get(key)
    if value is None:
        if required:
            raise FormatError(NAME, f"{where}.{key}", "required, missing")
        return None
    if not isinstance(value, str):
        raise FormatError(NAME, f"{where}.{key}", f"expected a string, got {_kind(value)}")
    return value


def _authors(obj: dict[str, Any], where: str, spec: str) -> list[str]:
    """`authors` (1.1) or the deprecated single `author` (1.0, still seen in 1.1 feeds)."""
    names = []
    if "authors" in obj:
        authors = obj["authors"]
        if not isinstance(authors, list):
            raise FormatError(NAME, f"{where}.authors", f"expected an array, got {_kind(authors)}")
        for i, author in enumerate(authors):
            if not isinstance(author, dict):
                raise FormatError(NAME, f"{where}.authors[{i}]",
                                  f"expected an author object, got {_kind(author)}")
            names.append(_str(author, "name", f"{where}.authors[{i}]") or "")
    elif "author" in obj:
        author = obj["author"]
        if not isinstance(author, dict):
            raise FormatError(NAME, f"{where}.author", f"expected an author object, got {_kind(author)}")
        names.append(_str(author, "name", f"{where}.author") or "")
    return [n for n in names if n.strip()]


def _extension(obj: dict[str, Any], where: str) -> dict[str, Any]:
    ext = obj.get("_ninjs")
    if ext is None:
        return {}
    if not isinstance(ext, dict):
        raise FormatError(NAME, f"{where}._ninjs", f"expected an object, got {_kind(ext)}")
    out: dict[str, Any] = {key: _str(ext, key, f"{where}._ninjs") for key in _EXT_TEXT}
    urgency = ext.get("urgency")
    if urgency is not None and (not isinstance(urgency, int) or isinstance(urgency, bool)):
        raise FormatError(NAME, f"{where}._ninjs.urgency", f"expected an integer, got {_kind(urgency)}")
    out["urgency"] = urgency
    return {k: v for k, v in out.items() if v is not None}


def _kind(value: object) -> str:
    """A JSON type name for error messages."""
    if value is None:
        return "null"
    return {bool: "boolean", int: "number", float: "number", str: "string", list: "array",
            dict: "object"}.get(type(value), type(value).__name__)


FORMAT = Format(NAME, looks_like, parse)
