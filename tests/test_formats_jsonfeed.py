"""JSON Feed 1.1 and 1.0: fixtures written to https://jsonfeed.org/version/1.1."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import FIXTURES
from fuzzing import assert_parses_or_format_error, mutated, other_format_files, path_id
from wiredesk.formats import jsonfeed
from wiredesk.formats.errors import FormatError
from wiredesk.story import Pubstatus, Subject

DIR = FIXTURES / "jsonfeed"
ALL = sorted(p.name for p in DIR.iterdir())


def load(name: str) -> bytes:
    return (DIR / name).read_bytes()


def feed(*items: object, version: str = "https://jsonfeed.org/version/1.1", **top: object) -> bytes:
    return json.dumps({"version": version, "title": "Wire", **top, "items": list(items)}).encode()


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# -- detection ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ALL)
def test_looks_like_jsonfeed_fixtures(name: str) -> None:
    assert jsonfeed.looks_like(load(name))


OTHERS = other_format_files(DIR)


@pytest.mark.parametrize("path", OTHERS, ids=path_id)
def test_looks_like_refuses_other_formats(path: Path) -> None:
    assert not jsonfeed.looks_like(path.read_bytes())


def test_looks_like_needs_the_jsonfeed_version_url() -> None:
    assert not jsonfeed.looks_like(b'{"uri": "urn:x", "version": "1"}')  # ninjs
    assert not jsonfeed.looks_like(b'["https://jsonfeed.org/version/1.1"]')
    assert jsonfeed.looks_like(b'\xef\xbb\xbf {"version" : "https://jsonfeed.org/version/1.1"}')


# -- stories ------------------------------------------------------------------------------


def test_plain_story_html_content() -> None:
    stories = jsonfeed.parse(load("reuters-world.json"))
    assert len(stories) == 2
    s = stories[0]
    assert s.format == "jsonfeed"
    assert s.uri == "tag:reuters.com,2026:newsml_L8N3OP0A1"
    assert s.headline == "Portugal braces for Storm Lena as red alerts issued for coast"
    assert s.firstcreated == s.versioncreated == utc(2026, 1, 15, 7, 2)
    assert s.by == "Catarina Demony"
    assert (s.dateline, s.located, s.agency) == ("LISBON (Reuters)", "LISBON", "Reuters")
    assert s.language == "en-GB"  # the feed's
    assert s.subjects == (Subject("Europe"), Subject("Weather"), Subject("Portugal"))
    assert s.copyrightnotice == "Copyright 2026 Thomson Reuters. All rights reserved."
    assert s.creditline == "(Reporting by Catarina Demony; Editing by Andrew Heavens)"
    assert s.body.content_type == "text/html"
    assert s.body.text.split("\n") == [
        "Portugal put its entire Atlantic coast on red alert on Thursday as Storm Lena approached"
        " with gusts forecast above 120 km/h (75 mph).",
        "The civil protection agency said schools in Porto and Aveiro would stay shut.",
    ]
    assert "summary" not in s.body.text  # the teaser is not the body
    assert s.pubstatus is Pubstatus.USABLE
    assert (s.version, s.signals, s.embargoed, s.expires, s.urgency) == (None, (), None, None, None)
    assert json.loads(s.raw)["id"] == s.uri


def test_text_content_byline_item_language_and_offset_date() -> None:
    s = jsonfeed.parse(load("reuters-world.json"))[1]
    assert s.by == "Karen Lema"  # byline paragraph; no item authors, beats the feed's
    assert s.language == "en-US"
    assert s.versioncreated == utc(2026, 1, 14, 22, 30)
    assert s.body.content_type == "text/plain"
    assert s.body.text.split("\n") == [
        "Philippine President Ferdinand Marcos Jr named central bank deputy governor Maria Santos"
        " as finance secretary on Thursday, his office said.",
        "Santos replaces Ralph Recto, who resigned last week.",
    ]


def test_feed_authors_when_item_has_none_and_no_byline() -> None:
    (s,) = jsonfeed.parse(feed({"id": "a", "content_text": "Text."}, authors=[{"name": "AFP"}]))
    assert s.by == "AFP"
    assert s.headline == "Text" and s.agency == "Wire"  # no title: derived from the text
    assert [(w.field, w.action) for w in s.warnings] == [
        ("headline", "derived from the first sentence of the body")]


def test_update_same_id_later_modified() -> None:
    first = jsonfeed.parse(load("reuters-world.json"))[0]
    (update,) = jsonfeed.parse(load("reuters-world-update.json"))
    assert update.uri == first.uri
    assert update.firstcreated == first.firstcreated
    assert update.versioncreated == utc(2026, 1, 15, 9, 15)
    assert update.version == "2" and update.signals == ("update",)
    assert update.headline == "Portugal shuts schools as Storm Lena makes landfall"
    assert update.ednote == "(Adds landfall, power cuts in paragraphs 1-3)"
    assert update.dateline == "LISBON (Reuters)"  # ended by an en dash reference
    assert update.body.text.startswith("Storm Lena made landfall near Aveiro")


def test_correction() -> None:
    (s,) = jsonfeed.parse(load("correction.json"))
    assert s.signals == ("correction",)
    assert s.version == "2"  # from _ninjs
    assert s.headline == "Euro zone bond yields fall after ECB minutes"
    assert s.ednote == "(Corrects German 10-year yield to 2.41% from 2.14% in paragraph 2)"
    assert s.dateline == "LONDON, Jan 15 (Reuters)"
    assert s.creditline == "(Reporting by Harry Robertson; Editing by Sharon Singleton)"
    assert (s.firstcreated, s.versioncreated) == (utc(2026, 1, 15, 12, 30), utc(2026, 1, 15, 12, 44))


def test_kill_by_status_and_by_withdrawal_notice() -> None:
    by_status, by_notice = jsonfeed.parse(load("kill.json"))
    assert by_status.pubstatus is Pubstatus.CANCELED
    assert by_status.signals == ("withdrawn",)
    assert by_status.headline == "Louvre to open new wing for Islamic art in 2027"  # KILL tag off
    assert by_status.ednote == "KILL: please remove from all platforms."
    assert by_status.agency == "AFP World"
    assert by_notice.pubstatus is Pubstatus.CANCELED
    assert by_notice.signals == ("withdrawn",)
    assert by_notice.body.text.startswith("STORY WITHDRAWN.")


def test_embargo_subjects_and_rights() -> None:
    (s,) = jsonfeed.parse(load("embargo-rights.json"))
    assert s.uri == "urn:newsml:dpa.com:20090101:260129-99-112233"
    assert s.embargoed == utc(2026, 1, 29, 8, 55)
    assert s.expires == utc(2026, 2, 28)
    assert s.urgency == 3
    assert s.slugline == "Germany-Economy-Jobs"
    assert s.subjects == (Subject("economy"), Subject("labour market"), Subject("Germany"))
    assert s.copyrightholder == "dpa Deutsche Presse-Agentur GmbH"  # feed default
    assert s.copyrightnotice == "(c) dpa 2026"
    assert s.usageterms == "Embargoed until 09:55 CET; for use by dpa subscribers only."  # item wins
    assert (s.dateline, s.located, s.agency) == ("NUREMBERG, Germany (dpa)", "NUREMBERG, Germany", "dpa")
    assert s.language == "en"


def test_version_1_0_author_and_numeric_id() -> None:
    (s,) = jsonfeed.parse(load("v1-0.json"))  # slashes escaped as \/ in the version
    assert s.uri == "81723"  # 1.0: a numeric id is coerced to a string
    assert s.by == "Christopher Rugaber"
    assert (s.dateline, s.agency) == ("WASHINGTON (AP)", "AP")
    assert s.body.text.startswith("The Federal Reserve left its key rate unchanged")


def test_agency_argument_before_feed_title() -> None:
    (s,) = jsonfeed.parse(feed({"id": "a", "content_text": "Text."}), agency="AP")
    assert s.agency == "AP"


# -- malformed ----------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "where", "problem"), [
    ("malformed-items-not-list.json", "$.items", "expected an array of items, got object"),
    ("malformed-id-number.json", "$.items[3].id", "expected a non-empty string, got number"),
    ("malformed-no-content.json", "$.items[0]", "expected content_html or content_text"),
    ("malformed-bad-date.json", "$.items[0].date_published", "expected an ISO 8601 date-time"),
    ("malformed-truncated.json", "line 5 column 97", "invalid JSON"),
])
def test_malformed_fixtures(name: str, where: str, problem: str) -> None:
    with pytest.raises(FormatError) as err:
        jsonfeed.parse(load(name))
    assert err.value.format == "jsonfeed"
    assert err.value.where == where
    assert problem in err.value.problem


@pytest.mark.parametrize(("doc", "where"), [
    (b"[]", "$"),
    (b'{"title": "x", "items": []}', "$.version"),
    (b'{"version": "https://jsonfeed.org/version/9", "title": "x", "items": []}', "$.version"),
    (b'{"version": "https://jsonfeed.org/version/1.1", "items": []}', "$.title"),
    (feed("not an object"), "$.items[0]"),
    (feed({"id": "a", "content_html": 3}), "$.items[0].content_html"),
    (feed({"id": "a", "content_text": "x", "title": ["x"]}), "$.items[0].title"),
    (feed({"id": "a", "content_text": "x", "tags": ["ok", 5]}), "$.items[0].tags[1]"),
    (feed({"id": "a", "content_text": "x", "authors": {"name": "x"}}), "$.items[0].authors"),
    (feed({"id": "a", "content_text": "x", "authors": ["x"]}), "$.items[0].authors[0]"),
    (feed({"id": "a", "content_text": "x", "authors": [{"name": 1}]}), "$.items[0].authors[0].name"),
    (feed({"id": "a", "content_text": "x", "_ninjs": {"urgency": "3"}}), "$.items[0]._ninjs.urgency"),
    (feed({"id": "a", "content_text": "x", "_ninjs": {"pubstatus": "gone"}}),
     "$.items[0]._ninjs.pubstatus"),
    (feed({"id": "a", "content_text": "x", "_ninjs": {"embargoed": "soon"}}),
     "$.items[0]._ninjs.embargoed"),
    (feed({"id": True, "content_text": "x"}, version="https://jsonfeed.org/version/1"), "$.items[0].id"),
    (feed({"id": "a", "content_text": "x", "date_modified": "0001-01-01T00:00:00+05:00"}),
     "$.items[0].date_modified"),
])
def test_wrong_types_name_the_json_path(doc: bytes, where: str) -> None:
    with pytest.raises(FormatError) as err:
        jsonfeed.parse(doc)
    assert err.value.where == where


@pytest.mark.parametrize("data", [b"", b"\x00\x00", b"{" * 100_000, b'{"a": 1' + b"1" * 5000 + b"}"])
def test_junk_raises_format_error(data: bytes) -> None:
    with pytest.raises(FormatError):
        jsonfeed.parse(data)


# -- robustness ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ALL)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_mutated_fixtures_parse_or_raise_format_error(name: str, data: st.DataObject) -> None:
    assert_parses_or_format_error(jsonfeed.parse, data.draw(mutated([DIR / name])), "jsonfeed")


@settings(max_examples=60, deadline=None)
@given(value=st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=10,
), key=st.sampled_from(["id", "title", "content_html", "content_text", "date_published",
                        "date_modified", "authors", "author", "tags", "language", "_ninjs"]))
def test_any_json_value_in_any_field_parses_or_raises_format_error(value: object, key: str) -> None:
    item = {"id": "urn:x", "content_text": "LISBON (Reuters) - Text.", key: value}
    try:
        jsonfeed.parse(feed(item))
    except FormatError:
        pass


# -- pictures (issue 13) ------------------------------------------------------------------


def test_json_feed_image_banner_and_image_attachments_are_pictures():
    story, heron = jsonfeed.parse((DIR / "pictures.json").read_bytes())
    assert [(p.role, p.renditions[0].href) for p in story.pictures] == [
        ("main", "https://media.wire.example/4412/large.jpg"),
        ("banner", "https://media.wire.example/4412/banner.jpg"),
        (None, "https://media.wire.example/4413/union.jpg"),  # not the audio
        (None, "https://media.wire.example/4412/chart.svg")]  # fetched to be quarantined
    assert story.pictures[3].renditions[0].contenttype == "image/svg+xml"
    attachment = story.pictures[2]
    assert attachment.caption == "Union leaders address strikers."
    assert attachment.renditions[0].size == 204800
    assert attachment.renditions[0].contenttype == "image/jpeg"
    (warning,) = story.warnings
    assert warning.field == "pictures" and "chart.svg" in warning.problem
    assert warning.action == "quarantined"
    assert heron.pictures[0].renditions[0].href == "photos/heron.jpg"  # kept as given


def test_the_same_url_twice_is_one_picture():
    doc = {"version": "https://jsonfeed.org/version/1.1", "title": "T", "items": [
        {"id": "1", "title": "A", "content_text": "B", "image": "https://x.example/a.jpg",
         "attachments": [{"url": "https://x.example/a.jpg", "mime_type": "image/jpeg"}]}]}
    (story,) = jsonfeed.parse(json.dumps(doc).encode())
    (picture,) = story.pictures
    assert picture.role == "main"
