"""A story and its picture dropped in an agency's folder, seen in a real Chromium: the lead
picture loads (WebP where the browser takes it), sits above the text with its caption and
credit, the page passes axe-core, and after a kill every rendition URL answers 410.

Runs a real `wiredesk serve` (with its worker watching the drop folder) on 127.0.0.1."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from serving import CHROMIUM, chromium, running
from test_browser import AXE, _axe, _free_port
from test_pictures import item_with_picture, jpeg

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(),
                                reason="browser tests need Debian's Chromium at /usr/bin/chromium")


def _cli(env: dict[str, str], *args: str) -> None:
    result = subprocess.run([sys.executable, "-m", "wiredesk.cli", *args], capture_output=True,
                            text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    folder = tmp_path_factory.mktemp("pictures")
    drop = folder / "reuters"
    drop.mkdir()
    port = _free_port()
    env = dict(os.environ, WIREDESK_DATABASE_URL=f"sqlite:///{folder / 'wiredesk.db'}",
               WIREDESK_BASE_URL=f"http://127.0.0.1:{port}", WIREDESK_SITE_NAME="wiredesk")
    env.pop("WIREDESK_SECRET_KEY", None)
    _cli(env, "init")
    _cli(env, "sources", "add", "reuters", "--kind", "folder", "--path", str(drop), "--every",
         "1s", "--agency", "Reuters")
    url = f"http://127.0.0.1:{port}"
    with running([sys.executable, "-m", "wiredesk.cli", "serve", "--host", "127.0.0.1",
                  "--port", str(port)], env, folder / "server.log", url):
        (drop / "photo.jpg").write_bytes(jpeg())
        (drop / "story.json").write_bytes(item_with_picture("urn:s:browser",
                                                            datetime.now(UTC)))
        deadline = time.monotonic() + 60
        while "Floods hit the north" not in httpx.get(url + "/").text:
            assert time.monotonic() < deadline, (folder / "server.log").read_text()
            time.sleep(0.5)
        yield url, env


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


def test_the_article_leads_with_its_picture_and_every_rendition_is_410_after_a_kill(
        site: tuple[str, dict[str, str]], browser: Any) -> None:
    url, env = site
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.goto(url + "/")
        with page.expect_navigation():
            page.click("text=Floods hit the north")
        img = page.locator("figure.story-picture img")
        img.wait_for()
        page.wait_for_function(
            "document.querySelector('figure.story-picture img').complete")
        loaded = img.evaluate("i => [i.naturalWidth, i.currentSrc, i.getBoundingClientRect().top]")
        assert loaded[0] > 0 and loaded[1].endswith(".webp"), loaded  # decoded, WebP chosen
        text_top = page.locator(".story-body").evaluate("e => e.getBoundingClientRect().top")
        assert loaded[2] < text_top  # the picture leads
        assert page.locator("figure.story-picture figcaption").inner_text().endswith(
            "REUTERS/Jane Doe")
        head = page.content()
        assert 'property="og:image"' in head and '"ImageObject"' in head
        if AXE.exists():
            bad = [v for v in _axe(page) if v["impact"] in ("serious", "critical")]
            assert bad == [], json.dumps(bad, indent=2)
        renditions = [u.split()[0] for u in (
            img.get_attribute("srcset") + ", " + page.locator(
                "figure.story-picture source").get_attribute("srcset")).split(", ")]
        assert len(renditions) == 6
        for rendition in renditions:
            assert page.request.get(url + rendition).status == 200
        _cli(env, "kill", "urn:s:browser", "--reason", "licence withdrawn")
        # The web process hears of another process's commit within moments (its listener),
        # and the takedown goal is a second: each rendition answers 410 within it, and then
        # to the browser too (polled without the browser, whose cache would keep a 200).
        deadline = time.monotonic() + 1.0
        for rendition in renditions:
            while page.request.get(url + rendition).status != 410:
                assert time.monotonic() < deadline, f"{rendition} still served a second after the kill"
                time.sleep(0.02)
            answer = page.goto(url + rendition)
            assert answer is not None and answer.status == 410, rendition
    finally:
        context.close()
