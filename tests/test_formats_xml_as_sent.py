"""NewsML-G2 and NITF as agencies send them (issue 12, items 4 and 6): Reuters packages and
`rtr:` signals (tests/fixtures/newsmlg2-reuters), G2 items without a headline or with
placeholder dates (newsmlg2-as-sent), NITF from AAP, PA, EFE, NTB and AP (nitf-as-sent).
Every odd thing is read with a warning naming it; only unreadable bytes are refused."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings

from conftest import FIXTURES
from fuzzing import (
    XML_TOKENS,
    assert_parses_or_format_error,
    dialect_files,
    mutated,
    other_format_files,
    path_id,
)
from wiredesk import formats
from wiredesk.formats import newsmlg2, nitf
from wiredesk.formats.g2packages import rtr_status
from wiredesk.formats.xmlsafe import parse_root
from wiredesk.story import Pubstatus, Story, StoryWarning

REUTERS = FIXTURES / "newsmlg2-reuters"
G2 = FIXTURES / "newsmlg2-as-sent"
NITF = FIXTURES / "nitf-as-sent"
HARBOUR = "tag:reuters.com,2026:newsml_L8N3F20AB"


def one(path, fmt: str) -> Story:
    stories = formats.parse(path.read_bytes(), fmt)
    assert len(stories) == 1, [s.uri for s in stories]
    return stories[0]


def fields(s: Story) -> tuple[object, ...]:
    return (s.headline, s.by, s.dateline, s.located, s.agency)


# ---- Reuters packages --------------------------------------------------------------------

def test_package_with_its_text_in_the_message_is_the_text_item_once():
    s = one(REUTERS / "package-inline.xml", "newsmlg2")  # the picture is not a story
    assert s.uri == HARBOUR and s.version == "1"
    assert fields(s) == ("Harbour strike halts container traffic in Rotterdam", "Bart van Dijk",
                         "ROTTERDAM, March 4 (Reuters)", "ROTTERDAM", "Reuters")
    assert s.body.text.startswith("Dock workers at Europe's largest port walked out")
    assert s.creditline == "(Reporting by Bart van Dijk; Editing by Kate Mayberry)"
    assert s.pubstatus is Pubstatus.USABLE and s.signals == () and s.warnings == ()
    assert s.body_href is None


def test_package_pointing_at_its_text_gives_the_headline_and_body_href():
    s = one(REUTERS / "package-href.xml", "newsmlg2")
    assert s.uri == "tag:reuters.com,2026:newsml_L1N3F30CD"
    assert s.headline == "Chile copper output falls 4% as mine upgrade drags on"
    assert s.body_href is not None and s.body_href.startswith("https://api.example-reuters")
    assert s.body.text == "" and s.agency == "Reuters"
    assert s.versioncreated == datetime(2026, 3, 4, 7, 1, tzinfo=UTC)
    [w] = s.warnings
    assert w.field == "body" and w.action.startswith("body to be fetched from https://")


def test_withdrawn_package_kills_its_text_item_though_the_text_is_not_sent_again():
    s = one(REUTERS / "package-withdrawn.xml", "newsmlg2")
    assert s.uri == HARBOUR and s.pubstatus is Pubstatus.CANCELED
    assert s.headline == "Harbour strike halts container traffic in Rotterdam"  # tag apart
    assert s.signals == ("withdrawn",) and "is withdrawn" in (s.ednote or "")


def test_status_on_the_itemref_is_honoured_on_the_text_item():
    s = one(REUTERS / "itemref-canceled.xml", "newsmlg2")
    assert s.uri == "tag:reuters.com,2026:newsml_L5N3G11EF"
    assert s.pubstatus is Pubstatus.CANCELED and "withdrawn" in s.signals
    assert fields(s) == ("Airline cancels Lisbon flights over fuel shortage", "Sergio Gonçalves",
                         "LISBON, March 5 (Reuters)", "LISBON", "Reuters")


def test_rtr_signal_on_a_single_item_is_a_kill():
    s = one(REUTERS / "rtr-extension-withdrawn.xml", "newsmlg2")
    assert s.pubstatus is Pubstatus.CANCELED and s.signals == ("withdrawn",)
    assert s.dateline == "LUSAKA, March 6 (Reuters)"


def test_update_package_resolves_a_versioned_residref_to_the_text_guid():
    s = one(REUTERS / "package-update.xml", "newsmlg2")
    assert s.uri == HARBOUR and s.version == "2" and s.signals == ("update",)
    assert s.headline == "Rotterdam strike to run into weekend, union says"
    assert s.dateline == "ROTTERDAM, March 4 (Reuters)"  # lifted from the body


def test_a_package_of_pictures_only_is_no_story():
    assert newsmlg2.parse((REUTERS / "package-pictures-only.xml").read_bytes()) == []


@pytest.mark.parametrize(("xml", "status", "signals"), [
    ('<signal qcode="rtr:withdrawn"/>', Pubstatus.CANCELED, ("withdrawn",)),
    ('<pubStatus qcode="stat:canceled"/>', Pubstatus.CANCELED, ("withdrawn",)),
    ('<r:storyStatus xmlns:r="http://www.reuters.com/ns/2003/08/content">Withheld'
     "</r:storyStatus>", Pubstatus.WITHHELD, ("withheld",)),
    ('<signal qcode="sig:update"/>', None, ()),
    ('<r:note xmlns:r="http://www.reuters.com/ns/2003/08/content">Killed in a crash</r:note>',
     None, ()),  # words in a Reuters element that is no status are not a kill
    ("<headline>Police kill suspect after canceled talks</headline>", None, ()),
])
def test_rtr_status_reads_status_wherever_it_is_and_nothing_else(xml, status, signals):
    item = parse_root(f'<newsItem xmlns="{newsmlg2.G2_NS}"><itemMeta>{xml}</itemMeta>'
                      "</newsItem>".encode(), "newsmlg2")
    assert rtr_status(item) == (status, signals)


# ---- NewsML-G2 as sent --------------------------------------------------------------------

@pytest.mark.parametrize(("name", "headline", "source"), [
    ("no-headline-title.xml", "Storm Lena makes landfall in Portugal", "itemMeta/title"),
    ("no-headline-slugline.xml", "EU farm subsidies reform agreed", "contentMeta/slugline"),
    ("no-headline-first-sentence.xml", "A magnitude 5.8 earthquake struck off the coast of "
     "Fukushima Prefecture on Thursday.", "the first sentence of the body"),
    ("no-headline-nitf-hl2.xml", "Coral bleaching spreads along northern reef",
     "the NITF hedline"),
])
def test_g2_without_a_headline_takes_the_next_best_with_a_warning(name, headline, source):
    s = one(G2 / name, "newsmlg2")
    assert s.headline == headline and s.body.text
    assert StoryWarning("headline", "no contentMeta/headline", f"taken from {source}") \
        in s.warnings


def test_g2_fallbacks_keep_byline_dateline_and_agency():
    assert fields(one(G2 / "no-headline-title.xml", "newsmlg2"))[1:] == (
        "Maria Lopes", "LISBON (AFP)", "LISBON", "AFP")
    quake = one(G2 / "no-headline-first-sentence.xml", "newsmlg2")
    assert (quake.dateline, quake.agency) == ("TOKYO (Kyodo)", "Kyodo")
    reef = one(G2 / "no-headline-nitf-hl2.xml", "newsmlg2")
    assert reef.by == "Liam Carter" and reef.agency == "AAP"
    assert StoryWarning("headline", "no hedline/hl1", "taken from hedline/hl2") in reef.warnings


def test_g2_placeholder_dates_are_dropped_and_the_rest_is_read():
    s = one(G2 / "placeholder-dates.xml", "newsmlg2")
    assert s.headline == "Bahn kündigt neue Verbindungen nach Polen an"
    assert (s.by, s.dateline, s.located, s.agency) == ("Jan Petersen", "Berlin (dpa)", "Berlin",
                                                       "dpa")
    assert s.versioncreated == datetime(2026, 3, 5, 7, 14, 2, tzinfo=UTC)
    assert s.firstcreated is None and s.embargoed is None
    assert [(w.field, w.action) for w in s.warnings] == [("firstcreated", "dropped"),
                                                         ("embargoed", "dropped")]
    assert "'00000000T000000'" in s.warnings[0].problem
    assert "'YYYYMMDD000000-HHMM'" in s.warnings[1].problem


def test_g2_every_bad_field_is_named_in_its_own_warning():
    s = one(G2 / "malformed-dates-everywhere.xml", "newsmlg2")
    assert s.headline == "Bank of Canada holds rates at 2.75%" and s.urgency is None
    assert s.versioncreated is None and s.expires is None
    assert sorted(w.field for w in s.warnings) == ["expires", "expires", "urgency",
                                                   "versioncreated"]
    assert all(w.action == "dropped" for w in s.warnings)


# ---- NITF as sent --------------------------------------------------------------------------

def test_aap_placeholder_issue_date_falls_back_to_the_dateline_story_date():
    s = one(NITF / "aap.xml", "nitf")
    assert s.uri == "AAP-20261202-0417" and s.agency == "AAP"  # "Australian Associated Press"
    assert fields(s) == ("Sydney trains to run all night for New Year", "Emily Hart",
                         "SYDNEY, Dec 2 AAP", "SYDNEY", "AAP")
    assert s.versioncreated == datetime(2026, 12, 1, 22, 15, tzinfo=UTC)
    assert s.creditline == "AAP eh/jdh" and "eh/jdh" not in s.body.text
    [w] = s.warnings
    assert (w.field, w.action) == ("versioncreated", "dropped")
    assert "date.issue" in w.problem and "YYYYMMDD000000-HHMM" in w.problem


def test_pa_empty_doc_id_derives_the_uri_with_a_warning():
    s = one(NITF / "pa.xml", "nitf")
    assert s.uri == "urn:wiredesk:nitf:pa:rail-fares-to-rise-by-4-6-in-march"
    assert (s.headline, s.by, s.agency) == ("Rail fares to rise by 4.6% in March",
                                            "Neil Lancefield", "PA")  # byttl is no name
    assert s.creditline == "PA copy for use only by subscribers"
    assert s.warnings == (StoryWarning("uri", "no doc-id/@id-string",
                                       "derived from the agency and headline"),)


def test_efe_title_headline_and_spanish_dateline():
    s = one(NITF / "efe.xml", "nitf")
    assert fields(s) == ("El Gobierno aprueba la ley de vivienda asequible", "Lucía Ortega",
                         "Madrid, 2 dic (EFE)", "Madrid", "EFE")
    assert s.body.text.startswith("El Consejo de Ministros aprobó")
    assert s.warnings == (StoryWarning("headline", "no hedline/hl1", "taken from head/title"),)


def test_ntb_hl2_and_placeholder_date():
    s = one(NITF / "ntb.xml", "nitf")
    assert fields(s) == ("Regjeringen og Senterpartiet enige om budsjettet", None,
                         "Oslo (NTB)", "Oslo", "NTB")
    assert s.versioncreated is None and s.body.text.startswith("Regjeringen og Senterpartiet")
    assert [w.field for w in s.warnings] == ["versioncreated", "headline"]


def test_ap_two_names_with_byttl_and_body_end_tagline():
    s = one(NITF / "ap.xml", "nitf")
    assert fields(s) == ("Storm knocks out power to 200,000 in Michigan",
                         "Ed White and Mike Householder", "DETROIT (AP)", "DETROIT", "AP")
    assert s.creditline == "Associated Press writer Corey Williams contributed to this report."
    assert "contributed" not in s.body.text
    assert [w.field for w in s.warnings] == ["uri"]  # id-string=""


def test_nitf_with_neither_headline_nor_body_is_still_refused():
    data = (b'<nitf><head><docdata><doc-id id-string="x"/></docdata></head>'
            b"<body><body.head/><body.content/></body></nitf>")
    with pytest.raises(formats.FormatError) as err:
        nitf.parse(data)
    assert "headline" in err.value.problem


# ---- detection, sniffing and mutation fuzzing of the new folders ---------------------------

XML_DIALECTS = [("newsmlg2", p) for p in dialect_files("newsmlg2")] + [
    ("nitf", p) for p in dialect_files("nitf")]


@pytest.mark.parametrize(("fmt", "path"), XML_DIALECTS, ids=lambda v: getattr(v, "name", v))
def test_each_dialect_file_is_detected_as_its_format(fmt, path):
    assert formats.detect(path.read_bytes()) == fmt


@pytest.mark.parametrize("path", other_format_files(FIXTURES / "newsmlg2"), ids=path_id)
def test_newsmlg2_refuses_other_formats_including_the_nitf_dialects(path):
    assert not newsmlg2.looks_like(path.read_bytes())


@pytest.mark.parametrize("path", other_format_files(FIXTURES / "nitf"), ids=path_id)
def test_nitf_refuses_other_formats_including_the_g2_dialects(path):
    assert not nitf.looks_like(path.read_bytes())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated(dialect_files("newsmlg2"), tokens=(*XML_TOKENS, b"stat:withdrawn", b"rtr:",
                                                  b"YYYYMMDD000000-HHMM")))
def test_mutated_g2_dialects_give_stories_or_a_format_error(data):
    assert_parses_or_format_error(newsmlg2.parse, data, "newsmlg2")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated(dialect_files("nitf"), tokens=(*XML_TOKENS, b"00000000T000000", b"<doc-id/>")))
def test_mutated_nitf_dialects_give_stories_or_a_format_error(data):
    assert_parses_or_format_error(nitf.parse, data, "nitf")


def test_nitf_headline_warnings_count_only_when_its_headline_is_used():
    data = (G2 / "no-headline-nitf-hl2.xml").read_bytes().replace(
        b"<contentMeta/>", b"<contentMeta><headline>Reef bleaching spreads</headline></contentMeta>")
    s = one_bytes(data, "newsmlg2")
    assert s.headline == "Reef bleaching spreads" and s.warnings == ()


def test_newsml12_carries_the_warnings_of_the_nitf_inside_but_not_its_headline_ones():
    data = (FIXTURES / "newsml12" / "afp-story.xml").read_bytes()
    assert data.count(b"<nitf>") == 1 and b"<hl1>" not in data  # its HeadLine is the headline
    data = data.replace(b"<nitf>", b'<nitf><head><docdata><date.release norm="YYYYMMDD000000-HHMM"'
                        b"/></docdata></head>")
    s = one_bytes(data, "newsml12")
    assert [(w.field, w.action) for w in s.warnings] == [("embargoed", "dropped")]


def one_bytes(data: bytes, fmt: str) -> Story:
    stories = formats.parse(data, fmt)
    assert len(stories) == 1
    return stories[0]
