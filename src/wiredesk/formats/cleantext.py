"""Text every output can carry: characters XML 1.0 cannot hold are dealt with once, where
text enters the Story, and each change is recorded as a StoryWarning on it.

C0 controls other than tab, newline and CR become spaces (a vertical tab between two words
keeps them two words); lone surrogates (JSON's "\\ud800") and the non-characters U+FFFE and
U+FFFF become U+FFFD. JSON numbers too long for Python's int read as floats (inf), so the
field they sit in is what fails, by name.
"""

from __future__ import annotations

import dataclasses
import json
import re
import sys
from typing import Any

from wiredesk.story import Body, Story, StoryWarning, Subject

# What XML 1.0 cannot carry, in one class (the C loop of `re` scans it fast).
UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
_OTHER = re.compile("[\ud800-\udfff\ufffe\uffff]")
_MAX_DIGITS = min(4000, getattr(sys, "get_int_max_str_digits", lambda: 4300)() or 4000)


def clean(text: str) -> str:
    """`text` with every character XML 1.0 cannot carry replaced (no word is lost)."""
    if UNSAFE.search(text) is None:
        return text
    return _OTHER.sub("\ufffd", _CONTROL.sub(" ", text))


def problem(text: str) -> tuple[str, str] | None:
    """What is wrong with `text` and what `clean` does about it, or None."""
    found = UNSAFE.findall(text)
    if not found:
        return None
    codes = ", ".join(f"U+{ord(c):04X}" for c in sorted(set(found))[:5])
    what = f"{len(found)} character{'s' if len(found) > 1 else ''} XML cannot carry ({codes})"
    controls = any(_CONTROL.match(c) for c in found)
    others = any(_OTHER.match(c) for c in found)
    action = " and ".join(a for a, present in (("controls replaced by spaces", controls),
                                                ("others by U+FFFD", others)) if present)
    return what, action


def clean_story(story: Story) -> Story:
    """The story with every text field cleaned, and a warning for each field that changed."""
    changes: dict[str, Any] = {}
    warnings = list(story.warnings)
    for f in dataclasses.fields(story):
        value = getattr(story, f.name)
        cleaned = _clean_value(value)
        if cleaned is not value:
            changes[f.name] = cleaned
            found = problem(_text_of(value))
            if found is not None:
                warnings.append(StoryWarning(f.name, found[0], found[1]))
    if not changes:
        return story
    return dataclasses.replace(story, **changes, warnings=tuple(warnings))


def _clean_value(value: Any) -> Any:
    """`value` itself when clean (so callers can test identity), else a cleaned copy."""
    if isinstance(value, str):
        return value if UNSAFE.search(value) is None else clean(value)
    if isinstance(value, Body | Subject):
        parts = {f.name: _clean_value(getattr(value, f.name)) for f in dataclasses.fields(value)}
        if all(parts[name] is getattr(value, name) for name in parts):
            return value
        return dataclasses.replace(value, **parts)
    if isinstance(value, tuple) and value and not isinstance(value[0], StoryWarning):
        items = tuple(_clean_value(v) for v in value)
        return value if all(a is b for a, b in zip(items, value, strict=True)) else items
    return value


def _text_of(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, Body | Subject):
        return "".join(_text_of(getattr(value, f.name)) for f in dataclasses.fields(value))
    if isinstance(value, tuple):
        return "".join(_text_of(v) for v in value)
    return ""


def _whole_number(digits: str) -> int | float:
    # Past Python's int-string limit int() raises ValueError mid-parse, naming nothing; as a
    # float (inf) the number reaches the field check, which names the field.
    return int(digits) if len(digits) <= _MAX_DIGITS else float(digits)


def load_json(text: str) -> Any:
    """json.loads, with integers of any length readable (see _whole_number)."""
    return json.loads(text, parse_int=_whole_number)
