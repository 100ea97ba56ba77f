"""The hostile corpus (tests/fixtures/hostile/) ingested and rendered: the markup readers get
holds no script, no event handler, no script-bearing URL and no element that could re-form
one, and every ordinary word survives. tests/test_browser.py shows the same pages in Chromium
run nothing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import html as lxml_html

from conftest import FIXTURES
from helpers import deliver, ninjs_item

HOSTILE = sorted((FIXTURES / "hostile").glob("*.html"))
HEADLINE_TRAP = '<img src=x onerror="window.__pwned=1">'
URL_ATTRS = ("href", "src", "action", "formaction", "data", "srcdoc", "xlink:href",
             "{http://www.w3.org/1999/xlink}href", "poster", "background", "srcset")
BAD_SCHEMES = re.compile(r"^(javascript|data|vbscript):", re.I)
FORBIDDEN = ("script", "iframe", "object", "embed", "base", "style", "link", "template",
             "noscript", "svg", "math", "form", "textarea", "input", "button", "xmp", "noembed",
             "frame", "frameset", "applet", "meta", "video", "audio", "source", "details",
             "marquee", "select", "option", "use", "foreignobject", "animate", "set")


def hostile_item(path: Path, at) -> bytes:  # type: ignore[no-untyped-def]
    return ninjs_item(f"urn:hostile:{path.stem}", at=at, body=path.read_text(encoding="utf-8"),
                      headline=f"Hostile {path.stem} {HEADLINE_TRAP}")


def _scheme(value: str) -> str:
    # What a browser would act on: control characters and spaces inside a scheme are ignored.
    return re.sub(r"[\x00-\x20]", "", value).lower()


def assert_inert(page_html: str) -> None:
    doc = lxml_html.fromstring(page_html)
    for script in doc.iter("script"):
        assert script.get("type") == "application/ld+json", lxml_html.tostring(script)
    for element in doc.iter():
        if not isinstance(element.tag, str):
            continue
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), (element.tag, name, value)
            if name.lower() in URL_ATTRS:
                assert not BAD_SCHEMES.match(_scheme(value)), (element.tag, name, value)
    body = doc.xpath("//*[contains(@class,'story-body')]")
    assert body, "no story body on the page"
    for element in body[0].iter():
        if isinstance(element.tag, str):
            assert element.tag.lower() not in FORBIDDEN, lxml_html.tostring(element)[:200]
            assert element.get("style") is None


@pytest.mark.parametrize("path", HOSTILE, ids=lambda p: p.stem)
def test_hostile_body_renders_inert_with_every_word(client, store, now, path):
    deliver(store, hostile_item(path, now), now, name=path.name)
    record = store.story_by_uri(f"urn:hostile:{path.stem}")
    assert record is not None and record.state == "live"
    page = client.get(f"/story/{record.id}")
    assert page.status_code == 200
    assert_inert(page.text)
    text = lxml_html.fromstring(page.text).xpath(
        "string(//*[contains(@class,'story-body')])")
    assert "Opening paragraph" in text and "Closing paragraph" in text
    # The headline is text: shown as written, never parsed as markup.
    h1 = lxml_html.fromstring(page.text).xpath("//h1")[0]
    assert h1.text_content().endswith(HEADLINE_TRAP) and len(h1) == 0


def test_hostile_headlines_are_text_on_the_front_page_and_in_search(client, store, now):
    for path in HOSTILE:
        deliver(store, hostile_item(path, now), now, name=path.name)
    for url in ("/", "/search?q=hostile"):
        page = client.get(url)
        assert page.status_code == 200
        assert HEADLINE_TRAP not in page.text  # only ever escaped
        assert "&lt;img src=x onerror=" in page.text
        doc = lxml_html.fromstring(page.text)
        assert not doc.xpath("//img") and not doc.xpath("//script[not(@type)]")


def test_every_hostile_fixture_has_a_payload_and_plain_words():
    assert len(HOSTILE) >= 10
    for path in HOSTILE:
        text = path.read_text(encoding="utf-8")
        assert "Opening paragraph" in text and "Closing paragraph" in text
        assert re.search(r"__pwned|alert\(|url=/pwned|evil\.example", text), path.name
