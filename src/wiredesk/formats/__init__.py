"""Wire formats: bytes in, Stories out. Pure functions: no I/O, no clock, no store.

`parse(data)` picks the format by content; `parse(data, format="ninjs")` forces one.
Each format module offers `NAME`, `looks_like(...)` and `parse(data, ...) -> list[Story]`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from wiredesk.formats import ninjs, plaincopy
from wiredesk.formats.errors import FormatError
from wiredesk.story import Story

__all__ = ["FormatError", "FORMATS", "detect", "parse"]


@dataclass(frozen=True)
class Format:
    name: str
    sniff: Callable[[bytes], bool]
    parse: Callable[..., list[Story]]


def _sniff_plain(data: bytes) -> bool:
    try:
        text = data[:8192].decode("utf-8", errors="replace")
    except Exception:  # pragma: no cover - decode with replace does not raise
        return False
    return b"\x00" not in data[:8192] and plaincopy.looks_like(text)


# Order matters: the most specific first, plain copy last as the fallback.
FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format(ninjs.NAME, ninjs.looks_like, ninjs.parse),
        Format(plaincopy.NAME, _sniff_plain, plaincopy.parse),
    )
}


def detect(data: bytes) -> str:
    """The name of the format that reads these bytes, or a FormatError listing what was tried."""
    for fmt in FORMATS.values():
        if fmt.sniff(data):
            return fmt.name
    tried = ", ".join(FORMATS)
    raise FormatError("detect", "start of file", f"no format recognises this content (tried {tried})")


def parse(data: bytes, format: str | None = None, **options: object) -> list[Story]:
    """Parse bytes into Stories; unknown options for a format are ignored."""
    name = format or detect(data)
    if name not in FORMATS:
        raise FormatError(name, "--format", f"unknown format (known: {', '.join(FORMATS)})")
    func = FORMATS[name].parse
    accepted = func.__code__.co_varnames[: func.__code__.co_argcount + func.__code__.co_kwonlyargcount]
    return func(data, **{k: v for k, v in options.items() if k in accepted and v is not None})
