"""The parse-speed shortcuts give the answers of the plain code they stand for."""

from __future__ import annotations

import html

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wiredesk.formats.bodies import body_from_paragraphs, paragraphs_to_html
from wiredesk.formats.errors import FormatError
from wiredesk.formats.spacing import collapsed_lines, single_spaced
from wiredesk.formats.teletype import frames

SPACES = [chr(c) for c in range(0x110000) if chr(c).isspace() and chr(c) not in " \n"]
# What copy is made of, with every space str.split() knows and the bytes that share their
# UTF-8 lead bytes (curly quotes, ©, « share 0xE2 and 0xC2 with spaces).
TEXT = st.text(alphabet=st.sampled_from(["a", "b", " ", "\n", "’", "“", "©", "«", "é", "\u2010",
                                         "\u2030", *SPACES]), max_size=40)


def collapse(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.split("\n")]


def test_every_space_but_space_and_newline_needs_the_slow_way():
    assert len(SPACES) > 20
    for space in SPACES:
        text = f"a{space}b\n c "
        assert not single_spaced(text), hex(ord(space))
        assert collapsed_lines(text) == collapse(text) == ["a b", "c"]


def test_single_spaced_text_is_only_stripped():
    text = "Mattis says ’Japan’ “firm” – 2026\n \n Tokyo "
    assert single_spaced(text)
    assert collapsed_lines(text) == collapse(text)
    assert not single_spaced("two  spaces") and not single_spaced("tab\there")
    assert not single_spaced("© 2026")  # a false alarm (0xC2 leads NBSP too): the slow way


@settings(max_examples=500)
@given(TEXT)
def test_collapsed_lines_is_split_and_join(text: str):
    assert collapsed_lines(text) == collapse(text)


@settings(max_examples=300)
@given(st.lists(st.text(alphabet=st.sampled_from(["a", " ", "&", "<", ">", "\"", "é"]),
                        max_size=8), max_size=5))
def test_paragraph_html_escapes_as_before(paragraphs: list[str]):
    expected = "".join(f"<p>{html.escape(p, quote=False)}</p>" for p in paragraphs)
    assert paragraphs_to_html(paragraphs) == expected
    body = body_from_paragraphs(paragraphs)
    kept = [p.strip() for p in paragraphs if p.strip()]
    assert body.html == "".join(f"<p>{html.escape(p, quote=False)}</p>" for p in kept)
    assert body.text == "\n".join(kept)


@pytest.mark.parametrize("control", ["\x02", "\x03", "\x04", "\x16"])  # SOH starts a message
@pytest.mark.parametrize("part", ["header", "text", "after ETX"])
def test_a_stray_framing_character_is_still_named(control: str, part: str):
    pieces = {"header": "dpa0187 4 pol 286 dpa 1734", "text": "Headline =\n\nBody.", "after ETX": ""}
    pieces[part] += f"x{control}y"
    data = f"\x01{pieces['header']}\x02{pieces['text']}\x03{pieces['after ETX']}\x04".encode()
    with pytest.raises(FormatError, match="unexpected control character|expected"):
        frames(data, "iptc7901")


def test_a_clean_frame_reads():
    [frame] = frames(b"\x01dpa0187 4 pol 286 dpa 1734\r\n\x02Headline =\r\n\r\nBody.\r\n\x03\x04", "iptc7901")
    assert frame.header.startswith("dpa0187") and "Body." in frame.text


@settings(max_examples=500)
@given(st.binary(max_size=30).map(lambda b: bytes(x % 5 if x % 3 else [1, 22][x % 2] for x in b)))
def test_frame_starts_are_the_regex_matches(data: bytes):
    import re

    from wiredesk.formats.teletype import _frame_starts

    assert _frame_starts(data) == [m.start() for m in re.finditer(rb"\x16*\x01", data)]
