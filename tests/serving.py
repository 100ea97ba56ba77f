"""Starting a real wiredesk server process for a test, and Debian's Chromium to browse it."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from helpers import ninjs_item
from wiredesk.times import utc_now

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking"]


@contextmanager
def running(command: list[str], env: dict[str, str], log_path: Path, url: str,
            ) -> Iterator[subprocess.Popen[bytes]]:
    """Run `command` until the block ends, once `url`/healthz answers 200 (90 s at most; the
    server's log in the error when it does not)."""
    with log_path.open("wb") as log:
        server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 90
            while True:
                try:
                    if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{' '.join(command[2:4])} did not start: "
                                       + log_path.read_text(errors="replace"))
                time.sleep(0.2)
            yield server
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()


@contextmanager
def chromium(args: list[str] = ARGS) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=args)
        yield browser
        browser.close()


class CliSite:
    """A served site fed the way an operator feeds it: ninjs files through `wiredesk ingest`
    in another process, with the server's own environment."""

    def __init__(self, url: str, env: dict[str, str], folder: Path) -> None:
        self.url, self.env, self.folder = url, env, folder

    def cli(self, *args: str) -> str:
        result = subprocess.run([sys.executable, "-m", "wiredesk.cli", *args], env=self.env,
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        return result.stdout

    def deliver(self, name: str, **item: Any) -> None:
        inbox = self.folder / name
        inbox.mkdir()
        (inbox / "item.json").write_bytes(ninjs_item(at=utc_now(), **item))
        self.cli("ingest", str(inbox), "--source", "wire")

    def story_path(self, uri: str) -> str:
        from wiredesk.store import Store

        store = Store(self.env["WIREDESK_DATABASE_URL"])
        try:
            record = store.story_by_uri(uri)
            assert record is not None
            return f"/story/{record.id}"
        finally:
            store.close()
