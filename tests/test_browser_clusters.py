""""Also reported by" and the grouped front page in a real browser (issue 18): Playwright
driving Debian's Chromium against a real `wiredesk serve` on 127.0.0.1, axe-core clean, and a
kill that takes the link off the other agencies' pages at once.

The same needs as tests/test_browser.py: /usr/bin/chromium, and node_modules/axe-core for the
accessibility check.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from conftest import ROOT
from serving import chromium, running
from test_browser import (
    ARGS,
    ARTIFACTS,
    CHROMIUM,
    PASSWORD,
    USER,
    _axe,
    _cli,
    _free_port,
    needs_axe,
)

sys.path.insert(0, str(ROOT / "bench"))
import cluster_corpus as corpus  # noqa: E402

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="browser tests need Debian's Chromium at /usr/bin/chromium "
           "(apt-get install chromium; .ci/run installs it)")

EVENT = [  # one quake told by three agencies in their own words, and another story
    ("urn:b:reuters", "Reuters", "Magnitude 6.8 quake strikes off Tokyo, 12 dead",
     "An earthquake of magnitude 6.8 struck 40 km off Tokyo on Monday, killing at least 12 "
     "people, the Japan Meteorological Agency said.\nPrime minister Kenji Sato sent rescuers."),
    ("urn:b:ap", "AP", "Strong quake rattles Tokyo, killing 12",
     "A magnitude 6.8 quake rattled Tokyo early on Monday, leaving 12 dead, Japan Meteorological "
     "Agency officials said.\nKenji Sato, the prime minister, sent rescue teams."),
    ("urn:b:afp", "AFP", "Japan earthquake kills at least 12",
     "At least 12 people died when a strong earthquake shook Japan, the disaster agency said.\n"
     "The magnitude 6.8 tremor hit 40 km off Tokyo; prime minister Kenji Sato sent rescuers."),
    ("urn:b:markets", "Reuters", "Tokyo shares fall 2.1% as yen rises",
     "Tokyo shares fell 2.1 percent as Nikkei traders sold exporters after the yen rose.\n"
     "Toyota and Sony led the losses."),
]


class Site:
    def __init__(self, url: str, env: dict[str, str]) -> None:
        self.url = url
        self.env = env

    def story_id(self, uri: str) -> int:
        answer = httpx.get(self.url + "/api/v1/stories/by-uri", params={"uri": uri}, timeout=10)
        ids = {a["role"]: a["value"] for a in answer.json()["altids"]}
        return int(ids["wiredesk-id"])


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("clusters")
    port = _free_port()
    env = dict(os.environ, WIREDESK_DATABASE_URL=f"sqlite:///{folder / 'wiredesk.db'}",
               WIREDESK_BASE_URL=f"http://127.0.0.1:{port}", WIREDESK_SITE_NAME="wiredesk")
    env.pop("WIREDESK_SECRET_KEY", None)
    _cli(env, "init")
    _cli(env, "user", "add", USER, "--password-stdin", stdin=PASSWORD + "\n")
    drop = folder / "in"
    drop.mkdir()
    start = datetime.now(UTC) - timedelta(hours=1)
    for n, (uri, agency, headline, body) in enumerate(EVENT):
        story = {"agency": agency, "headline": headline, "body": body, "located": "Tokyo",
                 "at": (start + timedelta(minutes=5 * n)).isoformat(), "urgency": 3}
        (drop / f"{n}.json").write_bytes(corpus.ninjs(story, uri))
    _cli(env, "ingest", str(drop), "--source", "wires")
    url = f"http://127.0.0.1:{port}"
    with running([sys.executable, "-m", "wiredesk.cli", "serve", "--host", "127.0.0.1",
                  "--port", str(port), "--no-worker"], env, folder / "server.log", url):
        yield Site(url, env)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium(ARGS) as launched:
        yield launched


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def test_the_article_page_says_also_reported_by_and_links_each_agency(site: Site, page: Any) -> None:
    page.goto(f"{site.url}/story/{site.story_id('urn:b:reuters')}")
    also = page.locator("nav.related p.also")
    assert also.inner_text() == "Also reported by AFP, AP"
    assert page.locator("nav.related").get_attribute("aria-label") == "Other reports on this event"
    with page.expect_navigation():
        also.get_by_role("link", name="AP").click()
    assert page.locator("h1.headline").inner_text() == "Strong quake rattles Tokyo, killing 12"
    assert "Reuters" in page.locator("nav.related p.also").inner_text()  # and back again
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "article-also-reported-by.png"), full_page=True)


def test_the_front_page_groups_the_event_under_its_lead(site: Site, page: Any) -> None:
    page.goto(site.url + "/")
    items = page.locator("ol.stories > li")
    headlines = [items.nth(n).locator("h2").inner_text() for n in range(items.count())]
    assert headlines == ["Tokyo shares fall 2.1% as yen rises", "Japan earthquake kills at least 12"]
    lead = items.nth(1)
    assert lead.locator("p.also").inner_text() == "Also: AP, Reuters"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "front-grouped.png"), full_page=True)


@needs_axe
@pytest.mark.parametrize("which", ["front", "article"])
def test_the_cluster_links_have_no_serious_accessibility_violations(site: Site, browser: Any,
                                                                    which: str) -> None:
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        path = "/" if which == "front" else f"/story/{site.story_id('urn:b:afp')}"
        page.goto(site.url + path)
        assert page.locator("p.also").count() >= 1
        violations = _axe(page)
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / f"axe-clusters-{which}.json").write_text(json.dumps(violations, indent=2))
        bad = [v for v in violations if v["impact"] in ("serious", "critical")]
        assert bad == [], json.dumps(bad, indent=2)
    finally:
        context.close()


def test_a_kill_takes_the_link_off_the_other_pages_at_once(site: Site, page: Any) -> None:
    """Last in this file: it kills AP's story, from the console of the serving process, and
    the very next page views (cached before the kill) no longer link to it."""
    afp, ap = site.story_id("urn:b:afp"), site.story_id("urn:b:ap")
    page.goto(f"{site.url}/story/{afp}")
    assert page.locator("p.also").inner_text() == "Also reported by AP, Reuters"
    page.goto(site.url + "/")
    assert "AP" in page.locator("ol.stories p.also").inner_text()
    page.goto(site.url + "/console/login?next=/console")
    page.fill("#login-name", USER)
    page.fill("#login-password", PASSWORD)
    with page.expect_navigation():
        page.click("form.console-form button[type=submit]")
    page.goto(f"{site.url}/console/stories/{ap}")
    page.fill("#kill-reason", "Agency asked for it to come down")
    page.check("#kill-confirm")  # the console asks before a kill (issue 14)
    with page.expect_navigation():
        page.click("button.danger")
    page.goto(f"{site.url}/story/{afp}")
    assert page.locator("p.also").inner_text() == "Also reported by Reuters"
    assert page.locator(f"a[href^='/story/{ap}/']").count() == 0
    page.goto(site.url + "/")
    assert page.locator("ol.stories p.also").inner_text() == "Also: Reuters"
    assert page.locator(f"a[href^='/story/{ap}/']").count() == 0
