"""ninjs 1.x, 2.x and 3.x in, told apart by content and checked against the IPTC schemas."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings

from conftest import FIXTURES, SAMPLES
from fuzzing import assert_parses_or_format_error, mutated
from wiredesk import formats
from wiredesk.formats import FormatError, detect, ninjs
from wiredesk.formats.bodies import body_from_html
from wiredesk.story import Pubstatus, Story, Subject

IPTC = FIXTURES / "ninjs"


def item(**fields) -> bytes:
    base = {"uri": "urn:example:1", "headlines": [{"role": "main", "value": "A headline"}],
            "bodies": [{"role": "main", "contenttype": "text/html", "value": "<p>Body.</p>"}]}
    base.update(fields)
    return json.dumps(base).encode()


@pytest.mark.parametrize("name, profile", [("iptc-1.6-complex.json", "1.6"),
                                           ("iptc-2.2-complex.json", "2.2"),
                                           ("iptc-3.1-complex.json", "3.1")])
def test_iptc_examples_in_every_generation_give_the_same_story(name, profile):
    data = (IPTC / name).read_bytes()
    assert detect(data) == "ninjs"
    assert ninjs.generation(json.loads(data)) == profile
    (story,) = ninjs.parse(data)
    assert story.format == f"ninjs {profile}"
    assert story.uri == "http://ninjs.example.com/newsitems/20130709med123"
    assert story.headline == "Captain of wrecked cruise ship on trial in Italy"
    assert story.by == "Paulo Santalucia and Frances d'Emilio"
    assert story.located == "Grossetto, Italy"
    assert story.versioncreated == datetime(2013, 7, 9, 10, 37, tzinfo=UTC)
    assert story.language == "en"
    assert story.copyrightnotice.startswith("Copyright 2013 The News Agency")
    assert "The trial of the captain of the shipwrecked Costa Concordia" in story.body.text
    assert "Schettino has denied wrongdoing." in story.body.text
    assert story.pubstatus is Pubstatus.USABLE


def test_html_body_is_preferred_and_kept_as_received():
    (story,) = ninjs.parse((IPTC / "iptc-2.2-complex.json").read_bytes())
    assert story.body.content_type == "text/html"
    assert story.body.received.startswith("<p>GROSSETO, Italy (AP) --")
    assert story.body.html.count("<p>") == 4


def test_all_fields_of_a_ninjs_2_item():
    (story,) = ninjs.parse(item(
        version="3", firstcreated="2026-01-15T05:00:00Z", versioncreated="2026-01-15T06:00:00+01:00",
        pubstatus="withheld", embargoed="2026-01-15T07:00:00Z", expires="2026-02-01T00:00:00Z",
        urgency=2, slugline="EU-Storm", by="Jane Doe", located="LISBON", language="pt",
        subjects=[{"name": "weather", "uri": "http://cv.iptc.org/newscodes/mediatopic/17000000"}],
        copyrightholder="AP", copyrightnotice="(c) AP", usageterms="No resale", ednote="Hold",
        infosources=[{"name": "AP", "role": "originator"}],
        descriptions=[{"role": "dateline", "value": "LISBON (AP)"},
                      {"role": "creditline", "value": "(Reporting by Jane Doe)"}],
    ))
    assert story.version == "3" and story.version_number == 3
    assert story.firstcreated == datetime(2026, 1, 15, 5, tzinfo=UTC)
    assert story.versioncreated == datetime(2026, 1, 15, 5, tzinfo=UTC)  # +01:00 to UTC
    assert story.pubstatus is Pubstatus.WITHHELD
    assert story.embargoed == datetime(2026, 1, 15, 7, tzinfo=UTC)
    assert story.expires == datetime(2026, 2, 1, tzinfo=UTC)
    assert (story.urgency, story.slugline, story.by, story.located, story.language) == (
        2, "EU-Storm", "Jane Doe", "LISBON", "pt")
    assert story.subjects == (Subject("weather", "http://cv.iptc.org/newscodes/mediatopic/17000000"),)
    assert (story.copyrightholder, story.copyrightnotice, story.usageterms, story.ednote) == (
        "AP", "(c) AP", "No resale", "Hold")
    assert (story.agency, story.dateline, story.creditline) == (
        "AP", "LISBON (AP)", "(Reporting by Jane Doe)")


def test_canceled_and_array_of_items():
    data = json.dumps([json.loads(item(uri="urn:a")), json.loads(item(uri="urn:b", pubstatus="canceled"))])
    a, b = ninjs.parse(data.encode())
    assert (a.uri, b.uri) == ("urn:a", "urn:b")
    assert b.pubstatus is Pubstatus.CANCELED
    assert json.loads(a.raw)["uri"] == "urn:a"  # each item keeps its own bytes


def test_a_picture_item_is_a_picture_story_and_video_is_no_story():
    (picture,) = ninjs.parse(item(type="picture"))
    assert picture.type == "picture" and picture.pictures[0].uri == "urn:example:1"
    assert ninjs.parse(item(type="video")) == []


@pytest.mark.parametrize(
    ("data", "where"),
    [
        (item(pubstatus="published"), "$.pubstatus"),
        (item(uri=5), "$.uri"),
        (item(headlines="not a list"), "$.headlines"),
        (item(embargoed="tomorrow"), "$.embargoed"),
        (item(expires="never"), "$.expires"),
        (item(bodies=[{"role": "main", "value": 5}]), "$.bodies[0].value"),
        (b'{"uri": "urn:x", "headlines": [', "line 1 column 32"),
        (b'{"headlines": [{"value": "no uri"}]}', "$.uri"),
        (json.dumps({"uri": "urn:x"}).encode(), "$.headline"),
        (b"[]", "$"),
        (b"[1, 2]", "$[0]"),
    ],
)
def test_invalid_items_name_the_field(data, where):
    with pytest.raises(FormatError) as err:
        ninjs.parse(data)
    assert err.value.where == where, str(err.value)
    assert err.value.format.startswith("ninjs")


@pytest.mark.parametrize("profile", ninjs.PROFILES)
def test_output_is_valid_in_every_profile_and_reads_back(profile):
    story = Story(
        uri="urn:example:out", headline="Out", body=body_from_html("<p>One <b>two</b>.</p>"),
        version="2", versioncreated=datetime(2026, 1, 1, tzinfo=UTC),
        firstcreated=datetime(2026, 1, 1, tzinfo=UTC), urgency=3, by="A B", located="X",
        dateline="X (AP)", agency="AP", language="en", subjects=(Subject("s", "http://e/s"),),
        copyrightholder="AP", copyrightnotice="(c)", usageterms="u", ednote="e",
        creditline="(Editing by C)", expires=datetime(2026, 2, 1, tzinfo=UTC),
    )
    out = ninjs.to_ninjs(story, profile)
    assert list(ninjs.validator(profile).iter_errors(out)) == []
    (back,) = ninjs.parse(json.dumps(out).encode())
    for name in ("uri", "headline", "version", "versioncreated", "urgency", "by", "located",
                 "agency", "language", "copyrightnotice", "usageterms", "ednote", "expires"):
        assert getattr(back, name) == getattr(story, name), name
    assert back.body.text == story.body.text
    if profile != "1.6":
        assert (back.dateline, back.creditline) == (story.dateline, story.creditline)


FIXTURE_FILES = sorted(IPTC.glob("*.json")) + sorted(SAMPLES.glob("*.json"))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated(FIXTURE_FILES, tokens=(b"{",)))  # "{": a lone brace, as data cut to nothing regrows
def test_mutated_ninjs_gives_stories_or_format_error(data):
    stories = assert_parses_or_format_error(ninjs.parse, data)
    assert all(s.format.startswith("ninjs ") for s in stories or ())  # "ninjs <profile>"


def test_place_geometry_is_accepted_without_fetching_geojson_schema():
    """ninjs refers place geometry to the GeoJSON schema on the web; we never fetch it."""
    data = item(places=[{"name": "Lisbon", "geojson": {"type": "Point", "coordinates": [-9.1, 38.7]}}])
    (story,) = ninjs.parse(data)
    assert story.headline == "A headline"


def test_fast_and_reference_validators_agree_on_the_fixtures():
    for path in FIXTURE_FILES:
        doc = json.loads(path.read_bytes())
        for entry in doc if isinstance(doc, list) else [doc]:
            profile = ninjs.generation(entry)
            reference = list(ninjs.validator(profile).iter_errors(entry))
            assert (ninjs.check(entry, profile) is None) == (reference == []), path


# --- read with warnings, and the error blames the field that is wrong ---------------------

def test_a_2x_item_with_one_1x_field_is_checked_as_2x_and_the_field_read_with_a_warning():
    data = item(byline="Jane Doe")  # headlines and bodies are 2.x; byline is 1.x
    assert ninjs.generation(json.loads(data)) == "2.2"
    (story,) = ninjs.parse(data)
    assert story.format == "ninjs 2.2" and story.by == "Jane Doe"
    assert [(w.field, w.problem, w.action) for w in story.warnings] == [
        ("byline", "not a ninjs 2.2 field", "read as by")]


def test_a_2x_item_with_a_wrong_vital_field_blames_that_field_not_the_valid_ones():
    data = item(byline="Jane Doe", pubstatus="published")
    with pytest.raises(FormatError) as err:
        ninjs.parse(data)
    assert err.value.format == "ninjs 2.2" and err.value.where == "$.pubstatus"
    assert "headlines" not in str(err.value) and "bodies" not in str(err.value)


@pytest.mark.parametrize(("fields", "field"), [
    ({"extra_field": 1}, "extra_field"),
    ({"urgency": "high"}, "urgency"),
    ({"subjects": "weather"}, "subjects"),
    ({"versioncreated": "yesterday"}, "versioncreated"),
    ({"located": 5}, "located"),
])
def test_an_ignorable_field_that_fails_is_dropped_with_a_warning(fields, field):
    (story,) = ninjs.parse(item(**fields))
    assert story.headline == "A headline" and story.body.text == "Body."
    assert [(w.field, w.action) for w in story.warnings] == [(field, "dropped")]


def test_a_body_without_a_headline_gets_one_from_its_first_sentence():
    data = json.dumps({"uri": "urn:x", "bodies": [{"role": "main", "contenttype": "text/plain",
                       "value": "LISBON (AP) — Storm Lena hit Portugal on Thursday. Ferries stopped."}]})
    (story,) = ninjs.parse(data.encode())
    assert story.headline == "Storm Lena hit Portugal on Thursday"
    assert [(w.field, w.action) for w in story.warnings] == [
        ("headline", "derived from the first sentence of the body")]


def test_generation_follows_most_of_the_items_own_fields():
    assert ninjs.generation({"uri": "u", "headline": "h", "body_html": "b", "by": "x"}) == "1.6"
    assert ninjs.generation({"uri": "u", "headlines": [], "bodies": [], "byline": "x"}) == "2.2"
    assert ninjs.generation({"uri": "u", "headlines": [], "pubStatus": "usable"}) == "3.1"
    # a declared version stands unless none of the item's fields belong to it
    assert ninjs.generation({"uri": "u", "standard": {"version": "2.1"}, "headline": "h"}) == "1.6"
    assert ninjs.generation({"uri": "u", "standard": {"version": "2.1"}, "headlines": [],
                             "headline": "h"}) == "2.2"


# -- pictures (issue 13): associations in every generation, picture items alone -----------

PHOTO = "urn:newsml:wire.example:20260304:photo-4412"
INLINE = "urn:newsml:wire.example:20260304:photo-4413"


@pytest.mark.parametrize("name, profile", [("pictures-1.6.json", "1.6"),
                                           ("pictures-2.2.json", "2.2"),
                                           ("pictures-3.1.json", "3.1"),
                                           ("picture-item.json", "2.2"),
                                           ("picture-kill.json", "2.2")])
def test_picture_fixtures_are_valid_ninjs_of_their_generation(name, profile):
    item_ = json.loads((IPTC / name).read_bytes())
    assert ninjs.generation(item_) == profile
    assert ninjs.check(item_, profile) is None


def test_ninjs_1_associations_object_gives_pictures_lead_first_and_no_text():
    (story,) = ninjs.parse((IPTC / "pictures-1.6.json").read_bytes())
    assert story.type == "text"
    # No text; the SVG graphic kept only to be fetched and quarantined, never shown.
    assert [p.uri for p in story.pictures] == [PHOTO, INLINE, "urn:newsml:wire.example:logo"]
    lead, inline, logo = story.pictures
    assert [r.contenttype for r in logo.renditions] == ["image/svg+xml"]
    assert lead.role == "featureimage" and inline.role == "inline_1"
    assert [(r.name, r.href, r.width, r.height, r.contenttype, r.size) for r in lead.renditions] == [
        ("baseImage", "https://media.wire.example/4412/base.jpg", 1400, 933, "image/jpeg", None),
        ("thumbnail", "https://media.wire.example/4412/thumb.jpg", 120, 80, "image/jpeg", 5120)]
    assert lead.headline == "Cranes stand idle" and lead.by == "Eva Plevier"
    assert lead.caption == "Cranes stand idle at the container terminal in Rotterdam, March 4, 2026."
    assert (lead.copyrightholder, lead.copyrightnotice, lead.usageterms) == (
        "Wire Example", "(c) 2026 Wire Example", "Editorial use only")
    assert lead.version == "1" and lead.pubstatus is Pubstatus.USABLE
    assert lead.versioncreated == datetime(2026, 3, 4, 5, 58, tzinfo=UTC)
    assert lead.expires == datetime(2026, 4, 3, tzinfo=UTC)
    assert inline.caption == "Union leaders address strikers."  # description_html as text
    assert inline.renditions[0].href == "photo-4413.jpg"  # relative: resolved at fetch time
    (warning,) = [w for w in story.warnings if w.field == "pictures"]
    assert "SVG" in warning.problem and "logo.svg" in warning.problem
    assert warning.action == "quarantined"


def test_ninjs_2_associations_array_gives_the_feature_image_first_with_alt_and_credit():
    (story,) = ninjs.parse((IPTC / "pictures-2.2.json").read_bytes())
    assert [p.uri for p in story.pictures] == [PHOTO, INLINE]  # listed second, led first
    lead = story.pictures[0]
    assert lead.role == "featureimage"
    assert lead.alt == "Three container cranes against a grey sky"
    assert lead.creditline == "WIRE EXAMPLE/Eva Plevier"
    assert lead.caption.startswith("Cranes stand idle at the container terminal")
    # the data: rendition is dropped, the others kept
    assert [r.name for r in lead.renditions] == ["highRes", "thumbnail"]
    assert lead.renditions[0].size == 3145728
    problems = [w.problem for w in story.warnings if w.field == "pictures"]
    assert any("data: URL" in p for p in problems)
    assert any("javascript: URL" in p for p in problems)  # the chart, dropped whole
    assert all(p.uri != "urn:newsml:wire.example:20260304:chart-1" for p in story.pictures)


def test_ninjs_3_camel_case_picture_fields():
    (story,) = ninjs.parse((IPTC / "pictures-3.1.json").read_bytes())
    (picture,) = story.pictures
    assert picture.role == "main" and picture.copyrightholder == "Wire Example"
    assert picture.usageterms == "Editorial use only"
    (rendition,) = picture.renditions
    assert (rendition.contenttype, rendition.size, rendition.width) == ("image/jpeg", 2097152, 3000)


def test_a_picture_item_alone_and_its_kill_are_picture_stories():
    (story,) = ninjs.parse((IPTC / "picture-item.json").read_bytes())
    assert story.type == "picture" and story.uri == PHOTO
    assert story.headline == "Cranes stand idle" and story.agency == "Wire Example"
    assert story.expires == datetime(2026, 4, 3, tzinfo=UTC)
    (picture,) = story.pictures
    assert picture.uri == PHOTO and picture.by == "Eva Plevier"
    assert [r.href for r in picture.renditions] == ["https://media.wire.example/4412/orig.jpg"]
    (kill,) = ninjs.parse((IPTC / "picture-kill.json").read_bytes())
    assert kill.type == "picture" and kill.uri == PHOTO and kill.pubstatus is Pubstatus.CANCELED
    assert kill.pictures[0].renditions == () and kill.pictures[0].pubstatus is Pubstatus.CANCELED
    assert kill.headline == "KILLED: this picture has been withdrawn"  # from the caption


def test_a_picture_item_that_is_an_svg_alone_is_kept_to_be_quarantined():
    data = item(type="picture", renditions=[{"name": "original", "href": "https://x.example/a.svg"}])
    (story,) = ninjs.parse(data)
    assert story.type == "picture"
    assert [r.contenttype for r in story.pictures[0].renditions] == ["image/svg+xml"]


@pytest.mark.parametrize("href", ["data:image/svg+xml,<svg/>", "data:image/png;base64,AAAA",
                                  "javascript:alert(1)", " JaVa\tScRiPt:alert(1)",
                                  "vbscript:x", "file:///etc/passwd"])
def test_a_picture_item_whose_only_rendition_is_hostile_is_refused_by_name(href):
    data = item(type="picture", renditions=[{"name": "original", "href": href}])
    with pytest.raises(FormatError) as err:
        ninjs.parse(data)
    assert err.value.where == "$.renditions"


def test_an_association_without_a_type_is_a_picture_only_when_its_renditions_are_images():
    data = item(associations=[
        {"name": "a", "uri": "urn:p:1", "renditions": [
            {"name": "o", "href": "https://x.example/1.jpg", "contenttype": "image/jpeg"}]},
        {"name": "b", "uri": "urn:t:1", "headlines": [{"role": "main", "value": "text"}]}])
    (story,) = ninjs.parse(data)
    assert [p.uri for p in story.pictures] == ["urn:p:1"]


def test_picture_text_is_cleaned_like_any_text_with_a_warning():
    data = item(associations=[{"name": "featureimage", "uri": "urn:p:1", "type": "picture",
                               "descriptions": [{"role": "caption", "value": "Cranes\x01idle"}],
                               "renditions": [{"name": "o", "href": "https://x.example/1.jpg"}]}])
    (story,) = formats.parse(data, "ninjs")
    assert story.pictures[0].caption == "Cranes idle"
    assert any(w.field == "pictures" and "U+0001" in w.problem for w in story.warnings)
