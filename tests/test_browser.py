"""What a reader and an operator see, checked in a real browser: Playwright driving Debian's
Chromium against a real `wiredesk demo` process (the bundled samples, plus the hostile corpus)
on 127.0.0.1, with a temporary SQLite store.

Needs /usr/bin/chromium (`apt-get install chromium`) and, for the accessibility checks,
node_modules/axe-core (`npm ci`); `.ci/run` and `make test` install both. Screenshots go to
test-artifacts/ (git-ignored); copies of them are in docs/ and the README.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from conftest import FIXTURES, ROOT, SAMPLES
from helpers import ninjs_item
from serving import CHROMIUM, chromium, running
from wiredesk.store import Store

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
USER, PASSWORD = "editor", "a long console password"
HOSTILE = sorted((FIXTURES / "hostile").glob("*.html"))
PAGE_SEED = "Mattis says Japan-U.S. committed"  # the seed page's story: long enough to scroll
STORM = "Storm Lena moves inland"  # the AP story in three versions

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="browser tests need Debian's Chromium at /usr/bin/chromium "
           "(apt-get install chromium; .ci/run installs it)")
needs_axe = pytest.mark.skipif(
    not AXE.exists(),
    reason="accessibility checks need node_modules/axe-core (npm ci; make test runs it)")


@dataclass
class Site:
    url: str
    db: str

    def store(self) -> Store:
        return Store(self.db)  # reads only: the server's process owns the schema

    def story_id(self, headline_start: str) -> int:
        store = self.store()
        try:
            for record in store.live_stories(datetime.now(UTC), limit=200):
                if record.story.headline.startswith(headline_start):
                    return record.id
        finally:
            store.close()
        raise LookupError(headline_start)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cli(env: dict[str, str], *args: str, stdin: str = "") -> None:
    result = subprocess.run([sys.executable, "-m", "wiredesk.cli", *args], input=stdin,
                            capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("browser")
    port = _free_port()
    db = f"sqlite:///{folder / 'wiredesk.db'}"
    env = dict(os.environ, WIREDESK_DATABASE_URL=db, WIREDESK_BASE_URL=f"http://127.0.0.1:{port}",
               WIREDESK_SITE_NAME="wiredesk")
    env.pop("WIREDESK_SECRET_KEY", None)  # the server makes and keeps its own
    _cli(env, "init")  # only `wiredesk init` (or demo) makes a store
    _cli(env, "user", "add", USER, "--password-stdin", stdin=PASSWORD + "\n")
    hostile = folder / "hostile"
    hostile.mkdir()
    two_days_ago = datetime.now(UTC) - timedelta(days=2)  # below the samples on the front page
    for path in HOSTILE:
        (hostile / f"{path.stem}.json").write_bytes(ninjs_item(
            f"urn:hostile:{path.stem}", at=two_days_ago, body=path.read_text(encoding="utf-8"),
            headline=f"Hostile {path.stem} <img src=x onerror=alert(1)>"))
    _cli(env, "ingest", str(hostile), "--source", "hostile")
    # A story an editorial rule holds for review, so the queue and rules pages have rows.
    _cli(env, "rules", "add", "desk-review", "--source", "desk", "--action", "review")
    waiting = folder / "waiting"
    waiting.mkdir()
    (waiting / "w.json").write_bytes(ninjs_item("urn:waiting:1", at=two_days_ago,
                                                headline="Held for the desk", urgency=2))
    _cli(env, "ingest", str(waiting), "--source", "desk")
    with running([sys.executable, "-m", "wiredesk.cli", "demo", "--samples", str(SAMPLES),
                  "--host", "127.0.0.1", "--port", str(port), "--no-worker"], env,
                 folder / "server.log", f"http://127.0.0.1:{port}"):
        yield Site(f"http://127.0.0.1:{port}", db)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium(ARGS) as launched:
        yield launched


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def shot(page: Any, name: str, height: int | None = None) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    clip = {"x": 0, "y": 0, "width": page.viewport_size["width"], "height": height}
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), clip=clip if height else None)


def body_size(page: Any) -> float:
    return float(page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('.story-body')).fontSize)"))


def test_front_page_lists_the_samples(site: Site, page: Any) -> None:
    answer = page.goto(site.url + "/")
    assert answer is not None and answer.status == 200
    assert page.locator("ol.stories li").count() >= 8
    shot(page, "front", height=820)  # the samples; the hostile corpus sits further down


def test_text_size_changes_the_body_and_is_remembered(site: Site, page: Any) -> None:
    """With JavaScript the size is set on the page itself (static/textsize.js): no request,
    and every page stays the one cached copy all readers share."""
    page.goto(f"{site.url}/story/{site.story_id(STORM)}")
    default = body_size(page)
    shot(page, "article")
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.click("button[value=larger]")
    larger = body_size(page)
    assert larger > default and requests == []
    assert page.locator(".textsize-current").inner_text() == "Large"
    shot(page, "article-large")
    answer = page.goto(f"{site.url}/story/{site.story_id(PAGE_SEED)}")  # the next page remembers
    assert body_size(page) == larger
    assert answer is not None and "private" not in answer.headers.get("cache-control", "")
    page.click("button[value=smaller]")
    assert body_size(page) == default
    assert page.locator(".textsize-current").inner_text() == "Normal"


def test_text_size_works_without_javascript(site: Site, browser: Any) -> None:
    """The buttons ask /textsize, which sets a cookie; pages for that cookie are private."""
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{site.url}/story/{site.story_id(STORM)}")
        default = body_size(page)
        with page.expect_navigation():
            page.click("button[value=larger]")
        assert body_size(page) > default
        assert page.locator(".textsize-current").inner_text() == "Large"
        answer = page.goto(f"{site.url}/story/{site.story_id(PAGE_SEED)}")
        assert answer is not None and answer.headers["cache-control"].startswith("private")
        with page.expect_navigation():
            page.click("button[value=smaller]")
        assert body_size(page) == default
    finally:
        context.close()


def test_now_reading_bar_stays_in_view_while_scrolling(site: Site, browser: Any) -> None:
    context = browser.new_context(viewport={"width": 1024, "height": 600})
    try:
        page = context.new_page()
        page.goto(f"{site.url}/story/{site.story_id(PAGE_SEED)}")
        bar = page.locator(".now-reading")
        assert "Now Reading:" in (bar.text_content() or "")
        start = bar.bounding_box()
        assert start is not None and start["y"] > 0  # below the masthead at first
        page.evaluate("window.scrollTo(0, document.body.scrollHeight / 2)")
        page.wait_for_function("window.scrollY > 200")
        box = bar.bounding_box()
        assert box is not None and abs(box["y"]) < 1 and box["height"] > 10
        assert page.evaluate("window.scrollY") > start["y"]
    finally:
        context.close()


def test_a_killed_story_shows_the_410_notice(site: Site, page: Any) -> None:
    store = site.store()
    try:
        killed = [t for t in store.takedowns() if t.reason == "killed"]
    finally:
        store.close()
    assert killed, "the samples include an agency kill"
    answer = page.goto(f"{site.url}/story/{killed[0].story_id}")
    assert answer is not None and answer.status == 410
    assert page.locator("h1").inner_text() == "This story is no longer available"
    assert killed[0].headline not in page.content()


def test_console_login_kill_with_reason_and_the_takedown_log(site: Site, page: Any) -> None:
    page.goto(site.url + "/console")
    assert "/console/login?next=/console" in page.url
    page.fill("#login-name", USER)
    page.fill("#login-password", PASSWORD)
    with page.expect_navigation():
        page.click("form.console-form button[type=submit]")
    assert page.url == site.url + "/console"
    assert page.locator("h1").inner_text() == "Sources"
    storm = site.story_id(STORM)  # three versions: the diff has something
    page.goto(f"{site.url}/console/stories/{storm}")
    assert page.locator(".diff ins").count() > 0
    page.set_viewport_size({"width": 1280, "height": 1500})  # down to the first word diff
    shot(page, "console")
    page.set_viewport_size({"width": 1280, "height": 900})
    fed = site.story_id("Fed leaves key rate")
    page.goto(f"{site.url}/console/stories/{fed}")
    page.fill("#kill-reason", "Agency asked for it to come down: wrong vote count")
    page.click("button.danger")  # not yet: the browser asks for the confirmation first
    assert page.url == f"{site.url}/console/stories/{fed}"
    page.check("#kill-confirm")
    with page.expect_navigation():
        page.click("button.danger")
    assert page.url.endswith("/console/takedowns?msg=killed")
    row = page.locator("table.takedowns tbody tr").first
    text = row.inner_text()
    assert "Fed leaves key rate unchanged" in text and "wrong vote count" in text
    assert f"{USER} (console)" in text
    answer = page.goto(f"{site.url}/story/{fed}")
    assert answer is not None and answer.status == 410


def _axe(page: Any) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(AXE))
    return page.evaluate("""async () => {
        const result = await axe.run(document, {resultTypes: ['violations']});
        return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}));
    }""")


@needs_axe
@pytest.mark.parametrize("which", ["front", "article", "article-large", "search", "gone",
                                   "console", "console-rules", "console-review",
                                   "console-stories"])
def test_pages_have_no_serious_accessibility_violations(site: Site, browser: Any,
                                                        which: str) -> None:
    # axe is injected as a script, which the site's own CSP (rightly) refuses: bypass it here.
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        seed = site.story_id(PAGE_SEED)
        if which == "front":
            page.goto(site.url + "/")
        elif which.startswith("article"):
            page.goto(f"{site.url}/story/{seed}")
            if which == "article-large":  # set on the page by static/textsize.js
                page.click("button[value=larger]")
                assert page.locator(".textsize-current").inner_text() == "Large"
        elif which == "search":
            page.goto(site.url + "/search?q=storm")
        elif which == "gone":
            page.goto(f"{site.url}/story/999999")
        else:
            page.goto(site.url + "/console/login")
            page.fill("#login-name", USER)
            page.fill("#login-password", PASSWORD)
            with page.expect_navigation():
                page.click("form.console-form button[type=submit]")
            if which == "console-rules":
                page.goto(site.url + "/console/rules")
            elif which == "console-review":
                page.goto(site.url + "/console/review")
            elif which == "console-stories":
                page.goto(site.url + "/console/stories?q=storm&state=live")
        violations = _axe(page)
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / f"axe-{which}.json").write_text(json.dumps(violations, indent=2))
        bad = [v for v in violations if v["impact"] in ("serious", "critical")]
        assert bad == [], json.dumps(bad, indent=2)
    finally:
        context.close()


def test_the_execution_detectors_work(browser: Any) -> None:
    """Control: the same checks do see a payload that runs, so their silence means something."""
    context = browser.new_context()
    try:
        page = context.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.set_content('<img src="x" onerror="window.__pwned = 1; alert(2)">')
        page.wait_for_function("window.__pwned === 1")
        page.wait_for_timeout(200)
        assert dialogs == ["2"]
    finally:
        context.close()


@pytest.mark.parametrize("csp", ["with-csp", "without-csp"])
def test_hostile_stories_run_nothing(site: Site, browser: Any, csp: str) -> None:
    """Each hostile page, with the CSP and without it (so the sanitiser alone is shown to hold):
    no dialog, no `window.__pwned`, no navigation, no request leaving 127.0.0.1."""
    context = browser.new_context(bypass_csp=csp == "without-csp")
    outside: list[str] = []

    def only_local(route: Any) -> None:
        if route.request.url.startswith(site.url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", only_local)
    store = site.store()
    try:
        ids = {path.stem: store.story_by_uri(f"urn:hostile:{path.stem}").id for path in HOSTILE}
    finally:
        store.close()
    try:
        for stem, story_id in ids.items():
            page = context.new_page()
            dialogs: list[str] = []
            frames: list[str] = []
            page.on("dialog", lambda d, seen=dialogs: (seen.append(d.message), d.dismiss()))
            page.on("framenavigated", lambda f, seen=frames: seen.append(f.url))
            url = f"{site.url}/story/{story_id}"
            answer = page.goto(url)
            assert answer is not None and answer.status == 200, stem
            # Wake any handler that survived: pointer and focus events on every element.
            page.evaluate("""() => { for (const el of document.querySelectorAll('body *')) {
                for (const type of ['mouseover', 'mouseenter', 'focus', 'toggle', 'load',
                                    'error', 'animationstart', 'begin']) {
                    el.dispatchEvent(new Event(type)); } } }""")
            for y in range(0, 900, 150):
                page.mouse.move(640, y)
            page.keyboard.press("Tab")
            page.wait_for_timeout(600)  # timers, meta refresh, animations
            pwned = page.evaluate("typeof window.__pwned === 'undefined' ? null : "
                                  "String(window.__pwned)")
            assert pwned is None, (stem, pwned)
            assert dialogs == [], (stem, dialogs)
            assert page.url == url and frames == [url], (stem, frames)
            # Nothing the story brought: the site's own live-page and local-time scripts only.
            assert page.locator("iframe, object, embed, "
                                "script:not([type]):not([src^='/static/live.'])"
                                ":not([src^='/static/times.'])").count() == 0
            page.close()
        assert outside == []
    finally:
        context.close()
