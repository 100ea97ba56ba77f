"""ninjs 1.x, 2.x and 3.x in, told apart by content and checked against the IPTC schemas."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings

from conftest import FIXTURES, SAMPLES
from fuzzing import assert_parses_or_format_error, mutated
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


def test_pictures_are_not_stories():
    assert ninjs.parse(item(type="picture")) == []


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
