"""Story slugs: the readable words after /story/ID/. Pure."""

from __future__ import annotations

import re
import unicodedata

# Latin letters NFKD does not take apart into a base letter and marks.
_LATIN_EXTRA = str.maketrans({"ß": "ss", "ẞ": "ss", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe",
                              "ø": "o", "Ø": "o", "ł": "l", "Ł": "l", "đ": "d", "Đ": "d",
                              "ð": "d", "Ð": "d", "þ": "th", "Þ": "th", "ı": "i", "ħ": "h"})
SLUG_LENGTH = 80


def _latin(char: str) -> bool:
    return unicodedata.name(char, "").startswith("LATIN")


def slug(text: str) -> str:
    """A readable URL word list: Latin accents dropped (kündigt -> kundigt), other scripts
    kept as letters (Путин, الرئيس), anything else one dash. Browsers and the router
    percent-encode and decode the non-ASCII letters; ctx.story_path encodes them."""
    out: list[str] = []
    for char in unicodedata.normalize("NFKD", text.translate(_LATIN_EXTRA)):
        if unicodedata.combining(char):
            # A mark on a Latin letter goes (ü -> u); on any other script it stays (й).
            if not (out and _latin(out[-1])):
                out.append(char)
            continue
        out.append(char.lower() if char.isalnum() else "-")
    words = re.sub(r"-+", "-", unicodedata.normalize("NFC", "".join(out))).strip("-")
    if len(words) > SLUG_LENGTH:
        cut = words[:SLUG_LENGTH]
        words = cut.rsplit("-", 1)[0] if "-" in cut else cut
    return words or "story"
