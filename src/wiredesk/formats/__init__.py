"""Wire formats: bytes in, Stories out. Pure functions: no I/O, no clock, no store.

`parse(data)` picks the format by content; `parse(data, format="ninjs")` forces one.
Every format module keeps one contract (formats/contract.py): `NAME`, `looks_like(data)`,
`parse(data, *, agency=None) -> list[Story]`, and `FORMAT`, registered below in
detection order. The modules share kits, not each other: wirerules (wire-copy rules),
xmlsafe (XML), dates, bodies (sanitiser and body builders), teletype (ANPA/7901 framing).
"""

from __future__ import annotations

from wiredesk.formats import (
    anpa,
    apmedia,
    feeds,
    iptc7901,
    jsonfeed,
    newsml12,
    newsmlg2,
    ninjs,
    nitf,
    plaincopy,
    superdesk,
    webpage,
)
from wiredesk.formats.bodies import PICTURE_SRC
from wiredesk.formats.cleantext import clean_story
from wiredesk.formats.contract import Format
from wiredesk.formats.errors import FormatError
from wiredesk.formats.headlines import derive_headline
from wiredesk.formats.pictures import body_pictures
from wiredesk.story import Story

__all__ = ["FormatError", "FORMATS", "Format", "detect", "parse"]

# Order matters: the most specific first, plain copy last as the fallback.
FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        jsonfeed.FORMAT,  # before ninjs: both JSON
        apmedia.FORMAT,  # before ninjs: AP's items carry a "uri" too
        superdesk.FORMAT,  # before ninjs: Superdesk's ninjs dialect
        ninjs.FORMAT,
        newsmlg2.FORMAT,
        nitf.FORMAT,
        newsml12.FORMAT,
        feeds.FORMAT,
        webpage.FORMAT,
        anpa.FORMAT,
        iptc7901.FORMAT,
        plaincopy.FORMAT,
    )
}


def detect(data: bytes) -> str:
    """The name of the format that reads these bytes, or a FormatError listing what was tried."""
    for fmt in FORMATS.values():
        if fmt.looks_like(data):
            return fmt.name
    tried = ", ".join(FORMATS)
    if not data.strip():
        raise FormatError("detect", "byte 0", f"empty file (tried {tried})")
    nul = data.find(b"\x00", 0, 8192)
    if nul >= 0:
        raise FormatError("detect", f"byte {nul}",
                          f"binary data (a NUL byte), not a news format (tried {tried})")
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if head in (b"{", b"["):
        _explain_json(data, tried)
    if head == b"<":
        _explain_xml(data, tried)
    raise FormatError("detect", "start of file", f"no format recognises this content (tried {tried})")


def _explain_json(data: bytes, tried: str) -> None:
    """JSON no format claims: say whether it is broken JSON or simply not a news format."""
    import json

    try:
        json.loads(data)
    except (ValueError, RecursionError) as exc:
        where = f"line {exc.lineno} column {exc.colno}" if isinstance(exc, json.JSONDecodeError) else "$"
        raise FormatError("json", where, f"invalid JSON: {getattr(exc, 'msg', exc)}") from exc
    raise FormatError("detect", "$", f"JSON, but not a news format this desk reads (tried {tried})")


def _explain_xml(data: bytes, tried: str) -> None:
    from wiredesk.formats.xmlsafe import local, parse_xml

    root = parse_xml(data, "xml")  # raises a FormatError naming line and column if broken
    raise FormatError("detect", f"<{local(root.tag)}>",
                      f"XML, but no format reads this root element (tried {tried})")


def parse(data: bytes, format: str | None = None, *, agency: str | None = None) -> list[Story]:
    """Parse bytes into Stories, with the format named or else detected. Every story's text
    is made safe for any output here, once (formats/cleantext.py), with warnings on it; a
    story with a body but no headline gets one derived, with a warning (formats/headlines.py)."""
    name = format or detect(data)
    if name not in FORMATS:
        raise FormatError(name, "--format", f"unknown format (known: {', '.join(FORMATS)})")
    stories = [clean_story(story if story.headline else derive_headline(story))
               for story in FORMATS[name].parse(data, agency=agency)]
    # Pictures the agency placed in its text (bodies.mark_pictures) join Story.pictures.
    return [body_pictures(s) if PICTURE_SRC in s.body.html else s for s in stories]
