"""The verbatim promise, as one check: the words a reader sees are the words the agency sent.

Used by the tests (every sample's page) and by `wiredesk verify` (any story, from its stored
raw bytes), so the promise is checked the same way by both. Words are compared, not markup:
the display copy is the agency's body made safe (scripts, handlers, frames removed, never a
word of text), so its words must equal the words of the body as received. The dateline the
page prints before the body is the agency's too, in its own element: most formats give it
apart from the body (left out of the comparison), some inside it (a G2 body that opens "Berlin
(dpa) -", shown in the dateline element): `check` accepts either, and nothing else.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

from lxml import html as lxml_html

from wiredesk.story import Story

BODY_XPATH = "//div[@class='story-body']"
DATELINE_XPATH = ".//span[@class='dateline']"


def words(text: str) -> list[str]:
    return html.unescape(text).split()


def element_words(element: lxml_html.HtmlElement) -> list[str]:
    return words(" ".join(element.itertext()))


def agency_words(story: Story) -> list[str]:
    """The words of the body as the agency sent it."""
    if story.body.content_type == "text/html":
        return element_words(lxml_html.fromstring(f"<div>{story.body.received}</div>"))
    return words(story.body.received)


def page_words(page: str, *, dateline: bool = False) -> list[str]:
    """The words of an article page's body, as a reader sees them (with the dateline element's
    words or without); ValueError when the page has not exactly one article body."""
    bodies = lxml_html.fromstring(page).xpath(BODY_XPATH)
    if len(bodies) != 1:
        raise ValueError(f"the page has {len(bodies)} article bodies, not 1")
    (body,) = bodies
    # Pictures we placed where the agency's <img> stood carry the picture item's caption and
    # credit, not the story's words (the sanitiser keeps no class, so none is the agency's).
    for element in body.xpath(".//figure[@class='story-picture']"):
        element.drop_tree()
    if not dateline:
        for element in body.xpath(DATELINE_XPATH):
            element.drop_tree()
    return element_words(body)


def check(page: str, story: Story) -> str | None:
    """None when the page's body shows the agency's words, every one in order and no other;
    else where they first differ. ValueError when the page has no article body."""
    sent = agency_words(story)
    seen = page_words(page)
    if seen == sent or page_words(page, dateline=True) == sent:
        return None
    return difference(seen, sent)


def difference(seen: Iterable[str], sent: Iterable[str]) -> str | None:
    """None when the words are the same; else where they first differ, in a few words."""
    seen, sent = list(seen), list(sent)
    if seen == sent:
        return None
    at = next((n for n, (a, b) in enumerate(zip(seen, sent, strict=False)) if a != b),
              min(len(seen), len(sent)))
    return (f"word {at + 1} differs: the page has {_quote(seen, at)}, the agency sent "
            f"{_quote(sent, at)} ({len(seen)} words on the page, {len(sent)} sent)")


def _quote(found: list[str], at: int) -> str:
    part = found[at:at + 5]
    return repr(" ".join(part)) if part else "nothing more"
