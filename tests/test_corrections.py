"""Corrections in the agency's own words and readable version labels (wiredesk/corrections.py,
Story.label kept by each format), and the takedown log's words (wiredesk/reasons.py)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from conftest import FIXTURES
from wiredesk import formats, reasons
from wiredesk.corrections import correction, version_label, wording
from wiredesk.formats.revisions import label_of, signal_words, tags_label
from wiredesk.story import Body, Story

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def one(path: Path) -> Story:
    (story,) = formats.parse(path.read_bytes())
    return story


# ---- notices, per agency style -------------------------------------------------------------

def test_reuters_corrected_plain_copy_quotes_its_corrects_line():
    story = one(SAMPLES / "05-reuters-markets-corrected.txt")
    assert story.label == "CORRECTED"
    fix = correction(story)
    assert fix is not None and fix.agency == "Reuters"
    assert fix.words == "Corrects index level in paragraph 2 to 502.3 points, not 512.3"
    assert "502.3 points" in story.body.text  # the body is the agency's, untouched


def test_reuters_g2_signal_and_ednote():
    story = one(FIXTURES / "newsmlg2" / "reuters-correction.xml")
    assert story.label == "CORRECTED-UPDATE 1"
    assert correction(story).words == "Corrects export growth figure in paragraph 2 to 4.2% from 4.4%"


def test_ap_correction_editorial_type():
    story = one(FIXTURES / "apmedia" / "item-correction.json")
    assert story.label == "Correction"
    assert correction(story).words == "Corrects the title of Fed Chair Jerome Powell in the 4th paragraph."


def test_ap_ednote_alone_is_a_correction():
    item = {"uri": "urn:ap:1", "version": "2", "headlines": [{"value": "Plant fire"}],
            "bodies": [{"contenttype": "text/plain", "value": "Two workers were injured."}],
            "infosources": [{"name": "AP", "role": "originator"}],
            "ednote": "This story has been corrected to show that two workers were injured, "
                      "not three. Moves on general news."}
    story = formats.parse(json.dumps(item).encode(), "ninjs")[0]
    assert story.signals == ()
    assert correction(story).words == ("This story has been corrected to show that two "
                                       "workers were injured, not three.")


def test_ap_correction_line_at_the_end_of_the_text():
    story = Story(uri="u", headline="h", signals=("correction",), agency="AP",
                  body=Body("", "text/plain", "", "Text.\nThis story has been corrected to "
                            "show the plant is in Ohio."))
    assert correction(story).words == "This story has been corrected to show the plant is in Ohio."


def test_dpa_berichtigung():
    story = one(FIXTURES / "iptc7901-dpa" / "berichtigung.7901")
    assert story.label == "Berichtigung"
    assert correction(story).words == ("Berichtigung: Im zweiten Absatz muss es richtig heißen: "
                                       "89,4 Punkte, nicht 84,9")


def test_anpa_correction():
    story = one(FIXTURES / "anpa" / "correction.anpa")
    assert story.label == "Correction"
    assert correction(story).words == "Corrects spelling of hometown to Muncie, not Munsey."


def test_ninjs_signals_name_a_correction():
    item = {"uri": "urn:x:1", "version": "2", "headlines": [{"value": "Bridge reopens"}],
            "bodies": [{"contenttype": "text/plain", "value": "The bridge reopened."}],
            "signals": [{"code": "sig:correction"}], "ednote": "Fixes the bridge's name."}
    story = formats.parse(json.dumps(item).encode(), "ninjs")[0]
    assert story.signals == ("correction",)
    fix = correction(story)
    assert fix is not None and fix.words == "Fixes the bridge's name."  # the note, as sent


def test_signal_without_words_still_corrects():
    story = one(FIXTURES / "newsml12" / "afp-correction.xml")
    fix = correction(story)
    assert fix is not None and fix.words is None and fix.agency == "AFP"


@pytest.mark.parametrize("path", [
    SAMPLES / "13-reuters-oil-update-1.txt", SAMPLES / "02-ap-storm-update-1.json",
    FIXTURES / "newsmlg2" / "reuters-update.xml", FIXTURES / "anpa" / "writethru1.anpa",
    FIXTURES / "iptc7901" / "wiederholung.7901",
])
def test_updates_and_repeats_are_no_corrections(path):
    assert correction(one(path)) is None


def test_wording_finds_nothing_in_plain_notes():
    assert wording("Updates with power cuts, rescue at Nazare.") is None
    assert wording(None) is None
    assert wording("(Berichtigung)") is None  # a marker, no words


# ---- labels --------------------------------------------------------------------------------

@pytest.mark.parametrize(("path", "label"), [
    (SAMPLES / "13-reuters-oil-update-1.txt", "UPDATE 1"),
    (SAMPLES / "12-reuters-oil.txt", None),
    (FIXTURES / "plain-as-sent" / "ap-writethru-rewritten.txt", "1st Ld-Writethru"),
    (FIXTURES / "plain-as-sent" / "reuters-key-update2.txt", "UPDATE 2"),
    (FIXTURES / "plain-as-sent" / "dpa-keyword-rewritten.txt", "Zusammenfassung"),
    (FIXTURES / "anpa" / "writethru2.anpa", "2ndLd-Writethru"),
    (FIXTURES / "iptc7901" / "zusammenfassung2.7901", "2. Zusammenfassung"),
    (FIXTURES / "feeds" / "rss2-reuters-world-update.xml", "UPDATE 1"),
])
def test_each_format_keeps_the_agency_label(path, label):
    assert formats.parse(path.read_bytes())[0].label == label


def test_tags_and_titles():
    assert tags_label(["CORRECTED", "UPDATE 1"]) == "CORRECTED-UPDATE 1"
    assert tags_label(["EXCLUSIVE"]) is None
    assert label_of("REFILE-Oil rises") == "REFILE"
    assert label_of("Oil rises") is None
    assert signal_words(["correction", {"uri": "http://cv.iptc.org/newscodes/signal/update"},
                         {"name": "unknown"}]) == ("correction", "update")


def test_version_label_falls_back_to_order():
    plain = Story(uri="u", headline="h")
    assert version_label(plain, 1) == "First version"
    assert version_label(plain, 3) == "Version 3"
    assert version_label(plain.with_changes(version="7"), 2) == "Version 7"
    assert version_label(plain.with_changes(label="Writethru"), 1) == "Writethru"


# ---- the takedown log's words --------------------------------------------------------------

def test_reason_words():
    first = datetime(2026, 1, 1, tzinfo=UTC)
    assert reasons.expiry(first, first + timedelta(days=30), None) == "licence window of 30 days"
    assert reasons.expiry(first, first + timedelta(days=1), None) == "licence window of 1 day"
    assert reasons.expiry(first, first + timedelta(days=2), first + timedelta(days=2)) == "agency expiry"
    assert reasons.expiry(first, first + timedelta(days=30), first + timedelta(days=40)) \
        == "licence window of 30 days"
    kill = Story(uri="u", headline="h", agency="Reuters", ednote="Legal reasons.")
    assert reasons.agency_kill(kill, None) == "killed by Reuters: Legal reasons."
    assert reasons.agency_kill(Story(uri="u", headline="h"), "AP") == "withdrawn by AP"
    assert reasons.operator("ed", "Court order") == "removed by editor ed: Court order"
