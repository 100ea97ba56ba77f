"""NITF 3.x in, with and without the NITF namespace, and the helpers NewsML reuses."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from lxml import etree

from conftest import FIXTURES
from fuzzing import (
    XML_TOKENS,
    assert_parses_or_format_error,
    mutated,
    other_format_files,
    path_id,
)
from wiredesk.formats import nitf
from wiredesk.formats.errors import FormatError
from wiredesk.story import Pubstatus, Story, Subject

HERE = FIXTURES / "nitf"
ALL = sorted(HERE.glob("*.xml"))
AP_URI = "urn:publicid:ap.org:6f2a8e1c0b3d4e5f9a7b"
SUBJ = "http://cv.iptc.org/newscodes/subjectcode/"


def one(name: str) -> Story:
    data = (HERE / name).read_bytes()
    (story,) = nitf.parse(data)
    assert story.raw == data and story.format == "nitf"
    return story


def test_plain_story_maps_every_field():
    s = one("ap-story.xml")
    assert s.uri == AP_URI
    assert s.version == "1"  # du-key/@version
    assert s.slugline == "Fed-Rates"  # du-key/@key
    assert s.urgency == 3
    assert s.versioncreated == datetime(2026, 1, 28, 19, 5, 12, tzinfo=UTC)
    assert s.firstcreated is None and s.embargoed is None and s.expires is None
    assert s.pubstatus is Pubstatus.USABLE
    assert s.headline == "Fed holds rates steady, signals two cuts this year"
    assert s.by == "Christopher Rugaber"  # "By " and the byttl left out
    assert s.dateline == "WASHINGTON (AP)"  # &mdash; resolved, trailing dash dropped
    assert s.located == "WASHINGTON"
    assert s.agency == "AP"  # distributor "The Associated Press"
    assert s.language == "en-US"
    assert s.copyrightholder == "The Associated Press"
    assert s.copyrightnotice == "Copyright 2026 The Associated Press"
    assert s.creditline == "Associated Press writer Fatima Hussein contributed to this report."
    assert s.signals == () and s.ednote is None and s.usageterms is None and s.subjects == ()
    assert s.body.content_type == "text/html"
    # The DTD is never loaded, yet &nbsp; reads as the character it names.
    assert "Wednesday\u00a0and" in s.body.received
    assert s.body.text == ("The Federal Reserve left its key interest rate unchanged on Wednesday"
                           " and signaled it still expects to cut rates twice this year.\n"
                           "\"We're not there yet,\" Chair Jerome Powell said at a news conference.")
    assert s.body.received.startswith("<p>The Federal Reserve")
    assert "hl2" not in s.body.received and "tagline" not in s.body.received


def test_update_is_a_newer_version_of_the_same_uri():
    s = one("ap-update.xml")
    assert s.uri == AP_URI and s.version == "2" and s.version_number == 2
    assert s.headline == "Fed holds rates steady, signals two cuts this year; stocks rally"
    assert s.ednote == "Updates with market reaction, Powell comments."
    assert s.versioncreated == datetime(2026, 1, 28, 20, 30, tzinfo=UTC)
    assert s.by == "Christopher Rugaber"
    assert s.dateline == "WASHINGTON (AP)" and s.located == "WASHINGTON"
    assert s.body.text.endswith("Stocks rallied after the announcement.")


def test_correction_element_is_a_correction_signal():
    s = one("ap-correction.xml")
    assert s.uri == AP_URI and s.version == "3"
    assert s.signals == ("correction",)
    assert s.ednote == "Corrects spelling of Powell's first name in 2nd paragraph."
    assert s.urgency == 4
    assert s.agency == "AP"  # doc-id/@regsrc


def test_canceled_management_status_is_a_kill():
    s = one("ap-kill.xml")
    assert s.uri == AP_URI and s.version == "4"
    assert s.pubstatus is Pubstatus.CANCELED
    assert s.headline == "Fed holds rates steady, signals two cuts this year"  # KILL- stripped
    assert s.signals == ("withdrawn",)
    assert s.ednote.startswith("KILL: This story has been withdrawn.")
    assert s.urgency == 1
    assert s.body.text == ""


def test_release_after_issue_is_an_embargo_and_expiry_is_kept():
    s = one("embargo.xml")  # in the NITF namespace
    assert s.uri == "urn:newsml:pa.press.net:20260301:NHS-REPORT"
    assert s.pubstatus is Pubstatus.USABLE  # management-status "embargoed" is a time, not a status
    assert s.versioncreated == datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    assert s.embargoed == datetime(2026, 3, 2, 0, 1, tzinfo=UTC)
    assert s.expires == datetime(2026, 4, 1, tzinfo=UTC)
    assert s.ednote == "EMBARGOED to 0001 Monday March 2"
    assert s.by == "Jane Kirby, PA Health Editor"
    assert s.agency == "PA"
    assert s.language == "en-GB"
    assert s.urgency == 5
    assert s.version is None
    assert s.body.text.startswith("Waiting lists in England fell")


def test_release_not_after_issue_is_no_embargo():
    data = (HERE / "embargo.xml").read_bytes().replace(b"20260302T000100+0000",
                                                         b"20260301T120000+0000")
    (s,) = nitf.parse(data)
    assert s.embargoed is None


def test_subjects_rights_and_a_dateline_lifted_from_the_body():
    s = one("afp-subjects-rights.xml")
    assert s.uri == "urn:newsml:afp.com:20260305:TX-PAR-LOUVRE"
    assert s.headline == "Le Louvre ferme une aile pour travaux"
    assert s.slugline == "France-culture-musée"  # head/meta name="slug"
    assert s.language == "fr"
    assert s.by == "Jean Dupont"  # "Par " is AFP's "By "
    assert s.subjects == (
        Subject("Arts, culture et spectacles", SUBJ + "01000000", "subj:01000000"),
        Subject("musée", SUBJ + "01016000", "subj:01016000"),
        Subject("musée", "http://cv.iptc.org/newscodes/mediatopic/20000038", "20000038"),
        Subject("Europe"),  # doc-scope
    )
    assert s.copyrightholder == "AFP"
    assert s.copyrightnotice == "Copyright 2026 AFP"
    assert s.usageterms == "Pas de diffusion en Belgique; syndication; Monde"
    assert s.expires == datetime(2026, 4, 4, 23, 0, tzinfo=UTC)  # doc.rights/@enddate
    assert s.firstcreated == datetime(2026, 3, 5, 7, 0, tzinfo=UTC)  # first revision-history
    assert s.versioncreated == datetime(2026, 3, 5, 8, 15, tzinfo=UTC)
    assert s.ednote == "Photos disponibles"  # a non-publishable editor's note
    assert s.creditline == "(Reporting by Jean Dupont; Editing by Marie Leroy)"
    # No dateline element: "Paris (AFP) - " is taken off the first paragraph into the fields.
    assert s.dateline == "Paris (AFP)" and s.located == "Paris" and s.agency == "AFP"
    assert s.body.text.startswith("Le musée du Louvre va fermer")
    assert "Photos disponibles" not in s.body.text  # notes are not body


def test_iptc_listing_25_nitf_without_doc_id():
    s = one("listing25-nitf.xml")
    assert s.headline == "Arizona Diamondbacks (29-23) at Philadelphia Phillies (26-24), 7:05p.m."
    assert s.uri == ("urn:wiredesk:nitf:unknown:"
                     "arizona-diamondbacks-29-23-at-philadelphia-phillies-26-24-7-05p-m")
    assert s.by == "Sports Network"  # only a byttl: that is the byline
    assert s.body.text.startswith("(Sports Network) - With the Philadelphia Phillies picking up")
    assert "A pair of teams" not in s.body.text  # the abstract is body.head, not body.content
    (with_agency,) = nitf.parse((HERE / "listing25-nitf.xml").read_bytes(), agency="AP")
    assert with_agency.agency == "AP" and with_agency.uri.startswith("urn:wiredesk:nitf:ap:")


def test_body_content_html_is_the_shared_helper():
    root = etree.fromstring((HERE / "afp-subjects-rights.xml").read_bytes())
    markup = nitf.body_content_html(root)
    assert markup.startswith("<p>Paris (AFP) - Le musée du Louvre")  # untouched, as sent
    assert "xmlns" not in markup and "Photos disponibles" not in markup
    body_content = root.find(f"{{{nitf.NITF_NS}}}body/{{{nitf.NITF_NS}}}body.content")
    assert nitf.body_content_html(body_content) == markup
    assert root.find(f"{{{nitf.NITF_NS}}}body") is not None  # the caller's tree is left alone


@pytest.mark.parametrize("name, where, problem", [
    ("malformed-truncated.xml", "line 17", "malformed XML"),
    ("malformed-no-body.xml", "nitf/body", "expected a <body> element"),
    ("malformed-wrong-root.xml", "<article>", "expected the root element <nitf>"),
])
def test_malformed_files_name_the_place_and_what_was_expected(name, where, problem):
    with pytest.raises(FormatError) as err:
        nitf.parse((HERE / name).read_bytes())
    assert err.value.format == "nitf"
    assert where in err.value.where
    assert problem in err.value.problem


def test_unknown_management_status_is_an_error():
    data = (HERE / "ap-kill.xml").read_bytes().replace(b'"canceled"', b'"shelved"')
    with pytest.raises(FormatError) as err:
        nitf.parse(data)
    assert err.value.where == "nitf/head/docdata/@management-status"


@pytest.mark.parametrize("name, field, where, problem, action", [
    ("malformed-bad-date.xml", "versioncreated", "date.issue/@norm",
     "expected an ISO 8601 date-time", "dropped"),
    ("malformed-urgency.xml", "urgency", "urgency/@ed-urg", "expected a whole number",
     "dropped"),
    ("malformed-no-headline.xml", "headline", "", "no hedline/hl1", "taken from the slugline"),
])
def test_files_as_sent_are_read_with_a_warning_naming_what_was_odd(name, field, where,
                                                                   problem, action):
    [s] = nitf.parse((HERE / name).read_bytes())
    assert s.body.text and s.headline
    [w] = [w for w in s.warnings if w.field == field]
    assert where in w.problem and problem in w.problem and w.action == action


def test_out_of_range_date_is_dropped_with_a_warning():
    data = (HERE / "ap-update.xml").read_bytes().replace(b"20260128T203000Z",
                                                         b"9999-12-31T23:59:59-23:00")
    [s] = nitf.parse(data)
    assert s.versioncreated is None
    assert [(w.field, w.action) for w in s.warnings] == [("versioncreated", "dropped")]
    assert "date.issue" in s.warnings[0].problem


def test_entity_declarations_are_refused():
    data = (b'<?xml version="1.0"?><!DOCTYPE nitf [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b"<nitf><body><body.head><hedline><hl1>&x;</hl1></hedline></body.head></body></nitf>")
    with pytest.raises(FormatError) as err:
        nitf.parse(data)
    assert "root:" not in str(err.value)


# ---- sniffing and fuzzing ---------------------------------------------------------------

@pytest.mark.parametrize("path", [p for p in ALL if "wrong-root" not in p.name],
                         ids=lambda p: p.name)
def test_looks_like_its_own_files(path):
    assert nitf.looks_like(path.read_bytes())


@pytest.mark.parametrize("path", other_format_files(HERE), ids=path_id)
def test_looks_like_refuses_other_formats(path):
    assert not nitf.looks_like(path.read_bytes())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated(ALL, tokens=(*XML_TOKENS, b"&nbsp;", b"&bogus;")))
def test_mutated_fixtures_give_stories_or_format_errors(data):
    assert_parses_or_format_error(nitf.parse, data, "nitf")


# -- pictures (issue 13) ------------------------------------------------------------------


def test_nitf_image_media_give_the_story_its_pictures():
    (story,) = nitf.parse((HERE / "pictures.xml").read_bytes())
    picture, svg = story.pictures  # the video is no picture; the SVG is kept to be quarantined
    assert [r.contenttype for r in svg.renditions] == ["image/svg+xml"]
    assert picture.uri.startswith("urn:wiredesk:picture:")  # NITF gives no id: from the href
    assert [(r.name, r.href, r.width, r.height, r.contenttype) for r in picture.renditions] == [
        ("main", "https://media.example.test/ap/harbour-4412-main.jpg", 1400, 933, "image/jpeg"),
        ("thumbnail", "harbour-4412-thumb.jpg", 150, 100, "image/jpeg")]
    assert picture.alt == "Three container cranes against a grey sky"
    assert picture.caption.startswith("Cranes stand idle at the container terminal")
    assert picture.creditline == "AP Photo/Peter Dejong" and picture.by == "Peter Dejong"
    (warning,) = story.warnings
    assert warning.field == "pictures" and "chart.svg" in warning.problem
    assert warning.action == "quarantined"
    # the same picture read twice has the same uri
    assert nitf.parse((HERE / "pictures.xml").read_bytes())[0].pictures[0].uri == picture.uri


def test_a_story_without_media_has_no_pictures():
    (story,) = nitf.parse((HERE / "ap-story.xml").read_bytes())
    assert story.pictures == ()
