"""A story's pictures on every surface but the article page: list thumbnails, feeds (Media
RSS, enclosures, JSON Feed image), the news sitemap, the API's ninjs associations (our own
rendition URLs, schema-valid in every profile) and `wiredesk parse`."""

from __future__ import annotations

import json

import feedparser
import pytest
from lxml import etree
from lxml import html as lxml_html

from test_pictures import item_with_picture, jpeg
from wiredesk import desk
from wiredesk.formats import ninjs
from wiredesk.sources.pictures import PictureFetch
from wiredesk.story import Delivery, Picture, Rendition, Story
from wiredesk.terms import Terms


@pytest.fixture
def with_picture(store, tmp_path, now):
    (tmp_path / "photo.jpg").write_bytes(jpeg())
    desk.apply(store, Delivery(item_with_picture("urn:s:1", now), "reuters", "s", now),
               Terms(agency="Reuters"), pictures=PictureFetch(store, folder=tmp_path))
    return store.pictures.by_uri("urn:pic:1")


def test_front_page_and_search_show_a_thumbnail(client, with_picture):
    for path in ("/", "/search?q=floods"):
        doc = lxml_html.fromstring(client.get(path).text)
        (img,) = doc.xpath("//ol[contains(@class,'stories')]//picture[@class='thumb']//img")
        assert img.get("src") == f"/pictures/{with_picture.id}/320.jpg"
        assert img.get("alt") == "" and img.get("width") == "160" and img.get("height") == "100"


def test_feeds_carry_the_lead_picture_at_our_own_url(client, with_picture):
    url = f"https://news.example/pictures/{with_picture.id}/1024.jpg"
    for kind in ("atom.xml", "rss.xml"):
        feed = feedparser.parse(client.get(f"/feeds/{kind}").content)
        (entry,) = feed.entries
        assert entry.media_content[0]["url"] == url
        assert entry.enclosures[0]["href"] == url and entry.enclosures[0]["type"] == "image/jpeg"
        assert entry.media_credit[0]["content"] == "REUTERS/Jane Doe"
    data = client.get("/feeds/feed.json").json()
    assert data["items"][0]["image"] == url


def test_the_news_sitemap_names_the_pictures(client, with_picture):
    root = etree.fromstring(client.get("/sitemap-news.xml").content)
    locs = root.xpath("//image:image/image:loc/text()",
                      namespaces={"image": "http://www.google.com/schemas/sitemap-image/1.1"})
    assert locs == [f"https://news.example/pictures/{with_picture.id}/1024.jpg"]


@pytest.mark.parametrize("profile", ["2.2", "3.1", "1.6"])
def test_the_api_gives_associations_pointing_at_our_renditions(client, store, with_picture,
                                                               profile):
    record = store.story_by_uri("urn:s:1")
    item = client.get(f"/api/v1/stories/{record.id}", params={"profile": profile}).json()
    assert ninjs.check(item, profile) is None
    found = item["associations"]
    entry = found[0] if isinstance(found, list) else found["featureimage"]
    assert entry["uri"] == "urn:pic:1" and entry["type"] == "picture"
    renditions = entry["renditions"]
    hrefs = [r["href"] for r in (renditions.values() if isinstance(renditions, dict)
                                 else renditions)]
    assert f"https://news.example/pictures/{with_picture.id}/640.webp" in hrefs
    assert all(h.startswith("https://news.example/pictures/") for h in hrefs)


@pytest.mark.parametrize("profile", ["2.2", "3.1", "1.6"])
def test_a_picture_item_prints_as_ninjs_type_picture(profile):
    picture = Picture(uri="urn:pic:7", headline="Flood", caption="A flooded street", by="J. Doe",
                      copyrightholder="Reuters",
                      renditions=(Rendition(href="https://x.example/p.jpg", name="original",
                                            width=3000, height=2000, contenttype="image/jpeg"),))
    story = Story(uri="urn:pic:7", headline="Flood", type="picture", pictures=(picture,))
    item = ninjs.to_ninjs(story, profile)
    assert item["type"] == "picture" and item["uri"] == "urn:pic:7"
    assert ninjs.check(item, profile) is None
    assert json.dumps(item).count("https://x.example/p.jpg") == 1
