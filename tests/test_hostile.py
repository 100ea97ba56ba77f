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


OWN_SCRIPT = re.compile(r"/static/(textsize|live|times)\.[0-9a-f]{10}\.js")


def _own_script(script) -> bool:  # type: ignore[no-untyped-def]
    return bool(OWN_SCRIPT.fullmatch(script.get("src") or "")) and not (script.text or "").strip()


def assert_inert(page_html: str) -> None:
    doc = lxml_html.fromstring(page_html)
    for script in doc.iter("script"):
        if _own_script(script):
            continue  # the site's own text-size and live-page scripts, by their own URLs
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


def superdesk_item(path: Path, at) -> bytes:  # type: ignore[no-untyped-def]
    """The same hostile body as Superdesk's ninjs writes it (formats/superdesk.py)."""
    import json

    return json.dumps({"guid": f"urn:sd:hostile:{path.stem}", "type": "text", "version": "1",
                       "priority": 5, "headline": f"Hostile {path.stem} {HEADLINE_TRAP}",
                       "body_html": path.read_text(encoding="utf-8"), "pubstatus": "usable",
                       "versioncreated": at.isoformat()}).encode()


@pytest.mark.parametrize("path", HOSTILE, ids=lambda p: p.stem)
def test_hostile_body_from_superdesk_renders_inert_with_every_word(client, store, now, path):
    deliver(store, superdesk_item(path, now), now, name=path.name)
    record = store.story_by_uri(f"urn:sd:hostile:{path.stem}")
    assert record is not None and record.state == "live" and record.story.format == "superdesk"
    page = client.get(f"/story/{record.id}")
    assert page.status_code == 200
    assert_inert(page.text)
    text = lxml_html.fromstring(page.text).xpath("string(//*[contains(@class,'story-body')])")
    assert "Opening paragraph" in text and "Closing paragraph" in text


def test_hostile_headlines_are_text_on_the_front_page_and_in_search(client, store, now):
    for path in HOSTILE:
        deliver(store, hostile_item(path, now), now, name=path.name)
    for url in ("/", "/search?q=hostile"):
        page = client.get(url)
        assert page.status_code == 200
        assert HEADLINE_TRAP not in page.text  # only ever escaped
        assert "&lt;img src=x onerror=" in page.text
        doc = lxml_html.fromstring(page.text)
        assert not doc.xpath("//img")
        assert all(_own_script(s) for s in doc.xpath("//script[not(@type='application/ld+json')]"))


def test_every_hostile_fixture_has_a_payload_and_plain_words():
    assert len(HOSTILE) >= 10
    for path in HOSTILE:
        text = path.read_text(encoding="utf-8")
        assert "Opening paragraph" in text and "Closing paragraph" in text
        assert re.search(r"__pwned|alert\(|url=/pwned|evil\.example", text), path.name


# A batch with hostile files among good ones, through every path into the desk. "boom" is a
# parser bug (any exception but FormatError); the other three once raised one each.
def _batch(now) -> dict[str, bytes]:  # type: ignore[no-untyped-def]
    return {
        "0-good.json": ninjs_item("urn:batch:0", at=now),
        "1-boom.json": ninjs_item("urn:boom", at=now),
        "2-svg.json": ninjs_item("urn:batch:2", at=now, body="<html></html><svg>Sunlit words</svg>"),
        "3-surrogate.json": ninjs_item("urn:batch:3", at=now, headline="Storm \ud800 hits"),
        # A vital field (a number too long for Python's int where a time belongs): refused.
        # (A bad ignorable field, such as urgency, is dropped with a warning instead.)
        "4-embargo.json": ninjs_item("urn:batch:4", at=now)[:-1] + b', "embargoed": '
        + b"9" * 5000 + b"}",
        "5-good.json": ninjs_item("urn:batch:5", at=now),
    }


@pytest.fixture
def buggy_parser(monkeypatch):  # type: ignore[no-untyped-def]
    """ninjs with a bug: it raises RuntimeError on the item urn:boom."""
    from wiredesk import formats
    from wiredesk.formats.contract import Format

    real = formats.FORMATS["ninjs"]

    def parse(data: bytes, *, agency: str | None = None):  # type: ignore[no-untyped-def]
        if b"urn:boom" in data:
            raise RuntimeError("a parser bug")
        return real.parse(data, agency=agency)

    monkeypatch.setitem(formats.FORMATS, "ninjs", Format("ninjs", real.looks_like, parse))


def _assert_batch_landed(store) -> None:  # type: ignore[no-untyped-def]
    for n in (0, 2, 3, 5):
        assert store.story_by_uri(f"urn:batch:{n}") is not None, n
    assert "Sunlit words" in store.story_by_uri("urn:batch:2").story.body.text
    assert store.story_by_uri("urn:batch:3").story.headline == "Storm \ufffd hits"
    errors = {q.name.rsplit("/", 1)[-1]: q.error for q in store.quarantine.records()}
    assert set(errors) == {"1-boom.json", "4-embargo.json"}
    assert errors["1-boom.json"].startswith(
        "ninjs: internal error while parsing: RuntimeError: a parser bug")
    assert "embargoed" in errors["4-embargo.json"]


def test_a_parser_failure_quarantines_the_file_not_the_cli_batch(store, now, tmp_path,
                                                                 buggy_parser):
    from wiredesk.cli.stories import ingest_files
    from wiredesk.terms import Terms

    paths = []
    for name, data in _batch(now).items():
        (tmp_path / name).write_bytes(data)
        paths.append(tmp_path / name)
    totals = ingest_files(store, paths, source="cli", terms=Terms())
    assert totals == {"new": 4, "quarantined": 2}
    _assert_batch_landed(store)


def test_a_parser_failure_quarantines_the_file_not_the_drop_folder(store, now, tmp_path,
                                                                   buggy_parser):
    from wiredesk.sources.folder import scan_folder
    from wiredesk.sources.kinds import build

    drop = tmp_path / "drop"
    drop.mkdir()
    for name, data in _batch(now).items():
        (drop / name).write_bytes(data)
    cfg = build("dpa", "folder", {"path": str(drop), "every": "1s"})
    memo: dict = {}
    for _ in range(2):  # a file is taken at the second look
        memo = scan_folder(store, cfg, memo, now=lambda: now, stop=lambda: False,
                           checkpoint=lambda m: None).memo
    _assert_batch_landed(store)
    assert sorted(p.name for p in drop.iterdir()) == []  # nothing left to retry forever
    failed = sorted(p.name for p in cfg.failed_dir.iterdir())
    assert failed == ["1-boom.json", "1-boom.json.reason.txt", "4-embargo.json",
                      "4-embargo.json.reason.txt"]
    assert "internal error while parsing" in (cfg.failed_dir / "1-boom.json.reason.txt").read_text()


def test_a_parser_failure_in_a_push_is_answered_422_and_quarantined(store, now, buggy_parser):
    from starlette.testclient import TestClient

    from wiredesk.config import Settings
    from wiredesk.sources.kinds import build
    from wiredesk.sources.push import HEADER, sign
    from wiredesk.sources.registry import add_source
    from wiredesk.web.app import create_app

    add_source(store, build("ap", "push", {"secret": "s3"}), now, check=False)
    codes = {}
    with TestClient(create_app(Settings(), store=store, clock=lambda: now)) as client:
        for name, data in _batch(now).items():
            codes[name] = client.post("/push/ap", content=data, headers={
                "Content-Type": "application/json", HEADER: sign("s3", data)}).status_code
    assert codes == {"0-good.json": 202, "1-boom.json": 422, "2-svg.json": 202,
                     "3-surrogate.json": 202, "4-embargo.json": 422, "5-good.json": 202}
    errors = [q.error for q in store.quarantine.records()]
    assert any(e.startswith("ninjs: internal error while parsing: RuntimeError") for e in errors)
