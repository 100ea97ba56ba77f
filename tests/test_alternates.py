"""Pages announce their feeds: `<link rel="alternate">` for Atom, RSS and JSON Feed on the
front page and article pages, and the agency's own feeds on an article, each link working."""

from __future__ import annotations

from lxml import html

from helpers import deliver, ninjs_item


def alternates(page: str) -> dict[str, str]:
    return {link.get("href"): link.get("type")
            for link in html.fromstring(page).xpath('//head/link[@rel="alternate"]')}


def test_front_and_article_pages_link_their_feeds(client, store, now):
    deliver(store, ninjs_item("urn:alt:1", at=now, headline="Feeds found",
                              infosources=[{"name": "Agence X", "role": "originator"}]), now)
    front = alternates(client.get("/").text)
    assert front == {"/feeds/atom.xml": "application/atom+xml",
                     "/feeds/rss.xml": "application/rss+xml",
                     "/feeds/feed.json": "application/feed+json"}
    record = store.story_by_uri("urn:alt:1")
    article = alternates(client.get(f"/story/{record.id}").text)
    assert {"/feeds/agency/Agence%20X/atom.xml": "application/atom+xml",
            "/feeds/agency/Agence%20X/rss.xml": "application/rss+xml",
            "/feeds/agency/Agence%20X/feed.json": "application/feed+json"}.items() <= \
        article.items()
    assert front.items() <= article.items()
    for href, kind in article.items():
        response = client.get(href)
        assert response.status_code == 200 and kind in response.headers["content-type"]
        assert "Feeds found" in response.text
