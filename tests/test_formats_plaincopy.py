"""Plain agency copy: the seed page parses exactly, and the wire conventions are read."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import SAMPLES
from fuzzing import assert_parses_or_format_error
from wiredesk.formats import FormatError, detect, plaincopy
from wiredesk.story import Pubstatus

SEED = (SAMPLES / "00-reuters-via-euronews.txt").read_bytes()
HEADLINE = "Mattis says Japan-U.S. committed to ending North Korea's 'weapons of mass destruction'"
CHROME = ("Now Reading", "Text size", "Aa Aa", "euronews", "does not edit", "limited time")


def copy(*lines: str) -> bytes:
    return "\n\n".join(lines).encode("utf-8")


def test_seed_page_parses_exactly():
    (story,) = plaincopy.parse(SEED)
    assert story.headline == HEADLINE
    assert story.by == "Phil Stewart and Tim Kelly"
    assert story.located == "TOKYO"
    assert story.dateline == "TOKYO (Reuters)"
    assert story.agency == "Reuters"
    assert story.creditline == "(Reporting by Phil Stewart and Tim Kelly; Editing by Michael Perry)"
    paragraphs = story.body.text.split("\n")
    assert len(paragraphs) == 15
    assert paragraphs[0].startswith("U.S. Defense Secretary Jim Mattis on Friday said")
    assert paragraphs[-1].endswith("normal diplomatic relations have been established.")
    assert story.body.html.count("<p>") == 15
    assert story.pubstatus is Pubstatus.USABLE and story.signals == ()
    assert story.raw == SEED and story.format == "plain"


def test_seed_page_carries_nothing_of_the_page_around_it():
    (story,) = plaincopy.parse(SEED)
    fields = [story.headline, story.by, story.located, story.dateline, story.creditline,
              story.body.text, story.body.html, story.body.received, story.ednote or ""]
    for field in fields:
        for chrome in CHROME:
            assert chrome not in (field or ""), (chrome, field)
    assert story.body.text.count(HEADLINE) == 0
    assert "(Reporting by" not in story.body.text


def test_seed_is_detected_as_plain_copy():
    assert detect(SEED) == "plain"


@pytest.mark.parametrize(
    ("headline", "clean", "signals", "version"),
    [
        ("UPDATE 2-Oil rises", "Oil rises", ("update",), "3"),
        ("CORRECTED-Oil rises", "Oil rises", ("correction",), None),
        ("CORRECTED-UPDATE 1-Oil rises", "Oil rises", ("correction", "update"), "2"),
        ("REFILE-Oil rises", "Oil rises", ("refile",), None),
        ("WRAPUP 1-Oil rises", "Oil rises", ("update",), "2"),
        ("EXCLUSIVE-Oil rises", "Oil rises", (), "1"),
        ("BRIEF-Oil rises", "Oil rises", (), "1"),
        ("Oil rises", "Oil rises", (), "1"),  # signals nothing: the first version
    ],
)
def test_reuters_headline_tags_are_signals_not_headline(headline, clean, signals, version):
    (story,) = plaincopy.parse(copy(headline, "LONDON (Reuters) - Oil rose on Monday."))
    assert story.headline == clean
    assert story.signals == signals
    assert story.version == version
    # every version of one story shares a uri whatever its tag
    assert story.uri == plaincopy.plain_uri("Reuters", "Oil rises")


@pytest.mark.parametrize(
    ("byline", "expected"),
    [
        ("By Jane Doe", "Jane Doe"),
        ("By Jane Doe and John Roe", "Jane Doe and John Roe"),
        ("By Jane Doe, John Roe and Ann Poe", "Jane Doe, John Roe and Ann Poe"),
    ],
)
def test_bylines(byline, expected):
    (story,) = plaincopy.parse(copy("Headline here", byline, "PARIS (Reuters) - Text."))
    assert story.by == expected
    assert story.body.text == "Text."


@pytest.mark.parametrize(
    ("lead", "dateline", "located", "agency"),
    [
        ("TOKYO (Reuters) - Body.", "TOKYO (Reuters)", "TOKYO", "Reuters"),
        ("WASHINGTON, Monday (Reuters) - Body.", "WASHINGTON, Monday (Reuters)", "WASHINGTON", "Reuters"),
        ("BERLIN, Nov 3 (Reuters) - Body.", "BERLIN, Nov 3 (Reuters)", "BERLIN", "Reuters"),
        ("NEW YORK (AP) — Body.", "NEW YORK (AP)", "NEW YORK", "AP"),
        ("GROSSETO, Italy (AP) -- Body.", "GROSSETO, Italy (AP)", "GROSSETO, Italy", "AP"),
        ("Paris (AFP) - Body.", "Paris (AFP)", "Paris", "AFP"),
        ("Berlin (dpa) – Body.", "Berlin (dpa)", "Berlin", "dpa"),
    ],
)
def test_datelines(lead, dateline, located, agency):
    (story,) = plaincopy.parse(copy("Headline here", lead, "Second paragraph."))
    assert (story.dateline, story.located, story.agency) == (dateline, located, agency)
    assert story.body.text == "Body.\nSecond paragraph."


def test_advisory_lines_become_the_ednote():
    (story,) = plaincopy.parse(copy("UPDATE 1-Oil rises", "(Adds analyst comment in paragraph 3)",
                                    "By A Reporter", "LONDON (Reuters) - Oil rose."))
    assert story.ednote == "(Adds analyst comment in paragraph 3)"
    assert story.by == "A Reporter"
    assert story.body.text == "Oil rose."


def test_story_withdrawn_notice_is_a_kill_of_the_named_story():
    data = copy(
        "WITHDRAWN-Oil rises",
        "STORY WITHDRAWN",
        'The story headlined "UPDATE 1-Oil rises" issued on Jan 15 is withdrawn. '
        "It was published in error. There will be no replacement story.",
    )
    (story,) = plaincopy.parse(data)
    assert story.pubstatus is Pubstatus.CANCELED
    assert "withdrawn" in story.signals
    assert story.uri == plaincopy.plain_uri(None, "Oil rises")


def test_kill_matches_the_original_uri_when_agency_is_known():
    (original,) = plaincopy.parse(copy("Oil rises", "LONDON (Reuters) - Oil rose."))
    (kill,) = plaincopy.parse(copy("WITHDRAWN-Oil rises", "STORY WITHDRAWN",
                                   'The story headlined "Oil rises" is withdrawn.'),
                              agency="Reuters")
    assert kill.uri == original.uri


def test_crlf_cp1252_and_bom_are_read():
    text = "Caf\xe9 prices soar\r\n\r\nPARIS (Reuters) - Caf\xe9 owners \u201cworry\u201d.\r\n"
    (story,) = plaincopy.parse(text.encode("cp1252"))
    assert story.headline == "Café prices soar"
    assert story.body.text == "Café owners “worry”."
    (story,) = plaincopy.parse(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert story.headline == "Café prices soar"


@pytest.mark.parametrize(
    ("data", "where"),
    [(b"", "line 1"), (b"   \n\n  ", "line 1"), (b"Only a headline", "body"),
     (b"\x00\x01\x02binary", "byte 0")],
)
def test_malformed_copy_names_the_problem(data, where):
    with pytest.raises(FormatError) as err:
        plaincopy.parse(data)
    assert err.value.format == "plain" and err.value.where == where


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400), st.integers(min_value=0, max_value=len(SEED)))
def test_mutated_seed_gives_stories_or_format_error(junk, cut):
    stories = assert_parses_or_format_error(plaincopy.parse, SEED[:cut] + junk + SEED[cut:], "plain")
    assert all(s.headline for s in stories or ())
