"""A French, branded site in a real browser: live.js and textsize.js speak the site's language
(from the page's data- attributes), the example brand (docs/examples/templates) keeps the
pages accessible, and its analytics host stays blocked until WIREDESK_CSP_EXTRA allows it.
Playwright with Debian's Chromium against `wiredesk serve` on 127.0.0.1 (see test_browser.py)."""

from __future__ import annotations

import json
import os
import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from serving import CHROMIUM, CliSite, chromium, running

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "docs" / "examples" / "templates"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WAIT_MS = 20_000

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(),
                                reason="browser tests need Debian's Chromium at /usr/bin/chromium")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CliSite]:
    folder = tmp_path_factory.mktemp("french")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    url = f"http://127.0.0.1:{port}"
    env = dict(os.environ, WIREDESK_DATABASE_URL=f"sqlite:///{folder / 'wiredesk.db'}",
               WIREDESK_BASE_URL=url, WIREDESK_SITE_LANGUAGE="fr",
               WIREDESK_TEMPLATES=str(EXAMPLE))
    env.pop("WIREDESK_SECRET_KEY", None)
    env.pop("WIREDESK_CSP_EXTRA", None)
    site = CliSite(url, env, folder)
    site.cli("init")
    site.deliver("one", uri="urn:fr:kill", headline="Storm hits coast", language="en")
    site.deliver("two", uri="urn:fr:stay", headline="Tempête sur la côte", language="fr")
    with running([sys.executable, "-m", "wiredesk.cli", "serve", "--no-worker", "--port",
                  str(port)], env, folder / "server.log", url):
        yield site


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context()
    # Belt and braces: nothing leaves 127.0.0.1, whatever the CSP says.
    context.route("https://stats.example.com/**", lambda route: route.abort())
    page = context.new_page()
    page.problems = []  # type: ignore[attr-defined]
    page.on("console", lambda m: m.type == "error" and "Failed to load resource" not in m.text
            and page.problems.append(m.text))  # (the 410 live.js fetches is expected)
    page.on("pageerror", lambda e: page.problems.append(str(e)))
    yield page
    context.close()


def test_live_messages_and_text_size_speak_french(site: CliSite, page: Any) -> None:
    page.goto(site.url + site.story_path("urn:fr:kill"))
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator("article.story").get_attribute("lang") == "en"
    page.click("button[value=larger]")
    assert page.locator(".textsize-current").inner_text() == "Grand"
    page.wait_for_selector("html[data-live=open]", timeout=WAIT_MS)
    site.cli("kill", "urn:fr:kill", "--reason", "legal")
    page.wait_for_selector("section.gone", timeout=WAIT_MS)
    assert "Cette dépêche a été retirée" in page.locator("#live-status").inner_text()
    assert page.locator("section.gone h1").inner_text() == "Cette dépêche n’est plus disponible"
    assert "Dépêche plus disponible" in page.title()
    # The only complaint: the example's analytics host, refused by the default CSP.
    assert page.problems, "the analytics script was not refused"  # type: ignore[attr-defined]
    assert all("stats.example.com" in p and "Content Security Policy" in p
               for p in page.problems), page.problems  # type: ignore[attr-defined]


@pytest.mark.skipif(not AXE.exists(), reason="accessibility checks need node_modules/axe-core")
@pytest.mark.parametrize("which", ["front", "article", "search"])
def test_the_branded_french_pages_stay_accessible(site: CliSite, browser: Any, which: str) -> None:
    context = browser.new_context(bypass_csp=True, viewport={"width": 390, "height": 844})
    context.route("https://stats.example.com/**", lambda route: route.abort())
    try:
        page = context.new_page()
        target = {"front": "/", "article": site.story_path("urn:fr:stay"),
                  "search": "/search?q=storm"}[which]
        page.goto(site.url + target)
        assert page.locator("header a.brand img").count() == 1
        page.add_script_tag(path=str(AXE))
        violations = page.evaluate("""async () => {
            const result = await axe.run(document, {resultTypes: ['violations']});
            return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}));
        }""")
        bad = [v for v in violations if v["impact"] in ("serious", "critical")]
        assert bad == [], json.dumps(bad, indent=2)
    finally:
        context.close()
