"""Hostile pictures: each is quarantined with a message that names the problem, and the
story that named it still lands, without it."""

from __future__ import annotations

import io
import json
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image

from helpers import ninjs_item
from wiredesk import desk, imaging
from wiredesk.sources.pictures import PictureFetch
from wiredesk.story import Delivery
from wiredesk.terms import Terms


def _jpeg(width: int = 800, height: int = 600) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (120, 30, 30)).save(buffer, "JPEG")
    return buffer.getvalue()


def _png_bomb(side: int = 30_000) -> bytes:
    """A PNG that says 30,000 x 30,000 pixels (900 MP) in a few hundred bytes."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    rows = zlib.compress(b"\x00" * (side * 3 + 1) * 8)  # a little data; the rest is missing
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(
        b"IEND", b"")


def _write_100mb(path: Path) -> None:
    with path.open("wb") as f:  # sparse: cheap to make, 100 MB to anyone who reads it
        f.write(_jpeg()[:64])
        f.truncate(100 * 1024 * 1024)


SVG = (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
       b'<script>alert(document.cookie)</script><rect width="10" height="10"/></svg>')
HOSTILE = {
    "bomb.png": (_png_bomb, "bomb"),
    "truncated.jpg": (lambda: _jpeg()[:2000], "cannot be decoded"),
    "polyglot.jpg": (lambda: _jpeg() + b"<html><body><script>alert(1)</script></body></html>",
                     "polyglot"),
    "script-in.jpg": (lambda: SVG, "an SVG document"),  # named as a photo, sniffed as SVG
    "page.jpg": (lambda: b"<!doctype html><html><script>alert(1)</script></html>",
                 "an HTML page"),
    "huge.jpg": (None, "over the picture limit"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_picture_is_quarantined_and_its_story_lands_without_it(store, tmp_path, now,
                                                                          name):
    make, expected = HOSTILE[name]
    if make is None:
        _write_100mb(tmp_path / name)
    else:
        (tmp_path / name).write_bytes(make())
    item = json.loads(ninjs_item("urn:s:1", at=now, headline="Story with a bad picture"))
    item["associations"] = [{"name": "featureimage", "uri": "urn:pic:bad", "type": "picture",
                             "renditions": [{"name": "original", "href": name}]}]
    report = desk.apply(store, Delivery(json.dumps(item).encode(), "reuters", "story.json", now),
                        Terms(agency="Reuters"), pictures=PictureFetch(store, folder=tmp_path))
    assert report.counts() == {"new": 1}
    (record,) = store.live_stories(now)
    assert record.story.headline == "Story with a bad picture"
    assert store.pictures.shown(record.id, now) == []
    (kept,) = store.quarantine.records()
    assert name in kept.error and expected in kept.error, kept.error
    assert kept.format == "picture" and name in (kept.name or "")
    assert len(store.quarantine.item(kept.id).data) <= 64 * 1024  # never 100 MB in a row


def test_a_picture_named_as_svg_is_fetched_and_quarantined_with_its_bytes(store, tmp_path,
                                                                          now):
    """An SVG the agency names as one is never shown: its bytes are read to be quarantined
    with a message, and the story lands without it (more in test_pictures_hostile_paths)."""
    (tmp_path / "script.svg").write_bytes(SVG)
    item = json.loads(ninjs_item("urn:s:1", at=now, headline="Story with an SVG"))
    item["associations"] = [{"name": "featureimage", "uri": "urn:pic:svg", "type": "picture",
                             "renditions": [{"name": "original", "href": "script.svg"}]}]
    report = desk.apply(store, Delivery(json.dumps(item).encode(), "reuters", "story.json", now),
                        Terms(agency="Reuters"), pictures=PictureFetch(store, folder=tmp_path))
    assert report.counts() == {"new": 1} and len(report.pictures_refused) == 1
    (record,) = store.live_stories(now)
    assert store.pictures.shown(record.id, now) == []
    (kept,) = store.quarantine.records()
    assert "an SVG document" in kept.error and store.quarantine.item(kept.id).data == SVG
    assert any(w.field == "pictures" and "SVG" in w.problem for w in record.story.warnings)


def test_pillows_own_bomb_limit_is_an_error_below_our_cap():
    with pytest.raises(imaging.PictureError, match="bomb"):
        imaging.check(_png_bomb(12_000), max_pixels=10**12)  # 144 MP: past Pillow's warning


@pytest.mark.parametrize("kind", ["PNG", "WEBP", "GIF", "AVIF"])
def test_every_accepted_type_is_sniffed_from_its_bytes(kind):
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (1, 2, 3)).save(buffer, kind)
    checked = imaging.check(buffer.getvalue())
    assert checked.mime == imaging.MIME[kind] and (checked.width, checked.height) == (64, 48)
    data, height = imaging.render(buffer.getvalue(), 64, "webp")
    assert height == 48 and imaging.sniff(data) == "WEBP"
