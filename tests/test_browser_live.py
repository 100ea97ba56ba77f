"""Live pages in a real browser: an open article page is replaced by the takedown notice,
without a reload, when `wiredesk kill` runs in another process; an update is offered; the
front page announces a new urgent story. Playwright with Debian's Chromium against `wiredesk
serve` on 127.0.0.1 (see test_browser.py)."""

from __future__ import annotations

import os
import socket
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from serving import CHROMIUM, CliSite, chromium, running

ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
WAIT_MS = 20_000  # generous: the machine may be busy

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(),
                                reason="browser tests need Debian's Chromium at /usr/bin/chromium")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CliSite]:
    folder = tmp_path_factory.mktemp("live")
    port = _free_port()
    env = dict(os.environ, WIREDESK_DATABASE_URL=f"sqlite:///{folder / 'wiredesk.db'}",
               WIREDESK_BASE_URL=f"http://127.0.0.1:{port}")
    env.pop("WIREDESK_SECRET_KEY", None)
    url = f"http://127.0.0.1:{port}"
    site = CliSite(url, env, folder)
    site.cli("init")
    site.deliver("first", uri="urn:live:kill", headline="Story that will be killed")
    site.deliver("second", uri="urn:live:update", headline="Story that will be updated")
    with running([sys.executable, "-m", "wiredesk.cli", "serve", "--no-worker", "--port",
                  str(port)], env, folder / "server.log", url):
        yield site


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium(ARGS) as launched:
        yield launched


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context()
    page = context.new_page()
    page.problems = []  # type: ignore[attr-defined]
    page.on("console", lambda m: m.type == "error" and "Failed to load resource" not in m.text
            and page.problems.append(m.text))  # a CSP refusal, a script error
    page.on("pageerror", lambda e: page.problems.append(str(e)))
    yield page
    context.close()


def open_live(page: Any, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("html[data-live=open]", timeout=WAIT_MS)
    page.evaluate("window.stillTheSamePage = true")  # gone if the page reloads


def test_an_open_article_is_replaced_by_the_notice_after_a_kill(site: CliSite, page: Any) -> None:
    open_live(page, site.url + site.story_path("urn:live:kill"))
    assert page.locator("article.story h1").inner_text() == "Story that will be killed"
    site.cli("kill", "urn:live:kill", "--reason", "legal")
    page.wait_for_selector("section.gone", timeout=WAIT_MS)
    assert page.locator("article.story").count() == 0
    assert "no longer available" in page.locator("#live-status").inner_text()
    assert page.evaluate("window.stillTheSamePage") is True  # replaced in place, no reload
    assert "Story that will be killed" not in page.content()
    assert page.problems == []  # type: ignore[attr-defined]


def test_an_update_offers_the_new_version(site: CliSite, page: Any) -> None:
    path = site.story_path("urn:live:update")
    open_live(page, site.url + path)
    site.deliver("update", uri="urn:live:update", version=2, headline="Updated headline")
    link = page.wait_for_selector("#live-status a", timeout=WAIT_MS)
    assert "This story has been updated" in page.locator("#live-status").inner_text()
    assert link.inner_text() == "show the new version"
    with page.expect_navigation():
        link.click()
    assert page.locator("article.story h1").inner_text() == "Updated headline"
    assert page.problems == []  # type: ignore[attr-defined]


def test_the_front_page_announces_a_new_urgent_story(site: CliSite, page: Any) -> None:
    open_live(page, site.url + "/")
    site.deliver("quiet", uri="urn:live:quiet", headline="Routine story", urgency=5)
    site.deliver("urgent", uri="urn:live:urgent", headline="Breaking: urgent story", urgency=1)
    page.wait_for_selector("#live-status a", timeout=WAIT_MS)
    text = page.locator("#live-status").inner_text()
    assert "Breaking: urgent story" in text and "Routine story" not in text
    assert page.locator("#live-status").get_attribute("aria-live") == "polite"
    assert page.problems == []  # type: ignore[attr-defined]


def test_without_javascript_the_article_reads_as_before(site: CliSite, browser: Any) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(site.url + site.story_path("urn:live:update"))
        assert page.locator("article.story").count() == 1
        assert page.locator("#live-status").inner_text() == ""
    finally:
        context.close()
