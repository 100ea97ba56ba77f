"""Pictures end to end: fetched from the story's folder, checked, stored by SHA-256, shown on
the article page with srcset and credit, served as renditions without GPS, and gone (410,
bytes purged) with a kill, an expiry or the last story that used them."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from pathlib import Path

import pytest
from lxml import html as lxml_html
from PIL import Image

from helpers import later, ninjs_item
from wiredesk import desk, imaging, lifecycle
from wiredesk.sources.folder import scan_folder
from wiredesk.sources.kinds import build
from wiredesk.sources.pictures import PictureFetch
from wiredesk.store.picture_tables import picture_bytes, picture_renditions
from wiredesk.story import Delivery, Picture, Pubstatus, Rendition, Story
from wiredesk.terms import Terms

GPS_IFD = 0x8825


def jpeg(width: int = 1600, height: int = 1000, *, gps: bool = True,
         colour: tuple[int, int, int] = (200, 80, 40)) -> bytes:
    """A JPEG; with `gps`, EXIF that says where it was taken (Paris)."""
    im = Image.new("RGB", (width, height), colour)
    exif = Image.Exif()
    exif[0x010F] = "TestCam"  # Make
    if gps:
        exif.get_ifd(GPS_IFD).update({1: "N", 2: (48.0, 51.0, 24.0), 3: "E", 4: (2.0, 21.0, 3.0)})
    buffer = io.BytesIO()
    im.save(buffer, "JPEG", quality=85, exif=exif)
    return buffer.getvalue()


def png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (10, 20, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def item_with_picture(uri: str, now, href: str = "photo.jpg", *, picture_uri: str = "urn:pic:1",
                      agency: str = "Reuters", **extra) -> bytes:
    data = json.loads(ninjs_item(uri, at=now, headline="Floods hit the north", **extra))
    data["infosources"] = [{"name": agency, "role": "originator"}]
    data["associations"] = [{
        "name": "featureimage", "uri": picture_uri, "type": "picture",
        "headlines": [{"role": "main", "value": "Flooded street"}],
        "descriptions": [{"role": "caption", "value": "A man wades through a flooded street."}],
        "by": "Jane Doe",
        "renditions": [{"name": "original", "href": href, "width": 1600, "height": 1000,
                        "contenttype": "image/jpeg"}],
    }]
    return json.dumps(data).encode()


def folder_source(drop: Path):
    return build("reuters", "folder", {"path": str(drop), "every": "1s"})


def scan_twice(store, cfg, now):
    memo: dict = {}
    for _ in range(2):  # a file is complete when two looks agree
        result = scan_folder(store, cfg, memo, now=lambda: now, stop=lambda: False,
                             checkpoint=lambda m: None)
        memo = result.memo
    return result


@pytest.fixture
def drop(tmp_path: Path) -> Path:
    folder = tmp_path / "reuters"
    folder.mkdir()
    return folder


def test_a_drop_folder_story_with_its_picture_shows_it_and_every_rendition_is_410_after_a_kill(
        store, client, drop, now):
    (drop / "story.json").write_bytes(item_with_picture("urn:s:1", now))
    (drop / "photo.jpg").write_bytes(jpeg())
    (drop / "unnamed.jpg").write_bytes(jpeg(40, 30))  # no story names it: left alone
    cfg = folder_source(drop)
    result = scan_twice(store, cfg, now)
    assert result.totals == {"new": 1}
    assert sorted(p.name for p in cfg.processed_dir.iterdir()) == ["photo.jpg", "story.json"]
    assert [p.name for p in drop.iterdir()] == ["unnamed.jpg"]
    assert store.quarantine.records() == []

    record = store.story_by_uri("urn:s:1")
    page = client.get(f"/story/{record.id}")
    doc = lxml_html.fromstring(page.text)
    (figure,) = doc.xpath("//article//figure[@class='story-picture']")
    img = figure.xpath(".//img")[0]
    assert img.get("width") == "1024" and img.get("height") == "640"
    assert img.get("alt") == "A man wades through a flooded street."
    assert img.get("loading") is None  # the lead is not lazy
    assert "320w" in img.get("srcset") and "1024w" in img.get("srcset") and img.get("sizes")
    (source,) = figure.xpath(".//picture/source[@type='image/webp']")
    assert ".webp 640w" in source.get("srcset")
    assert figure.xpath(".//*[@class='photo-credit']")[0].text == "REUTERS/Jane Doe"
    assert "flooded street" in figure.xpath(".//figcaption")[0].text_content()
    # Before the text: the page leads with the picture.
    assert page.text.index("story-picture") < page.text.index("story-body")
    og = doc.xpath("//meta[@property='og:image']/@content")[0]
    assert og.startswith("https://news.example/pictures/") and og.endswith("/1024.jpg")
    assert doc.xpath("//meta[@name='twitter:card']/@content") == ["summary_large_image"]
    jsonld = json.loads(doc.xpath("//script[@type='application/ld+json']")[0].text)
    assert jsonld["image"][0]["url"] == og and jsonld["image"][0]["creditText"] == "REUTERS/Jane Doe"

    urls = [u.split()[0] for u in img.get("srcset").split(", ")] + \
           [u.split()[0] for u in source.get("srcset").split(", ")]
    assert len(urls) == 6
    for url in urls:
        got = client.get(url)
        assert got.status_code == 200, url
        assert got.headers["content-type"] in ("image/jpeg", "image/webp")
        with Image.open(io.BytesIO(got.content)) as im:
            assert im.width == int(url.rsplit("/", 1)[1].split(".")[0])
            assert GPS_IFD not in im.getexif() and not im.getexif()  # no EXIF, no GPS
        assert f"story-{record.id}" in got.headers["surrogate-key"]
        assert "s-maxage=" in got.headers["cache-control"]

    desk.kill(store, "urn:s:1", reason="legal", actor="ed", now=later(now, minutes=1))
    for url in urls:
        assert client.get(url).status_code == 410, url
    with store.engine.connect() as c:
        assert c.execute(picture_bytes.select()).all() == []
        assert c.execute(picture_renditions.select()).all() == []


def test_a_picture_items_kill_takes_it_off_every_story_and_the_pages_render_without_it(
        store, client, tmp_path, now):
    (tmp_path / "photo.jpg").write_bytes(jpeg())
    for uri in ("urn:s:1", "urn:s:2"):  # two stories show the same picture
        report = desk.apply(store, Delivery(item_with_picture(uri, now), "reuters", uri, now),
                            Terms(agency="Reuters"), pictures=PictureFetch(store, folder=tmp_path))
        assert report.counts() == {"new": 1}
    ids = [store.story_by_uri(u).id for u in ("urn:s:1", "urn:s:2")]
    picture = store.pictures.by_uri("urn:pic:1")
    assert [len(store.pictures.shown(i, now)) for i in ids] == [1, 1]
    assert client.get(f"/pictures/{picture.id}/640.jpg").status_code == 200
    generation = store.generation()
    position = store.journal.latest()

    kill = Story(uri="urn:pic:1", headline="", type="picture", pubstatus=Pubstatus.CANCELED,
                 pictures=(Picture(uri="urn:pic:1"),), agency="Reuters")
    report = desk.apply(store, Delivery(ninjs_item("urn:x"), "reuters", "kill", later(now, minutes=5)),
                        Terms(agency="Reuters"), transform=lambda _s, _d: [kill])
    assert report.counts() == {"picture-killed": 1}
    assert store.generation() > generation  # every page cache starts again
    events = store.journal.since(position)
    assert sorted((e.kind, e.story_id) for e in events) == [("update", i) for i in sorted(ids)]
    for story_id in ids:  # the stories stay, without the picture
        assert store.story(story_id).state == "live"
        page = client.get(f"/story/{story_id}")
        assert page.status_code == 200 and "story-picture" not in page.text
        assert "og:image" not in page.text
    assert client.get(f"/pictures/{picture.id}/640.jpg").status_code == 410
    # Killed for good: the story delivered again does not bring it back.
    desk.apply(store, Delivery(item_with_picture("urn:s:3", now), "reuters", "s3", now),
               Terms(agency="Reuters"), pictures=PictureFetch(store, folder=tmp_path))
    assert store.pictures.shown(store.story_by_uri("urn:s:3").id, now) == []


def test_a_picture_another_live_story_uses_stays_when_one_story_goes(store, client, tmp_path,
                                                                      now):
    (tmp_path / "photo.jpg").write_bytes(jpeg())
    for uri in ("urn:s:1", "urn:s:2"):
        desk.apply(store, Delivery(item_with_picture(uri, now), "reuters", uri, now),
                   Terms(agency="Reuters"), pictures=PictureFetch(store, folder=tmp_path))
    picture = store.pictures.by_uri("urn:pic:1")
    desk.kill(store, "urn:s:1", reason="legal", actor="ed", now=now)
    assert store.pictures.get(picture.id).state == "live"
    assert client.get(f"/pictures/{picture.id}/320.webp").status_code == 200
    desk.kill(store, "urn:s:2", reason="legal", actor="ed", now=now)
    assert store.pictures.get(picture.id).state == "gone"
    assert client.get(f"/pictures/{picture.id}/320.webp").status_code == 410


def test_a_pictures_expiry_ends_it_and_caps_its_cache_headers(store, client, clock, tmp_path,
                                                               now):
    (tmp_path / "photo.jpg").write_bytes(jpeg())
    expires = later(now, seconds=90)
    data = json.loads(item_with_picture("urn:s:1", now))
    data["associations"][0]["expires"] = expires.isoformat()

    def with_expiry(stories, _d):  # ninjs 2 has no association expiry field: set it here
        return [s.with_changes(pictures=tuple(p.__class__(**{
            **{f: getattr(p, f) for f in p.__slots__}, "expires": expires})
            for p in s.pictures)) for s in stories]
    desk.apply(store, Delivery(json.dumps(data).encode(), "reuters", "s1", now),
               Terms(agency="Reuters"), transform=with_expiry,
               pictures=PictureFetch(store, folder=tmp_path))
    picture = store.pictures.by_uri("urn:pic:1")
    got = client.get(f"/pictures/{picture.id}/640.jpg")
    assert got.headers["cache-control"] == "public, max-age=0, s-maxage=90"
    record = store.story_by_uri("urn:s:1")
    page = client.get(f"/story/{record.id}")
    assert "s-maxage=60" in page.headers["cache-control"]  # ITEM_MAX_AGE; under 90
    clock.now = later(now, seconds=91)
    assert client.get(f"/pictures/{picture.id}/640.jpg").status_code == 410  # before the clock
    assert lifecycle.tick(store, clock.now).pictures_expired == 1
    assert "story-picture" not in client.get(f"/story/{record.id}").text


def test_renditions_never_exceed_the_original_and_are_made_once(store, client, tmp_path, now):
    (tmp_path / "photo.jpg").write_bytes(png(500, 250))
    desk.apply(store, Delivery(item_with_picture("urn:s:1", now, "photo.jpg"), "reuters", "s",
                               now), Terms(agency="AP"), pictures=PictureFetch(store,
                                                                               folder=tmp_path))
    picture = store.pictures.by_uri("urn:pic:1")
    assert imaging.widths_for(500) == (320, 500)
    assert client.get(f"/pictures/{picture.id}/1024.jpg").status_code == 404
    first = client.get(f"/pictures/{picture.id}/500.webp")
    assert first.status_code == 200 and first.headers["content-type"] == "image/webp"
    again = client.get(f"/pictures/{picture.id}/500.webp")
    assert again.content == first.content
    with store.engine.connect() as c:  # all four (320, 500 x WebP, JPEG) made by the first
        made = c.execute(picture_renditions.select()).all()
    assert sorted((r.width, r.format) for r in made) == [(320, "jpg"), (320, "webp"),
                                                         (500, "jpg"), (500, "webp")]
    assert client.get(f"/pictures/{picture.id}/320.jpg").status_code == 200
    with store.engine.connect() as c:
        assert len(c.execute(picture_renditions.select()).all()) == 4  # nothing made again


def test_a_picture_of_a_story_not_yet_visible_is_not_served(store, client, tmp_path, now):
    (tmp_path / "photo.jpg").write_bytes(jpeg())
    data = item_with_picture("urn:s:1", now, embargoed=later(now, hours=1))
    desk.apply(store, Delivery(data, "reuters", "s", now), Terms(agency="Reuters"),
               pictures=PictureFetch(store, folder=tmp_path))
    picture = store.pictures.by_uri("urn:pic:1")
    assert client.get(f"/pictures/{picture.id}/320.jpg").status_code == 404


def test_ap_credit_is_built_in_aps_style_and_a_creditline_wins(store, client, tmp_path, now):
    (tmp_path / "photo.jpg").write_bytes(jpeg())
    data = item_with_picture("urn:s:1", now, agency="AP")
    desk.apply(store, Delivery(data, "ap", "s", now), Terms(agency="AP"),
               pictures=PictureFetch(store, folder=tmp_path))
    page = client.get(f"/story/{store.story_by_uri('urn:s:1').id}")
    assert "(AP Photo/Jane Doe)" in page.text
    doc = json.loads(data)
    doc["uri"] = "urn:s:2"
    doc["associations"][0]["uri"] = "urn:pic:2"
    doc["associations"][0]["descriptions"].append({"role": "creditline",
                                                   "value": "AP Photo/Jane Doe, File"})
    desk.apply(store, Delivery(json.dumps(doc).encode(), "ap", "s2", now), Terms(agency="AP"),
               pictures=PictureFetch(store, folder=tmp_path))
    assert "AP Photo/Jane Doe, File" in client.get(
        f"/story/{store.story_by_uri('urn:s:2').id}").text


def test_a_picture_outside_the_folder_or_through_a_symlink_out_is_refused(store, tmp_path, now):
    inside = tmp_path / "drop"
    inside.mkdir()
    (tmp_path / "secret.jpg").write_bytes(jpeg())
    (inside / "link.jpg").symlink_to(tmp_path / "secret.jpg")
    for n, href in enumerate(("../secret.jpg", "link.jpg", "/etc/passwd", "file:///etc/passwd")):
        report = desk.apply(store, Delivery(item_with_picture(f"urn:s:{n}", now, href,
                                                              picture_uri=f"urn:p:{n}"),
                                            "reuters", f"s{n}", now),
                            Terms(agency="Reuters"), pictures=PictureFetch(store, folder=inside))
        assert report.counts() == {"new": 1}  # the story lands without it
        record = store.story_by_uri(f"urn:s:{n}")
        if href.startswith("file:"):  # the parser's picture kit refuses the scheme itself
            assert report.pictures_refused == []
            assert any(w.field == "pictures" for w in record.story.warnings), href
        else:
            assert len(report.pictures_refused) == 1, href
        assert store.pictures.shown(record.id, now) == []
    messages = " ".join(r.error for r in store.quarantine.records())
    assert "outside the story's folder" in messages


def test_a_story_update_that_drops_its_picture_lets_it_go(store, tmp_path, now):
    (tmp_path / "photo.jpg").write_bytes(jpeg())
    desk.apply(store, Delivery(item_with_picture("urn:s:1", now), "reuters", "s", now),
               Terms(agency="Reuters"), pictures=PictureFetch(store, folder=tmp_path))
    update = ninjs_item("urn:s:1", version=2, at=later(now, minutes=3))
    desk.apply(store, Delivery(update, "reuters", "s2", now), Terms(agency="Reuters"))
    assert store.pictures.by_uri("urn:pic:1").state == "gone"


def test_render_strips_gps_and_applies_orientation():
    im = Image.new("RGB", (400, 200), (0, 0, 255))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90: shown portrait
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (48.0, 51.0, 24.0)})
    buffer = io.BytesIO()
    im.save(buffer, "JPEG", exif=exif)
    data, height = imaging.render(buffer.getvalue(), 100, "jpg")
    with Image.open(io.BytesIO(data)) as out:
        assert out.size == (100, 200) and height == 200
        assert not out.getexif() and b"GPS" not in data


def test_a_picture_item_alone_is_never_shown_as_a_story(store, now):
    picture = Picture(uri="urn:pic:9", renditions=(Rendition(href="x.jpg"),), caption="c")
    item = Story(uri="urn:pic:9", headline="A picture", type="picture", pictures=(picture,))
    report = desk.apply(store, Delivery(ninjs_item("urn:x"), "reuters", "p", now), Terms(agency="Reuters"),
                        transform=lambda _s, _d: [item])
    assert report.counts() == {"picture": 1}
    assert store.story_by_uri("urn:pic:9") is None and store.live_stories(now) == []
    assert store.pictures.by_uri("urn:pic:9").caption == "c"


def test_a_picture_kill_from_another_agencys_source_is_refused(store, tmp_path, now):
    (tmp_path / "photo.jpg").write_bytes(jpeg())
    desk.apply(store, Delivery(item_with_picture("urn:s:1", now), "reuters", "s", now),
               Terms(agency="Reuters"), pictures=PictureFetch(store, folder=tmp_path))
    kill = Story(uri="urn:pic:1", headline="", type="picture", pubstatus=Pubstatus.CANCELED,
                 pictures=(Picture(uri="urn:pic:1"),))
    report = desk.apply(store, Delivery(ninjs_item("urn:x"), "other", "k", now), Terms(agency="AFP"),
                        transform=lambda _s, _d: [kill])
    assert report.counts() == {"not-owner": 1}
    assert store.pictures.by_uri("urn:pic:1").state == "live"


def test_the_ingest_command_reads_pictures_beside_the_story(store, tmp_path, now):
    from wiredesk.cli.stories import collect_files, ingest_files

    folder = tmp_path / "copy"
    folder.mkdir()
    (folder / "story.json").write_bytes(item_with_picture("urn:s:1", now))
    (folder / "photo.jpg").write_bytes(jpeg())
    files = collect_files([folder])
    assert [f.name for f in files] == ["story.json"]  # the picture is not a delivery
    totals = ingest_files(store, files, source="cli", terms=Terms(agency="Reuters"))
    assert totals == {"new": 1}
    record = store.story_by_uri("urn:s:1")
    assert len(store.pictures.shown(record.id, record.firstcreated + timedelta(seconds=1))) == 1


def test_the_edge_is_told_the_keys_of_a_gone_picture_and_its_stories(store, tmp_path, now):
    from wiredesk.edge import change_keys

    (tmp_path / "photo.jpg").write_bytes(jpeg())
    desk.apply(store, Delivery(item_with_picture("urn:s:1", now), "reuters", "s", now),
               Terms(agency="Reuters"), pictures=PictureFetch(store, folder=tmp_path))
    picture = store.pictures.by_uri("urn:pic:1")
    record = store.story_by_uri("urn:s:1")
    committed = []
    store.listeners.append(committed.append)
    kill = Story(uri="urn:pic:1", headline="", type="picture", pubstatus=Pubstatus.CANCELED,
                 pictures=(Picture(uri="urn:pic:1"),))
    desk.apply(store, Delivery(ninjs_item("urn:x"), "reuters", "kill", now),
               Terms(agency="Reuters"), transform=lambda _s, _d: [kill])
    (changes,) = committed
    keys = change_keys(changes, ["front"])
    assert f"picture-{picture.id}" in keys and f"story-{record.id}" in keys and "front" in keys


def test_a_story_waits_for_a_picture_still_being_written_in_the_drop_folder(store, drop, now):
    cfg = folder_source(drop)
    (drop / "story.json").write_bytes(item_with_picture("urn:s:1", now))
    (drop / "photo.jpg").write_bytes(jpeg()[:5000])  # the upload has begun
    memo: dict = {}
    for _ in range(2):
        memo = scan_folder(store, cfg, memo, now=lambda: now, stop=lambda: False,
                           checkpoint=lambda m: None).memo
        with (drop / "photo.jpg").open("ab") as f:  # ... and goes on between two looks
            f.write(b"\0" * 10)
    assert store.story_by_uri("urn:s:1") is None  # the story waited for its picture
    (drop / "photo.jpg").write_bytes(jpeg())
    result = scan_twice(store, cfg, now)
    assert result.totals == {"new": 1} and store.quarantine.records() == []
    assert len(store.pictures.shown(store.story_by_uri("urn:s:1").id, now)) == 1


def test_a_second_picture_follows_the_text_and_loads_lazily(store, client, tmp_path, now):
    (tmp_path / "photo.jpg").write_bytes(jpeg())
    (tmp_path / "second.png").write_bytes(png(800, 600))
    data = json.loads(item_with_picture("urn:s:1", now))
    data["associations"].append({"name": "picture2", "uri": "urn:pic:2", "type": "picture",
                                 "descriptions": [{"role": "alt", "value": "A map"}],
                                 "renditions": [{"name": "original", "href": "second.png"}]})
    desk.apply(store, Delivery(json.dumps(data).encode(), "reuters", "s", now),
               Terms(agency="Reuters"), pictures=PictureFetch(store, folder=tmp_path))
    page = client.get(f"/story/{store.story_by_uri('urn:s:1').id}")
    doc = lxml_html.fromstring(page.text)
    lead, second = doc.xpath("//figure[@class='story-picture']//img")
    assert lead.get("loading") is None and second.get("loading") == "lazy"
    assert second.get("alt") == "A map" and second.get("width") == "800"
    assert page.text.index("story-body") < page.text.index('alt="A map"')


def test_a_remote_picture_without_a_polled_source_is_left_unfetched_not_quarantined(store, now):
    data = item_with_picture("urn:s:1", now, "https://pictures.example/p.jpg")
    report = desk.apply(store, Delivery(data, "cli", "s", now), Terms(agency="Reuters"),
                        pictures=PictureFetch(store, folder=Path("/nonexistent")))
    assert report.counts() == {"new": 1} and report.pictures_refused == []
    assert store.quarantine.records() == []


def test_a_picture_the_agency_placed_in_its_text_is_shown_there_and_goes_with_its_kill(
        store, client, tmp_path, now):
    """An <img> in the agency's HTML: fetched and stored like any picture, shown where the
    agency put it (our renditions, never the agency's URL), gone from the text with its kill,
    and the words of the page still the agency's, every one."""
    from wiredesk import verbatim
    from wiredesk.formats.pictures import derived_uri

    (tmp_path / "quake.jpg").write_bytes(jpeg())
    body = ('<p>The first paragraph.</p><img src="quake.jpg" alt="Rubble in the square">'
            '<p>The second paragraph.</p><img src="javascript:alert(1)">')
    report = desk.apply(store, Delivery(ninjs_item("urn:s:1", at=now, body=body), "ap", "s1", now),
                        Terms(agency="AP"), pictures=PictureFetch(store, folder=tmp_path))
    assert report.counts() == {"new": 1}
    record = store.story_by_uri("urn:s:1")
    assert [p.role for p in store.pictures.shown(record.id, now)] == ["body"]
    assert any("javascript" in w.problem for w in record.story.warnings)
    page = client.get(f"/story/{record.id}")
    doc = lxml_html.fromstring(page.text)
    (body_el,) = doc.xpath("//div[@class='story-body']")
    children = [e.tag for e in body_el if e.tag in ("p", "figure")]
    assert children == ["p", "figure", "p"]  # where the agency placed it
    (img,) = body_el.xpath(".//figure//img")
    assert img.get("alt") == "Rubble in the square" and img.get("src").startswith("/pictures/")
    assert img.get("width") and img.get("height") and img.get("loading") == "lazy"
    assert "quake.jpg" not in page.text and "data-picture-src" not in page.text
    assert not doc.xpath("//figure[@class='story-picture' and not(ancestor::div[@class='story-body'])]")
    assert verbatim.check(page.text, record.story) is None  # the words are the agency's
    picture = store.pictures.by_uri(derived_uri("quake.jpg"))
    assert client.get(f"/pictures/{picture.id}/640.jpg").status_code == 200

    kill = Story(uri=picture.uri, headline="", type="picture", pubstatus=Pubstatus.CANCELED,
                 pictures=(Picture(uri=picture.uri),), agency="AP")
    desk.apply(store, Delivery(ninjs_item("urn:x"), "ap", "kill", later(now, minutes=5)),
               Terms(agency="AP"), transform=lambda _s, _d: [kill])
    page = client.get(f"/story/{record.id}")
    assert page.status_code == 200 and "story-picture" not in page.text
    assert "The first paragraph." in page.text and "The second paragraph." in page.text
    assert client.get(f"/pictures/{picture.id}/640.jpg").status_code == 410
