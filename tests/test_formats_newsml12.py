"""NewsML 1.2 in, the way AFP sends it: nested components, NITF/XHTML/plain text bodies."""

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
from wiredesk.formats import newsml12
from wiredesk.formats.errors import FormatError
from wiredesk.story import Pubstatus, Story, Subject

HERE = FIXTURES / "newsml12"
ALL = sorted(HERE.glob("*.xml"))
AFP_URI = "urn:newsml:afp.com:20260210:TX-PAR-GQX12"
SUBJ = "http://cv.iptc.org/newscodes/subjectcode/"


def one(name: str) -> Story:
    data = (HERE / name).read_bytes()
    (story,) = newsml12.parse(data)
    assert story.raw == data and story.format == "newsml12"
    return story


def test_plain_story_maps_every_field():
    s = one("afp-story.xml")
    # PublicIdentifier less its revision part: every revision is the same story.
    assert s.uri == AFP_URI
    assert s.version == "1"
    assert s.signals == ()
    assert s.firstcreated == s.versioncreated == datetime(2026, 2, 10, 14, 32, tzinfo=UTC)
    assert s.pubstatus is Pubstatus.USABLE
    assert s.urgency == 3
    assert s.headline == "Ukraine says it downed 40 drones overnight"  # not the photo's
    assert s.by == "Oleksandr Savochenko"
    assert s.dateline == "KYIV, Feb 10, 2026 (AFP)"
    assert s.located == "Kyiv"  # Location HowPresent=Origin, City
    assert s.creditline == "AFP"
    assert s.copyrightnotice == "Copyright AFP 2026, all rights reserved"
    assert s.copyrightholder == "AFP"
    assert s.usageterms == "No archiving after 30 days; Editorial; Worldwide"
    assert s.expires == datetime(2026, 3, 12, tzinfo=UTC)  # UsageRights/EndDate
    assert s.slugline == "Ukraine-Russia-conflict-drones"
    assert s.agency == "AFP"
    assert s.language == "en"
    assert s.subjects == (
        Subject("unrest, conflicts and war", SUBJ + "16000000", "subj:16000000"),
        Subject("16009000", SUBJ + "16009000", "subj:16009000"),
    )
    assert s.embargoed is None and s.ednote is None
    assert s.body.content_type == "text/html"
    assert s.body.text.split("\n") == [
        "Ukraine's air force said Tuesday it had shot down 40 of the 52 drones Russia launched "
        "overnight.", "Debris damaged homes in the Kyiv region, officials said.", "os/jj"]


def test_update_is_a_newer_revision_of_the_same_uri():
    s = one("afp-update.xml")
    assert s.uri == AFP_URI  # ":2N" on the PublicIdentifier is the revision, not the story
    assert s.version == "2" and s.version_number == 2
    assert s.signals == ("update",)
    assert s.versioncreated == datetime(2026, 2, 10, 15, 30, tzinfo=UTC)
    assert s.firstcreated == datetime(2026, 2, 10, 14, 32, tzinfo=UTC)
    assert s.headline == "Ukraine says it downed 40 drones overnight, two killed"
    assert "Two people were killed" in s.body.text


def test_correction_by_instruction_and_headline_tag():
    s = one("afp-correction.xml")
    assert s.uri == AFP_URI and s.version == "3"
    assert s.signals == ("update", "correction")
    assert s.headline == "Ukraine says it downed 40 drones overnight"  # CORRECTION- stripped
    assert "40 of the 55 drones" in s.body.text


def test_canceled_management_only_revision_is_a_kill():
    s = one("afp-kill.xml")
    assert s.uri == AFP_URI and s.version == "4"
    assert s.pubstatus is Pubstatus.CANCELED
    assert s.headline == "" and s.body.text == ""  # a kill names the story by its uri
    assert s.agency == "AFP"  # from ProviderId afp.com
    assert s.urgency == 1
    assert s.versioncreated == datetime(2026, 2, 10, 17, 0, tzinfo=UTC)


def test_embargo_from_status_will_change():
    s = one("afp-embargo.xml")  # in the NewsML 1.2 namespace
    assert s.uri == "urn:newsml:afp.com:20260301:TX-PAR-NOBEL"
    assert s.pubstatus is Pubstatus.USABLE  # "Embargoed" becomes usable at the embargo time
    assert s.embargoed == datetime(2026, 3, 2, 5, 0, tzinfo=UTC)
    assert s.ednote == "EMBARGOED until 0600 GMT+1 Monday March 2"
    assert s.urgency == 4
    assert s.slugline == "Climate-Arctic-ice"
    assert s.subjects == (
        Subject("environmental issue", SUBJ + "06000000", "subj:06000000"),
        Subject("06005000", SUBJ + "06005000", "subj:06005000"),
    )
    # XHTML body with the dateline opening it: lifted into the fields.
    assert s.dateline == "PARIS (AFP)" and s.located == "PARIS" and s.agency == "AFP"
    assert s.body.text.startswith("Arctic sea ice covered less")
    assert "xmlns" not in s.body.received


def test_future_status_other_than_usable_is_no_embargo():
    data = (HERE / "afp-embargo.xml").read_bytes().replace(
        b'<FutureStatus FormalName="Usable"/>', b'<FutureStatus FormalName="Canceled"/>')
    (s,) = newsml12.parse(data)
    assert s.embargoed is None


def test_several_news_items_keep_topics_and_a_photo_item_is_a_picture():
    data = (HERE / "afp-multi.xml").read_bytes()  # ISO-8859-1 as declared
    first, photo, second = newsml12.parse(data)
    assert photo.type == "picture" and photo.uri == "urn:newsml:afp.com:20260315:PH-PAR-ELECT1"
    assert photo.pictures[0].renditions[0].href == "http://example.com/afp/photo/elect1.jpg"
    assert first.uri == "urn:newsml:afp.com:20260315:TX-PAR-ELECT1"
    assert first.headline == "Municipales: forte participation à la mi-journée"
    assert first.by == "Claire Martin"
    assert first.language == "fr"
    assert first.urgency == 2
    assert first.subjects == (Subject("élections", None, "elections"),)  # TopicOccurrence
    assert first.dateline == "Paris (AFP)" and first.located == "Paris"
    assert first.body.content_type == "text/plain"
    assert first.body.text.split("\n") == [
        "La participation aux élections municipales atteignait 25,3 % à midi, selon le "
        "ministère de l'Intérieur.", "Elle était de 18,4 % au même stade en 2020."]
    assert first.raw != data and etree.fromstring(first.raw).tag == "NewsItem"
    assert second.uri == "urn:newsml:afp.com:20260315:TX-PAR-ELECT2"
    assert second.pubstatus is Pubstatus.WITHHELD
    assert second.body.text == "Les premières estimations seront publiées à 20h00."
    assert second.agency == "AFP"


def test_photos_alone_give_a_picture_item_and_video_alone_nothing():
    data = (HERE / "afp-photos-only.xml").read_bytes()
    (item,) = newsml12.parse(data)
    assert item.type == "picture" and item.uri == "urn:newsml:afp.com:20260315:PH-PAR-1"
    assert item.headline == "Polling station in Lyon"
    assert [r.href for r in item.pictures[0].renditions] == ["http://example.com/1.jpg"]
    video = data.replace(b'<ContentItem Href="http://example.com/1.jpg"><MediaType '
                         b'FormalName="Photo"/></ContentItem>', b"")
    assert newsml12.parse(video) == []


# -- photos (issue 13) --------------------------------------------------------------------

PHOTOS = "afp-story-photos.xml"


def test_photo_components_are_the_storys_pictures_with_caption_credit_and_rights():
    story, aerial = newsml12.parse((HERE / PHOTOS).read_bytes())
    assert story.type == "text" and story.uri == "urn:newsml:afp.com:20260402:TX-PAR-FLOOD1"
    # The photo came first: its caption is not the body, its headline not the story's.
    assert story.headline == "Floods cut off villages in southern France"
    assert story.body.text.startswith("Flash floods cut off a dozen villages")
    assert "wades" not in story.body.text
    assert story.expires is None and story.usageterms is None  # the photo's rights are its own
    lead, boat, chart = story.pictures
    assert lead.uri == "urn:newsml:afp.com:20260402:PH-FLOOD-1"  # its Euid
    assert [(r.name, r.href, r.width, r.height, r.contenttype, r.size)
            for r in lead.renditions] == [
        ("HighDef", "https://photos.afp.example/2026/04/02/flood-1-hd.jpg", 3000, 2000,
         "image/jpeg", 2458312),
        ("Preview", "flood-1-preview.jpg", 640, 427, "image/jpeg", 98304),  # from Format
        ("Thumbnail", "https://photos.afp.example/2026/04/02/flood-1-thumb.jpg", 150, 100,
         "image/jpeg", None)]
    assert lead.caption == ("A man wades through a flooded street in Nimes, southern France, "
                            "on April 2, 2026.")
    assert lead.headline == "Flooded street in Nimes"
    assert lead.by == "Pascal Guyot" and lead.creditline == "AFP PHOTO / Pascal Guyot"
    assert (lead.copyrightholder, lead.copyrightnotice, lead.usageterms) == (
        "AFP", "AFP 2026", "Editorial; No sales")
    assert lead.expires == datetime(2026, 5, 2, tzinfo=UTC)
    # Role "Picture", caption as a NewsLine, the photographer from the credit; no video.
    assert boat.caption == "Rescue workers evacuate residents by boat in Sommieres."
    assert boat.by == "Sylvain Thomas" and boat.uri.startswith("urn:wiredesk:picture:")
    assert [r.href for r in boat.renditions] == ["https://photos.afp.example/2026/04/02/flood-2.jpg"]
    # Role "Graphic": the PNG kept, the SVG beside it dropped with a warning.
    assert [r.href for r in chart.renditions] == [
        "https://photos.afp.example/2026/04/02/flood-map.png"]
    (warning,) = story.warnings
    assert warning.field == "pictures" and "flood-map.svg" in warning.problem
    # An item of one photo alone is a picture item, its caption from a Caption component.
    assert aerial.type == "picture" and aerial.uri == "urn:newsml:afp.com:20260402:PH-FLOOD-3"
    assert aerial.pictures[0].caption.startswith("An aerial view shows the flooded Vidourle")
    assert aerial.pictures[0].renditions[0].width == 3000


def test_a_photo_item_whose_only_rendition_is_refused_names_the_problem():
    data = (HERE / "afp-photos-only.xml").read_bytes().replace(
        b"http://example.com/1.jpg", b"javascript:alert(1)")
    with pytest.raises(FormatError) as err:
        newsml12.parse(data)
    assert "ContentItem" in err.value.where and "javascript" in str(err.value)


def test_wiredesk_parse_prints_newsml12_photos_as_pictures(capsys):
    import json

    from wiredesk.cli.main import main

    assert main(["parse", str(HERE / PHOTOS)]) == 0
    story, aerial = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert [a["type"] for a in story["associations"]] == ["picture"] * 3
    assert story["associations"][0]["renditions"][0]["width"] == 3000
    assert aerial["type"] == "picture"


def test_a_newsml12_story_shows_its_photo_from_the_folder(store, tmp_path):
    from test_pictures import jpeg
    from wiredesk import desk
    from wiredesk.sources.pictures import PictureFetch
    from wiredesk.story import Delivery
    from wiredesk.terms import Terms

    (tmp_path / "flood-1-hd.jpg").write_bytes(jpeg(1500, 1000))  # the widest is taken
    data = (HERE / PHOTOS).read_bytes().replace(
        b"https://photos.afp.example/2026/04/02/flood-1-hd.jpg", b"flood-1-hd.jpg")
    at = datetime(2026, 4, 2, 9, 20, tzinfo=UTC)
    report = desk.apply(store, Delivery(data, "afp", "flood.xml", at), Terms(agency="AFP"),
                        pictures=PictureFetch(store, folder=tmp_path))
    assert report.counts() == {"new": 1, "picture": 1} and report.pictures_refused == []
    record = store.story_by_uri("urn:newsml:afp.com:20260402:TX-PAR-FLOOD1")
    (shown,) = store.pictures.shown(record.id, at)  # the others' remote bytes are not here
    assert shown.caption.startswith("A man wades") and shown.creditline.startswith("AFP PHOTO")
    assert (shown.width, shown.height) == (1500, 1000)


@pytest.mark.parametrize("name, where, problem", [
    ("malformed-truncated.xml", "line 37", "malformed XML"),
    ("malformed-no-identifier.xml", "Identification/NewsIdentifier", "expected a NewsIdentifier"),
    ("malformed-bad-date.xml", "NewsManagement/ThisRevisionCreated", "expected an ISO 8601"),
    ("malformed-partial-update.xml", "RevisionId/@Update", "partial updates"),
    ("malformed-no-newsitem.xml", "NewsML", "expected at least one NewsItem"),
    ("malformed-empty-provider.xml", "NewsIdentifier/ProviderId", "expected a non-empty"),
])
def test_malformed_files_name_the_place_and_what_was_expected(name, where, problem):
    with pytest.raises(FormatError) as err:
        newsml12.parse((HERE / name).read_bytes())
    assert err.value.format == "newsml12"
    assert where in err.value.where
    assert problem in err.value.problem


def test_usable_item_without_content_is_an_error():
    data = (HERE / "afp-kill.xml").read_bytes().replace(b'"Canceled"', b'"Usable"')
    with pytest.raises(FormatError) as err:
        newsml12.parse(data)
    assert "HeadLine" in err.value.where


def test_wrong_root_and_bad_urgency():
    with pytest.raises(FormatError) as err:
        newsml12.parse(b"<NewsItem><Identification/></NewsItem>")
    assert "expected the root element <NewsML>" in err.value.problem
    data = (HERE / "afp-story.xml").read_bytes().replace(b'<Urgency FormalName="3"/>',
                                                         b'<Urgency FormalName="three"/>')
    with pytest.raises(FormatError) as err:
        newsml12.parse(data)
    assert err.value.where.endswith("NewsManagement/Urgency/@FormalName")


# ---- sniffing and fuzzing ---------------------------------------------------------------

@pytest.mark.parametrize("path", ALL,
                         ids=lambda p: p.name)
def test_looks_like_its_own_files(path):
    assert newsml12.looks_like(path.read_bytes())


@pytest.mark.parametrize("path", other_format_files(HERE), ids=path_id)
def test_looks_like_refuses_other_formats(path):
    assert not newsml12.looks_like(path.read_bytes())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated(ALL, tokens=(*XML_TOKENS, b"&nbsp;", b'Update="U"')))
def test_mutated_fixtures_give_stories_or_format_errors(data):
    assert_parses_or_format_error(newsml12.parse, data, "newsml12")
