"""Bodies: the display copy is safe and loses no word of the agency's text."""

from __future__ import annotations

import html
import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from wiredesk.formats.bodies import body_from_html, body_from_paragraphs
from wiredesk.story import Pubstatus

HOSTILE = [
    ('<p>Hello<script>alert(1)</script> world</p>', "<script"),
    ('<p onclick="alert(1)">Hello world</p>', "onclick"),
    ('<p><a href="javascript:alert(1)">Hello</a> world</p>', "javascript:"),
    ('<p><a href="data:text/html;base64,PHNjcmlwdD4=">Hello</a> world</p>', "data:"),
    ('<p>Hello</p><iframe src="https://evil.example/"></iframe><p>world</p>', "<iframe"),
    ('<p style="background:url(javascript:alert(1))">Hello world</p>', "style="),
    ('<style>p{color:red}</style><p>Hello world</p>', "<style"),
    ('<svg><g onload="alert(1)"><text>Hello</text></g></svg><p>world</p>', "onload"),
    ('<math><mtext><img src=x onerror=alert(1)></mtext></math><p>Hello world</p>', "onerror"),
    ('<p>Hello <img src=x onerror="alert(1)"> world</p>', "<img"),
    ('<object data="evil.swf"></object><p>Hello world</p>', "<object"),
    ('<p>Hello</p><form action="/steal"><input name=x></form><p>world</p>', "<form"),
]


@pytest.mark.parametrize(("markup", "banned"), HOSTILE)
def test_hostile_markup_is_removed(markup, banned):
    body = body_from_html(markup)
    assert banned not in body.html.lower()
    assert body.received == markup  # as received, kept for the record
    assert "Hello" in body.text and "world" in body.text


def test_links_get_safe_rel_and_keep_text():
    body = body_from_html('<p>See <a href="https://example.com/x">the report</a>.</p>')
    assert 'href="https://example.com/x"' in body.html
    assert "noopener" in body.html
    assert body.text == "See the report."


def test_paragraph_text_is_escaped_not_interpreted():
    body = body_from_paragraphs(["Tom & Jerry <script>x</script>", "  ", "Second"])
    assert body.html == "<p>Tom &amp; Jerry &lt;script&gt;x&lt;/script&gt;</p><p>Second</p>"
    assert body.text == "Tom & Jerry <script>x</script>\nSecond"


def words(markup: str) -> list[str]:
    """The words a reader sees in display HTML: tags gone, references decoded once."""
    return html.unescape(re.sub(r"<[^>]+>", " ", markup)).split()


TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40)


@settings(max_examples=200, deadline=None)
@given(st.lists(TEXT, min_size=1, max_size=6))
# Text that reads as a reference once more ("&lt" is "<" to HTML5 even without ";"): the
# plain text is already decoded, so decoding it again (as this test once did) loses it.
@example(["&lt", "&amp;x", "a &gt b"])
def test_no_word_is_lost_by_sanitising(paragraphs):
    markup = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    body = body_from_html(markup)
    expected = [w for p in paragraphs for w in p.split()]
    assert body.text.split() == expected
    assert words(body.html) == expected


@pytest.mark.parametrize(("word", "status"), [
    ("usable", Pubstatus.USABLE), ("stat:usable", Pubstatus.USABLE),
    ("withheld", Pubstatus.WITHHELD), ("stat:withheld", Pubstatus.WITHHELD),
    ("canceled", Pubstatus.CANCELED), ("cancelled", Pubstatus.CANCELED),
    ("stat:canceled", Pubstatus.CANCELED), ("withdrawn", Pubstatus.CANCELED),
    ("stat:withdrawn", Pubstatus.CANCELED), (None, Pubstatus.USABLE),
])
def test_pubstatus_words(word, status):
    assert Pubstatus.parse(word) is status


def test_unknown_pubstatus_is_refused():
    with pytest.raises(ValueError, match="unknown pubstatus"):
        Pubstatus.parse("published")


def test_an_agency_img_becomes_a_marker_that_loads_nothing():
    from wiredesk.formats.bodies import body_from_html

    body = body_from_html('<p>One</p><IMG SRC="https://ex.com/a.jpg?x=1&amp;y=2" '
                          'alt="A &quot;quake&quot;" onerror="x()"><img data-src="b.jpg"><p>Two</p>')
    assert "<img" not in body.html.lower() and "onerror" not in body.html
    assert ('<span data-picture-src="https://ex.com/a.jpg?x=1&amp;y=2" '
            'data-picture-alt="A &quot;quake&quot;"></span>') in body.html
    assert "b.jpg" not in body.html  # no src: nothing to place
    assert body.text == "One\nTwo"
