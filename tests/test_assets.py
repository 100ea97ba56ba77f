"""Static files under fingerprinted names, and reader pages that are the same bytes for all."""

from __future__ import annotations

import re

from helpers import deliver, ninjs_item
from wiredesk.web import assets


def test_fingerprinted_static_files_are_cached_for_a_year(client):
    page = client.get("/")
    css = re.search(r'href="(/static/site\.[0-9a-f]{10}\.css)"', page.text).group(1)
    assert css == assets.asset("site.css")
    answer = client.get(css)
    assert answer.status_code == 200 and b"--body-size" in answer.content
    assert answer.headers["cache-control"] == "public, max-age=31536000, immutable"
    plain = client.get("/static/site.css")  # the plain name still answers, briefly cached
    assert plain.content == answer.content and plain.headers["cache-control"] == "public, max-age=300"
    assert client.get("/static/site.0000000000.css").status_code == 404  # not today's bytes
    script = assets.asset("textsize.js")
    assert f'src="{script}"' in page.text
    assert client.get(script).headers["cache-control"].endswith("immutable")


def test_the_fingerprint_follows_the_bytes():
    names = assets.fingerprints()
    assert set(names) >= {"site.css", "textsize.js"}
    assert assets.original(names["site.css"]) == "site.css"
    assert assets.original("site.css") is None


def test_reader_pages_do_not_vary_by_cookie_unless_rendered_for_one(client, store, now):
    deliver(store, ninjs_item(at=now), now)
    url = f"/story/{store.story_by_uri('urn:test:1').id}"
    shared = client.get(url)
    assert "cookie" not in shared.headers["vary"].lower()
    assert shared.headers["cache-control"].startswith("public")
    step = client.get("/textsize", params={"size": "larger", "next": url},  # JavaScript off
                      follow_redirects=False)
    assert step.headers["clear-site-data"] == '"cache"'  # drop the browser's shared copies
    mine = client.get(url)
    assert 'class="ts-2"' in mine.text and mine.headers["cache-control"] == "private, no-cache"
    client.cookies.clear()
    assert client.get(url).headers["cache-control"].startswith("public")
