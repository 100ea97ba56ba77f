"""AP Media API JSON: feeds and single items, ids and revisions, AP's publishable-content
rules (signals, pubstatus, editorial types), and the NITF rendition as the body's address."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings

from conftest import FIXTURES
from fuzzing import assert_parses_or_format_error, mutated, other_format_files, path_id
from wiredesk import formats
from wiredesk.formats import FormatError, apmedia
from wiredesk.story import Pubstatus, Subject

DIR = FIXTURES / "apmedia"
ALL = sorted(DIR.glob("*.json"))
FED = "tag:ap.org,2011:6f2a8e1c0b3d4e5f9a7b0c1d2e3f4a5b"
NITF = "https://api.ap.org/media/v/content/6f2a8e1c0b3d4e5f9a7b0c1d2e3f4a5b/download?type=text&format=NITF"


def parse(name: str):
    return formats.parse((DIR / name).read_bytes())


def test_there_are_five_or_more_fixtures_and_detection_finds_each():
    assert len(ALL) >= 5
    for path in ALL:
        assert formats.detect(path.read_bytes()) == "apmedia", path


def test_a_single_item_maps_to_a_story_waiting_for_its_nitf_text():
    (story,) = parse("item-story.json")
    assert story.uri == FED  # altids.itemid: the same across revisions
    assert story.version == "0"
    assert story.headline == "Fed holds rates steady, signals two cuts this year"
    assert story.by == "CHRISTOPHER RUGABER, AP Economics Writer"
    assert story.located == "Washington, D.C."
    assert story.firstcreated == datetime(2026, 1, 28, 18, 31, 40, tzinfo=UTC)
    assert story.versioncreated == datetime(2026, 1, 28, 19, 5, 12, tzinfo=UTC)
    assert story.urgency == 3 and story.language == "en" and story.slugline == "Fed-Rates"
    assert story.agency == "AP"
    assert story.copyrightnotice.startswith("Copyright 2026 The Associated Press")
    assert story.usageterms.startswith("This content is intended for editorial use only.")
    assert Subject("Economy", "http://cv.ap.org/id/c8e409f8858510048872ff2260dd383e",
                   "c8e409f8858510048872ff2260dd383e") in story.subjects
    assert Subject("Federal Reserve") in story.subjects
    assert story.body.text == "" and story.body_href == NITF
    assert story.hold is None and story.pubstatus is Pubstatus.USABLE


PICTURE_ID = "9c8b7a6f5e4d3c2b1a09f8e7d6c5b4a3"


def test_a_feed_page_gives_its_text_items_and_holds_the_advisory():
    fed, picture, advisory = parse("feed.json")  # the picture in between is no text story
    assert picture.type == "picture" and picture.uri == f"{apmedia.URI_PREFIX}{PICTURE_ID}"
    assert fed.uri == FED and fed.hold is None
    assert advisory.headline.startswith("AP Top Stories Advisory")
    assert advisory.hold == "AP advisory: for editors, not for publication"


def test_without_newscontent_an_item_is_held_whatever_else_it_says():
    data = json.loads((DIR / "item-story.json").read_bytes())
    data["data"]["item"]["signals"] = ["whitelisted"]
    (story,) = apmedia.parse(json.dumps(data).encode())
    assert story.hold.startswith("AP: no newscontent signal")
    data["data"]["item"]["signals"] = ["newscontent"]
    data["data"]["item"]["ednote"] = "Eds: Not for publication. For your planning only."
    (story,) = apmedia.parse(json.dumps(data).encode())
    assert story.hold == "marked not for publication"


def test_an_embargoed_item_waits_for_its_time_or_is_held_without_one():
    data = json.loads((DIR / "item-story.json").read_bytes())
    data["data"]["item"].update(pubstatus="embargoed", embargoed="2026-01-29T05:00:00Z")
    (story,) = apmedia.parse(json.dumps(data).encode())
    assert story.embargoed == datetime(2026, 1, 29, 5, tzinfo=UTC) and story.hold is None
    del data["data"]["item"]["embargoed"]
    (story,) = apmedia.parse(json.dumps(data).encode())
    assert story.hold == "AP: embargoed, with no release time given"


def test_daybook_and_withhold():
    daybook, withheld = parse("feed-daybook-withhold.json")
    assert daybook.hold == "AP daybook: for editors, not for publication"
    assert withheld.pubstatus is Pubstatus.WITHHELD and withheld.version == "1"


def test_kill_elimination_and_correction():
    (kill,) = parse("item-kill.json")
    assert kill.pubstatus is Pubstatus.CANCELED and kill.ednote.startswith("KILL:")
    (elimination,) = parse("item-elimination.json")
    assert elimination.pubstatus is Pubstatus.CANCELED  # usable, but eliminated
    (correction,) = parse("item-correction.json")
    assert correction.uri == FED and correction.version == "1"
    assert correction.signals == ("correction",) and correction.pubstatus is Pubstatus.USABLE


def test_odd_fields_are_dropped_or_derived_with_warnings():
    (story,) = parse("entry-odd-fields.json")  # an entry: {"meta": ..., "item": ...}
    assert story.headline == "Wildfire forces evacuations in Southern California foothills"
    assert story.urgency is None
    assert [(w.field, w.action) for w in story.warnings] == [
        ("urgency", "dropped"), ("headline", "derived from headline_extended")]


def test_an_item_without_any_text_or_rendition_is_held_not_shown_empty():
    data = json.loads((DIR / "item-story.json").read_bytes())
    del data["data"]["item"]["renditions"]
    (story,) = apmedia.parse(json.dumps(data).encode())
    assert story.hold.startswith("no text") and story.body_href is None
    assert ("renditions", "held from readers") in [(w.field, w.action) for w in story.warnings]


@pytest.mark.parametrize(("change", "where"), [
    (lambda i: i["altids"].pop("itemid"), "$.data.item.altids.itemid"),
    (lambda i: i.update(pubstatus="published"), "$.data.item.pubstatus"),
    (lambda i: i.update(embargoed="tomorrow"), "$.data.item.embargoed"),
    (lambda i: i.update(headline="", headline_extended="", slugline=""), "$.data.item.headline"),
])
def test_what_cannot_be_read_is_refused_naming_the_field(change, where):
    data = json.loads((DIR / "item-story.json").read_bytes())
    change(data["data"]["item"])
    with pytest.raises(FormatError) as err:
        apmedia.parse(json.dumps(data).encode())
    assert err.value.where == where, str(err.value)


def test_a_waiting_item_without_a_headline_is_named_by_its_slugline():
    data = json.loads((DIR / "item-story.json").read_bytes())
    data["data"]["item"].update(headline="", headline_extended="")
    (story,) = formats.parse(json.dumps(data).encode())
    assert story.headline == "Fed-Rates"
    assert ("headline", "derived from the slugline") in [(w.field, w.action) for w in story.warnings]


@pytest.mark.parametrize("path", other_format_files(DIR), ids=path_id)
def test_looks_like_refuses_other_formats(path):
    assert not apmedia.looks_like(path.read_bytes())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated(ALL, tokens=(b"{", b'"itemid"', b"null", b"[]")))
def test_mutated_ap_gives_stories_or_format_error(data):
    assert_parses_or_format_error(apmedia.parse, data, "apmedia")


# -- pictures (issue 13) ------------------------------------------------------------------


def test_an_ap_picture_item_gives_its_renditions_caption_and_photographer():
    (story,) = parse("item-picture.json")
    assert story.type == "picture" and story.uri == f"{apmedia.URI_PREFIX}{PICTURE_ID}"
    assert story.hold is None and story.headline == "Federal Reserve Powell"
    (picture,) = story.pictures
    assert picture.uri == story.uri and picture.version == "1"
    assert [(r.name, r.width, r.height, r.contenttype) for r in picture.renditions] == [
        ("main", 5568, 3712, "image/jpeg"), ("preview", 512, 341, "image/jpeg"),
        ("thumbnail", 128, 85, "image/jpeg")]  # the caption's NITF is no picture
    assert picture.renditions[0].size == 6291456
    assert picture.renditions[2].href.endswith("/thumbnail/AP26028657104312.jpg")
    assert picture.caption.startswith("Federal Reserve Chair Jerome Powell speaks")
    assert picture.by == "Jane Smith"
    assert picture.copyrightnotice.startswith("Copyright 2026 The Associated Press")
    assert picture.usageterms.startswith("This content is intended for editorial use only.")
    assert story.expires == picture.expires == datetime(2026, 2, 27, 19, 1, tzinfo=UTC)


def test_an_ap_picture_kill_and_a_picture_without_newscontent():
    (kill,) = parse("item-picture-kill.json")
    assert kill.type == "picture" and kill.pubstatus is Pubstatus.CANCELED
    assert kill.pictures[0].renditions == () and kill.uri == f"{apmedia.URI_PREFIX}{PICTURE_ID}"
    data = json.loads((DIR / "item-picture.json").read_bytes())
    data["data"]["item"]["signals"] = []
    (held,) = apmedia.parse(json.dumps(data).encode())
    assert held.hold.startswith("AP: no newscontent signal")


def test_an_ap_text_item_names_its_pictures_feature_image_first():
    (story,) = parse("item-story-pictures.json")
    assert story.type == "text"
    assert [p.uri for p in story.pictures] == [
        f"{apmedia.URI_PREFIX}0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d",  # featureimage: the lead
        f"{apmedia.URI_PREFIX}{PICTURE_ID}"]  # the video and the text are no pictures
    lead, other = story.pictures
    assert lead.role == "featureimage" and other.role is None
    assert lead.caption.endswith("(AP Photo/Seth Wenig)")
    assert lead.renditions[0].name == "preview" and other.renditions == ()
