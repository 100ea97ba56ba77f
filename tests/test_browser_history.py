"""The correction notice and the public history in a real browser (Chromium against a real
`wiredesk demo` with the bundled samples): the Reuters correction (samples 04, 05) shows its
notice above the headline in the agency's words, the history page is reached from the
article and shows the word diff, and both pages are axe-core clean."""

from __future__ import annotations

import json
from typing import Any

import test_browser
from test_browser import ARTIFACTS, Site, _axe, needs_axe, shot

pytestmark = test_browser.pytestmark  # Chromium needed
site = test_browser.site  # the same fixtures: a demo server with the samples, a browser
browser = test_browser.browser

MARKETS = "European shares edge higher"  # samples 04 and 05: the Reuters correction
WORDS = "Corrects index level in paragraph 2 to 502.3 points, not 512.3"


def test_the_correction_notice_sits_above_the_headline(site: Site, browser: Any) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.goto(f"{site.url}/story/{site.story_id(MARKETS)}")
        notice = page.locator("aside.correction-notice")
        assert notice.is_visible()
        assert page.locator(".correction-words").inner_text() == WORDS
        assert "Corrected by Reuters" in notice.inner_text()
        box, headline = notice.bounding_box(), page.locator("h1.headline").bounding_box()
        assert box is not None and headline is not None and box["y"] < headline["y"]
        shot(page, "article-correction", height=700)
        with page.expect_navigation():
            page.click("aside.correction-notice a")  # "See what changed"
        assert page.url.endswith("/history")
        labels = page.locator("h2.version-label").all_inner_texts()
        assert labels == ["CORRECTED", "First version"]
        assert page.locator(".version-diff del").all_inner_texts() == ["512.3"]
        assert page.locator(".version-diff ins").all_inner_texts() == ["502.3"]
        decoration = page.evaluate(
            "getComputedStyle(document.querySelector('.version-diff del')).textDecorationLine")
        assert "line-through" in decoration  # deletions are struck through, not only coloured
        shot(page, "history", height=900)
    finally:
        context.close()


def test_every_article_links_its_history(site: Site, browser: Any) -> None:
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(f"{site.url}/story/{site.story_id('Oil prices rise')}")
        assert page.locator("aside.correction-notice").count() == 0  # an update, no correction
        with page.expect_navigation():
            page.click("p.history-link a")
        assert page.locator("h2.version-label").all_inner_texts() == ["UPDATE 1", "First version"]
        assert page.locator(".version-diff ins").count() > 0
    finally:
        context.close()


@needs_axe
def test_notice_and_history_have_no_serious_accessibility_violations(site: Site,
                                                                     browser: Any) -> None:
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        story = site.story_id(MARKETS)
        for which, path in (("article-correction", f"/story/{story}"),
                            ("history", f"/story/{story}/history")):
            page.goto(site.url + path)
            violations = _axe(page)
            ARTIFACTS.mkdir(exist_ok=True)
            (ARTIFACTS / f"axe-{which}.json").write_text(json.dumps(violations, indent=2))
            bad = [v for v in violations if v["impact"] in ("serious", "critical")]
            assert bad == [], (which, json.dumps(bad, indent=2))
    finally:
        context.close()
