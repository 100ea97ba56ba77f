"""NewsML-G2 in: the IPTC's own listings, Reuters/dpa/AFP-shaped items, and hostile XML."""

from __future__ import annotations

import base64
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
from wiredesk.formats import newsmlg2
from wiredesk.formats.errors import FormatError
from wiredesk.story import Pubstatus, Story, Subject

HERE = FIXTURES / "newsmlg2"
GOOD = sorted(p for p in HERE.glob("*.xml") if not p.name.startswith(("malformed", "LISTING_2")))
GOOD += [HERE / "LISTING_1_A_NewsML-G2_News_Item.xml", HERE / "LISTING_2_NewsML-G2_Text_Document.xml"]
ALL = sorted(HERE.glob("*.xml"))
MEDTOP = "http://cv.iptc.org/newscodes/mediatopic/"
REUTERS_URI = "tag:reuters.com,2026:newsml_L4N3B5012"


def one(name: str) -> Story:
    (story,) = newsmlg2.parse((HERE / name).read_bytes())
    return story


def test_iptc_listing_1_news_item_maps_every_field():
    data = (HERE / "LISTING_1_A_NewsML-G2_News_Item.xml").read_bytes()
    (s,) = newsmlg2.parse(data)
    assert s.format == "newsmlg2" and s.raw == data
    assert s.uri == "urn:newsml:acmenews.com:20161018:US-FINANCE-FED"
    assert s.version == "11"
    assert s.headline == 'Fed to halt QE to avert "bubble"'
    assert s.slugline == "US-Finance-Fed"
    assert s.versioncreated == datetime(2018, 10, 21, 21, 25, 32, tzinfo=UTC)
    assert s.firstcreated == datetime(2016, 10, 18, 18, 12, 21, tzinfo=UTC)
    assert s.embargoed == datetime(2018, 10, 23, 12, 0, tzinfo=UTC)
    assert s.pubstatus is Pubstatus.USABLE
    assert s.signals == ("update",)
    assert s.ednote == ("Note to editors: STRICTLY EMBARGOED. Not for public release until 12noon "
                        "on Friday, October 23, 2018.")
    assert s.located == "Berlin"  # the city's own name, not its broader region or country
    assert s.by == "Meredith Jameson"  # from creator: the item has no <by>
    assert s.agency == "Reuters"  # provider qcode nprov:REUTERS
    assert s.language == "en-GB"
    assert s.copyrightholder == "Example Enews LLP"
    assert s.copyrightnotice == "Copyright 2017-18 Example Enews LLP, all rights reserved"
    assert s.usageterms == "Not for use outside the United States"
    # The name in the item's language (en-GB), not the German one; qcodes expanded to URIs.
    assert s.subjects == (
        Subject("economy, business and finance", MEDTOP + "04000000", "medtop:04000000"),
        Subject("labour market", MEDTOP + "20000523", "medtop:20000523"),
    )
    assert s.body.text == ""  # the listing's inlineXML holds only a comment
    assert s.urgency is None and s.expires is None and s.dateline is None


def test_iptc_listing_2_text_document_reads_the_nitf_body():
    s = one("LISTING_2_NewsML-G2_Text_Document.xml")
    assert s.uri == "urn:newsml:acmenews.com:20161121:US-FINANCE-FED"
    assert s.version == "11"
    assert s.headline == 'Fed to halt QE to avert "bubble"'
    assert s.versioncreated == datetime(2018, 11, 21, 21, 25, 32, tzinfo=UTC)
    assert s.located == "New York, NY"
    assert s.language == "en-US"
    assert s.by == "Meredith Jameson"  # NITF byline, its byttl "Staff Reporter" left out
    assert s.agency == "AP"  # the provider gives only a URI; the infoSource names the agency
    assert s.copyrightholder == "Acme News and Media LLC"
    assert s.copyrightnotice == "Copyright 2017-18 Acme News and Media LLC"
    assert [x.name for x in s.subjects] == ["economy, business and finance", "central bank",
                                          "money and monetary policy"]
    assert s.body.content_type == "text/html"
    paragraphs = s.body.text.split("\n")
    assert len(paragraphs) == 2
    assert paragraphs[0].startswith("(New York, NY - October 21) Et, sent luptat luptat, commy Nim")
    assert paragraphs[1].endswith("esto cons dolutpat, si.")
    assert "<p>" in s.body.html and "nitf" not in s.body.received


def test_listings_25_and_28_composed_into_an_item():
    s = one("composed-listing28-25.xml")
    assert s.headline == "Arizona Diamondbacks (29-23) at Philadelphia Phillies (26-24), 7:05p.m."
    assert s.dateline == "MOSCOW, Monday (Reuters)"
    assert s.located == "MOSCOW"  # located has only qcodes: the dateline names the place
    assert s.agency == "Reuters"
    assert s.language == "en-US"
    assert s.by == "Sports Network"
    assert s.version == "2"
    assert s.subjects == (Subject("city:Tskhinvali", None, "city:Tskhinvali"),
                          Subject("city:Tblisi", None, "city:Tblisi"))
    assert s.body.text.startswith("(Sports Network) - With the Philadelphia Phillies picking up")


@pytest.mark.parametrize("name", ["LISTING_25_An_NITF_marked-up_article_conveyed_in_inlineXML.xml",
                                  "LISTING_28_Illustrating_Located_Subject_and_Dateline.xml",
                                  "malformed-wrong-root.xml"])
def test_fragments_and_other_roots_are_refused(name):
    with pytest.raises(FormatError) as err:
        newsmlg2.parse((HERE / name).read_bytes())
    assert err.value.format == "newsmlg2"
    assert "expected a NewsML-G2 newsMessage or newsItem" in err.value.problem


def test_item_with_elided_content_is_an_error_not_an_empty_story():
    with pytest.raises(FormatError) as err:
        newsmlg2.parse((HERE / "LISTING_29_Hop_History.xml").read_bytes())
    assert "HOP-HISTORY-EXAMPLE" in err.value.where and "contentMeta/headline" in err.value.where
    assert "needs a headline or a body" in err.value.problem


def test_news_message_gives_its_text_items_and_its_picture_items_apart():
    data = (HERE / "reuters-message.xml").read_bytes()
    stories = newsmlg2.parse(data)
    pictures = [s for s in stories if s.type == "picture"]  # no story carries it: alone
    assert [p.uri for p in pictures] == ["tag:reuters.com,2026:newsml_RC2X8AAP1QKE"]
    first, second = [s for s in stories if s.type == "text"]
    assert first.uri == REUTERS_URI and first.version == "1"
    assert first.headline == "Japan's exports rise for fifth month as chip demand holds up"
    assert first.by == "Leika Kihara"
    assert first.urgency == 3
    assert first.slugline == "JAPAN-ECONOMY/EXPORTS"
    assert first.dateline == "TOKYO, Jan 15 (Reuters)"
    assert first.located == "TOKYO"
    assert first.agency == "Reuters"  # provider literal reuters.com
    assert first.language == "en"
    assert first.firstcreated == first.versioncreated == datetime(2026, 1, 15, 9, 0, 41, tzinfo=UTC)
    assert first.copyrightholder == "Thomson Reuters"
    assert first.copyrightnotice.startswith("(c) Copyright Thomson Reuters 2026.")
    assert first.creditline == "(Reporting by Leika Kihara; Editing by Sam Holmes)"
    assert first.subjects == (
        Subject("economy, business and finance", MEDTOP + "04000000", "medtop:04000000"),
        Subject("N2:JP", None, "N2:JP"),
    )
    # The dateline is given on its own, so the body keeps its first words as sent.
    assert first.body.text.startswith("TOKYO, Jan 15 (Reuters) - Japan's exports rose")
    assert first.body.text.count("\n") == 2
    # Several items: each story's raw is its own newsItem element, readable on its own.
    assert first.raw != data
    assert etree.fromstring(first.raw).get("guid") == REUTERS_URI
    assert newsmlg2.parse(first.raw)[0].headline == first.headline
    assert second.uri == "tag:reuters.com,2026:newsml_L4N3B5020"
    assert second.pubstatus is Pubstatus.WITHHELD
    assert second.headline == "Toyota says to resume output at two plants"  # BRIEF- stripped
    assert second.agency == "Reuters"
    assert second.urgency == 5
    # Plain inline text: the dateline opening it is lifted out into the fields.
    assert second.dateline == "NAGOYA, Japan (Reuters)" and second.located == "NAGOYA, Japan"
    assert second.body.text == ("Toyota Motor Corp said it would resume output at two plants on "
                                "Friday.\nThe plants were halted by a parts shortage.")
    assert second.body.content_type == "text/plain"


def test_video_and_packages_alone_give_no_story_and_a_picture_alone_is_a_picture_item():
    (picture,) = newsmlg2.parse((HERE / "pictures-only.xml").read_bytes())
    assert picture.type == "picture" and picture.uri == "tag:reuters.com,2026:newsml_RC2X8AAP1QKF"
    assert [r.href for r in picture.pictures[0].renditions] == ["https://example.com/p/1.jpg"]


def test_update_is_a_newer_version_of_the_same_uri():
    s = one("reuters-update.xml")
    assert s.uri == REUTERS_URI and s.version == "2" and s.version_number == 2
    assert s.signals == ("update",)
    assert s.headline == "Japan's exports rise for fifth month as chip demand holds up"
    assert s.ednote == "Adds economist comment in paragraphs 3-4"
    assert s.versioncreated == datetime(2026, 1, 15, 10, 12, tzinfo=UTC)
    assert s.firstcreated == datetime(2026, 1, 15, 9, 0, 41, tzinfo=UTC)
    assert s.slugline == "JAPAN-ECONOMY/EXPORTS (UPDATE 1)"
    assert "The chip cycle is still the driver" in s.body.text


def test_correction_signal_and_headline_tags():
    s = one("reuters-correction.xml")
    assert s.uri == REUTERS_URI and s.version == "3"
    assert s.headline == "Japan's exports rise for fifth month as chip demand holds up"
    assert s.signals == ("correction", "update")  # sig:correction, then CORRECTED-UPDATE 1-
    assert s.ednote == "Corrects export growth figure in paragraph 2 to 4.2% from 4.4%"
    assert s.pubstatus is Pubstatus.USABLE


def test_reuters_withdrawn_is_a_kill():
    s = one("reuters-withdrawn.xml")
    assert s.uri == REUTERS_URI and s.version == "4"
    assert s.pubstatus is Pubstatus.CANCELED
    assert s.signals == ("withdrawn",)
    assert s.headline == "Japan's exports rise for fifth month as chip demand holds up"
    assert "is withdrawn" in s.ednote
    assert s.body.text == ""


def test_embargo_expiry_rights_and_inline_text():
    s = one("embargo.xml")
    assert s.uri == "urn:newsml:dpa.com:20260120:260120-99-123456"
    assert s.embargoed == datetime(2026, 1, 21, 5, 0, tzinfo=UTC)
    assert s.pubstatus is Pubstatus.USABLE
    assert s.expires == datetime(2026, 3, 1, tzinfo=UTC)  # itemMeta/expires beats rightsInfo
    assert s.firstcreated == datetime(2026, 1, 20, 14, 45, tzinfo=UTC)
    assert s.versioncreated == datetime(2026, 1, 20, 15, 0, tzinfo=UTC)
    assert s.ednote == "Sperrfrist: 21. Januar, 06.00 Uhr MEZ"
    assert s.urgency == 4
    assert s.agency == "dpa"
    assert s.language == "de"
    assert s.located == "Berlin"
    assert s.dateline == "Berlin (dpa)"
    assert s.slugline == "Bundesregierung/Haushalt"
    assert s.headline == "Kabinett beschließt Haushaltsentwurf für 2027"
    assert s.creditline == "dpa"
    assert s.copyrightholder == "dpa Deutsche Presse-Agentur GmbH"
    assert s.copyrightnotice == "Copyright 2026 dpa Deutsche Presse-Agentur GmbH"
    assert s.usageterms == "Nur zur Verwendung in Deutschland, Österreich und der Schweiz."
    assert s.subjects == (Subject("Politik", MEDTOP + "11000000", "medtop:11000000"),)
    assert s.body.text.startswith("Das Bundeskabinett hat")
    assert s.body.received.startswith("Berlin (dpa) - Das Bundeskabinett")  # as sent


def test_rights_validto_is_the_expiry_when_item_meta_has_none():
    data = (HERE / "embargo.xml").read_bytes().replace(b"<expires>2026-03-01</expires>", b"")
    (s,) = newsmlg2.parse(data)
    assert s.expires == datetime(2026, 2, 19, 23, 0, tzinfo=UTC)


def test_subjects_rights_nitf_body_and_lead_dateline():
    s = one("afp-subjects-rights.xml")
    assert s.uri == "urn:newsml:afp.com:20260202T101500Z:doc-39ab4kz"
    assert s.agency == "AFP"
    assert s.copyrightholder == "AFP"
    assert s.copyrightnotice == "Copyright AFP 2026. All rights reserved."
    assert s.usageterms == "No archiving. Not for use in France."
    assert s.subjects == (
        Subject("sport", MEDTOP + "15000000", "medtop:15000000"),
        Subject("tennis", MEDTOP + "20000822", "medtop:20000822"),
        Subject("Australian Open", "http://cv.afp.com/descriptors/tennis-aus-open",
                "afpdescriptor:tennis-aus-open"),  # alias from the item's inline catalog
        Subject("http://example.com/topics/melbourne", "http://example.com/topics/melbourne"),
    )
    assert s.by == "Martin Parry"
    assert s.creditline == "mp/dh"  # NITF tagline
    assert s.urgency == 4
    # No separate dateline: it is lifted from the first paragraph of the NITF body.
    assert s.dateline == "Melbourne (AFP)" and s.located == "Melbourne"
    assert s.body.text.split("\n") == [
        "Jannik Sinner beat Carlos Alcaraz in four sets on Sunday to retain his Australian "
        "Open title.", "The Italian won 6-4, 3-6, 6-3, 7-5."]
    assert "<em>Australian Open</em>" in s.body.html


def test_xhtml_is_preferred_over_nitf_and_plain_text():
    item = f"""<newsItem xmlns="{newsmlg2.G2_NS}" guid="urn:x:1" version="1">
      <itemMeta><itemClass qcode="ninat:text"/><provider literal="AP"/>
        <versionCreated>2026-01-01T00:00:00Z</versionCreated></itemMeta>
      <contentMeta><headline>H</headline></contentMeta>
      <contentSet>
        <inlineData contenttype="text/plain">plain rendition</inlineData>
        <inlineXML contenttype="application/nitf+xml"><nitf><body><body.content>
          <p>nitf rendition</p></body.content></body></nitf></inlineXML>
        <inlineXML contenttype="application/xhtml+xml">
          <html xmlns="http://www.w3.org/1999/xhtml"><body><p>xhtml <b>rendition</b></p></body></html>
        </inlineXML>
      </contentSet></newsItem>"""
    (s,) = newsmlg2.parse(item.encode())
    assert s.body.text == "xhtml rendition"
    assert s.body.html == "<p>xhtml <b>rendition</b></p>"
    assert s.agency == "AP" and s.version == "1"


def inline_data(attrs: str, content: str) -> bytes:
    return (f'<newsItem xmlns="{newsmlg2.G2_NS}" guid="urn:x:2"><itemMeta>'
            '<itemClass qcode="ninat:text"/><provider literal="dpa"/></itemMeta>'
            f'<contentMeta><headline>H</headline></contentMeta><contentSet><inlineData {attrs}>'
            f'{content}</inlineData></contentSet></newsItem>').encode()


def test_inline_data_as_base64_and_as_html():
    encoded = base64.b64encode("Hamburg (dpa) - Der Hafen wächst.".encode()).decode()
    (s,) = newsmlg2.parse(inline_data('contenttype="text/plain" encoding="base64"', encoded))
    assert s.body.text == "Der Hafen wächst." and s.dateline == "Hamburg (dpa)"
    (s,) = newsmlg2.parse(inline_data('contenttype="text/html"', "&lt;p&gt;Eins&lt;/p&gt;"))
    assert s.body.html == "<p>Eins</p>" and s.body.content_type == "text/html"
    assert s.version == "1"  # NewsML-G2's default when the item gives none
    with pytest.raises(FormatError) as err:
        newsmlg2.parse(inline_data('contenttype="text/plain" encoding="base64"', "!!!%%%"))
    assert err.value.where.endswith("contentSet/inlineData")


@pytest.mark.parametrize("name, where, problem", [
    ("malformed-truncated.xml", "line 16", "malformed XML"),
    ("malformed-no-guid.xml", "newsItem/@guid", "expected the item's guid"),
    ("malformed-pubstatus.xml", "itemMeta/pubStatus/@qcode", "unknown pubstatus"),
])
def test_malformed_files_name_the_place_and_what_was_expected(name, where, problem):
    with pytest.raises(FormatError) as err:
        newsmlg2.parse((HERE / name).read_bytes())
    assert err.value.format == "newsmlg2"
    assert where in err.value.where
    assert problem in err.value.problem


@pytest.mark.parametrize("name, field, where, problem", [
    ("malformed-bad-date.xml", "versioncreated", "itemMeta/versionCreated",
     "expected an ISO 8601 date-time"),
    ("malformed-urgency.xml", "urgency", "contentMeta/urgency", "expected a whole number"),
])
def test_a_bad_field_is_dropped_with_a_warning_naming_it(name, field, where, problem):
    [s] = newsmlg2.parse((HERE / name).read_bytes())
    assert s.headline and s.body.text
    [w] = s.warnings
    assert (w.field, w.action) == (field, "dropped")
    assert where in w.problem and problem in w.problem


@pytest.mark.parametrize("data", [b"", b"\x00\x01\x02binary", b"not xml at all",
                                  b"<newsItem", "<newsItem>caf\u00e9</newsItem>".encode("utf-16")])
def test_junk_is_a_format_error(data):
    with pytest.raises(FormatError):
        newsmlg2.parse(data)


# ---- hostile and badly encoded XML -------------------------------------------------------

XXE = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE newsItem [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="urn:x:xxe" version="1">
  <itemMeta><itemClass qcode="ninat:text"/><provider literal="x"/>
    <versionCreated>2026-01-01T00:00:00Z</versionCreated></itemMeta>
  <contentMeta><headline>&xxe;</headline></contentMeta>
</newsItem>"""

LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="urn:x:lol" version="1">
  <itemMeta><itemClass qcode="ninat:text"/><provider literal="x"/>
    <versionCreated>2026-01-01T00:00:00Z</versionCreated></itemMeta>
  <contentMeta><headline>&lol9;</headline></contentMeta>
</newsItem>"""


@pytest.mark.parametrize("padding", [b"", b"<!--" + b"x" * 70_000 + b"-->"])
@pytest.mark.parametrize("attack", [XXE, LAUGHS], ids=["xxe", "billion-laughs"])
def test_entity_attacks_are_refused_and_leak_nothing(attack, padding):
    # The padding pushes the DOCTYPE past the first 64 KiB, where a quick scan would stop.
    data = attack.replace(b"\n<!DOCTYPE", b"\n" + padding + b"<!DOCTYPE", 1)
    with pytest.raises(FormatError) as err:
        newsmlg2.parse(data)
    assert "root:" not in str(err.value) and "lollol" not in str(err.value)
    assert "entity" in err.value.problem.lower()


def test_cp1252_labelled_utf8_reads_the_right_characters():
    item = (f'<?xml version="1.0" encoding="UTF-8"?>\n<newsItem xmlns="{newsmlg2.G2_NS}" '
            'guid="urn:x:cp" version="1"><itemMeta><itemClass qcode="ninat:text"/>'
            '<provider literal="AFP"/><versionCreated>2026-01-01T00:00:00Z</versionCreated>'
            '</itemMeta><contentMeta><headline>Café crème – “à la française”</headline>'
            '</contentMeta><contentSet><inlineData contenttype="text/plain">Ça coûte 5 €.'
            '</inlineData></contentSet></newsItem>').encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        item.decode("utf-8")  # really not UTF-8
    (s,) = newsmlg2.parse(item)
    assert s.headline == "Café crème – “à la française”"
    assert s.body.text == "Ça coûte 5 €."


@pytest.mark.parametrize("encode", [
    lambda text: b"\xef\xbb\xbf" + text.encode("utf-8"),
    lambda text: text.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16"),
], ids=["utf-8-bom", "utf-16-bom"])
def test_bom_prefixed_documents_parse(encode):
    text = (HERE / "embargo.xml").read_text(encoding="utf-8")
    data = encode(text)
    assert newsmlg2.looks_like(data)
    (s,) = newsmlg2.parse(data)
    assert s.headline == "Kabinett beschließt Haushaltsentwurf für 2027"
    assert s.raw == data


# ---- sniffing and fuzzing ---------------------------------------------------------------

@pytest.mark.parametrize("path", [p for p in ALL if not p.name.startswith(("malformed-wrong",
                                                                           "LISTING_25",
                                                                           "LISTING_28"))],
                         ids=lambda p: p.name)
def test_looks_like_its_own_files(path):
    assert newsmlg2.looks_like(path.read_bytes())


@pytest.mark.parametrize("path", other_format_files(HERE), ids=path_id)
def test_looks_like_refuses_other_formats(path):
    assert not newsmlg2.looks_like(path.read_bytes())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated(ALL, tokens=(*XML_TOKENS, b"&amp;", b"9999-12-31T23:59:59-23:00")))
def test_mutated_fixtures_give_stories_or_format_errors(data):
    assert_parses_or_format_error(newsmlg2.parse, data, "newsmlg2")


# -- pictures (issue 13) ------------------------------------------------------------------

RTR = FIXTURES / "newsmlg2-reuters"
RTR_PHOTO = "tag:reuters.com,2026:newsml_RC2P0MA4ZQ1X"


def test_a_picture_item_gives_its_remote_content_caption_credit_and_rights():
    (story,) = newsmlg2.parse((HERE / "picture-item.xml").read_bytes())
    assert story.type == "picture" and story.uri == RTR_PHOTO and story.version == "2"
    assert story.headline == "Cranes stand idle at the port" and story.agency == "Reuters"
    (picture,) = story.pictures
    assert [(r.name, r.width, r.height, r.contenttype, r.size) for r in picture.renditions] == [
        ("highRes", 5464, 3640, "image/jpeg", 4718592), ("preview", 640, 426, "image/jpeg", None),
        ("thumbnail", 150, 100, "image/jpeg", None)]  # the SVG rendition is refused
    assert picture.caption.startswith("Cranes stand idle at the container terminal during a strike")
    assert picture.creditline == "REUTERS/Piroschka van de Wouw"
    assert picture.by == "Piroschka van de Wouw"
    assert picture.copyrightholder == "Thomson Reuters"
    assert picture.copyrightnotice.startswith("Copyright 2026 Thomson Reuters")
    assert picture.usageterms == "Editorial use only. No resales. No archives."
    assert picture.versioncreated == datetime(2026, 3, 4, 6, 5, tzinfo=UTC)
    assert picture.expires == story.expires == datetime(2026, 4, 3, 6, 5, tzinfo=UTC)
    (warning,) = story.warnings
    assert warning.field == "pictures" and "overlay.svg" in warning.problem


def test_a_picture_kill_is_a_canceled_picture_item():
    (story,) = newsmlg2.parse((HERE / "picture-kill.xml").read_bytes())
    assert story.type == "picture" and story.uri == RTR_PHOTO
    assert story.pubstatus is Pubstatus.CANCELED and story.pictures[0].renditions == ()


def test_a_picture_item_whose_renditions_are_all_refused_is_a_format_error():
    data = (HERE / "picture-item.xml").read_bytes()
    data = data.replace(b'href="https://media.example.test/RC2P0MA4ZQ1X/', b'href="javascript:/')
    data = data.replace(b'overlay.svg', b'x.png')
    with pytest.raises(FormatError) as err:
        newsmlg2.parse(data)
    assert "remoteContent" in err.value.where and "javascript" in err.value.problem


def test_a_package_gives_its_story_the_pictures_its_groups_name():
    stories = newsmlg2.parse((RTR / "package-pictures.xml").read_bytes())
    story, heron = stories  # the picture the story carries no longer stands alone
    assert story.type == "text" and story.uri == "tag:reuters.com,2026:newsml_L8N3F20AB"
    assert [p.uri for p in story.pictures] == ["tag:reuters.com,2026:newsml_RC2P0MA4ZQ2Y",
                                               RTR_PHOTO]  # not the video
    named, carried = story.pictures
    assert named.role == carried.role == "supporting"
    # a picture only referred to: its id, title and version, to be matched when it arrives
    assert named.headline == "Union leaders address strikers" and named.renditions == ()
    # a picture item in the same message: all of it
    assert carried.creditline == "REUTERS/Piroschka van de Wouw"
    assert carried.renditions[0].href == "https://media.example.test/RC2P0MA4ZQ1X/base.jpg"
    assert heron.type == "picture" and heron.uri == "tag:reuters.com,2026:newsml_RC2P0MA4ZQ7Q"


def test_a_package_of_pictures_only_gives_no_text_story():
    assert newsmlg2.parse((RTR / "package-pictures-only.xml").read_bytes()) == []
    (story,) = newsmlg2.parse((RTR / "package-inline.xml").read_bytes())
    assert [p.uri for p in story.pictures] == [RTR_PHOTO]


def test_nitf_media_inside_a_g2_text_item_gives_its_pictures():
    nitf_doc = (FIXTURES / "nitf" / "pictures.xml").read_bytes().split(b"?>", 1)[1]
    data = f"""<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="urn:g2:1" version="1"
      standard="NewsML-G2" standardversion="2.35"><itemMeta><itemClass qcode="ninat:text"/>
      <provider literal="ap.org"/><versionCreated>2026-03-04T06:11:00Z</versionCreated>
      </itemMeta><contentMeta><headline>Harbour strike</headline></contentMeta>
      <contentSet><inlineXML contenttype="application/nitf+xml">{nitf_doc.decode()}</inlineXML>
      </contentSet></newsItem>""".encode()
    (story,) = newsmlg2.parse(data)
    picture, svg = story.pictures  # the SVG kept only to be quarantined at fetch
    assert picture.creditline == "AP Photo/Peter Dejong"
    assert svg.renditions[0].contenttype == "image/svg+xml"


def test_a_picture_whose_itemref_says_main_leads_the_story():
    data = (RTR / "package-pictures.xml").read_bytes().replace(
        b'<itemRef residref="tag:reuters.com,2026:newsml_RC2P0MA4ZQ1X" version="1">',
        b'<itemRef residref="tag:reuters.com,2026:newsml_RC2P0MA4ZQ1X" version="1" role="irel:main">')
    story = newsmlg2.parse(data)[0]
    assert [(p.uri, p.role) for p in story.pictures] == [
        (RTR_PHOTO, "main"), ("tag:reuters.com,2026:newsml_RC2P0MA4ZQ2Y", "supporting")]
