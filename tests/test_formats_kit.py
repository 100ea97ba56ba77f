"""The formats kit against input that broke it: SVG after <html>, lone surrogates, controls
XML cannot carry, 5,000-digit numbers, and nesting deep enough to make sanitising quadratic."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import ninjs_item
from wiredesk import formats
from wiredesk.formats import ninjs
from wiredesk.formats.bodies import body_from_html, mark_pictures, sanitize_html
from wiredesk.formats.markup import DEPTH
from wiredesk.formats.pictures import Pictures, credit_name, derived_uri, lead_first, refusal
from wiredesk.story import Picture

_TAG = re.compile(r"<(/?)([a-zA-Z][^\s/>]*)[^>]*>")
_VOID = {"br", "hr", "img", "wbr"}


def depth(markup: str) -> int:
    """How deep the elements of (well-formed, sanitised) markup nest."""
    level = deepest = 0
    for tag in _TAG.finditer(markup):
        if tag.group(2).lower() in _VOID:
            continue
        level += -1 if tag.group(1) else 1
        deepest = max(deepest, level)
    return deepest


def test_svg_after_an_html_element_keeps_its_words():
    # lxml's fragments_fromstring asserted "too many bodies" on this.
    body = body_from_html("<html></html><svg>Sunlit words</svg><math><mi>more</mi></math>")
    assert body.text.split() == ["Sunlit", "words", "more"]


def test_words_in_svg_text_elements_stay_apart():
    body = body_from_html("<svg><text>solar</text><text>panel</text></svg>")
    assert body.text.split() == ["solar", "panel"]


@pytest.mark.parametrize(("open_tag", "close_tag"), [
    ("<div>", "</div>"), ("<b>", "</b>"), ("<span><div>", "</span>"),
    ("<svg><g>", "</g></svg>"), ("<table><tr><td>", "</td></tr></table>"),
    ("<blockquote><p>", "</p></blockquote>"), ("<li>", ""),
])
def test_deep_nesting_is_flattened_past_the_limit_and_every_word_kept(open_tag, close_tag):
    n = 3000
    markup = "".join(f"{open_tag}w{i} " for i in range(n)) + close_tag * n
    body = body_from_html(markup)
    assert depth(body.html) <= 3 * DEPTH
    assert body.text.split() == [f"w{i}" for i in range(n)]


def test_ordinary_markup_goes_through_the_depth_pass_unchanged():
    markup = "".join(f"<p>Paragraph <b>{i}</b> of <a href='https://x.example/'>many</a>.</p>"
                     for i in range(150))  # > DEPTH tags: the pass runs, and changes nothing
    from wiredesk.formats.markup import prepare

    assert prepare(markup) == markup


def test_only_foreign_content_changes_when_nothing_nests_deep():
    # The leaping pass (markup that cannot nest too deep): SVG becomes spans, its words
    # kept; everything around it, raw-text elements holding "<svg" included, stays as written.
    from wiredesk.formats.markup import prepare

    before = '<div class="w"><p>Caption <b>one</b></p><button>'
    after = ('</button></div><p>After</p><script>var s = "<svg>";</script>'
             '<textarea><math></textarea><P >end</P >')
    svg = '<svg viewBox="0 0 1 1"><title>Expand</title><path d="M0"/><text>solar</text></svg>'
    spans = "<span><title>Expand</title><span></span> <span>solar</span> </span> "
    assert prepare(before + svg + after) == before + spans + after
    assert body_from_html(before + svg + after).text.split() == [
        "Caption", "one", "Expand", "solar", "After", "<math>", "end"]


def _ninjs(**fields: object) -> bytes:
    return ninjs_item("urn:k:1", **fields)


def test_a_lone_surrogate_is_replaced_and_the_story_reads():
    data = _ninjs(headline="Storm \ud800 hits", body="<p>Gale \udfff winds</p>", by="Jane \ud800")
    assert b"\\ud800" in data  # as a sender's JSON carries it
    (story,) = formats.parse(data, "ninjs")
    assert story.headline == "Storm \ufffd hits"
    assert story.body.text == "Gale \ufffd winds" and story.by == "Jane \ufffd"
    assert story.warnings and "surrogate" in story.warnings[0].problem
    assert story.raw == data


def test_a_lone_surrogate_in_one_item_of_an_array_keeps_its_raw_bytes_encodable():
    items = [json.loads(_ninjs(headline=f"Item {n} \ud800")) for n in range(2)]
    data = json.dumps(items).encode()
    stories = formats.parse(data, "ninjs")
    assert [s.headline for s in stories] == ["Item 0 \ufffd", "Item 1 \ufffd"]


@pytest.mark.parametrize("fmt", ["ninjs", "jsonfeed"])
def test_a_5000_digit_urgency_is_a_format_error_naming_the_field(fmt):
    if fmt == "ninjs":
        # ninjs reads past a field that fails its schema and can be ignored: the warning
        # names it (tests/test_formats_ninjs.py has the rule).
        data = _ninjs()[:-1] + b', "urgency": ' + b"9" * 5000 + b"}"
        (story,) = formats.parse(data, fmt)
        assert story.urgency is None
        assert [(w.field, w.action) for w in story.warnings] == [("urgency", "dropped")]
        return
    else:
        data = (b'{"version": "https://jsonfeed.org/version/1.1", "title": "T", "items": '
                b'[{"id": "x", "title": "H", "content_text": "b", "_ninjs": {"urgency": '
                + b"9" * 5000 + b"}}]}")
    with pytest.raises(formats.FormatError) as caught:
        formats.parse(data, fmt)
    assert "urgency" in str(caught.value)


def test_controls_and_noncharacters_are_replaced_with_a_warning_per_field():
    data = _ninjs(headline="Storm\x0bhits \ufffecoast", by="Jane\x00Doe",
                  body="<p>Gale\x0bforce \x1fwinds</p>")
    (story,) = formats.parse(data, "ninjs")
    assert story.headline.split() == ["Storm", "hits", "\ufffdcoast"]
    assert story.by == "Jane Doe"
    assert story.body.text.split() == ["Gale", "force", "winds"]
    fields = {w.field for w in story.warnings}
    assert {"headline", "by", "body"} <= fields
    assert any("U+000B" in w.problem for w in story.warnings if w.field == "body")
    headline = next(w for w in story.warnings if w.field == "headline")
    assert "U+FFFE" in headline.problem  # the vertical tab went with the headline's spacing
    assert "replaced" in headline.action


def test_clean_input_has_no_warnings_and_is_the_same_object():
    data = _ninjs(headline="Storm hits", body="<p>Gale-force winds</p>")
    (story,) = formats.parse(data, "ninjs")
    assert story.warnings == ()
    assert story == ninjs.parse(data)[0]


# SVG/MathML element names only inside <svg>/<math>: elsewhere nh3 drops their text (a
# limit of nh3 this pass does not change).
_PIECES = ["<div>", "</div>", "<b>", "</b>", "<p>", "</p>", "<svg><g>word ", "</svg>",
           "<math><mi>word ", "<li>", "<span>", "</span>", "<table>", "<td>", "<a href='x'>", "</a>",
           "<br>", "<!--c-->", "word ", " ", "<i>" * 60]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=300))
def test_any_mix_of_tags_keeps_every_word_and_bounded_depth(pieces):
    markup = "".join(pieces)
    body = body_from_html(markup)
    assert body.text.count("word") == markup.count("word")
    assert depth(body.html) <= 3 * DEPTH


# -- the pictures kit (issue 13) ----------------------------------------------------------


@pytest.mark.parametrize("href, contenttype", [
    ("data:image/png;base64,AAAA", None), ("javascript:alert(1)", None),
    (" JaVa\tScRiPt:alert(1)", None), ("java\nscript:alert(1)", None), ("vbscript:x", None),
    ("file:///etc/passwd", None), ("blob:https://x.example/1", None),
    ("https://x.example/a.js", None), ("https://x.example/a", "text/html"),
    ("https://x.example/a", "application/javascript"), ("data:image/svg+xml,<svg/>", None),
    ("javascript:alert(1)//a.svg", None),
])
def test_pictures_never_come_from_urls_that_run_code_or_carry_their_bytes(href, contenttype):
    kit = Pictures()
    assert refusal(href, contenttype) is not None
    assert kit.add([kit.rendition(href, contenttype=contenttype)], uri="urn:p:1", offered=1) is None
    (warning,) = kit.warnings
    assert warning.field == "pictures" and warning.action == "dropped"


@pytest.mark.parametrize("href, contenttype", [
    ("https://x.example/a.SVG?w=1#x", None), ("https://x.example/a.svgz", None),
    ("https://x.example/a", "image/svg+xml"), ("chart.svg", None)])
def test_an_svg_alone_is_kept_to_be_quarantined_and_beside_a_photo_dropped(href, contenttype):
    kit = Pictures()
    assert refusal(href, contenttype) is not None  # never a picture we show
    picture = kit.add([kit.rendition(href, contenttype=contenttype)], uri="urn:p:1", offered=1)
    assert picture is not None and picture.renditions[0].contenttype == "image/svg+xml"
    (warning,) = kit.warnings
    assert warning.action == "quarantined" and "SVG" in warning.problem
    kit = Pictures()
    photo = kit.rendition("https://x.example/b.jpg")
    picture = kit.add([kit.rendition(href, contenttype=contenttype), photo], uri="urn:p:2")
    assert picture is not None and picture.renditions == (photo,)
    (warning,) = kit.warnings
    assert warning.action == "dropped" and "SVG" in warning.problem


@pytest.mark.parametrize("href", ["https://x.example/a.jpg", "http://x.example/a?svg=1",
                                  "photo.jpg", "/photos/a.jpg", "//cdn.example/a.png",
                                  "../pics/a.webp"])
def test_http_and_relative_hrefs_are_kept_as_given(href):
    kit = Pictures()
    picture = kit.add([kit.rendition(f" {href} ", contenttype="image/jpeg")], offered=1)
    assert picture is not None and picture.renditions[0].href == href
    assert picture.uri == derived_uri(href) == derived_uri(href)  # stable across reads
    assert picture.uri.startswith("urn:wiredesk:picture:") and kit.warnings == []


def test_renditions_of_another_kind_are_skipped_and_sizes_read_leniently():
    kit = Pictures()
    assert kit.rendition("https://x.example/a.mp4", contenttype="video/mp4") is None
    r = kit.rendition("https://x.example/a.jpg", width="1200", height=800.0, size="0")
    assert (r.width, r.height, r.size) == (1200, 800, None)
    assert kit.rendition("https://x.example/a.jpg", width=True, height="tall").width is None
    assert kit.add([None], offered=1) is None  # a picture with no image rendition is dropped
    assert "no rendition is a picture" in kit.warnings[0].problem
    assert kit.add([], uri="urn:p:2") is not None  # a reference by id alone is kept (a kill)


def test_the_lead_picture_comes_first_and_the_rest_keep_their_order():
    pictures = [Picture("a"), Picture("b", role="body"), Picture("c", role="featureimage"),
                Picture("d", role="main")]
    assert [p.uri for p in lead_first(pictures)] == ["c", "a", "b", "d"]
    assert [p.uri for p in lead_first(pictures[:2])] == ["a", "b"]
    assert credit_name("(AP Photo/John Smith)") == "John Smith"
    assert credit_name("REUTERS/Jane Doe") == "Jane Doe" and credit_name("Jan Jansen") == "Jan Jansen"


# -- pictures in the text: one sanitiser pass makes mark_pictures' markers (issue 17) ------

_SRCS = ["https://x.example/a.jpg?w=1&amp;h=2", " rel/b.png ", "\u00a0https://x.example/c.jpg\t",
         "https://x.example/q&quot;d&lt;e&gt;.jpg", "javascript:alert(1)", "data:image/png;base64,AA",
         "", "  ", "https://x.example/é ü.jpg", "&#32;https://x.example/f.jpg&#160;"]
_ALTS = [None, "", " A &quot;quake&quot; ", "x &amp; y\u2003", "&lt;b&gt;", "é\u00a0"]


def _img(src: str | None, alt: str | None) -> str:
    attrs = "".join(f' {name}="{value}"' for name, value in (("src", src), ("alt", alt))
                    if value is not None)
    return f"<IMG{attrs} onerror='x()'>" if alt == "" else f"<img{attrs} loading=lazy>"


_ICON = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><path d="M1 1"/>'
         '<g><circle r="2"/></g><text>icon</text></svg>')  # Substack's image widgets
_LEAVES = st.one_of(st.sampled_from(["word ", "a &amp; b ", "<br>", " ", _ICON]),
                    st.builds(_img, st.sampled_from([*_SRCS, None]), st.sampled_from(_ALTS)))

def _wrap(tag: str, inner: list[str]) -> str:
    return f"<{tag}>{''.join(inner)}</{tag.split()[0]}>"


# Well-formed HTML only (no <p> inside <p>, no block inside inline): where the markup is
# broken, lxml and the sanitiser mend it differently, with or without pictures.
_INLINE = st.recursive(_LEAVES, lambda kids: st.builds(
    _wrap, st.sampled_from(["b", "em", "span class=c"]), st.lists(kids, max_size=4)),
    max_leaves=8)
_LINKED = st.builds(_wrap, st.just("a href='https://y/'"), st.lists(_LEAVES, max_size=3))
_PARAGRAPH = st.builds(_wrap, st.sampled_from(["p", "h2", "figcaption"]),
                       st.lists(st.one_of(_INLINE, _LINKED), max_size=4))
_TREES = st.recursive(_PARAGRAPH, lambda kids: st.builds(
    _wrap, st.sampled_from(["figure", "blockquote", "div"]), st.lists(kids, max_size=3)),
    max_leaves=6)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_TREES, _INLINE), min_size=1, max_size=4))
def test_pictures_marked_in_the_sanitiser_pass_as_mark_pictures_marks_them(trees):
    """Well-formed agency HTML with <img>: the sanitiser's own pass (bodies._clean_marking)
    gives the same display copy, byte for byte, as marking with lxml first."""
    markup = "".join(trees)
    assert sanitize_html(markup) == sanitize_html(mark_pictures(markup))


@pytest.mark.parametrize("markup", [
    '<p>a<img src="javascript:x()">b</p>',  # refused URL: the marker keeps it, to warn
    '<p>a<image src="https://x.example/a.jpg">b</p>',  # an <img> only to the sanitiser
    '<p>a<textarea><img src="https://x.example/a.jpg"></textarea></p>',
    '<p>a<svg><img src="https://x.example/a.jpg"></svg>b</p>',
    '<html><body><p><img src="https://x.example/a.jpg"></p></body></html>',
    '<p>a</p><img src="https://x.example/a.jpg"',  # ends inside a tag
    '<p>a\x0bb<img src="https://x.example/a.jpg"></p>',  # a control XML cannot carry
    ' \n<p><img src="https://x.example/a.jpg"></p>',  # blank text first: lxml drops it
    '&nbsp;<p><img src="https://x.example/a.jpg"></p>',
])
def test_where_the_parsers_could_differ_mark_pictures_decides(markup):
    assert sanitize_html(markup) == sanitize_html(mark_pictures(markup))
