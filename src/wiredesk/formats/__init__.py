"""Wire formats: bytes in, Stories out. Pure functions: no I/O, no clock, no store.

`parse(data)` picks the format by content; `parse(data, format="ninjs")` forces one.
Each format module offers `NAME`, `looks_like(...)` and `parse(data, ...) -> list[Story]`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from wiredesk.formats import (
    anpa,
    feeds,
    iptc7901,
    jsonfeed,
    newsml12,
    newsmlg2,
    ninjs,
    nitf,
    plaincopy,
    webpage,
)
from wiredesk.formats.errors import FormatError
from wiredesk.story import Story

__all__ = ["FormatError", "FORMATS", "detect", "parse"]


@dataclass(frozen=True)
class Format:
    name: str
    sniff: Callable[[bytes], bool]
    parse: Callable[..., list[Story]]


_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def _sniff_plain(data: bytes) -> bool:
    """Plain copy is the fallback, but not for framed wire copy (SOH, STX, ETX...) whose
    header no other format could read: that is a broken ANPA or IPTC 7901 file."""
    head = data[:8192]
    if _CONTROL.search(head):
        return False
    return plaincopy.looks_like(head.decode("utf-8", errors="replace"))


# Order matters: the most specific first, plain copy last as the fallback.
FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format(jsonfeed.NAME, jsonfeed.looks_like, jsonfeed.parse),  # before ninjs: both JSON
        Format(ninjs.NAME, ninjs.looks_like, ninjs.parse),
        Format(newsmlg2.NAME, newsmlg2.looks_like, newsmlg2.parse),
        Format(nitf.NAME, nitf.looks_like, nitf.parse),
        Format(newsml12.NAME, newsml12.looks_like, newsml12.parse),
        Format(feeds.NAME, feeds.looks_like, feeds.parse),
        Format(webpage.NAME, webpage.looks_like, webpage.parse),
        Format(anpa.NAME, anpa.looks_like, anpa.parse),
        Format(iptc7901.NAME, iptc7901.looks_like, iptc7901.parse),
        Format(plaincopy.NAME, _sniff_plain, plaincopy.parse),
    )
}


def detect(data: bytes) -> str:
    """The name of the format that reads these bytes, or a FormatError listing what was tried."""
    for fmt in FORMATS.values():
        if fmt.sniff(data):
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


def parse(data: bytes, format: str | None = None, **options: object) -> list[Story]:
    """Parse bytes into Stories; unknown options for a format are ignored."""
    name = format or detect(data)
    if name not in FORMATS:
        raise FormatError(name, "--format", f"unknown format (known: {', '.join(FORMATS)})")
    func = FORMATS[name].parse
    accepted = func.__code__.co_varnames[: func.__code__.co_argcount + func.__code__.co_kwonlyargcount]
    return func(data, **{k: v for k, v in options.items() if k in accepted and v is not None})
