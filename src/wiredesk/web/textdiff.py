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

    Fast on long bodies: words are compared without their spacing (a change in spacing
    alone is no change), the common head and tail are set aside, sentences are matched
    whole, and words are compared only inside sentences that changed; a changed stretch too
    long to compare word by word (MAX_PAIRS) is shown deleted and inserted whole."""
    lead_a, a = _words_of(old)
    lead_b, b = _words_of(new)
    ka, kb = [t.rstrip() for t in a], [t.rstrip() for t in b]
    head = 0
    while head < len(a) and head < len(b) and ka[head] == kb[head]:
        head += 1
    tail = 0
    while tail < len(a) - head and tail < len(b) - head and ka[-1 - tail] == kb[-1 - tail]:
        tail += 1
    out = [Segment("same", lead_b + "".join(b[:head]))]
    out += _sentences(a[head:len(a) - tail], b[head:len(b) - tail])
    out.append(Segment("same", "".join(b[len(b) - tail:])))
    return _merge(out)


MAX_PAIRS = 40_000  # words old x words new compared word by word in one stretch at most
MAX_UNITS = 100_000_000  # sentences old x sentences new matched at most (then: whole)
_WORD = re.compile(r"\S+\s*")
_END = (".", "!", "?", ".\"", ".”", "?\"", "!\"")


def _words_of(text: str) -> tuple[str, list[str]]:
    """The spacing before the first word, and the words each with the spacing after it."""
    stripped = text.lstrip()
    words = _WORD.findall(stripped)
    if words and not words[-1][-1].isspace():
        words[-1] += " "  # every word ends in spacing, so none runs into a mark after it
    return text[:len(text) - len(stripped)], words


def _sentences(a: list[str], b: list[str]) -> list[Segment]:
    if len(a) * len(b) <= MAX_PAIRS:
        return _compare(a, b)
    ua, ub = _units(a), _units(b)
    if len(ua) * len(ub) > MAX_UNITS:  # thousands of sentences changed each: no matching
        return _whole(a, b)
    keys_a = [tuple(t.rstrip() for t in u) for u in ua]
    keys_b = [tuple(t.rstrip() for t in u) for u in ub]
    # autojunk: a sentence repeated all over (a separator line) cannot make matching slow.
    matcher = difflib.SequenceMatcher(None, keys_a, keys_b, autojunk=True)
    out: list[Segment] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        left = [t for u in ua[i1:i2] for t in u]
        right = [t for u in ub[j1:j2] for t in u]
        if op == "equal":
            out.append(Segment("same", "".join(right)))
        elif len(left) * len(right) <= MAX_PAIRS:
            out += _compare(left, right)
        else:
            out += _whole(left, right)
    return out


def _units(words: list[str]) -> list[list[str]]:
    """Words grouped in sentences (a word ending one, or a line break, closes it)."""
    out: list[list[str]] = [[]]
    for token in words:
        out[-1].append(token)
        if "\n" in token or token.rstrip().endswith(_END):
            out.append([])
    return [u for u in out if u]


def _compare(a: list[str], b: list[str]) -> list[Segment]:
    matcher = difflib.SequenceMatcher(None, [t.rstrip() for t in a], [t.rstrip() for t in b],
                                      autojunk=False)
    out: list[Segment] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out.append(Segment("same", "".join(b[j1:j2])))
        else:
            out += _whole(a[i1:i2], b[j1:j2])
    return out


def _whole(a: list[str], b: list[str]) -> list[Segment]:
    """Deleted then inserted words; the spacing after them stays outside both marks."""
    removed, added = "".join(a), "".join(b)
    last = added or removed
    out = [Segment("del", removed.rstrip()), Segment("ins", added.rstrip())]
    return [*out, Segment("same", last[len(last.rstrip()):])]


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
