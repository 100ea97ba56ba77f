"""A drop folder's stories naming remote pictures: fetched through the SSRF guard without
credentials, private addresses only with the folder source's `allow_private`; a picture
that fails is quarantined and its story still published."""

from __future__ import annotations

import pytest
from lxml import html as lxml_html

from test_pictures import jpeg, scan_twice
from test_pictures_hostile import SVG
from test_pictures_hostile_paths import story_naming
from wiredesk.sources import registry
from wiredesk.sources.config import ConfigError
from wiredesk.sources.kinds import build, from_row, load_file


@pytest.fixture
def drop(tmp_path):
    folder = tmp_path / "reuters"
    folder.mkdir()
    return folder


def folder_source(drop, **settings):
    return build("reuters", "folder", {"path": str(drop), "every": "1s", **settings})


def test_a_remote_picture_is_fetched_without_credentials_when_private_is_allowed(
        store, client, drop, now, server):
    server.routes["/p.jpg"] = lambda h: h.reply(200, jpeg(), content_type="image/jpeg")
    href = server.url("/p.jpg")
    (drop / "story.json").write_bytes(story_naming(href, now))
    cfg = folder_source(drop, allow_private=True)
    assert scan_twice(store, cfg, now).totals == {"new": 1}
    assert store.quarantine.records() == []
    assert [path for path, _ in server.seen] == ["/p.jpg"]
    assert all("authorization" not in {k.lower() for k in headers}
               for _, headers in server.seen)
    assert [p.name for p in cfg.processed_dir.iterdir()] == ["story.json"]

    record = store.story_by_uri("urn:s:1")
    assert len(store.pictures.shown(record.id, now)) == 1
    doc = lxml_html.fromstring(client.get(f"/story/{record.id}").text)
    (img,) = doc.xpath("//article//figure[@class='story-picture']//img")
    srcs = [part.split()[0] for part in img.get("srcset").split(", ")] + [img.get("src")]
    # Our renditions, served from /pictures/, never the agency's href.
    assert all("/pictures/" in src and "127.0.0.1" not in src for src in srcs), srcs
    got = client.get(srcs[0])
    assert got.status_code == 200 and got.headers["content-type"] == "image/jpeg"


def test_an_allow_list_naming_the_host_lets_it_through(store, drop, now, server):
    server.routes["/p.jpg"] = lambda h: h.reply(200, jpeg(), content_type="image/jpeg")
    (drop / "story.json").write_bytes(story_naming(server.url("/p.jpg"), now))
    host = server.base.split("//")[1]  # 127.0.0.1:PORT
    cfg = folder_source(drop, allow_private=[host])
    assert scan_twice(store, cfg, now).totals == {"new": 1}
    record = store.story_by_uri("urn:s:1")
    assert len(store.pictures.shown(record.id, now)) == 1


def test_without_allow_private_a_loopback_picture_is_refused_and_the_story_published(
        store, drop, now, server):
    server.routes["/p.jpg"] = lambda h: h.reply(200, jpeg(), content_type="image/jpeg")
    (drop / "story.json").write_bytes(story_naming(server.url("/p.jpg"), now))
    cfg = folder_source(drop)
    assert scan_twice(store, cfg, now).totals == {"new": 1}
    assert server.seen == []  # refused before any connection
    (kept,) = store.quarantine.records()
    assert "loopback" in kept.error and "/p.jpg" in kept.error, kept.error
    assert kept.format == "picture"
    (record,) = store.live_stories(now)
    assert record.story.headline == "Story with a hostile picture"
    assert store.pictures.shown(record.id, now) == []
    assert (cfg.processed_dir / "story.json").is_file()


@pytest.mark.parametrize("route, body, ctype, message", [
    ("/gone.jpg", b"not here", "text/plain", "404"),
    ("/chart.svg", SVG, "image/svg+xml", "an SVG document"),
    ("/broken.jpg", jpeg()[:2000], "image/jpeg", "cannot be decoded"),
])
def test_a_broken_remote_picture_is_quarantined_and_the_story_published(
        store, drop, now, server, route, body, ctype, message):
    status = 404 if route == "/gone.jpg" else 200
    server.routes[route] = lambda h: h.reply(status, body, content_type=ctype)
    (drop / "story.json").write_bytes(story_naming(server.url(route), now))
    cfg = folder_source(drop, allow_private=True)
    assert scan_twice(store, cfg, now).totals == {"new": 1}
    (kept,) = store.quarantine.records()
    assert route in kept.error and message in kept.error, kept.error
    (record,) = store.live_stories(now)
    assert store.pictures.shown(record.id, now) == []
    assert (cfg.processed_dir / "story.json").is_file()


def test_relative_hrefs_still_come_from_the_folder_only(store, drop, now, server):
    (drop.parent / "outside.jpg").write_bytes(jpeg())
    (drop / "story.json").write_bytes(story_naming("../outside.jpg", now))
    cfg = folder_source(drop, allow_private=True)
    assert scan_twice(store, cfg, now).totals == {"new": 1}
    (kept,) = store.quarantine.records()
    assert "outside the story's folder" in kept.error, kept.error
    assert server.seen == [] and (drop.parent / "outside.jpg").is_file()


# --- the setting: TOML, sources add, stored ----------------------------------------------

def test_allow_private_in_a_sources_file_and_stored(store, tmp_path, drop, now):
    path = tmp_path / "sources.toml"
    path.write_text(f'[sources.reuters]\nkind = "folder"\npath = "{drop}"\n'
                    f'allow_private = ["127.0.0.1:8080"]\n', encoding="utf-8")
    ((cfg, _),) = load_file(path)
    assert cfg.allow_private == ("127.0.0.1:8080",)
    registry.add_source(store, cfg, now)
    again = registry.config_of(store.sources.get("reuters"))
    assert again == cfg  # a JSON list comes back a tuple
    assert from_row("r", "folder", None, 30, {"path": str(drop)}).allow_private is False


@pytest.mark.parametrize("value", ["yes", 1, [""], [3]])
def test_a_bad_allow_private_is_named(drop, value):
    with pytest.raises(ConfigError, match="source reuters: bad allow_private"):
        folder_source(drop, allow_private=value)


@pytest.mark.parametrize("flags, expected", [
    ([], False), (["--allow-private"], True),
    (["--allow-private-host", "127.0.0.1:8080"], ("127.0.0.1:8080",)),
])
def test_sources_add_takes_allow_private_for_a_folder(store, drop, monkeypatch, capsys, flags,
                                                       expected):
    from wiredesk.cli.main import main

    monkeypatch.setenv("WIREDESK_DATABASE_URL", store.url)
    monkeypatch.delenv("WIREDESK_SOURCES_FILE", raising=False)
    assert main(["sources", "add", "reuters", "--kind", "folder", "--path", str(drop),
                 *flags]) == 0
    assert "source added: reuters (folder)" in capsys.readouterr().out
    assert registry.config_of(store.sources.get("reuters")).allow_private == expected
