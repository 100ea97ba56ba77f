"""A headline for a story that came without one: liberal in what we accept.

A story with words and a way to name it is kept: when the agency sent a body but no
headline, the headline is derived from the first sentence of the body (or from the slugline
while the body is still to be fetched), and a StoryWarning says so. Only a story with neither a headline nor a body is
refused (`ensure_headline` raises): there is nothing to show and nothing to name.
"""

from __future__ import annotations

import re

from wiredesk.formats.errors import FormatError
from wiredesk.story import Pubstatus, Story, StoryWarning

MAX_DERIVED = 120  # characters: a headline, not a paragraph
# A sentence ends at . ! or ? followed by a space and a capital, a quote or a digit; "U.S."
# and "Mr. Smith" mostly survive because an abbreviation's dot rarely precedes a capital
# after one letter (checked below).
_END = re.compile(r"(?<=[.!?])[\"'”’)]?\s+(?=[A-Z0-9\"'“‘(])")
# A dot that ends a word, not a sentence: initials and letter abbreviations ("J.", "U.S.",
# "U.N."), and the titles and short forms wire copy uses before a capital.
_ABBREVIATION = re.compile(
    r"[\"'“‘(]?(?:[A-Za-z]\.)+|(?:Mr|Mrs|Ms|Dr|St|Gov|Sen|Rep|Gen|Lt|Col|Sgt|Capt|Cmdr|Adm|"
    r"Prof|Rev|Jr|Sr|Inc|Corp|Co|Ltd|No|Jan|Feb|Aug|Sept|Oct|Nov|Dec|Ave|Mt|Ft|vs)\.")
# A lead dateline the first sentence should not start with: "LISBON (AP) — ", "PARIS, Jan 5
# (Reuters) - ", "BERLIN (dpa) ".
_DATELINE = re.compile(r"^[A-Z][A-Z .,'’-]{1,60}(?:,[^()\n]{1,40})?\s*\([^)\n]{1,40}\)\s*[-—–:]*\s*")


def first_sentence(text: str) -> str:
    """The first sentence of `text`'s first paragraph, without a lead dateline, at most
    MAX_DERIVED characters (cut at a word, with an ellipsis)."""
    paragraph = next((p.strip() for p in text.split("\n") if p.strip()), "")
    paragraph = _DATELINE.sub("", " ".join(paragraph.split()), count=1)
    sentence = paragraph
    for match in _END.finditer(paragraph):
        candidate = paragraph[:match.start()].strip()
        last_word = candidate.rsplit(" ", 1)[-1]
        if _ABBREVIATION.fullmatch(last_word):
            continue  # "J. Smith", "the U.S. Senate", "Gov. Newsom": not a sentence's end
        sentence = candidate
        break
    if sentence.endswith(".") and not sentence.endswith(".."):
        sentence = sentence[:-1]  # a headline has no full stop
    if len(sentence) > MAX_DERIVED:
        cut = sentence[:MAX_DERIVED].rsplit(" ", 1)[0].rstrip(",;:")
        sentence = f"{cut}…"
    return sentence


def derive_headline(story: Story) -> Story:
    """`story` itself when it has a headline or nothing to derive one from; else the story
    with a headline from the first sentence of its body (or, while its body is still to be
    fetched, its slugline) and a warning saying so."""
    if story.headline.strip():
        return story
    text = story.body.text.strip()
    if text:
        headline, came_from = first_sentence(text), "the first sentence of the body"
    elif story.body_href and story.slugline and story.slugline.strip():
        # The text is still to be fetched (story.body_href): the slugline names it meanwhile.
        headline, came_from = " ".join(story.slugline.split()), "the slugline"
    else:
        return story
    if not headline:
        return story
    warning = StoryWarning("headline", "no headline", f"derived from {came_from}")
    return story.with_changes(headline=headline, warnings=(*story.warnings, warning))


def ensure_headline(story: Story, fmt: str, where: str) -> Story:
    """derive_headline, and a FormatError naming `where` when the story has neither a
    headline nor a body (nor a body still to be fetched). A kill needs only its uri: a
    canceled story without either passes through."""
    story = derive_headline(story)
    if story.headline.strip() or story.pubstatus is Pubstatus.CANCELED:
        return story
    raise FormatError(fmt, f"{where}.headline",
                      "a story needs a headline or a body, and this one has neither")
