"""News article pages: the agency story inside a syndicating site's page."""

from __future__ import annotations

import re
from dataclasses import fields
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import FIXTURES, SAMPLES
from fuzzing import assert_parses_or_format_error, mutated, other_format_files, path_id
from wiredesk.formats import plaincopy, webpage
from wiredesk.formats.errors import FormatError
from wiredesk.story import Pubstatus, Subject

DIR = FIXTURES / "webpage"
ALL = sorted(p.name for p in DIR.iterdir())
CHROME = ["Now Reading", "Text size", "Aa Aa", "Share", "Tweet", "E-mail", "cookie", "Cookie",
          "Related stories", "Most read", "Advertisement", "newsletter", "Subscribe",
          "Skip to content", "provides breaking news", "does not edit", "for a limited time",
          "Accept all", "Privacy", "Terms and conditions", "euronews 2018", "Heatwave",
          "Singapore declaration", "Search"]


def load(name: str) -> bytes:
    return (DIR / name).read_bytes()


def one(name: str, **kw: object):
    (story,) = webpage.parse(load(name), **kw)
    return story


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def euronews_sample() -> bytes:
    return next(iter(sorted(SAMPLES.glob("*reuters-via-euronews.txt")))).read_bytes()


# -- detection ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ALL)
def test_looks_like_webpage_fixtures(name: str) -> None:
    assert webpage.looks_like(load(name))


# sources/article.html is a real news page, kept for the source tests.
OTHERS = [p for p in other_format_files(DIR) if p != FIXTURES / "sources" / "article.html"]


@pytest.mark.parametrize("path", OTHERS, ids=path_id)
def test_looks_like_refuses_other_formats(path: Path) -> None:
    assert not webpage.looks_like(path.read_bytes())


def test_looks_like_variants() -> None:
    assert webpage.looks_like(b"\xef\xbb\xbf\n<!-- cached -->\n<HTML lang='en'><body></body></HTML>")
    assert not webpage.looks_like(b"<?xml version='1.0'?><rss version='2.0'><channel/></rss>")
    assert not webpage.looks_like(b"Headline\n\n<html> appears in the text\n")


# -- the euronews page ----------------------------------------------------------------------


def test_euronews_page_equals_the_plain_copy_parse_of_the_sample() -> None:
    page = one("euronews-like.html")
    (plain,) = plaincopy.parse(euronews_sample())
    assert page.headline == plain.headline == (
        "Mattis says Japan-U.S. committed to ending North Korea's 'weapons of mass destruction'")
    assert page.by == plain.by == "Phil Stewart and Tim Kelly"
    assert page.located == plain.located == "TOKYO"
    assert page.dateline == plain.dateline == "TOKYO (Reuters)"
    assert page.agency == plain.agency == "Reuters"
    assert page.creditline == plain.creditline == (
        "(Reporting by Phil Stewart and Tim Kelly; Editing by Michael Perry)")
    paragraphs = page.body.text.split("\n")
    assert paragraphs == plain.body.text.split("\n")
    assert len(paragraphs) == 15
    assert paragraphs[0].startswith("U.S. Defense Secretary Jim Mattis on Friday said")
    assert paragraphs[-1].endswith("normal diplomatic relations have been established.")
    assert page.body.received == plain.body.received
    assert page.pubstatus is Pubstatus.USABLE and page.signals == ()


def test_euronews_page_metadata_from_json_ld() -> None:
    s = one("euronews-like.html")
    assert s.format == "webpage"
    assert s.uri == ("https://www.euronews.com/2018/06/29/mattis-says-japan-us-committed-to-"
                     "ending-north-koreas-weapons-of-mass-destruction")  # mainEntityOfPage
    assert s.firstcreated == utc(2018, 6, 29, 4, 12)
    assert s.versioncreated == utc(2018, 6, 29, 4, 25)
    assert s.language == "en"
    assert s.subjects == tuple(Subject(n) for n in
                               ("World", "Wires", "North Korea", "Japan", "United States", "Defence"))
    assert s.copyrightholder == "Thomson Reuters"
    assert s.copyrightnotice == "Copyright 2018 Thomson Reuters. All rights reserved."
    assert s.raw == load("euronews-like.html")
    assert (s.version, s.embargoed, s.expires, s.usageterms, s.ednote) == (None,) * 5


def test_euronews_page_keeps_no_chrome_in_any_field() -> None:
    s = one("euronews-like.html")
    values = [getattr(s, f.name) for f in fields(s) if isinstance(getattr(s, f.name), str)]
    values += [s.body.text, s.body.html, s.body.received, *(x.name for x in s.subjects)]
    for word in CHROME:
        assert not any(word in value for value in values), word


def test_every_word_of_the_agency_body_is_kept() -> None:
    s = one("euronews-like.html")
    sample = euronews_sample().decode("utf-8")
    story = sample[sample.index("TOKYO (Reuters) - ") + len("TOKYO (Reuters) - "):
                   sample.index("(Reporting by")]
    assert re.findall(r"\S+", s.body.text) == re.findall(r"\S+", story)


# -- other pages ----------------------------------------------------------------------------


def test_paragraph_trafilatura_drops_is_kept() -> None:
    s = one("dropped-paragraph.html")
    assert s.body.text.split("\n") == [
        "The Federal Reserve left its key interest rate unchanged on Wednesday and signaled that"
        " it is in no hurry to resume cutting rates while inflation remains above its 2% target.",
        "The Fed kept its benchmark rate at about 3.6%, after three cuts late last year, and said"
        " in a statement that the job market had stabilized.",
        "Chair Jerome Powell spoke for about 20 minutes.",
        '"We are well positioned to wait and see how the economy evolves," Powell said at a news'
        " conference after the decision, adding that officials would take their decisions"
        " meeting by meeting.",
        "Two of the twelve voting members dissented in favor of a quarter-point cut, the first"
        " double dissent since 2019, reflecting growing division on the committee over the outlook.",
    ]
    assert (s.dateline, s.agency, s.by) == ("WASHINGTON (AP)", "AP", "Christopher Rugaber")
    assert s.uri == "https://news.example.com/business/fed-holds-rates"  # canonical link
    assert s.language == "en-US"


def test_update_page() -> None:
    s = one("update.html")
    assert s.uri == "https://news.example.com/world/portugal-storm-lena"
    assert s.headline == "Portugal shuts schools as Storm Lena makes landfall"
    assert s.version == "2" and s.signals == ("update",)
    assert (s.firstcreated, s.versioncreated) == (utc(2026, 1, 15, 7, 2), utc(2026, 1, 15, 9, 15))
    assert s.by == "Catarina Demony"
    assert s.ednote == "(Adds landfall, power cuts in paragraphs 1-3)"
    assert (s.dateline, s.agency) == ("LISBON (Reuters)", "Reuters")
    assert s.creditline == "(Reporting by Catarina Demony; Editing by Andrew Heavens)"
    assert len(s.body.text.split("\n")) == 3
    assert "Share" not in s.body.text and "Spain braces" not in s.body.text
    assert "does not edit" not in s.body.text


def test_correction_page() -> None:
    s = one("correction.html")
    assert s.uri == "https://news.example.com/markets/euro-zone-bonds"  # og:url
    assert s.headline == "Euro zone bond yields fall after ECB minutes"
    assert s.signals == ("correction",)
    assert s.version == "2"  # schema.org version
    assert s.ednote == ("(Corrects German 10-year yield to 2.41% from 2.14% in paragraph 2) "
                        "An earlier version of this story gave the wrong German 10-year yield.")
    assert s.by == "Harry Robertson"
    assert s.language == "en-GB"
    assert s.dateline == "LONDON, Jan 15 (Reuters)"
    assert "Text size" not in s.body.text
    assert s.body.text.startswith("Euro zone government bond yields fell on Thursday")


def test_kill_page() -> None:
    s = one("kill.html")
    assert s.pubstatus is Pubstatus.CANCELED
    assert s.signals == ("withdrawn",)
    assert s.headline == "Louvre to open new wing for Islamic art in 2027"
    assert s.uri == "https://news.example.com/culture/louvre-islamic-art-wing"
    assert s.versioncreated == utc(2026, 1, 15, 13, 5)


def test_embargo_notice_is_kept_as_text() -> None:
    # schema.org has no embargo property: the notice stays in the body, word for word, and
    # the story carries no embargo time (the desk cannot hold it).
    s = one("embargo.html")
    assert s.embargoed is None
    assert s.body.text.split("\n")[0] == "EMBARGOED UNTIL 0855 GMT (0955 CET) THURSDAY, JAN 29"
    assert s.by == "dpa"  # JSON-LD author
    assert s.language == "de"  # <html lang>
    assert s.firstcreated == utc(2026, 1, 29, 6, 30)


def test_subjects_rights_and_cp1252_page() -> None:
    s = one("subjects-rights.html")  # windows-1252 bytes, a broken JSON-LD block first
    assert s.uri == "urn:ansa:2026:0115:etna-erupts"  # identifier PropertyValue
    assert s.headline == "Etna erupts again, Catania airport closed"
    assert s.expires == utc(2026, 2, 14, 23)
    assert s.language == "en"  # inLanguage Language object
    assert s.subjects == tuple(Subject(n) for n in
                               ("Environment", "Etna", "volcano", "Sicily", "air travel"))
    assert s.copyrightholder == "ANSA"
    assert s.copyrightnotice == "© Copyright ANSA - All rights reserved"
    assert s.usageterms == "https://www.ansa.it/english/terms"
    assert s.creditline == "ANSA"  # creditText
    assert s.by == "ANSA"  # meta author
    assert (s.dateline, s.located, s.agency) == ("CATANIA (ANSA)", "CATANIA", "ANSA")
    assert "cookies" not in s.body.text
    assert s.body.text.split("\n")[0].startswith("Mount Etna erupted again on Thursday")


def test_agency_argument_and_publisher_fallback() -> None:
    page = b"""<!doctype html><html><head><title>Quiet day</title>
    <script type="application/ld+json">{"@type": "Article", "headline": "Quiet day",
      "publisher": {"name": "Example Times"}}</script></head>
    <body><article><p>Nothing happened today, officials said.</p></article></body></html>"""
    assert webpage.parse(page)[0].agency == "Example Times"
    assert webpage.parse(page, agency="AP")[0].agency == "AP"
    assert webpage.parse(page)[0].uri == "urn:wiredesk:plain:example times:quiet-day"


def test_headline_repeated_in_other_words_is_not_body() -> None:
    page = b"""<!doctype html><html><head><title>A quiet day - Example Times</title>
    <script type="application/ld+json">{"@type": "NewsArticle", "headline": "Quiet day in the city"}
    </script></head><body><article><h1>A quiet day</h1>
    <p>Nothing happened today, officials said.</p></article></body></html>"""
    (s,) = webpage.parse(page)
    assert s.headline == "Quiet day in the city"
    assert s.body.text == "Nothing happened today, officials said."


def test_page_without_article_element_uses_trafilatura() -> None:
    paragraphs = [f"Paragraph {n} of the story, long enough to read as article text to an"
                  f" extractor that scores text density and punctuation, as pages go." for n in range(6)]
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    page = (f"<!doctype html><html><head><title>Plain page</title></head><body>"
            f"<div class='menu'><a href='/'>Home</a> <a href='/w'>World</a></div>"
            f"<div class='content'><h1>Plain page</h1><p>By Jane Roe</p>"
            f"<p>BERLIN (dpa) - {paragraphs[0]}</p>{body[body.index('</p>') + 4:]}</div>"
            f"</body></html>").encode()
    (s,) = webpage.parse(page)
    assert (s.dateline, s.agency) == ("BERLIN (dpa)", "dpa")
    assert s.body.text.split("\n") == paragraphs


# -- malformed ------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "where", "problem"), [
    ("malformed-no-article.html", "body", "expected article text"),
    ("malformed-truncated.html", "body", "expected article text"),
    ("malformed-bad-date.html", "JSON-LD/meta datePublished", "expected an ISO 8601 date-time"),
])
def test_malformed_fixtures(name: str, where: str, problem: str) -> None:
    with pytest.raises(FormatError) as err:
        webpage.parse(load(name))
    assert err.value.format == "webpage"
    assert err.value.where == where
    assert problem in err.value.problem


@pytest.mark.parametrize("data", [
    b"", b"   ", b"\x00\x00<html>", b"<!doctype html><html></html>",
    b"<!doctype html>" + b"x" * (5 * 1024 * 1024),
    b'<!doctype html><html><head><script type="application/ld+json">'
    b'{"@type": "NewsArticle", "headline": "H", "dateModified": 5}</script></head>'
    b"<body><article><p>Text of the story.</p></article></body></html>",
])
def test_junk_raises_format_error(data: bytes) -> None:
    with pytest.raises(FormatError):
        webpage.parse(data)


# -- robustness -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ALL)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_mutated_fixtures_parse_or_raise_format_error(name: str, data: st.DataObject) -> None:
    mutated_page = data.draw(mutated([DIR / name]))
    stories = assert_parses_or_format_error(webpage.parse, mutated_page, "webpage")
    assert stories is None or len(stories) == 1


# -- pictures (issue 13) ------------------------------------------------------------------


def test_json_ld_images_and_og_image_are_the_pages_pictures():
    (story,) = webpage.parse((DIR / "pictures.html").read_bytes())
    assert [p.renditions[0].href for p in story.pictures] == [
        "https://news.example.com/media/2026/03/cranes-1600.jpg",
        "https://cdn.news.example.com/media/2026/03/cranes-square.jpg",  # //: the page's scheme
        "https://news.example.com/media/2026/03/cranes-1200.jpg"]  # og:image, against the page
    lead, square, og = story.pictures
    assert lead.role == "main" and square.role is None and og.role is None
    assert (lead.renditions[0].width, lead.renditions[0].height) == (1600, 1067)
    assert lead.caption == "Cranes stand idle at the container terminal in Rotterdam, March 4, 2026."
    assert lead.creditline == "REUTERS/Piroschka van de Wouw"
    assert lead.by == "Piroschka van de Wouw"
    assert lead.copyrightnotice == "Copyright 2026 Thomson Reuters"
    assert (og.renditions[0].width, og.renditions[0].height) == (1200, 800)
    assert og.renditions[0].contenttype == "image/jpeg"
    assert og.alt == "Three container cranes against a grey sky"
    (warning,) = story.warnings
    assert warning.field == "pictures" and "data: URL" in warning.problem


def test_og_image_alone_is_the_lead_and_a_page_without_pictures_has_none():
    page = (DIR / "update.html").read_text()
    assert webpage.parse(page.encode())[0].pictures == ()
    page = page.replace("<head>", '<head><meta property="og:image" content="https://x.example/a.jpg">')
    (story,) = webpage.parse(page.encode())
    (picture,) = story.pictures
    assert picture.role == "main" and picture.renditions[0].href == "https://x.example/a.jpg"


def test_a_malformed_page_url_leaves_relative_pictures_as_given():
    page = (DIR / "pictures.html").read_bytes().replace(
        b'href="https://news.example.com/world', b'href="https://[news.example.com/world')
    (story,) = webpage.parse(page)
    assert story.pictures[-1].renditions[0].href == "/media/2026/03/cranes-1200.jpg"
