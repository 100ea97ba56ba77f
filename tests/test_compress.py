"""brotli and gzip from wiredesk itself (web/compress.py): cached pages and static files in
the encoding the reader takes, compressed once, each with its own ETag and Vary."""

from __future__ import annotations

import gzip
import re

import brotli
import pytest

from helpers import deliver, ninjs_item
from wiredesk.web import compress

BR = {"Accept-Encoding": "gzip, deflate, br"}
GZ = {"Accept-Encoding": "gzip"}
PLAIN = {"Accept-Encoding": "identity"}


def raw(client, path: str, headers: dict[str, str]):
    """The answer's bytes as sent, not decoded by the client."""
    with client.stream("GET", path, headers=headers) as response:
        return response, b"".join(response.iter_raw())


@pytest.mark.parametrize(("accept", "expected"), [
    (None, ""), ("", ""), ("gzip", "gzip"), ("gzip, deflate, br", "br"), ("br;q=0, gzip", "gzip"),
    ("br;q=0.5", "br"), ("gzip;q=0, identity", ""), ("x-gzip", "gzip"), ("BR", "br"),
    ("gzip;q=nonsense, br;q=", ""), ("*", ""),
])
def test_the_encoding_a_reader_takes(accept, expected):
    assert compress.preferred(accept) == expected


def test_a_page_in_br_gzip_and_plain_decodes_to_the_same_bytes(client, store, now):
    deliver(store, ninjs_item("urn:c:1", at=now, headline="Compressed story"), now)
    path = f"/story/{store.story_by_uri('urn:c:1').id}"
    plain, plain_bytes = raw(client, path, PLAIN)
    assert plain.status_code == 200 and "content-encoding" not in plain.headers
    assert "Compressed story" in plain_bytes.decode()
    by_br, br_bytes = raw(client, path, BR)
    assert by_br.headers["content-encoding"] == "br"
    assert brotli.decompress(br_bytes) == plain_bytes and len(br_bytes) < len(plain_bytes) / 2
    by_gz, gz_bytes = raw(client, path, GZ)
    assert by_gz.headers["content-encoding"] == "gzip"
    assert gzip.decompress(gz_bytes) == plain_bytes
    for response in (plain, by_br, by_gz):
        assert response.headers["vary"] == "Accept-Encoding"
        assert response.headers["cache-control"].startswith("public")
    etags = {plain.headers["etag"], by_br.headers["etag"], by_gz.headers["etag"]}
    assert len(etags) == 3 and by_br.headers["etag"].endswith('-br"')
    # Each encoding's own ETag answers 304 in that encoding, and not in another.
    again = client.get(path, headers={**BR, "If-None-Match": by_br.headers["etag"]})
    assert again.status_code == 304
    assert client.get(path, headers={**GZ, "If-None-Match": by_br.headers["etag"]}).status_code == 200


def test_each_page_is_compressed_once_not_per_request(client, store, now, monkeypatch):
    deliver(store, ninjs_item("urn:c:2", at=now), now)
    path = f"/story/{store.story_by_uri('urn:c:2').id}"
    calls = []
    real = compress.encode
    monkeypatch.setattr(compress, "encode", lambda *a, **k: calls.append(a[1]) or real(*a, **k))
    for _ in range(5):
        assert raw(client, path, BR)[0].headers["content-encoding"] == "br"
        assert raw(client, path, GZ)[0].headers["content-encoding"] == "gzip"
    assert sorted(calls) == ["br", "gzip"]
    deliver(store, ninjs_item("urn:c:3", at=now, headline="Another"), now, name="c3")
    raw(client, path, BR)  # a change re-renders the page: compressed once more
    assert sorted(calls) == ["br", "br", "gzip"]


def test_feeds_and_the_api_compress_too_but_small_answers_do_not(client, store, now):
    for n in range(5):
        deliver(store, ninjs_item(f"urn:c:f{n}", at=now), now, name=f"f{n}")
    for path in ("/feeds/atom.xml", "/api/v1/stories"):
        response, body = raw(client, path, BR)
        assert response.headers["content-encoding"] == "br", path
        assert brotli.decompress(body) == raw(client, path, PLAIN)[1]
    tiny, body = raw(client, "/healthz", BR)
    assert "content-encoding" not in tiny.headers


def test_fingerprinted_static_files_in_br_and_gzip(client):
    page = client.get("/").text
    css = re.search(r'href="(/static/site\.[0-9a-f]{10}\.css)"', page).group(1)
    plain, plain_bytes = raw(client, css, PLAIN)
    assert plain.headers["vary"] == "Accept-Encoding" and "content-encoding" not in plain.headers
    by_br, br_bytes = raw(client, css, BR)
    by_gz, gz_bytes = raw(client, css, GZ)
    assert by_br.headers["content-encoding"] == "br" and by_gz.headers["content-encoding"] == "gzip"
    assert brotli.decompress(br_bytes) == plain_bytes == gzip.decompress(gz_bytes)
    for response in (by_br, by_gz):
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert response.headers["vary"] == "Accept-Encoding"
        assert response.headers["content-type"].startswith("text/css")
        assert response.headers["content-length"] == str(
            len(br_bytes if response is by_br else gz_bytes))
    assert client.get(css, headers={**BR, "If-None-Match": by_br.headers["etag"]}).status_code == 304
