"""Every readable fixture of every format is found by detection alone and comes out as
schema-valid ninjs 2.2 (what `wiredesk parse` prints)."""

from __future__ import annotations

import pytest

from conftest import FIXTURES, SAMPLES
from wiredesk import formats
from wiredesk.formats import FormatError, ninjs

FOLDERS = {"ninjs": "ninjs", "newsmlg2": "newsmlg2", "nitf": "nitf", "newsml12": "newsml12",
           "anpa": "anpa", "iptc7901": "iptc7901", "feeds": "feed", "jsonfeed": "jsonfeed",
           "webpage": "webpage", "superdesk": "superdesk", "apmedia": "apmedia",
           "newsmlg2-reuters": "newsmlg2", "newsmlg2-as-sent": "newsmlg2",
           "nitf-as-sent": "nitf", "iptc7901-dpa": "iptc7901", "plain-as-sent": "plain"}
FILES = [(path, name) for folder, name in FOLDERS.items()
         for path in sorted((FIXTURES / folder).iterdir())
         if path.is_file() and path.suffix not in (".md", "") and path.name != "LICENSE"]
FILES += [(path, "plain" if path.suffix == ".txt" else "ninjs") for path in sorted(SAMPLES.iterdir())]


@pytest.mark.parametrize(("path", "fmt"), FILES, ids=lambda v: getattr(v, "name", v))
def test_detection_alone_gives_schema_valid_ninjs(path, fmt):
    data = path.read_bytes()
    try:
        expected = formats.parse(data, fmt)
    except FormatError:
        # a malformed fixture: detection must not make it readable by another format
        with pytest.raises(FormatError):
            formats.parse(data)
        return
    assert formats.detect(data) == fmt
    stories = formats.parse(data)
    assert [s.uri for s in stories] == [s.uri for s in expected]
    for story in stories:
        assert list(ninjs.validator("2.2").iter_errors(ninjs.to_ninjs(story, "2.2"))) == []
