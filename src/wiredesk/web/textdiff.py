"""What changed between two versions of a story: changed fields, and a word diff of the body
laid out side by side. Segments are plain text: templates escape them like any other text."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from wiredesk.story import Story

# Fields an editor looks at between versions, with the label the console shows.
FIELDS = (("headline", "Headline"), ("by", "Byline"), ("located", "Located"),
          ("pubstatus", "Status"), ("urgency", "Urgency"), ("ednote", "Editor's note"),
          ("embargoed", "Embargo"), ("expires", "Expires"), ("creditline", "Credit"))
_TOKENS = re.compile(r"\s+|[^\s]+")


@dataclass(frozen=True, slots=True)
class Segment:
    kind: str  # same | del | ins
    text: str


@dataclass(frozen=True, slots=True)
class Comparison:
    fields: list[tuple[str, str, str]]  # (label, before, after) for fields that changed
    left: list[Segment]  # the older body: unchanged and deleted words
    right: list[Segment]  # the newer body: unchanged and inserted words
    changed: bool


def _value(story: Story, name: str) -> str:
    value = getattr(story, name, None)
    return "" if value is None else str(value)


def word_diff(old: str, new: str) -> tuple[list[Segment], list[Segment]]:
    """Side-by-side segments. Whitespace is kept as tokens so line breaks survive, but a
    change in spacing alone is not shown as a change."""
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    matcher = difflib.SequenceMatcher(lambda t: t.isspace(), a, b, autojunk=False)
    left: list[Segment] = []
    right: list[Segment] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            left.append(Segment("same", "".join(a[i1:i2])))
            right.append(Segment("same", "".join(b[j1:j2])))
            continue
        if i2 > i1:
            left.append(Segment("del", "".join(a[i1:i2])))
        if j2 > j1:
            right.append(Segment("ins", "".join(b[j1:j2])))
    return _merge(left), _merge(right)


def _merge(segments: list[Segment]) -> list[Segment]:
    out: list[Segment] = []
    for seg in segments:
        if out and out[-1].kind == seg.kind:
            out[-1] = Segment(seg.kind, out[-1].text + seg.text)
        elif seg.text:
            out.append(seg)
    return out


def compare(old: Story, new: Story) -> Comparison:
    fields = [(label, _value(old, name), _value(new, name)) for name, label in FIELDS
              if _value(old, name) != _value(new, name)]
    left, right = word_diff(old.body.text, new.body.text)
    changed = bool(fields) or any(s.kind != "same" for s in left + right)
    return Comparison(fields, left, right, changed)
