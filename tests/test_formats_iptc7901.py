"""IPTC 7901 (dpa): header fields, German text in any 8-bit encoding, versions, Sperrfrist."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings

from conftest import FIXTURES
from fuzzing import assert_parses_or_format_error, mutated, other_format_files
from wiredesk.formats import anpa, iptc7901
from wiredesk.formats.errors import FormatError
from wiredesk.story import Pubstatus, Story, Subject

DIR = FIXTURES / "iptc7901"
GOOD = ["story.7901", "zusammenfassung1.7901", "zusammenfassung2.7901", "berichtigung.7901",
        "loeschung.7901", "sperrfrist.7901", "sperrfrist_ohne_datum.7901", "rechte.7901",
        "wiederholung.7901", "strom.7901"]
BAD = ["abgeschnitten.7901", "kopf_kaputt.7901", "ohne_stx.7901"]
URI = "urn:wiredesk:iptc7901:dpa:bundestag-haushalt"
POLITICS = Subject("Politics", "urn:wiredesk:iptc7901:category:pol", "pol")


def one(name: str, **kw: str) -> Story:
    stories = iptc7901.parse((DIR / name).read_bytes(), **kw)
    assert len(stories) == 1
    return stories[0]


def test_plain_story_latin1_maps_every_field() -> None:
    data = (DIR / "story.7901").read_bytes()
    assert "ß".encode("latin-1") in data  # really 8-bit latin-1 on the wire
    s = one("story.7901")
    assert s.uri == URI and s.raw == data and s.format == "iptc7901"
    assert s.version == "1"
    assert s.headline == "Bundestag beschließt Haushalt für 2027"
    assert s.slugline == "Bundestag/Haushalt"
    assert s.by == "Anna Müller"  # the agency after the name is not part of it
    assert s.dateline == "Berlin (dpa)" and s.located == "Berlin"
    assert s.agency == "dpa"
    assert s.urgency == 4
    assert s.subjects == (POLITICS,)
    assert s.versioncreated == datetime(2026, 11, 27, 17, 34, tzinfo=UTC)
    assert s.firstcreated == s.versioncreated
    assert s.pubstatus is Pubstatus.USABLE and s.signals == () and s.embargoed is None
    assert s.creditline == "dpa am xy"
    assert s.ednote is None and s.copyrightnotice is None
    assert s.body.text.split("\n") == [
        "Der Bundestag hat den Bundeshaushalt für das kommende Jahr beschlossen. Für den Etat "
        "stimmten am Freitag 389 Abgeordnete, dagegen 296.",
        "Finanzminister Jörg Weiß sagte, der Haushalt sei «solide und zukunftsfest». Die größte "
        "Oppositionsfraktion kritisierte die Neuverschuldung als zu hoch.",
    ]


def test_zusammenfassungen_in_separate_files_are_versions_of_one_uri() -> None:
    first, second, third = (one(n) for n in
                            ("story.7901", "zusammenfassung1.7901", "zusammenfassung2.7901"))
    assert first.uri == second.uri == third.uri == URI
    assert [s.version for s in (first, second, third)] == ["1", "2", "3"]
    assert second.signals == third.signals == ("update",)
    assert second.urgency == 3 and second.firstcreated is None
    assert second.ednote == "(Zusammenfassung)" and third.ednote == "(2. Zusammenfassung)"
    assert second.headline == "Bundestag beschließt Rekordhaushalt - Opposition übt scharfe Kritik"
    assert third.versioncreated == datetime(2026, 11, 27, 21, 5, tzinfo=UTC)


def test_encodings_utf8_and_cp1252() -> None:
    assert "größten" in one("zusammenfassung1.7901").body.text  # UTF-8 file
    third = one("zusammenfassung2.7901")  # cp1252 file with German quotes
    assert "„muss jetzt der Bundesrat zustimmen“" in third.body.text
    assert third.headline == "Bundestag beschließt Rekordhaushalt - Länder kündigen Widerstand an"


def test_berichtigung_is_a_correction() -> None:
    s = one("berichtigung.7901")
    assert s.signals == ("correction",) and s.version is None  # it follows what it corrects
    assert s.uri == "urn:wiredesk:iptc7901:dpa:bahn-tarife"
    assert s.ednote == ("(Berichtigung: Im zweiten Absatz muss es richtig heißen: 4,9 Prozent, "
                        "nicht 9,4 Prozent.)")
    assert s.headline == "Bahn erhöht Preise im Fernverkehr"
    assert s.subjects == (Subject("Economy", "urn:wiredesk:iptc7901:category:wi", "wi"),)
    assert s.creditline == "dpa bb cc"


def test_loeschung_cancels_the_same_uri() -> None:
    s = one("loeschung.7901")
    assert s.uri == URI
    assert s.pubstatus is Pubstatus.CANCELED and s.signals == ("withdrawn",)
    assert s.version is None and s.urgency == 1
    assert s.headline == "Löschung: Bundestag beschließt Rekordhaushalt"
    assert "wird zurückgezogen" in s.body.text


def test_wiederholung_is_a_refile_without_version() -> None:
    s = one("wiederholung.7901")
    assert s.uri == URI and s.signals == ("refile",) and s.version is None
    assert s.pubstatus is Pubstatus.USABLE


def test_sperrfrist_resolved_with_the_date_time_group() -> None:
    s = one("sperrfrist.7901")
    assert s.embargoed == datetime(2026, 11, 29, 17, 0, tzinfo=UTC)  # 18.00 Uhr MEZ
    assert s.ednote == "Sperrfrist 29. November, 18.00 Uhr MEZ"
    assert s.headline == "Deutscher Buchpreis für Roman über Flucht und Heimat"
    assert s.dateline == "Frankfurt/Main (dpa)" and s.located == "Frankfurt/Main"
    assert s.subjects[0].name == "Culture"
    assert "Lena Groß" in s.body.text and not s.body.text.startswith("Frankfurt")


def test_sperrfrist_without_a_date_reference_stays_unresolved() -> None:
    s = one("sperrfrist_ohne_datum.7901")
    assert s.versioncreated is None
    assert s.embargoed is None
    assert s.ednote == "Sperrfrist 29. November, 18.00 Uhr MEZ"


@pytest.mark.parametrize(("line", "expected"), [
    ("Sperrfrist 29.11.2026, 18:00 Uhr", datetime(2026, 11, 29, 17, 0, tzinfo=UTC)),
    ("Sperrfrist: 1. Juli 2026, 10.00 Uhr", datetime(2026, 7, 1, 8, 0, tzinfo=UTC)),  # MESZ
    ("Sperrfrist 30. November, 0.01 Uhr MEZ", datetime(2026, 11, 29, 23, 1, tzinfo=UTC)),
    ("Embargoed until 1800 GMT Nov. 29", datetime(2026, 11, 29, 18, 0, tzinfo=UTC)),
    ("(Sperrfrist 29. November, 18.00 Uhr)", datetime(2026, 11, 29, 17, 0, tzinfo=UTC)),
])
def test_sperrfrist_forms(line: str, expected: datetime) -> None:
    data = (DIR / "sperrfrist.7901").read_bytes().replace(
        "Sperrfrist 29. November, 18.00 Uhr MEZ".encode("latin-1"), line.encode("latin-1"))
    assert iptc7901.parse(data)[0].embargoed == expected


def test_rights_ednote_and_subjects() -> None:
    s = one("rechte.7901")
    assert s.copyrightholder == "dpa Deutsche Presse-Agentur GmbH"
    assert s.copyrightnotice == ("Copyright (c) 2026 dpa Deutsche Presse-Agentur GmbH. "
                                 "Alle Rechte vorbehalten.")
    assert s.usageterms == "Nutzung nur für redaktionelle Zwecke im Rahmen des dpa-Basisdienstes."
    assert s.ednote == "Ansprechpartner: Max Beispiel, Tel. +49 40 4113 0"
    assert s.subjects == (Subject("Economy", "urn:wiredesk:iptc7901:category:wi", "wi"),)
    assert s.dateline == "München (dpa)"
    assert s.body.text.split("\n") == [
        "Die Neuzulassungen von Elektroautos sind im November deutlich gestiegen.",
        "Nach Angaben des Kraftfahrt-Bundesamts lag der Anteil bei 21 Prozent.",
    ]
    assert s.creditline == "dpa ww mb"


def test_stream_gives_one_story_per_message() -> None:
    data = (DIR / "strom.7901").read_bytes()
    blitz, english = iptc7901.parse(data)
    assert blitz.raw + b"\r\n" + english.raw == data
    assert blitz.urgency == 1 and blitz.uri == "urn:wiredesk:iptc7901:dpa:fussball-bundesliga"
    assert blitz.slugline == "Fußball/Bundesliga"
    assert blitz.subjects[0] == Subject("Sport", "urn:wiredesk:iptc7901:category:spo", "spo")
    assert english.agency == "dpa"  # "dpa-tns": dpa sending a partner's copy
    assert english.by == "Tom Krasovic, The San Diego Union-Tribune"
    assert english.dateline == "San Diego (tca/dpa)" and english.located == "San Diego"
    assert english.versioncreated == datetime(2026, 11, 28, 12, 59, tzinfo=UTC)
    assert english.body.text.startswith("History says this wasn't a Super Bowl preview")


@pytest.mark.parametrize(("name", "where", "problem"), [
    ("abgeschnitten.7901", "message 1", "ETX"),
    ("kopf_kaputt.7901", "header line 1", "<priority>"),
    ("ohne_stx.7901", "message 1", "STX"),
])
def test_malformed(name: str, where: str, problem: str) -> None:
    with pytest.raises(FormatError) as err:
        iptc7901.parse((DIR / name).read_bytes())
    assert err.value.format == "iptc7901"
    assert where in err.value.where and problem in err.value.problem


@pytest.mark.parametrize("data", [
    b"", b"Bundestag\nText", b"\x01dpa0001 4 pol 10\r\n\x02\r\n\r\n\x03\x04",
    b"\x01dpa0001 4 pol 10\r\nX/\r\n\x02Titel =\r\n\r\nText\r\n\r\n321299 Nov 26\r\n\x03",
    b"\x01dpa0001 4 pol 10\r\nX/\r\n\x02Titel =\r\nText\x00\r\n\x03",
])
def test_more_malformed(data: bytes) -> None:
    with pytest.raises(FormatError):
        iptc7901.parse(data)


def test_looks_like() -> None:
    for name in GOOD:
        assert iptc7901.looks_like((DIR / name).read_bytes()), name
    others = other_format_files(DIR)
    assert any(p.suffix == ".anpa" for p in others) and any(p.suffix == ".json" for p in others)
    for path in others:
        assert not iptc7901.looks_like(path.read_bytes()), path
    ninjs = json.dumps({"uri": "urn:x", "headlines": [{"value": "x"}]}).encode()
    assert not iptc7901.looks_like(ninjs)
    assert not anpa.looks_like((DIR / "story.7901").read_bytes())


@settings(max_examples=60, deadline=None)
@given(data=mutated([DIR / name for name in GOOD + BAD]))
def test_mutations_parse_or_raise_format_error(data: bytes) -> None:
    assert_parses_or_format_error(iptc7901.parse, data, "iptc7901")


def test_lenient_about_whitespace() -> None:
    data = (DIR / "story.7901").read_bytes()
    base = iptc7901.parse(data)[0]
    for variant in (data.replace(b"\r\n", b"\n"), b"\r\n" + data + b"\r\n\r\n",
                    data.replace(b"\x02", b"\x02\r\n\r\n").replace(b"dpa0187 4", b"dpa0187  4")):
        assert iptc7901.looks_like(variant)
        s = iptc7901.parse(variant)[0]
        assert (s.uri, s.headline, s.body.text, s.versioncreated, s.by) == (
            base.uri, base.headline, base.body.text, base.versioncreated, base.by)


def test_headline_prefix_marks_a_correction() -> None:
    data = (DIR / "story.7901").read_bytes().replace(
        b"\x02Bundestag", b"\x02Berichtigung: Bundestag")
    s = iptc7901.parse(data)[0]
    assert s.signals == ("correction",) and s.version is None and s.uri == URI


def test_an_anpa_file_is_refused_by_parse() -> None:
    with pytest.raises(FormatError) as err:
        iptc7901.parse((FIXTURES / "anpa" / "story.anpa").read_bytes())
    assert "header line 1" in err.value.where
