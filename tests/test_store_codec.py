"""A version row's meta (store/codec.py): every Story field, in a fixed order, read back."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, datetime, timedelta, timezone
from types import SimpleNamespace

from wiredesk.store.codec import story_from_row, story_meta
from wiredesk.story import Body, Pubstatus, Story, StoryWarning, Subject


def _story() -> Story:
    texts = {f.name: f"{f.name} Ö" for f in fields(Story) if f.type == "str | None"}
    when = datetime(2026, 11, 29, 12, 0, 0, 5, tzinfo=timezone(timedelta(hours=-5)))
    return Story(**{**texts, "uri": "urn:x", "headline": "H", "format": "ninjs"},
                 body=Body(received="r", content_type="text/html", html="<p>b</p>", text="b"),
                 firstcreated=when, versioncreated=when.astimezone(UTC), embargoed=None,
                 expires=when + timedelta(days=1), pubstatus=Pubstatus.WITHHELD, urgency=2,
                 subjects=(Subject(name="Öl", uri=None, code="04000000"),),
                 signals=("update",), warnings=(StoryWarning("headline", "p", "a"),))


def test_meta_holds_every_field_in_order_and_reads_back():
    story = _story()
    meta = story_meta(story)
    assert list(meta)[:3] == ["uri", "headline", "version"]
    assert meta["slugline"] == "slugline Ö" and meta["label"] == "label Ö"
    assert meta["firstcreated"] == "2026-11-29T12:00:00.000005-05:00"
    assert meta["embargoed"] is None and meta["pubstatus"] == "withheld"
    assert meta["subjects"] == [["Öl", None, "04000000"]]
    row = SimpleNamespace(body_received="r", body_content_type="text/html",
                          body_html="<p>b</p>", body_text="b")
    assert story_from_row(meta, row) == story
