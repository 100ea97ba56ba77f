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
    both = inline_diff(old, new)
    return (_merge([s for s in both if s.kind != "ins"]),
            _merge([s for s in both if s.kind != "del"]))


def inline_diff(old: str, new: str) -> list[Segment]:
    """One run of segments, deleted words before the words inserted in their place: what
    the public history shows with <del> and <ins>. Plain text, escaped by the template.

    Fast on long bodies: the common head and tail are set aside first, then paragraphs are
    matched whole and words are compared only inside paragraphs that changed; a changed
    stretch too long to compare word by word (MAX_PAIRS) is shown deleted and inserted."""
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    head = 0
    while head < len(a) and head < len(b) and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < len(a) - head and tail < len(b) - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    out = [Segment("same", "".join(a[:head]))]
    out += _paragraphs(a[head:len(a) - tail], b[head:len(b) - tail])
    out.append(Segment("same", "".join(a[len(a) - tail:])))
    return _merge(out)


MAX_PAIRS = 400_000  # tokens old x tokens new compared word by word in one stretch at most


def _paragraphs(a: list[str], b: list[str]) -> list[Segment]:
    if len(a) * len(b) <= MAX_PAIRS:
        return _words(a, b)
    pa, pb = _split(a), _split(b)
    if len(pa) * len(pb) > MAX_PAIRS:  # thousands of paragraphs each: no matching at all
        return [Segment("del", "".join(a)), Segment("ins", "".join(b))]
    matcher = difflib.SequenceMatcher(None, pa, pb, autojunk=False)
    out: list[Segment] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        left = [t for p in pa[i1:i2] for t in p]
        right = [t for p in pb[j1:j2] for t in p]
        if op == "equal":
            out.append(Segment("same", "".join(left)))
        elif len(left) * len(right) <= MAX_PAIRS:
            out += _words(left, right)
        else:
            out += [Segment("del", "".join(left)), Segment("ins", "".join(right))]
    return out


def _split(tokens: list[str]) -> list[tuple[str, ...]]:
    """Tokens grouped in paragraphs, each ending with the whitespace that holds a newline."""
    out: list[tuple[str, ...]] = []
    start = 0
    for index, token in enumerate(tokens):
        if "\n" in token:
            out.append(tuple(tokens[start:index + 1]))
            start = index + 1
    if start < len(tokens):
        out.append(tuple(tokens[start:]))
    return out


def _words(a: list[str], b: list[str]) -> list[Segment]:
    matcher = difflib.SequenceMatcher(lambda t: t.isspace(), a, b, autojunk=False)
    out: list[Segment] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out.append(Segment("same", "".join(b[j1:j2])))
            continue
        if i2 > i1:
            out.append(Segment("del", "".join(a[i1:i2])))
        if j2 > j1:
            out.append(Segment("ins", "".join(b[j1:j2])))
    return out


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
