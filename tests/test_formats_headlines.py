"""A headline derived for a story that came without one, and the one refusal left."""

from __future__ import annotations

import pytest

from wiredesk.formats import FormatError
from wiredesk.formats.bodies import body_from_text
from wiredesk.formats.headlines import MAX_DERIVED, derive_headline, ensure_headline, first_sentence
from wiredesk.story import Pubstatus, Story


@pytest.mark.parametrize(("text", "headline"), [
    ("LISBON (AP) — Storm Lena hit Portugal. Ferries stopped.", "Storm Lena hit Portugal"),
    ("PARIS, Jan 5 (Reuters) - Prices rose. More later.", "Prices rose"),
    ("The U.S. Senate passed the bill on Friday. It now goes to the House.",
     "The U.S. Senate passed the bill on Friday"),
    ("Gov. Gavin Newsom signed it. Critics objected.", "Gov. Gavin Newsom signed it"),
    ("J. Smith won the race in Oslo! Fans cheered.", "J. Smith won the race in Oslo!"),
    ("No full stop at all", "No full stop at all"),
    ("\n\nFirst paragraph only.\nSecond paragraph.", "First paragraph only"),
])
def test_first_sentence(text, headline):
    assert first_sentence(text) == headline


def test_a_long_first_sentence_is_cut_at_a_word():
    text = "word " * 100
    cut = first_sentence(text)
    assert len(cut) <= MAX_DERIVED + 1 and cut.endswith("…") and "wor…" not in cut


def test_derive_and_ensure():
    body = body_from_text("Storm Lena hit Portugal. Ferries stopped.")
    story = derive_headline(Story(uri="u", headline="", body=body))
    assert story.headline == "Storm Lena hit Portugal"
    assert story.warnings[-1].action == "derived from the first sentence of the body"
    same = Story(uri="u", headline="Given", body=body)
    assert derive_headline(same) is same and ensure_headline(same, "f", "$") is same
    waiting = Story(uri="u", headline="", slugline="Fed-Rates", body_href="https://x/nitf")
    assert derive_headline(waiting).headline == "Fed-Rates"
    # a slugline alone, with no text anywhere, is not a story
    with pytest.raises(FormatError) as err:
        ensure_headline(Story(uri="u", headline="", slugline="X"), "f", "$[2]")
    assert err.value.where == "$[2].headline"
    kill = Story(uri="u", headline="", pubstatus=Pubstatus.CANCELED)
    assert ensure_headline(kill, "f", "$") is kill  # a kill needs only its uri
