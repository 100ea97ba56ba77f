"""Issue 14 in a real browser: the front page, a section page and articles (one of them
right to left) at phone (390 px) and desktop (1280 px) widths, and printed, checked with
axe-core; times shown on the reader's clock by static/times.js. Screenshots go to
test-artifacts/ (copies in docs/)."""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from conftest import ROOT, SAMPLES
from helpers import ninjs_item
from serving import CHROMIUM, chromium, running
from test_browser import ARGS, AXE, _axe, _cli, _free_port
from wiredesk.store import Store

ARTIFACTS = ROOT / "test-artifacts"
WIDTHS = {"phone": 390, "desktop": 1280}
MEDTOP = "http://cv.iptc.org/newscodes/mediatopic/"
ARABIC = "الرئيس يزور القاهرة لبحث التعاون"
GERMAN = "Bahn kündigt Streik in München an"

pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason="browser tests need /usr/bin/chromium"),
    pytest.mark.skipif(not AXE.exists(), reason="accessibility checks need node_modules/axe-core"),
]


@dataclass
class Site:
    url: str
    db: str

    def story_id(self, headline: str) -> int:
        store = Store(self.db)
        try:
            found = [r.id for r in store.live_stories(datetime.now(UTC), limit=500)
                     if r.story.headline == headline]
        finally:
            store.close()
        return found[0]


def _extra(folder, now: datetime) -> None:
    """Stories that show what issue 14 added: sport with summaries, an urgent lead, an
    Arabic story, a German headline with umlauts."""
    items = [
        ("urn:i14:1", "Late goal sends holders into the cup final", "15073000", "en",
         "A header in stoppage time settled the semi-final.", None),
        ("urn:i14:2", "Marathon record falls in Berlin", "15000000", "en", None, None),
        ("urn:i14:3", ARABIC, "11000000", "ar", None, None),
        ("urn:i14:4", GERMAN, "04000000", "de",
         "Die Gewerkschaft ruft zu einem Warnstreik im Regionalverkehr auf.", None),
        ("urn:i14:5", "Parliament passes emergency budget", "11000000", "en", None, 1),
    ]
    for n, (uri, headline, code, language, description, urgency) in enumerate(items):
        extra: dict[str, Any] = {"language": language,
                                 "subjects": [{"name": code, "uri": MEDTOP + code}]}
        if description:
            extra["descriptions"] = [{"role": "summary", "value": description}]
        if urgency:
            extra["urgency"] = urgency
        body = ("<p>القاهرة (وكالة) - وصل الرئيس إلى القاهرة اليوم في زيارة رسمية.</p>"
                "<p>وقال إن المحادثات ستتناول التجارة والطاقة.</p>" if language == "ar" else
                "<p>First paragraph of the story, as the agency sent it.</p><p>More text.</p>")
        (folder / f"9{n}-issue14.json").write_bytes(ninjs_item(
            uri, at=now - timedelta(minutes=20 - n), headline=headline, body=body, **extra))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("browser14")
    samples = folder / "samples"
    shutil.copytree(SAMPLES, samples)
    _extra(samples, datetime.now(UTC))
    port = _free_port()
    db = f"sqlite:///{folder / 'wiredesk.db'}"
    env = dict(os.environ, WIREDESK_DATABASE_URL=db, WIREDESK_BASE_URL=f"http://127.0.0.1:{port}",
               WIREDESK_SITE_NAME="wiredesk")
    env.pop("WIREDESK_SECRET_KEY", None)
    _cli(env, "init")
    with running([sys.executable, "-m", "wiredesk.cli", "demo", "--samples", str(samples),
                  "--host", "127.0.0.1", "--port", str(port), "--no-worker"], env,
                 folder / "server.log", f"http://127.0.0.1:{port}"):
        yield Site(f"http://127.0.0.1:{port}", db)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium(ARGS) as launched:
        yield launched


def _path(site: Site, which: str) -> str:
    if which == "front":
        return "/"
    if which == "section":
        return "/sections/sport"
    if which == "rtl-article":
        return f"/story/{site.story_id(ARABIC)}"
    return f"/story/{site.story_id(GERMAN)}"


def _serious(page: Any, name: str) -> list[dict[str, Any]]:
    violations = _axe(page)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"axe-{name}.json").write_text(json.dumps(violations, indent=2))
    return [v for v in violations if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("which", ["front", "section", "article", "rtl-article"])
def test_pages_at_phone_and_desktop_widths_are_accessible_and_fit(site: Site, browser: Any,
                                                                  which: str, width: str) -> None:
    context = browser.new_context(bypass_csp=True,  # axe is injected as a script
                                  viewport={"width": WIDTHS[width], "height": 900})
    try:
        page = context.new_page()
        answer = page.goto(site.url + _path(site, which))
        assert answer is not None and answer.status == 200
        # Nothing wider than the screen: the header's sections scroll inside their own bar.
        overflow = page.evaluate("document.documentElement.scrollWidth")
        assert overflow <= WIDTHS[width], f"{which} is {overflow}px wide at {WIDTHS[width]}px"
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"i14-{which}-{width}.png"))
        bad = _serious(page, f"i14-{which}-{width}")
        assert bad == [], json.dumps(bad, indent=2)
    finally:
        context.close()


def test_front_page_shows_a_lead_summaries_sections_and_numbered_pages(site: Site,
                                                                         browser: Any) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.goto(site.url + "/")
        lead = page.locator("ol.stories > li.lead")
        assert lead.count() == 1
        assert lead.locator("h2").inner_text() == "Parliament passes emergency budget"  # urgent
        assert page.locator("ol.stories .summary").count() >= 5
        assert page.locator("nav.sections-nav a").count() == 17
        assert page.locator("section.section-block h2").all_inner_texts()[:1] != []
        page.locator("nav.sections-nav a", has_text="Sport").click()
        page.wait_for_url("**/sections/sport")
        assert "Late goal sends holders into the cup final" in page.locator("main").inner_text()
    finally:
        context.close()


def test_rtl_article_is_laid_out_right_to_left(site: Site, browser: Any) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 900})
    try:
        page = context.new_page()
        page.goto(site.url + _path(site, "rtl-article"))
        assert page.evaluate("getComputedStyle(document.querySelector('article.story')).direction") == "rtl"
        assert page.evaluate("getComputedStyle(document.querySelector('main')).direction") == "ltr"
    finally:
        context.close()


@pytest.mark.parametrize("which", ["article", "rtl-article", "front"])
def test_printed_pages_have_no_bars_buttons_nav_or_search(site: Site, browser: Any,
                                                          which: str) -> None:
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.goto(site.url + _path(site, which))
        assert page.locator("form.sitesearch").is_visible()  # on screen, before printing
        page.emulate_media(media="print")
        for selector in (".now-reading", "form.sitesearch", "nav.sections-nav", "form.textsize",
                         "nav.pager", "nav.more-from", "button"):
            for element in page.locator(selector).all():
                assert not element.is_visible(), f"{selector} shows in print"
        if which != "front":
            assert page.locator("article.story h1").is_visible()
            assert page.locator(".story-body").is_visible()
            assert page.locator("footer.rights").is_visible()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"i14-print-{which}.png"), full_page=True)
        bad = _serious(page, f"i14-print-{which}")
        assert bad == [], json.dumps(bad, indent=2)
    finally:
        context.close()


def test_times_are_shown_on_the_readers_clock(site: Site, browser: Any) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, timezone_id="Asia/Tokyo",
                                  locale="en-US")
    try:
        page = context.new_page()
        page.goto(site.url + _path(site, "article"))
        published = page.locator("p.times time").first
        page.wait_for_function("document.querySelector('p.times time').hasAttribute('data-local')")
        assert "UTC" not in published.inner_text() and "GMT+9" in published.inner_text()
        page.goto(site.url + "/")
        page.wait_for_function("document.querySelector('time.rel').hasAttribute('data-local')")
        rel = page.locator("ol.stories time.rel").first
        assert rel.inner_text().endswith("ago") or rel.inner_text() == "just now"
        assert "GMT+9" in (rel.get_attribute("title") or "")
    finally:
        context.close()
