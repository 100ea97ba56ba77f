"""ANPA 1312: framing, header fields, writethrus as versions of one uri, kills, embargoes."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings

from conftest import FIXTURES
from fuzzing import assert_parses_or_format_error, mutated, other_format_files
from wiredesk.formats import anpa, iptc7901
from wiredesk.formats.errors import FormatError
from wiredesk.story import Pubstatus, Story, Subject

DIR = FIXTURES / "anpa"
GOOD = ["story.anpa", "writethru1.anpa", "writethru2.anpa", "correction.anpa", "kill.anpa",
        "embargo.anpa", "rights.anpa", "stream.anpa", "latin1.anpa"]
BAD = ["truncated.anpa", "bad_header.anpa", "binary.anpa"]
URI = "urn:wiredesk:anpa:ap:us-storm-damage"


def one(name: str, **kw: str) -> Story:
    stories = anpa.parse((DIR / name).read_bytes(), **kw)
    assert len(stories) == 1
    return stories[0]


def test_plain_story_maps_every_field() -> None:
    data = (DIR / "story.anpa").read_bytes()
    s = one("story.anpa")
    assert s.uri == URI
    assert s.format == "anpa" and s.raw == data
    assert s.version == "1"
    assert s.headline == "Storms knock out power to 200,000 in Ohio Valley"
    assert s.slugline == "BC-US--Storm-Damage"
    assert s.versioncreated == datetime(2026, 11, 29, 17, 34, tzinfo=UTC)
    assert s.firstcreated == s.versioncreated
    assert s.pubstatus is Pubstatus.USABLE
    assert s.urgency == 5  # r = regular
    assert s.by == "JANE DOE, Associated Press"
    assert s.dateline == "CINCINNATI (AP)" and s.located == "CINCINNATI"
    assert s.agency == "AP"
    assert s.subjects == (Subject("Domestic general news", "urn:wiredesk:anpa:category:a", "a"),)
    assert s.ednote == "Eds: Moving on general and financial services."
    assert s.embargoed is None and s.signals == ()
    assert s.body.text.split("\n") == [
        "A line of severe thunderstorms swept through the Ohio Valley on Sunday, knocking out "
        "power to about 200,000 homes and businesses.",
        "Utility crews from three states were working to restore service, Duke Energy said in "
        "a statement.",
        "``We expect most customers to have power back by Monday night,'' spokeswoman Sally "
        "Roe said.",
    ]  # the dateline is lifted out, the end mark "(jd-mk)" and the trailer are not body
    assert s.body.html.startswith("<p>A line of severe")


def test_writethrus_in_separate_files_are_versions_of_one_uri() -> None:
    first, second, third = (one(n) for n in ("story.anpa", "writethru1.anpa", "writethru2.anpa"))
    assert first.uri == second.uri == third.uri == URI
    assert [s.version for s in (first, second, third)] == ["1", "2", "3"]
    assert [s.version_number for s in (first, second, third)] == [1, 2, 3]
    assert second.signals == ("update",) and third.signals == ("update",)
    assert second.urgency == 3  # u = urgent
    assert second.firstcreated is None
    assert second.versioncreated == datetime(2026, 11, 29, 19, 12, tzinfo=UTC)
    assert third.versioncreated == datetime(2026, 11, 29, 21, 5, tzinfo=UTC)
    assert second.headline == "Storms knock out power to 300,000; 2 dead in Kentucky"
    assert second.ednote == "Eds: Updates with deaths in Kentucky, new outage figures."


def test_uri_does_not_depend_on_cycle_or_agency_option() -> None:
    data = (DIR / "writethru1.anpa").read_bytes()
    am = data.replace(b"BC-US--Storm-Damage", b"AM-US--Storm-Damage")
    assert anpa.parse(am)[0].uri == URI
    assert anpa.parse(data, agency="Associated Press")[0].uri == URI  # the trailer names AP


def test_correction() -> None:
    s = one("correction.anpa")
    assert s.signals == ("correction",)
    assert s.version == "2"  # an unnumbered correction orders after the original
    assert s.uri == "urn:wiredesk:anpa:ap:us-obit-hartley"
    assert s.ednote == "Eds: Corrects spelling of hometown to Muncie, not Munsey."
    assert s.by is None
    assert s.dateline == "INDIANAPOLIS (AP)"
    assert s.body.text == ("Ruth Hartley, who ran the Muncie Evening Star for four decades, has "
                           "died. She was 94.")


def test_kill_cancels_the_same_uri() -> None:
    s = one("kill.anpa")
    assert s.uri == URI
    assert s.pubstatus is Pubstatus.CANCELED
    assert s.signals == ("withdrawn",)
    assert s.version is None
    assert s.urgency == 2  # b = bulletin
    assert s.subjects == (Subject("Advisories", "urn:wiredesk:anpa:category:v", "v"),)
    assert s.headline == "BC-US--Storm-Damage, Kill"
    assert s.ednote and s.ednote.startswith("Eds: The Associated Press has withdrawn")
    assert s.body.text == ""
    assert s.versioncreated == datetime(2026, 11, 29, 22, 40, tzinfo=UTC)


@pytest.mark.parametrize("marker", [b"ELIMINATION", b"KILL", b"AP-Kill"])
def test_kill_marker_lines(marker: bytes) -> None:
    data = (DIR / "story.anpa").read_bytes().replace(b"^Eds: Moving", b"^" + marker + b"<\r\n^Eds:")
    assert anpa.parse(data)[0].pubstatus is Pubstatus.CANCELED


def test_withhold_is_withheld() -> None:
    data = (DIR / "kill.anpa").read_bytes().replace(b"Kill", b"Withhold").replace(b"AP-KILL", b"X")
    s = anpa.parse(data)[0]
    assert s.pubstatus is Pubstatus.WITHHELD


def test_embargo_resolved_from_trailer_year() -> None:
    s = one("embargo.anpa")
    assert s.embargoed == datetime(2026, 11, 29, 23, 0, tzinfo=UTC)  # 6 p.m. EST
    assert s.ednote == "Eds: EMBARGOED until 6 p.m. EST Sunday, Nov. 29. Will be updated."
    assert s.subjects[0].name == "Financial"
    assert s.by == "MARTIN CRUTSINGER, AP Economics Writer"
    assert s.headline == "Fed survey finds modest growth, softer hiring in most regions"


def test_embargo_without_trailer_stays_unresolved() -> None:
    data = (DIR / "embargo.anpa").read_bytes().replace(b"AP-MC-11-29-26 1500GMT<", b"")
    s = anpa.parse(data)[0]
    assert s.embargoed is None and s.versioncreated is None
    assert s.ednote and "EMBARGOED until 6 p.m. EST" in s.ednote


def test_subjects_and_rights() -> None:
    s = one("rights.anpa")
    assert s.subjects == (Subject("Sports", "urn:wiredesk:anpa:category:s", "s"),)
    assert s.copyrightholder == "The Associated Press"
    assert s.copyrightnotice == "Copyright 2026 The Associated Press. All rights reserved."
    assert s.usageterms == ("This material may not be published, broadcast, rewritten or "
                            "redistributed.")
    assert s.by == "CHARLES ODUM, AP Sports Writer"
    assert s.ednote == "AP Photo GATK105, GATK106"
    assert s.headline == "Deng scores 30, short-handed Heat beat Hawks 115-111"
    assert "Copyright" not in s.body.text
    assert s.body.text.split("\n")[-3:] == ["___", "UP NEXT", "Heat: Host Washington on Tuesday night."]
    assert " _ season highs for each player _ " in s.body.text  # AP's 7-bit dashes as sent


def test_stream_gives_one_story_per_message() -> None:
    data = (DIR / "stream.anpa").read_bytes()
    alert, table = anpa.parse(data)
    assert alert.raw + b"\r\n" + table.raw == data
    assert alert.urgency == 1 and alert.uri == "urn:wiredesk:anpa:ap:eu-ukraine-ceasefire"
    assert alert.headline == "Ukraine and Russia agree to a 30-day ceasefire, officials say."
    assert alert.dateline == "KYIV, Ukraine (AP)" and alert.located == "KYIV, Ukraine"
    assert alert.version == "1"
    assert table.uri == "urn:wiredesk:anpa:ap:bkn-nba-glance:take-2"
    assert table.slugline == "BC-BKN--NBA-Glance Take 2"
    assert table.subjects[0].code == "q"
    assert table.body.html.startswith("<pre>Western Conference     W   L   Pct\nDenver")


def test_eight_bit_cp1252_keeps_typography() -> None:
    s = one("latin1.anpa")
    assert s.headline == "Fires in Brazil’s Pantanal reach record for November"
    assert s.dateline == "SÃO PAULO (AP)"
    assert "“urgent help.”" in s.body.text and "Inês Araújo" in s.body.text
    assert s.uri == "urn:wiredesk:anpa:ap:lt-brazil-fires"


@pytest.mark.parametrize(("name", "where", "problem"), [
    ("truncated.anpa", "message 1", "ETX"),
    ("bad_header.anpa", "header line 1", "4-digit story number"),
    ("binary.anpa", "message 1", "NUL"),
])
def test_malformed(name: str, where: str, problem: str) -> None:
    with pytest.raises(FormatError) as err:
        anpa.parse((DIR / name).read_bytes())
    assert err.value.format == "anpa" and where in err.value.where and problem in err.value.problem


@pytest.mark.parametrize("data", [
    b"", b"just text\nmore", b"\x16\x16\x01a0001\x1f\r\n\x02x\x03",
    b"\x16\x16\x01a0001\x1f\r\nr a BC-X 11-29 10\r\n\x02^BC-X<\r\n^Head<\r\n\x03garbage\x04",
    b"\x16\x16\x01a0001\x1f\r\nr a BC-X 13-45 10\r\n\x02^Head<\x03",
    b"\x16\x16\x01a0001\x1f\r\nr a BC-X 11-29 10\r\n\x02^Head<\r\n\x03AP-XX-02-31-26 1200GMT\x04",
])
def test_more_malformed(data: bytes) -> None:
    with pytest.raises(FormatError):
        anpa.parse(data)


def test_looks_like() -> None:
    for name in GOOD:
        assert anpa.looks_like((DIR / name).read_bytes()), name
    # Every other format's files: the samples (plain copy, ninjs) and the fixtures of the
    # other parsers, IPTC 7901 (also SOH-framed) included.
    others = other_format_files(DIR)
    assert any(p.suffix == ".7901" for p in others) and any(p.suffix == ".json" for p in others)
    for path in others:
        assert not anpa.looks_like(path.read_bytes()), path
    ninjs = json.dumps({"uri": "urn:x", "headlines": [{"value": "x"}]}).encode()
    assert not anpa.looks_like(ninjs)
    assert not iptc7901.looks_like((DIR / "story.anpa").read_bytes())


@settings(max_examples=60, deadline=None)
@given(data=mutated([DIR / name for name in GOOD + BAD]))
def test_mutations_parse_or_raise_format_error(data: bytes) -> None:
    assert_parses_or_format_error(anpa.parse, data, "anpa")


def test_fixture_files_are_present() -> None:
    assert all((DIR / n).is_file() for n in GOOD + BAD), sorted(p.name for p in Path(DIR).iterdir())


def test_lenient_about_whitespace() -> None:
    data = (DIR / "story.anpa").read_bytes()
    base = anpa.parse(data)[0]
    for variant in (data.replace(b"\r\n", b"\n"), b"\r\n\r\n" + data + b"\r\n\r\n",
                    data.replace(b"\r\nr a", b"\r\n\r\n r a")):
        assert anpa.looks_like(variant)
        s = anpa.parse(variant)[0]
        assert (s.uri, s.headline, s.body.text, s.versioncreated, s.by) == (
            base.uri, base.headline, base.body.text, base.versioncreated, base.by)


@pytest.mark.parametrize(("version", "suffix", "expected"), [
    (b"1st Add", ":add-1", "1"), (b"Add 2", ":add-2", "1"), (b"Take 1", "", "1"),
    (b"Ld-Writethru", "", "2"), (b"3rd Ld-Writethru, Correction", "", "4"),
])
def test_version_field_forms(version: bytes, suffix: str, expected: str) -> None:
    data = (DIR / "story.anpa").read_bytes().replace(b"Storm-Damage,0412<",
                                                     b"Storm-Damage, " + version + b",0412<")
    s = anpa.parse(data)[0]
    assert s.uri == URI + suffix and s.version == expected


def test_a_7901_file_is_refused_by_parse() -> None:
    with pytest.raises(FormatError) as err:
        anpa.parse((FIXTURES / "iptc7901" / "story.7901").read_bytes())
    assert "header line 1" in err.value.where


@pytest.mark.parametrize(("change", "urgency"), [
    ((b"r a\x13\x11 BC-US--Storm-Damage ", b"r a\x13\x11 BC-US--Storm-Damage Urgent "), 3),
    ((b"^Eds: Moving", b"^BULLETIN<\r\n^Eds: Moving"), 2),
    ((b"\r\nr a", b"\r\nd a"), 7),
    ((b"\r\nr a", b"\r\nz a"), None),
])
def test_urgency_from_priority_version_and_marker_lines(
        change: tuple[bytes, bytes], urgency: int | None) -> None:
    data = (DIR / "story.anpa").read_bytes().replace(*change)
    assert anpa.parse(data)[0].urgency == urgency
