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
import operator
import re
import sys
from typing import Any

from wiredesk.formats.errors import FormatError
from wiredesk.formats.textcodec import decode
from wiredesk.story import Body, Picture, Rendition, Story, StoryWarning, Subject

# What XML 1.0 cannot carry, in one class (the C loop of `re` scans it fast).
UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
_OTHER = re.compile("[\ud800-\udfff\ufffe\uffff]")
_MAX_DIGITS = min(4000, getattr(sys, "get_int_max_str_digits", lambda: 4300)() or 4000)


_CONTROL_BYTES = bytes(c for c in range(32) if c not in (9, 10, 13))


def is_safe(text: str) -> bool:
    """Whether XML 1.0 can carry `text`. The same answer as UNSAFE.search, 10 times faster
    (a regex visits every character; encoding and deleting bytes run in C at memory speed):
    every story's every field is checked on the way in."""
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:
        return False  # a lone surrogate
    if len(data.translate(None, _CONTROL_BYTES)) != len(data):
        return False
    if b"\xef" not in data:  # memchr: the lead byte of U+F000-U+FFFF, rare in copy
        return True
    return b"\xef\xbf\xbe" not in data and b"\xef\xbf\xbf" not in data  # U+FFFE, U+FFFF


def clean(text: str) -> str:
    """`text` with every character XML 1.0 cannot carry replaced (no word is lost)."""
    if is_safe(text):
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
    action = "; ".join(a for a, present in (
        ("controls replaced by spaces", controls),
        ("surrogates and non-characters replaced by U+FFFD", others)) if present)
    return what, action


_STORY_FIELDS = tuple(f.name for f in dataclasses.fields(Story))
_ALL_FIELDS = operator.attrgetter(*_STORY_FIELDS)  # every field in one C call
_PICTURE_FIELDS = operator.attrgetter(*(f.name for f in dataclasses.fields(Picture)))
_JOIN_BELOW = 16_384  # characters of body: below this, one check of everything joined


def clean_story(story: Story) -> Story:
    """The story with every text field cleaned, and a warning for each field that changed."""
    parts = [v for v in _ALL_FIELDS(story) if type(v) is str]
    parts += story.signals
    parts += (t or "" for s in story.subjects for t in (s.name, s.uri, s.code))
    for picture in story.pictures:  # captions and credits are the agency's text too
        parts += (v for v in _PICTURE_FIELDS(picture) if type(v) is str)
        parts += (v for r in picture.renditions for v in (r.href, r.name, r.contenttype) if v)
    # Not body.text: the body builders (formats/bodies.py) derive it from `html` or from
    # `received` without adding characters, so it is clean when both are. Long bodies, the
    # bulk of the text, are checked as they are rather than copied into one string; short
    # ones join the rest, as each check has a fixed cost that dominates on short text.
    body = story.body
    if len(body.received) + len(body.html) < _JOIN_BELOW:
        safe = is_safe("\n".join([body.received, body.html, *parts]))
    else:
        safe = is_safe(body.received) and is_safe(body.html) and is_safe("\n".join(parts))
    if safe:
        return story  # nearly always: one to three quick checks, no scan
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
        return value if is_safe(value) else clean(value)
    if isinstance(value, Body | Subject | Picture | Rendition):
        parts = {f.name: _clean_value(getattr(value, f.name)) for f in dataclasses.fields(value)}
        if all(parts[name] is getattr(value, name) for name in parts):
            return value
        return dataclasses.replace(value, **parts)
    if isinstance(value, tuple) and value and not isinstance(value[0], StoryWarning):
        items = tuple(_clean_value(v) for v in value)
        return value if all(a is b for a, b in zip(items, value, strict=True)) else items
    return value


def _text_of(value: Any) -> str:
    """The text a warning describes: a body's worst part (its HTML and plain text repeat the
    same characters), a tuple's parts together."""
    if isinstance(value, str):
        return value
    if isinstance(value, Body | Subject | Picture | Rendition):
        parts = [_text_of(getattr(value, f.name)) for f in dataclasses.fields(value)]
        return max(parts, key=lambda part: len(UNSAFE.findall(part)))
    if isinstance(value, tuple):
        return "".join(_text_of(v) for v in value)
    return ""


def _whole_number(digits: str) -> int | float:
    # Past Python's int-string limit int() raises ValueError mid-parse, naming nothing; as a
    # float (inf) the number reaches the field check, which names the field.
    return int(digits) if len(digits) <= _MAX_DIGITS else float(digits)


_DECODER = json.JSONDecoder(parse_int=_whole_number)  # one for the process, as json.loads keeps
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def load_json(text: str) -> tuple[Any, tuple[StoryWarning, ...]]:
    """json.loads, with integers of any length readable (see _whole_number) and lone
    surrogates ("\ud800", which no encoder and no Rust validator takes) replaced by U+FFFD
    in every string; the warning to put on each story when any was."""
    doc = _DECODER.decode(text)
    if _SURROGATE_ESCAPE.search(text) is None:
        return doc, ()
    found = [0]

    def fix(value: str) -> str:
        if _LONE.search(value) is None:
            return value
        found[0] += 1
        return _LONE.sub("\ufffd", value)

    doc = _map_strings(doc, fix)
    if not found[0]:
        return doc, ()
    return doc, (StoryWarning("text", f"lone surrogates in {found[0]} JSON string(s)",
                              "replaced by U+FFFD"),)


_LONE = re.compile("[\ud800-\udfff]")


def read_json(data: bytes, fmt: str) -> tuple[Any, tuple[StoryWarning, ...]]:
    """A JSON format's bytes decoded and loaded (load_json), or a FormatError of `fmt` that
    says where: the line and column of bad syntax, or "$" for nesting too deep."""
    try:
        return load_json(decode(data, fmt))
    except json.JSONDecodeError as exc:
        raise FormatError(fmt, f"line {exc.lineno} column {exc.colno}",
                          f"invalid JSON: {exc.msg}") from exc
    except RecursionError as exc:
        raise FormatError(fmt, "$", "JSON nested too deeply") from exc


def _map_strings(doc: Any, fix: Any) -> Any:
    """`doc` with `fix` applied to every string, keys too; iterative, as JSON nests deep."""
    root: list[Any] = [doc]
    todo: list[tuple[Any, Any]] = [(root, 0)]
    while todo:
        parent, key = todo.pop()
        value = parent[key]
        if isinstance(value, str):
            parent[key] = fix(value)
        elif isinstance(value, list):
            todo.extend((value, i) for i in range(len(value)))
        elif isinstance(value, dict):
            fixed = {fix(k): v for k, v in value.items()}
            value.clear()
            value.update(fixed)
            todo.extend((value, k) for k in value)
    return root[0]


def json_bytes(value: Any) -> bytes:
    """One item of a JSON document as UTF-8 bytes; a lone surrogate stays the JSON escape
    it arrived as ("\\ud800") instead of failing to encode."""
    return json.dumps(value, ensure_ascii=False).encode("utf-8", "backslashreplace")
