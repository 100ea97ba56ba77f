"""The five hostile pictures of issue 13 (bomb, truncated, polyglot, SVG with script, 100 MB)
on each way into the desk a story's neighbour file takes: a drop folder and `wiredesk ingest
FOLDER`. Each is quarantined with a message that names it and what was wrong, and the story
that named it is published without it. Also: an SVG the agency names or types as one is
fetched to be quarantined (bytes kept), and remote pictures given to `ingest` are fetched
through the SSRF guard."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers import ninjs_item
from test_pictures import folder_source, jpeg, scan_twice
from test_pictures_hostile import SVG, _jpeg, _png_bomb, _write_100mb
from wiredesk import desk
from wiredesk.cli.stories import collect_files, ingest_files
from wiredesk.sources.pictures import PictureFetch, PictureSettings
from wiredesk.story import Delivery
from wiredesk.terms import Terms

POLYGLOT = _jpeg() + b"<html><body><script>alert(1)</script></body></html>"
FIVE = {  # file name -> (bytes, or None for 100 MB; what the message must say)
    "bomb.png": (_png_bomb, "bomb"),
    "truncated.jpg": (lambda: _jpeg()[:2000], "cannot be decoded"),
    "polyglot.jpg": (lambda: POLYGLOT, "polyglot"),
    "script.svg": (lambda: SVG, "an SVG document"),
    "huge.jpg": (None, "over the picture limit"),
}


def story_naming(name: str, now, *, uri: str = "urn:s:1", contenttype: str | None = None
                 ) -> bytes:
    item = json.loads(ninjs_item(uri, at=now, headline="Story with a hostile picture"))
    rendition = {"name": "original", "href": name}
    if contenttype:
        rendition["contenttype"] = contenttype
    item["associations"] = [{"name": "featureimage", "uri": "urn:pic:bad", "type": "picture",
                             "renditions": [rendition]}]
    return json.dumps(item).encode()


def put(folder: Path, name: str) -> None:
    make, _ = FIVE[name]
    if make is None:
        _write_100mb(folder / name)
    else:
        (folder / name).write_bytes(make())


def published_without_it(store, now, name: str) -> None:
    (record,) = store.live_stories(now)
    assert record.story.headline == "Story with a hostile picture"
    assert store.pictures.shown(record.id, now) == []
    (kept,) = store.quarantine.records()
    expected = FIVE[name][1]
    assert name in kept.error and expected in kept.error, kept.error
    assert kept.format == "picture" and name in (kept.name or "")
    data = store.quarantine.item(kept.id).data
    assert 0 < len(data) <= 64 * 1024  # the bytes (or their head), never 100 MB in a row
    if name == "script.svg":
        assert data == SVG  # the quarantine holds the SVG itself


@pytest.mark.parametrize("name", sorted(FIVE))
def test_each_hostile_picture_in_a_drop_folder_is_quarantined_and_the_story_published(
        store, tmp_path, now, name):
    drop = tmp_path / "reuters"
    drop.mkdir()
    put(drop, name)
    (drop / "story.json").write_bytes(story_naming(name, now))
    cfg = folder_source(drop)
    result = scan_twice(store, cfg, now)
    assert result.totals == {"new": 1}
    published_without_it(store, now, name)
    assert (cfg.processed_dir / "story.json").is_file()  # the story is not held back


@pytest.mark.parametrize("name", sorted(FIVE))
def test_each_hostile_picture_given_to_ingest_is_quarantined_and_the_story_published(
        store, tmp_path, now, name):
    folder = tmp_path / "copy"
    folder.mkdir()
    put(folder, name)
    (folder / "story.json").write_bytes(story_naming(name, now))
    files = collect_files([folder])
    assert [f.name for f in files] == ["story.json"]  # no picture is a delivery of its own
    totals = ingest_files(store, files, source="cli", terms=Terms(agency="Reuters"),
                          remote=PictureSettings())
    assert totals == {"new": 1}
    published_without_it(store, now, name)


@pytest.mark.parametrize("href,ctype", [("script.svg", None), ("chart", "image/svg+xml"),
                                        ("chart.jpg", "image/svg+xml")])
def test_an_svg_named_or_typed_as_one_is_fetched_to_be_quarantined(store, tmp_path, now,
                                                                   href, ctype):
    (tmp_path / href).write_bytes(SVG)
    data = story_naming(href, now, contenttype=ctype)
    report = desk.apply(store, Delivery(data, "reuters", "story.json", now),
                        Terms(agency="Reuters"), pictures=PictureFetch(store, folder=tmp_path))
    assert report.counts() == {"new": 1}
    (refused,) = report.pictures_refused
    assert href in refused and "SVG" in refused
    (record,) = store.live_stories(now)
    assert store.pictures.shown(record.id, now) == []
    (kept,) = store.quarantine.records()
    assert store.quarantine.item(kept.id).data == SVG
    (warning,) = record.story.warnings
    assert warning.field == "pictures" and warning.action == "quarantined"
    assert "SVG" in warning.problem and href in warning.problem


def test_an_svg_beside_a_photo_is_dropped_and_the_photo_shown(store, tmp_path, now):
    (tmp_path / "photo.jpg").write_bytes(jpeg())
    (tmp_path / "chart.svg").write_bytes(SVG)
    item = json.loads(story_naming("chart.svg", now))
    item["associations"][0]["renditions"].append({"name": "small", "href": "photo.jpg"})
    report = desk.apply(store, Delivery(json.dumps(item).encode(), "reuters", "s", now),
                        Terms(agency="Reuters"), pictures=PictureFetch(store, folder=tmp_path))
    assert report.counts() == {"new": 1} and report.pictures_refused == []
    (record,) = store.live_stories(now)
    assert len(store.pictures.shown(record.id, now)) == 1
    assert store.quarantine.records() == []
    (warning,) = record.story.warnings
    assert warning.action == "dropped" and "chart.svg" in warning.problem


def test_an_svg_in_a_data_or_javascript_url_is_still_refused_outright(store, now):
    for href in ("data:image/svg+xml;base64,PHN2Zz4=", "javascript:alert(1)//x.svg"):
        report = desk.apply(store, Delivery(story_naming(href, now, uri=f"urn:s:{len(href)}"),
                                            "reuters", "s", now), Terms(agency="Reuters"),
                            pictures=PictureFetch(store, folder=Path("/nonexistent")))
        assert report.counts() == {"new": 1} and report.pictures_refused == []
    assert store.quarantine.records() == []


# --- remote pictures given to `wiredesk ingest` ---------------------------------------------

def test_ingest_fetches_remote_pictures_through_the_guard_without_credentials(
        store, tmp_path, now, server):
    photo = jpeg()
    server.routes["/p.jpg"] = lambda h: h.reply(200, photo, content_type="image/jpeg")
    server.routes["/svg"] = lambda h: h.reply(200, SVG, content_type="image/svg+xml")
    folder = tmp_path / "copy"
    folder.mkdir()
    (folder / "a.json").write_bytes(story_naming(server.url("/p.jpg"), now, uri="urn:s:a"))
    item = json.loads(story_naming(server.url("/svg"), now, uri="urn:s:b"))
    item["associations"][0]["uri"] = "urn:pic:svg"
    (folder / "b.json").write_bytes(json.dumps(item).encode())
    files = collect_files([folder])

    # Without the operator's leave, 127.0.0.1 is refused by the SSRF guard: quarantined.
    totals = ingest_files(store, files, source="cli", terms=Terms(agency="Reuters"),
                          remote=PictureSettings())
    assert totals == {"new": 2} and server.seen == []
    errors = sorted(r.error for r in store.quarantine.records())
    assert len(errors) == 2 and all("loopback" in e for e in errors), errors
    record = store.story_by_uri("urn:s:a")
    assert store.pictures.shown(record.id, now) == []

    # With it (`ingest --allow-private`): fetched, checked, stored; the SVG quarantined.
    for path in files:
        path.write_bytes(path.read_bytes().replace(b"hostile", b"hostile!"))  # new versions
    totals = ingest_files(store, files, source="cli", terms=Terms(agency="Reuters"),
                          remote=PictureSettings(allow_private=True))
    assert totals == {"updated": 2}
    assert len(store.pictures.shown(record.id, now)) == 1
    assert [path for path, _ in server.seen] == ["/p.jpg", "/svg"]
    assert all("authorization" not in {k.lower() for k in headers}
               for _, headers in server.seen)
    svg = [r for r in store.quarantine.records() if "SVG" in r.error]
    assert len(svg) == 1 and store.quarantine.item(svg[0].id).data == SVG


def test_ingest_caps_remote_pictures_at_the_picture_limit(store, tmp_path, now, server):
    server.routes["/big.jpg"] = lambda h: h.reply(200, jpeg() + b"\0" * 300_000,
                                                  content_type="image/jpeg")
    report = desk.apply(store, Delivery(story_naming(server.url("/big.jpg"), now), "cli", "s",
                                        now), Terms(agency="Reuters"),
                        pictures=PictureFetch(store, folder=tmp_path, max_bytes=100_000,
                                              remote=PictureSettings(allow_private=True)))
    assert report.counts() == {"new": 1}
    (refused,) = report.pictures_refused
    assert "big.jpg" in refused and ("limit" in refused or "over" in refused), refused


def test_the_ingest_command_takes_allow_private(store, tmp_path, now, server, monkeypatch,
                                                capsys):
    from wiredesk.cli.main import main

    server.routes["/p.jpg"] = lambda h: h.reply(200, jpeg(), content_type="image/jpeg")
    (tmp_path / "a.json").write_bytes(story_naming(server.url("/p.jpg"), now))
    monkeypatch.setenv("WIREDESK_DATABASE_URL", store.url)
    assert main(["ingest", "--agency", "Reuters", "--allow-private", str(tmp_path)]) == 0
    assert "1 new" in capsys.readouterr().out
    record = store.story_by_uri("urn:s:1")
    assert len(store.pictures.shown(record.id, now)) == 1


def test_the_same_version_again_neither_fetches_nor_quarantines_its_picture_again(
        store, tmp_path, now, server):
    """A feed page served again carries the same story: the desk answers "unchanged" and
    links nothing, so its broken picture is not fetched, nor quarantined, a second time."""
    server.routes["/chart.svg"] = lambda h: h.reply(200, SVG, content_type="image/svg+xml")
    data = story_naming(server.url("/chart.svg"), now)
    for name in ("first", "again"):
        desk.apply(store, Delivery(data, "wire", name, now), Terms(agency="Reuters"),
                   pictures=PictureFetch(store, folder=tmp_path,
                                         remote=PictureSettings(allow_private=True)))
    assert len(server.seen) == 1 and len(store.quarantine.records()) == 1
    newer = data.replace(b"hostile", b"hostile!")  # a new version: its picture is tried again
    desk.apply(store, Delivery(newer, "wire", "newer", now), Terms(agency="Reuters"),
               pictures=PictureFetch(store, folder=tmp_path,
                                     remote=PictureSettings(allow_private=True)))
    assert len(server.seen) == 2 and len(store.quarantine.records()) == 2


def test_a_story_file_read_again_after_a_crash_still_takes_its_picture_file(store, tmp_path,
                                                                             now):
    drop = tmp_path / "reuters"
    drop.mkdir()
    body, photo = story_naming("photo.jpg", now), jpeg()
    (drop / "story.json").write_bytes(body)
    (drop / "photo.jpg").write_bytes(photo)
    cfg = folder_source(drop)
    assert scan_twice(store, cfg, now).totals == {"new": 1}
    # A worker killed after the commit, before the move: both files are still there.
    (drop / "story.json").write_bytes(body)
    (drop / "photo.jpg").write_bytes(photo)
    assert scan_twice(store, cfg, now).totals == {"unchanged": 1}
    assert [p.name for p in drop.iterdir() if p.is_file()] == []  # the picture went too
    assert store.quarantine.records() == []


def test_an_svg_placed_in_the_text_is_refused_with_a_warning_not_fetched(store, tmp_path, now):
    """An <img> of an SVG inside the agency's HTML is an icon or a drawing, not a picture
    delivered with the story: refused by the parser, never read, nothing quarantined."""
    (tmp_path / "icon.svg").write_bytes(SVG)
    body = '<p>First.</p><img src="icon.svg" alt="share"><p>Second.</p>'
    report = desk.apply(store, Delivery(ninjs_item("urn:s:1", at=now, body=body), "ap", "s",
                                        now), Terms(agency="AP"),
                        pictures=PictureFetch(store, folder=tmp_path))
    assert report.counts() == {"new": 1} and report.pictures_refused == []
    assert store.quarantine.records() == []
    record = store.story_by_uri("urn:s:1")
    assert record.story.pictures == ()
    (warning,) = [w for w in record.story.warnings if w.field == "pictures"]
    assert "icon.svg" in warning.problem and warning.action == "dropped"
