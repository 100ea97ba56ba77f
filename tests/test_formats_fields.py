"""Every format, fed hostile text inside well-formed files (not only flipped bytes): each
text field of each fixture in turn holds lone surrogates, controls, 5,000-digit numbers, SVG,
MathML or deep nesting. The parser gives stories or a FormatError, nothing else, and the
stories `formats.parse` hands on carry only characters XML can."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import FIXTURES, SAMPLES
from fuzzing import assert_clean, assert_parses_or_format_error, in_fields
from wiredesk import formats


def _fixtures_by_format() -> dict[str, list[Path]]:
    """Fixture and sample files that their detected format reads without error."""
    found: dict[str, list[Path]] = defaultdict(list)
    files = [p for d in FIXTURES.iterdir() if d.is_dir() for p in sorted(d.iterdir())]
    for path in files + sorted(SAMPLES.iterdir()):
        if not path.is_file() or path.suffix in (".md", ".txt.reason"):
            continue
        data = path.read_bytes()
        try:
            name = formats.detect(data)
            formats.parse(data, name)
        except formats.FormatError:
            continue
        found[name].append(path)
    return found


BY_FORMAT = _fixtures_by_format()


def test_every_format_has_fixtures_to_fuzz():
    assert set(BY_FORMAT) == set(formats.FORMATS)


@pytest.mark.parametrize("name", sorted(formats.FORMATS))
@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_hostile_text_in_fields_gives_stories_or_format_error(name: str, data: st.DataObject):
    raw = data.draw(in_fields(BY_FORMAT[name]), label="bytes")
    fmt = formats.FORMATS[name]
    assert_parses_or_format_error(fmt.parse, raw)
    assert_clean(assert_parses_or_format_error(lambda d: formats.parse(d, name), raw))
