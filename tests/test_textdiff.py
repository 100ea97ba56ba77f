"""The word diff (web/textdiff.py): what it keeps, and that it stays fast and bounded on long
bodies (the figures are in bench/textdiff.py; here, that a bound exists and holds)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from wiredesk.web import textdiff
from wiredesk.web.textdiff import Segment, inline_diff, word_diff

WORDS = st.sampled_from(["the", "oil", "rose", "fell", "512.3", "502.3", "said.", "<b>", "&amp;",
                         "Reuters", "\n", "  ", "\u00e9t\u00e9"])
TEXT = st.lists(WORDS, max_size=60).map(" ".join)


def words(segments: list[Segment], *kinds: str) -> list[str]:
    return "".join(s.text for s in segments if s.kind in kinds).split()


@given(TEXT, TEXT)
@settings(max_examples=300, deadline=None)
def test_the_diff_rebuilds_both_texts_word_for_word(old, new):
    out = inline_diff(old, new)
    assert words(out, "same", "del") == old.split()
    assert words(out, "same", "ins") == new.split()
    left, right = word_diff(old, new)
    assert words(left, "same", "del") == old.split() and words(right, "same", "ins") == new.split()


def test_one_changed_figure_is_one_del_and_one_ins():
    out = inline_diff("The index was at 512.3 points.\nMore.", "The index was at 502.3 points.\nMore.")
    assert [(s.kind, s.text) for s in out if s.kind != "same"] == [("del", "512.3"), ("ins", "502.3")]


def test_spacing_alone_is_no_change():
    assert all(s.kind == "same" for s in inline_diff("a  b\nc", "a b c"))


def test_long_bodies_stay_within_the_bound(monkeypatch):
    """Two edits far apart in a long body: words are compared only inside the changed
    sentences, never across the whole body (the comparisons are counted)."""
    compared: list[int] = []
    real = textdiff._compare

    def counting(a, b):
        compared.append(len(a) * len(b))
        return real(a, b)

    monkeypatch.setattr(textdiff, "_compare", counting)
    sentences = [f"Sentence {n} says w{n} and w{n + 1} rose." for n in range(3000)]
    new = list(sentences)
    new[5], new[2900] = "Sentence 5 says something else.", "Sentence 2900 is new."
    out = inline_diff("\n".join(sentences), "\n".join(new))
    assert max(compared) <= textdiff.MAX_PAIRS
    assert words(out, "same", "ins") == "\n".join(new).split()
    rewrite = inline_diff("\n".join(sentences), "\n".join(s.upper() for s in sentences))
    assert words(rewrite, "same", "del") == "\n".join(sentences).split()
