"""Whitespace collapsed line by line, as `" ".join(line.split())` does, without splitting
every line into words when the text holds nothing to collapse (most copy: single spaces).

The test is on the UTF-8 bytes, in C at memory speed: no run of two spaces, none of the
ASCII spaces str.split() also takes (tab, CR, VT, FF, 0x1C-0x1F), and no lead byte of a
non-ASCII space (U+0085, U+00A0 start with 0xC2; U+1680 with 0xE1; U+3000 with 0xE3;
U+2000-U+200A, U+2028, U+2029, U+202F, U+205F with 0xE2, which curly quotes share, so those
are looked for exactly). Such text needs only each line stripped.
"""

from __future__ import annotations

import re

_ODD_BYTES = b"\t\r\x0b\x0c\x1c\x1d\x1e\x1f\xc2\xe1\xe3"
_E2_SPACE = re.compile(rb"\xe2(?:\x80[\x80-\x8a\xa8\xa9\xaf]|\x81\x9f)")


def single_spaced(text: str) -> bool:
    """Whether every whitespace run in `text` is one space or a newline: then stripping a
    line collapses it as splitting and joining would. False may be a false alarm (0xC2 also
    leads "©" and "«"); True is exact."""
    data = text.encode("utf-8", "surrogatepass")
    return (len(data.translate(None, _ODD_BYTES)) == len(data) and b"  " not in data
            and not (b"\xe2" in data and _E2_SPACE.search(data)))


def collapsed_lines(text: str) -> list[str]:
    """The lines of `text` (split on "\\n") with whitespace collapsed and ends stripped."""
    lines = text.split("\n")
    if single_spaced(text):
        return [line.strip(" ") for line in lines]
    return [" ".join(line.split()) for line in lines]
