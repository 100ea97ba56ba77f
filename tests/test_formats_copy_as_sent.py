"""Teletype and plain copy as agencies send them (issue 12, items 5 and 7): dpa's and KNA's
IPTC 7901 headers, bylines and trailers (tests/fixtures/iptc7901-dpa); AP's two-line byline,
AFP's sign-off codes, AP's "___" section and story keys in plain copy (plain-as-sent); and
the desk's order for an unnumbered correction after a numbered version."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings

from conftest import FIXTURES
from fuzzing import (
    assert_parses_or_format_error,
    dialect_files,
    mutated,
    other_format_files,
    path_id,
)
from helpers import deliver, later
from wiredesk import formats
from wiredesk.desk import Outcome
from wiredesk.formats import anpa, iptc7901, plaincopy
from wiredesk.formats.copyrules import Key, split_credit, take_key
from wiredesk.story import Pubstatus, Story

DPA = FIXTURES / "iptc7901-dpa"
PLAIN = FIXTURES / "plain-as-sent"


def one(path, fmt: str) -> Story:
    stories = formats.parse(path.read_bytes(), fmt)
    assert len(stories) == 1
    return stories[0]


# ---- dpa / KNA IPTC 7901 --------------------------------------------------------------------

def test_selector_code_before_the_attribution_byline_line_and_c_dpa_trailer():
    s = one(DPA / "selector-header.7901", "iptc7901")  # eca062 4 i 211 ccccb dpa 061
    assert s.uri == "urn:wiredesk:iptc7901:dpa:frankreich-regierung"
    assert (s.headline, s.by, s.dateline, s.located, s.agency) == (
        "Französische Regierung übersteht Misstrauensvotum", "Julia Naue", "Paris (dpa)",
        "Paris", "dpa")
    assert s.urgency == 4 and s.subjects[0].code == "i" and s.version == "1"
    assert s.body.text.endswith("sprach von einem Signal der Stabilität.")
    assert "(c) dpa" not in s.body.text and "yydd" not in s.body.text
    assert (s.creditline, s.copyrightholder, s.copyrightnotice) == ("dpa jn yydd", "dpa",
                                                                  "(c) dpa")
    assert s.versioncreated == datetime(2026, 12, 2, 10, 12, tzinfo=UTC)


def test_kna_documented_header_with_reference_and_dashless_dateline():
    s = one(DPA / "kna-header.7901", "iptc7901")  # bkn014 4 pl 171 vvvvb KNA 170123-89-00065#2
    assert s.uri == "urn:wiredesk:iptc7901:kna:bundestag-kinder" and s.agency == "KNA"
    assert s.headline == "Kinderkommission: Bund muss für Jugendhilfe zuständig bleiben"
    assert (s.dateline, s.located) == ("Berlin (KNA)", "Berlin")
    assert s.body.text.startswith("Die Bundestags-Kinderkommission hat sich")


def test_four_line_header_codes_keyword_and_marker():
    s = one(DPA / "four-line-header.7901", "iptc7901")
    assert s.uri == "urn:wiredesk:iptc7901:dpa:konjunktur-ifo" and s.agency == "dpa"
    assert (s.version, s.signals, s.slugline) == ("2", ("update",), "Konjunktur/Ifo")
    assert s.headline == "Ifo-Index steigt überraschend deutlich"
    assert s.body.text.split("\n")[1] == "Ökonomen hatten mit einem leichten Rückgang gerechnet."
    assert s.creditline == "dpa mm xx"


def test_keywords_trailing_the_header_line_name_the_story():
    s = one(DPA / "trailing-keywords.7901", "iptc7901")  # bdt0421 ... dpa 0422 Konjunktur/Export
    assert s.uri == "urn:wiredesk:iptc7901:dpa:konjunktur-export"
    assert (s.slugline, s.agency, s.urgency) == ("Konjunktur/Export", "dpa", 3)
    assert s.headline == "Ifo: Exporterwartungen trüben sich ein"


def test_berichtigung_in_the_keyword_and_opening_the_text_is_a_correction():
    s = one(DPA / "berichtigung.7901", "iptc7901")
    assert s.uri == "urn:wiredesk:iptc7901:dpa:konjunktur-ifo"  # the story it corrects
    assert s.signals == ("correction",) and s.version is None  # follows the head
    assert s.body.text.startswith("Die Stimmung in der deutschen Wirtschaft")
    assert "muss es richtig heißen" in (s.ednote or "") and "Berichtigung" not in s.body.text
    assert s.copyrightnotice == "(c) dpa"


def test_byline_as_its_own_paragraph_and_full_copyright():
    s = one(DPA / "byline-own-paragraph.7901", "iptc7901")
    assert (s.by, s.dateline) == ("Anna Ringle", "Hamburg (dpa)")
    assert s.body.text.startswith("Das Sturmtief «Zeynep» hat")
    assert s.copyrightholder == "dpa Deutsche Presse-Agentur GmbH"


def test_a_paragraph_opening_with_von_is_body_not_byline():
    data = (DPA / "byline-own-paragraph.7901").read_bytes().replace(
        "Von Anna Ringle, dpa".encode("latin-1"),
        "Von Hamburg aus fuhren keine Züge mehr.".encode("latin-1"))
    [s] = iptc7901.parse(data)
    assert s.by is None and s.body.text.startswith("Von Hamburg aus fuhren")


@pytest.mark.parametrize("path", dialect_files("iptc7901"), ids=path_id)
def test_7901_dialects_are_7901_not_anpa(path):
    assert formats.detect(path.read_bytes()) == "iptc7901"
    assert not anpa.looks_like(path.read_bytes())


@pytest.mark.parametrize("path", other_format_files(FIXTURES / "iptc7901"), ids=path_id)
def test_7901_refuses_other_formats(path):
    assert not iptc7901.looks_like(path.read_bytes())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated(dialect_files("iptc7901"), tokens=(b"\x01", b"\x02", b"\x03", b" ccccb",
                                                  b"(c) dpa", b"\r\n")))
def test_mutated_7901_dialects_give_stories_or_a_format_error(data):
    assert_parses_or_format_error(iptc7901.parse, data, "iptc7901")


# ---- plain copy as sent -------------------------------------------------------------------

def test_ap_two_line_byline_and_trailing_sections():
    s = one(PLAIN / "ap-two-line-byline.txt", "plain")
    assert (s.headline, s.by, s.dateline, s.located, s.agency) == (
        "Storm knocks out power to 200,000 in Michigan", "ED WHITE and MIKE HOUSEHOLDER",
        "DETROIT (AP)", "DETROIT", "AP")
    assert s.body.text.endswith("on their way to help, officials said.")
    assert "___" not in s.body.text and "Associated Press" not in s.body.text
    assert s.creditline is not None and s.creditline.startswith(
        "Associated Press writer Corey Williams contributed")
    assert "https://apnews.com/hub/weather" in s.creditline
    assert (s.slugline, s.version) == ("US--Winter-Storm", "1")


def test_ap_writethru_with_a_rewritten_headline_is_the_same_story():
    first = one(PLAIN / "ap-two-line-byline.txt", "plain")
    second = one(PLAIN / "ap-writethru-rewritten.txt", "plain")
    assert second.headline == "Michigan outages top 300,000 as ice storm lingers"
    assert second.uri == first.uri == "urn:wiredesk:plain:ap:key-us-winter-storm"
    assert (second.version, second.signals) == ("2", ("update",))


def test_afp_sign_off_codes_are_credit_not_body():
    s = one(PLAIN / "afp-signoff.txt", "plain")
    assert (s.headline, s.dateline, s.agency) == ("Louvre to close two galleries for renovation",
                                                  "Paris (AFP)", "AFP")
    assert s.creditline == "burs-jm/lb" and "jm/lb" not in s.body.text


def test_reuters_update_chain_with_a_rewritten_headline_keeps_its_key():
    original = one(PLAIN / "reuters-key-original.txt", "plain")
    update = one(PLAIN / "reuters-key-update2.txt", "plain")
    corrected = one(PLAIN / "reuters-key-corrected.txt", "plain")
    assert original.uri == update.uri == corrected.uri == "urn:wiredesk:plain:reuters:key-oil-prices"
    assert (original.version, update.version, corrected.version) == ("1", "3", None)
    assert update.headline == "Oil hits two-week high on Red Sea risks, U.S. stock draw"
    assert (update.by, update.dateline) == ("Noor Haddad", "SINGAPORE, Dec 2 (Reuters)")
    assert update.signals == ("update",) and corrected.signals == ("correction",)
    assert corrected.ednote == "(Corrects price in paragraph 2 to $79.72, not $79.27)"


def test_dpa_keyword_line_names_the_story_across_a_rewrite():
    first = one(PLAIN / "dpa-keyword.txt", "plain")
    summary = one(PLAIN / "dpa-keyword-rewritten.txt", "plain")
    assert first.uri == summary.uri == "urn:wiredesk:plain:dpa:key-bundestag-haushalt"
    assert (first.headline, first.dateline, first.agency) == (
        "Bundestag beschließt Haushalt für 2027", "Berlin (dpa)", "dpa")
    assert summary.headline == "Haushalt 2027 beschlossen - Opposition kündigt Klage an"
    assert (summary.version, summary.signals) == ("2", ("update",))


@pytest.mark.parametrize(("text", "key"), [
    ("BC-US--Fed-Rates,2nd Ld-Writethru/612\n\nFed holds", Key("US--Fed-Rates", "3", ("update",), "2nd Ld-Writethru")),
    ("USA-FED/RATES (UPDATE 1)\nFed holds", Key("USA-FED/RATES", "2", ("update",), "UPDATE 1")),
    ("Slug: fed-rates\nFed holds", Key("fed-rates")),
    ("Bundestag/Haushalt/ (2. Zusammenfassung)\nX", Key("Bundestag/Haushalt", "3", ("update",), "2. Zusammenfassung")),
    ("Fed holds rates steady\nBody", None),
    ("OIL-PRICES/", None),  # a key with nothing after it names nothing
])
def test_take_key(text, key):
    assert take_key(text)[0] == key


def test_split_credit_needs_a_body_before_it():
    assert split_credit(["jm/lb"]) == (["jm/lb"], [])
    assert split_credit(["Text.", "___", "More at x", "___", "Tail"]) == (["Text."],
                                                                          ["More at x", "Tail"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated(dialect_files("plain"), tokens=(b"___", b"\n\n", b"jm/lb", b"BC-", b"/")))
def test_mutated_plain_dialects_give_stories_or_a_format_error(data):
    assert_parses_or_format_error(plaincopy.parse, data, "plain")


# ---- the desk's order of an unnumbered correction -----------------------------------------

def test_unnumbered_correction_after_update_2_becomes_the_head(store, now):
    report = deliver(store, (PLAIN / "reuters-key-original.txt").read_bytes(), now)
    assert report.outcomes[0][1] is Outcome.NEW
    update = deliver(store, (PLAIN / "reuters-key-update2.txt").read_bytes(), later(now, minutes=5))
    assert update.outcomes[0][1] is Outcome.UPDATED
    corrected = deliver(store, (PLAIN / "reuters-key-corrected.txt").read_bytes(),
                        later(now, minutes=9))
    assert corrected.outcomes[0][1] is Outcome.UPDATED
    record = store.story_by_uri("urn:wiredesk:plain:reuters:key-oil-prices")
    assert record.story.signals == ("correction",) and record.version_count == 3
    # the first version, arriving again late, stays in history: it is numbered, and older
    late = (PLAIN / "reuters-key-original.txt").read_bytes() + b"\n"
    assert deliver(store, late, later(now, minutes=12)).outcomes[0][1] is Outcome.STALE
    assert store.story_by_uri(record.story.uri).story.pubstatus is Pubstatus.USABLE


def test_dpa_berichtigung_after_the_second_zusammenfassung_becomes_the_head(store, now):
    second = (FIXTURES / "iptc7901" / "zusammenfassung2.7901").read_bytes()  # version 3
    deliver(store, second, now)
    [head] = iptc7901.parse(second)
    fix = second.replace(b"(2. Zusammenfassung)", b"(Berichtigung)").replace(
        b"272105 Nov 26", b"272140 Nov 26")
    [corrected] = iptc7901.parse(fix)
    assert corrected.uri == head.uri and corrected.version is None
    assert deliver(store, fix, later(now, minutes=35)).outcomes[0][1] is Outcome.UPDATED
    record = store.story_by_uri(head.uri)
    assert record.story.signals == ("correction",)
    first = (FIXTURES / "iptc7901" / "story.7901").read_bytes()  # version 1, arriving late
    assert deliver(store, first, later(now, minutes=40)).outcomes[0][1] is Outcome.STALE
