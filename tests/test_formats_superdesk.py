"""Superdesk's ninjs (superdesk-core's NINJSFormatter): told from official ninjs by content,
read field by field, odd fields dropped with warnings rather than the item refused."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings

from conftest import FIXTURES
from fuzzing import assert_parses_or_format_error, mutated, other_format_files, path_id
from wiredesk import formats
from wiredesk.formats import FormatError, superdesk
from wiredesk.story import Pubstatus, Subject

DIR = FIXTURES / "superdesk"
ALL = sorted(DIR.glob("*.json"))
GUID = "urn:newsml:sd-master.example.org:2026-01-28T18:31:40.123456:5b1e9c7a-0f3d-4a52-9d6b-2c8e1f7a4b90"


def one(name: str):
    (story,) = formats.parse((DIR / name).read_bytes())
    return story


def test_there_are_five_or_more_fixtures_and_detection_finds_each():
    assert len(ALL) >= 5
    for path in ALL:
        assert formats.detect(path.read_bytes()) == "superdesk", path


def test_a_superdesk_story_maps_to_story():
    story = one("story.json")
    assert story.format == "superdesk"
    assert story.uri == GUID  # guid: Superdesk writes no uri
    assert story.headline == "Storm Lena makes landfall on Portugal's Atlantic coast"
    assert story.by == "Maria Lopes"
    assert story.dateline == "LISBON (AAP)"  # lifted from the body's first paragraph
    assert story.located == "Lisbon"
    assert story.body.text.startswith("Storm Lena made landfall")
    assert "red alert" in story.body.text
    assert story.version == "2"
    assert story.versioncreated == datetime(2026, 1, 28, 19, 5, 12, tzinfo=UTC)
    assert story.urgency == 3 and story.slugline == "PORTUGAL-STORM"
    assert story.agency == "AAP" and story.copyrightnotice == "Copyright 2026 AAP"
    assert story.usageterms == "Editorial use only"
    assert Subject("weather", "http://cv.iptc.org/newscodes/mediatopic/17000000", "17000000") in story.subjects
    assert Subject("natural disasters", None, "06006000") in story.subjects  # no URI scheme
    assert Subject("storm") in story.subjects  # keywords
    assert story.pubstatus is Pubstatus.USABLE and story.signals == ()
    assert story.warnings == ()


def test_correction_kill_and_rewrite_signals():
    correction = one("correction.json")
    assert correction.uri == GUID and correction.version == "3"
    assert correction.signals == ("correction",)
    assert "130 kilometers" in correction.body.text
    assert correction.ednote == "Corrects wind speed in first paragraph."
    kill = one("kill.json")
    assert kill.uri == GUID and kill.pubstatus is Pubstatus.CANCELED
    update = one("update-no-headline.json")
    assert update.signals == ("update",)  # evolvedfrom and the take key


def test_a_body_without_a_headline_gets_one_derived_with_a_warning():
    story = one("update-no-headline.json")
    assert story.headline == "Power was restored to most homes in northern Portugal on Friday after Storm Lena"
    assert story.by == "Maria Lopes and Joao Silva"  # authors with a writer role, not the editor
    assert story.dateline == "PORTO, Portugal (AAP)"
    assert [(w.field, w.action) for w in story.warnings] == [
        ("headline", "derived from the first sentence of the body")]


def test_odd_fields_are_dropped_with_warnings_and_the_embargo_is_kept():
    story = one("embargo-odd-fields.json")
    assert story.embargoed == datetime(2099, 1, 1, 9, tzinfo=UTC)
    assert story.urgency == 5  # "high" dropped: the priority stands in
    fields = {w.field: (w.problem, w.action) for w in story.warnings}
    assert fields["urgency"][1] == "dropped" and "'high'" in fields["urgency"][0]
    assert fields["keywords"] == ("expected a list, got str", "dropped")


def test_a_package_gives_its_text_items_not_its_pictures():
    (story,) = formats.parse((DIR / "package.json").read_bytes())
    assert story.headline == "Storm Lena: what we know"
    assert story.uri.endswith(":main-7") and story.by == "Maria Lopes"


@pytest.mark.parametrize(("doc", "where"), [
    ({"guid": "", "priority": 5, "headline": "h", "body_text": "b"}, "$.guid"),
    ({"guid": "g", "priority": 5, "headline": "h", "pubstatus": "published"}, "$.pubstatus"),
    ({"guid": "g", "priority": 5, "headline": "h", "body_text": "b", "embargoed": "soon"}, "$.embargoed"),
    ({"guid": "g", "priority": 5, "slugline": "X"}, "$.headline"),  # neither headline nor body
    ([{"guid": "g", "priority": 5, "headline": "h", "body_text": "b"}, 3], "$[1]"),
])
def test_what_cannot_be_read_is_refused_naming_the_field(doc, where):
    with pytest.raises(FormatError) as err:
        superdesk.parse(json.dumps(doc).encode())
    assert err.value.where == where, str(err.value)


def test_official_ninjs_is_not_taken_for_superdesk():
    for path in sorted((FIXTURES / "ninjs").glob("*.json")):
        assert not superdesk.looks_like(path.read_bytes()), path
        assert formats.detect(path.read_bytes()) == "ninjs"


@pytest.mark.parametrize("path", other_format_files(DIR), ids=path_id)
def test_looks_like_refuses_other_formats(path):
    assert not superdesk.looks_like(path.read_bytes())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated(ALL, tokens=(b"{", b'"guid"', b"null")))
def test_mutated_superdesk_gives_stories_or_format_error(data):
    assert_parses_or_format_error(superdesk.parse, data, "superdesk")


# -- pictures (issue 13) ------------------------------------------------------------------

SD_PHOTO = "tag:sd-master.example.org:2026:photo-120"


def test_superdesk_associations_give_pictures_feature_media_first():
    (story,) = superdesk.parse((DIR / "story-pictures.json").read_bytes())
    assert [p.uri for p in story.pictures][:2] == [SD_PHOTO,
                                                   "tag:sd-master.example.org:2026:photo-121"]
    lead, body, graphic = story.pictures  # the SVG graphic: kept to be quarantined at fetch
    assert [r.contenttype for r in graphic.renditions] == ["image/svg+xml"]
    assert lead.role == "featuremedia" and body.role == "editor_0"
    assert [(r.name, r.width, r.height, r.contenttype) for r in lead.renditions] == [
        ("original", 4000, 2667, "image/jpeg"), ("baseImage", 1400, 933, "image/jpeg"),
        ("viewImage", 640, 427, "image/jpeg"), ("thumbnail", 180, 120, "image/jpeg")]
    assert lead.renditions[3].href == "https://sd-master.example.org/api/upload/120/thumbnail"
    assert lead.caption == "Cranes stand idle at the container terminal in Rotterdam, March 4, 2026."
    assert lead.alt == "Three container cranes against a grey sky"
    assert lead.by == "Eva Plevier" and lead.headline == "Cranes stand idle"
    assert (lead.copyrightholder, lead.copyrightnotice, lead.usageterms) == (
        "AAP", "(c) AAP 2026", "Editorial use only")
    assert lead.version == "2" and lead.versioncreated == datetime(2026, 3, 4, 5, 58, tzinfo=UTC)
    # the SVG graphic is never shown (a warning says so); the video is no picture at all
    (warning,) = [w for w in story.warnings if w.field == "pictures"]
    assert "svg" in warning.problem.lower() and warning.action == "quarantined"


def test_the_existing_story_fixture_keeps_its_feature_picture():
    (story,) = superdesk.parse((DIR / "story.json").read_bytes())
    (picture,) = story.pictures
    assert picture.uri == "tag:sd-master.example.org:2026:photo-118"
    assert picture.caption == "Waves hit the sea wall in Nazare, Portugal."  # body_text
    assert picture.renditions[0].name == "original" and picture.renditions[0].width == 3000


def test_a_superdesk_picture_item_alone_is_a_picture_story():
    (story,) = superdesk.parse((DIR / "picture-item.json").read_bytes())
    assert story.type == "picture" and story.uri == SD_PHOTO and story.agency == "AAP"
    assert story.headline == "Cranes stand idle" and story.language == "en"
    (picture,) = story.pictures
    assert picture.role is None and [r.name for r in picture.renditions] == ["original", "thumbnail"]
    assert picture.alt == "Three container cranes against a grey sky"
    kill = json.loads((DIR / "picture-item.json").read_bytes())
    kill.update(pubstatus="canceled", renditions={})
    (story,) = superdesk.parse(json.dumps(kill).encode())
    assert story.pubstatus is Pubstatus.CANCELED and story.pictures[0].renditions == ()
    kill.update(pubstatus="usable",
                renditions={"original": {"href": "javascript:alert(1)", "mimetype": "image/jpeg"}})
    with pytest.raises(FormatError) as err:
        superdesk.parse(json.dumps(kill).encode())
    assert err.value.where == "$.renditions" and "javascript" in err.value.problem


def test_a_package_gives_its_pictures_to_its_story():
    (story,) = superdesk.parse((DIR / "package.json").read_bytes())
    (picture,) = story.pictures
    assert picture.uri == "tag:sd-master.example.org:2026:photo-119"
    assert picture.role == "sidebars" and picture.headline == "Flooded street"
