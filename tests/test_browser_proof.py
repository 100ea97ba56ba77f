"""Verbatim proof and the ledger in a real browser (issue 15): the article's "As received"
block opens from the keyboard and shows the hash, and the console's agency ledger page with
its SVG chart; both axe-core clean. A real `wiredesk demo` (the samples) on 127.0.0.1, with a
killed story so the chart has a takedown to draw."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from conftest import SAMPLES
from serving import CHROMIUM, chromium, running
from test_browser import AXE, PASSWORD, USER, _axe, _free_port
from wiredesk.store import Store

STORM = "urn:example:ap:2026-01-15:storm-lena"

pytestmark = pytest.mark.skipif(not CHROMIUM.exists() or not AXE.exists(),
                                reason="needs /usr/bin/chromium and node_modules/axe-core")


def _cli(env: dict[str, str], *args: str, stdin: str = "") -> None:
    result = subprocess.run([sys.executable, "-m", "wiredesk.cli", *args], input=stdin,
                            capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    folder = tmp_path_factory.mktemp("proof")
    port = _free_port()
    db = f"sqlite:///{folder / 'wiredesk.db'}"
    env = dict(os.environ, WIREDESK_DATABASE_URL=db, WIREDESK_BASE_URL=f"http://127.0.0.1:{port}")
    env.pop("WIREDESK_SECRET_KEY", None)
    _cli(env, "init")
    _cli(env, "user", "add", USER, "--password-stdin", stdin=PASSWORD + "\n")
    with running([sys.executable, "-m", "wiredesk.cli", "demo", "--samples", str(SAMPLES),
                  "--host", "127.0.0.1", "--port", str(port), "--no-worker"], env,
                 folder / "server.log", f"http://127.0.0.1:{port}"):
        _cli(env, "kill", "urn:example:ap:2026-01-15:fed-rates", "--reason", "legal")
        yield f"http://127.0.0.1:{port}", db


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


def _serious(page: Any) -> list[dict[str, Any]]:
    return [v for v in _axe(page) if v["impact"] in ("serious", "critical")]


def test_as_received_opens_from_the_keyboard_and_is_accessible(site, browser) -> None:
    url, db = site
    store = Store(db)
    try:
        record = store.story_by_uri(STORM)
        (current,) = [v for v in store.history(record.id) if v.is_head]
        expected = hashlib.sha256(store.raw_bytes(current.raw_sha256)).hexdigest()
    finally:
        store.close()
    context = browser.new_context(bypass_csp=True)
    try:
        page = context.new_page()
        page.goto(f"{url}/story/{record.id}")
        block = page.locator("details.as-received")
        assert not block.get_attribute("open") and not page.locator("code.sha256").is_visible()
        page.focus("details.as-received summary")
        page.keyboard.press("Enter")
        assert page.locator("code.sha256").is_visible()
        assert page.locator("code.sha256").inner_text() == expected
        assert _serious(page) == []
    finally:
        context.close()


def test_the_console_ledger_page_and_its_chart_are_accessible(site, browser) -> None:
    url, _ = site
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.goto(url + "/console/login")
        page.fill("#login-name", USER)
        page.fill("#login-password", PASSWORD)
        with page.expect_navigation():
            page.click("form.console-form button[type=submit]")
        page.goto(url + "/console/ledger/AP")
        chart = page.locator("svg.latency-chart")
        assert chart.is_visible() and chart.locator("rect").count() == 1
        assert chart.locator("desc").text_content().startswith("1 takedown on 1 of 30 days")
        assert _serious(page) == []
    finally:
        context.close()
