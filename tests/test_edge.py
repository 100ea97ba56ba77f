"""Varnish in front, for real: the shipped VCL and params (deploy/varnish/) in front of real
`wiredesk serve` and `wiredesk worker` processes, on SQLite and on PostgreSQL.

Every kill path must reach the edge: the CLI, an agency kill applied by the worker (a folder
delivering a canceled item), a push, and a licence ended by the clock. The article is cached
at the edge for 60 s, so answering 410 within PURGED_WITHIN seconds proves it was purged;
the seconds each took are printed (the goal is under 1 s; bench/serve.py measures it).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from conftest import ROOT
from helpers import deliver, ninjs_item
from wiredesk.edge import send_purge
from wiredesk.store import Store

sys.path.insert(0, str(ROOT / "bench"))
import varnish  # noqa: E402  (bench/varnish.py: the tests and the bench start it alike)

pytestmark = pytest.mark.skipif(
    varnish.varnishd() is None,
    reason="needs varnishd with the xkey vmod (apt-get install varnish varnish-modules; "
           ".ci/run installs them)")

SECRET = "edge-secret"
PURGED_WITHIN = 15.0  # seconds: well inside the article's 60 s at the edge
CLI = [sys.executable, "-m", "wiredesk.cli"]


def wait_until(check, timeout: float, what: str) -> float:
    started = time.monotonic()
    while not check():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"{what}: not within {timeout:.0f} s")
        time.sleep(0.02)
    return time.monotonic() - started


def answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


class Site:
    def __init__(self, tmp_path: Path, url: str, *, purge_in_servers: bool = True) -> None:
        self.tmp = tmp_path
        self.url = url
        self.web_port = varnish.free_port()
        self.edge_port = varnish.free_port()
        self.edge = f"http://127.0.0.1:{self.edge_port}"
        self.purge_url = f"{self.edge}/.edge/purge"
        self.env = dict(os.environ, WIREDESK_DATABASE_URL=url, WIREDESK_CLOCK_SECONDS="1",
                        WIREDESK_BASE_URL=self.edge, PYTHONUNBUFFERED="1")
        self.env.pop("WIREDESK_PURGE_URL", None)
        if purge_in_servers:
            self.env["WIREDESK_PURGE_URL"] = self.purge_url
        self.processes: list[subprocess.Popen] = []
        self.folder = tmp_path / "drop"

    def cli(self, *args: str, purge: bool = True) -> subprocess.CompletedProcess:
        env = dict(self.env, **({"WIREDESK_PURGE_URL": self.purge_url} if purge else {}))
        return subprocess.run([*CLI, *args], env=env, capture_output=True, text=True,
                              timeout=120, check=True)

    def start(self, name: str, *args: str) -> None:
        out = open(self.tmp / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
        self.processes.append(subprocess.Popen([*CLI, *args], env=self.env, stdout=out,
                                               stderr=out, start_new_session=True))

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)

    def get(self, path: str) -> httpx.Response:
        return httpx.get(self.edge + path, timeout=10)

    def cached(self, path: str) -> None:
        """Fetched twice through the edge: the second answer came from its cache."""
        assert self.get(path).status_code == 200
        second = self.get(path)
        assert second.status_code == 200 and second.headers["X-Cache"] == "HIT", second.headers


def seed(url: str, now: datetime, uris: list[str], *, licence_left: float | None = None
         ) -> dict[str, int]:
    """Stories owned by the `drop` folder source (so its agency kills apply); with
    `licence_left`, from a source of one-day terms, ending that many seconds from now."""
    store = Store.open(url)
    try:
        for uri in uris:
            if licence_left is None:
                deliver(store, ninjs_item(uri, at=now, headline=f"Edge story {uri}"), now,
                        source="drop", name=uri)
            else:
                start = now - timedelta(days=1) + timedelta(seconds=licence_left)
                deliver(store, ninjs_item(uri, at=start, headline=f"Edge story {uri}"), now,
                        source="short", name=uri, licence_days=1)
        return {uri: store.story_by_uri(uri).id for uri in uris}
    finally:
        store.close()


def push_kill(site: Site, uri: str) -> None:
    body = json.dumps({"uri": uri, "version": "9", "pubstatus": "canceled",
                       "headlines": [{"role": "main", "value": "KILL"}]}).encode()
    signature = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    response = httpx.post(f"{site.edge}/push/wire", content=body, timeout=10,  # through the edge
                          headers={"X-Wiredesk-Signature": f"sha256={signature}"})
    assert response.status_code == 202, response.text


@pytest.fixture
def site(store_url, tmp_path):
    s = Site(tmp_path, store_url)
    s.folder.mkdir()
    Store.open(store_url).close()
    s.cli("sources", "add", "drop", "--kind", "folder", "--path", str(s.folder), "--every", "1s",
          "--agency", "AP")
    s.cli("sources", "add", "wire", "--kind", "push", "--secret", SECRET, "--agency", "AP")
    yield s
    s.stop()


def test_every_kill_path_reaches_varnish(site):
    now = datetime.now(UTC)
    ids = seed(site.url, now, ["urn:e:cli", "urn:e:folder", "urn:e:push"])
    with varnish.running(site.web_port, port=site.edge_port):
        site.start("web", "serve", "--no-worker", "--port", str(site.web_port))
        site.start("worker", "worker", "--lease", "3s", "--threads", "1")
        wait_until(lambda: answers(f"{site.edge}/healthz"), 60, "the site through the edge")
        # Seeded once the site is up, so its licence is still running when first fetched.
        ids |= seed(site.url, datetime.now(UTC), ["urn:e:licence"], licence_left=6)
        for story_id in ids.values():
            site.cached(f"/story/{story_id}")
        site.cached("/")
        timings = {}

        def gone(uri: str) -> float:
            return wait_until(lambda: site.get(f"/story/{ids[uri]}").status_code == 410,
                              PURGED_WITHIN, f"{uri} answers 410 at the edge")

        site.cli("kill", "urn:e:cli", "--reason", "legal")
        timings["CLI kill"] = gone("urn:e:cli")
        (site.folder / "kill.json").write_bytes(json.dumps({
            "uri": "urn:e:folder", "version": "9", "pubstatus": "canceled",
            "headlines": [{"role": "main", "value": "KILL"}]}).encode())
        wait_until(lambda: not (site.folder / "kill.json").exists(), 30, "the worker took it")
        timings["agency kill by the worker"] = gone("urn:e:folder")  # from its file's move
        push_kill(site, "urn:e:push")
        timings["push kill"] = gone("urn:e:push")
        timings["licence end"] = gone("urn:e:licence")
        # The lists are purged too: the front page no longer names the killed stories.
        wait_until(lambda: "urn:e:cli" not in site.get("/").text
                   and "Edge story urn:e:push" not in site.get("/").text,
                   PURGED_WITHIN, "the front page at the edge drops the killed stories")
    print("seconds until 410 at the edge:", {k: round(v, 3) for k, v in timings.items()})


@pytest.fixture
def lone_site(tmp_path):
    """One web process on SQLite with no purge URL (so no purger) and no worker, behind
    Varnish; yields the site and its one story's id."""
    url = f"sqlite:///{tmp_path / 'wiredesk.db'}"
    site = Site(tmp_path, url, purge_in_servers=False)
    Store.open(url).close()
    ids = seed(url, datetime.now(UTC), ["urn:e:alone"])
    try:
        with varnish.running(site.web_port, port=site.edge_port):
            site.start("web", "serve", "--no-worker", "--port", str(site.web_port))
            wait_until(lambda: answers(f"{site.edge}/healthz"), 60, "the site through the edge")
            yield site, ids["urn:e:alone"]
    finally:
        site.stop()


def test_the_cli_purges_by_itself_when_no_process_runs_a_purger(lone_site):
    """Only the CLI's own purge can make the edge drop the page here."""
    site, story_id = lone_site
    site.cached(f"/story/{story_id}")
    site.cli("kill", "urn:e:alone", "--reason", "legal")
    assert site.get(f"/story/{story_id}").status_code == 410


def test_one_cached_copy_for_every_reader_compressed_and_passes(lone_site):
    site, story_id = lone_site
    path = f"/story/{story_id}"
    site.cached(path)
    httpx.get(site.edge + path, headers={"Accept-Encoding": "gzip"})  # the gzip copy, stored
    other = httpx.get(site.edge + path, headers={"Cookie": "_ga=1; theme=dark",
                                                 "Accept-Encoding": "gzip"})
    assert other.headers["X-Cache"] == "HIT"  # cookies that change nothing do not split it
    assert other.headers["Content-Encoding"] == "gzip" and "Vary" in other.headers
    assert "Surrogate-Key" not in other.headers and "xkey" not in other.headers
    sized = httpx.get(site.edge + path, headers={"Cookie": "textsize=3"})
    assert sized.headers["X-Cache"] == "MISS" and 'class="ts-3"' in sized.text
    assert sized.headers["Cache-Control"] == "private, no-cache"
    assert 'class="ts-1"' in site.get(path).text  # the shared copy is untouched
    assert other.text == site.get(path).text  # the same bytes, gzip on the wire
    css = re.search(r'href="(/static/site\.[0-9a-f]{10}\.css)"', other.text).group(1)
    first = httpx.get(site.edge + css, headers={"Accept-Encoding": "gzip"})
    assert first.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert first.headers["Content-Encoding"] == "gzip"
    for _ in range(2):  # never cached at the edge
        login = site.get("/console/login")
        assert login.headers["X-Cache"] == "MISS"
        metrics = site.get("/metrics")
        assert metrics.headers["X-Cache"] == "MISS"


def test_purging_is_for_the_local_address_and_names_keys():
    with varnish.running(varnish.free_port()) as edge:
        assert httpx.post(f"{edge.url}/.edge/purge",
                          headers={"Surrogate-Key": "x"}).status_code == 200
        assert httpx.request("PURGE", f"{edge.url}/").status_code == 400  # no keys named
        with httpx.Client() as client:  # 2,000 keys: over Varnish's 8 KB for one header
            assert send_purge(client, f"{edge.url}/.edge/purge",
                              [f"story-{n}" for n in range(2000)])
        relayed = httpx.post(f"{edge.url}/.edge/purge",  # through a TLS proxy on this host
                             headers={"Surrogate-Key": "x", "X-Forwarded-For": "203.0.113.9"})
        assert relayed.status_code == 403
        # From another address (127.0.0.2 is this machine too, but not in the acl): refused.
        stranger = httpx.Client(transport=httpx.HTTPTransport(local_address="127.0.0.2"))
        with stranger:
            refused = stranger.post(f"{edge.url}/.edge/purge", headers={"Surrogate-Key": "x"})
            assert refused.status_code == 403
            assert stranger.request("PURGE", f"{edge.url}/",
                                    headers={"Surrogate-Key": "x"}).status_code == 403


def test_the_params_file_and_the_backend_line():
    params = dict(varnish.read_params())
    assert params["thread_pools"] == "1"
    vcl = varnish.vcl_for(12345)
    assert '.port = "12345";' in vcl and '.port = "8000";' not in vcl
    bad = Path(varnish.PARAMS.parent / "missing")
    with pytest.raises(FileNotFoundError):
        varnish.read_params(bad)


def test_the_systemd_unit_passes_the_same_params():
    unit = (varnish.PARAMS.parent / "wiredesk-varnish.service").read_text()
    expression = re.search(r'sed -n "(.*?)" /etc/varnish/varnishd\.params', unit).group(1)
    expression = expression.replace("\\\\", "\\").replace("$$", "$")  # systemd unescapes
    out = subprocess.run(["sed", "-n", expression, str(varnish.PARAMS)], capture_output=True,
                         text=True, check=True).stdout.split()
    assert out == [part for name, value in varnish.read_params()
                   for part in ("-p", f"{name}={value}")]


def test_each_encoding_is_its_own_object_at_the_edge_and_a_purge_drops_them_all(lone_site):
    """wiredesk compresses (brotli too, which Varnish cannot); the edge keeps br, gzip and
    plain copies apart, serves each from its cache, and a takedown's purge drops all three."""
    import gzip

    import brotli

    site, story_id = lone_site
    path = f"/story/{story_id}"
    readers = {"br": "gzip, deflate, br", "gzip": "gzip", "": "identity"}
    bodies = {}
    for encoding, accept in readers.items():
        for attempt in ("MISS", "HIT"):  # each encoding fetched once, then served stored
            with httpx.stream("GET", site.edge + path, headers={"Accept-Encoding": accept}) as r:
                body = b"".join(r.iter_raw())
            assert r.status_code == 200 and r.headers["X-Cache"] == attempt, (encoding, r.headers)
            assert r.headers.get("Content-Encoding", "") == encoding
            assert r.headers["Vary"] == "Accept-Encoding"
        bodies[encoding] = body
    assert brotli.decompress(bodies["br"]) == gzip.decompress(bodies["gzip"]) == bodies[""]
    assert b"Edge story urn:e:alone" in bodies[""]
    assert len(bodies["br"]) < len(bodies["gzip"]) < len(bodies[""])
    # A browser's own header, another order and a q-value: the same stored brotli.
    again = httpx.get(site.edge + path, headers={"Accept-Encoding": "br;q=1.0, gzip;q=0.8"})
    assert again.headers["X-Cache"] == "HIT" and again.headers["Content-Encoding"] == "br"
    refused = httpx.get(site.edge + path, headers={"Accept-Encoding": "br;q=0, gzip"})
    assert refused.headers["Content-Encoding"] == "gzip" and refused.headers["X-Cache"] == "HIT"
    site.cli("kill", "urn:e:alone", "--reason", "legal")
    for accept in readers.values():
        assert httpx.get(site.edge + path, headers={"Accept-Encoding": accept}).status_code == 410


def test_two_edges_each_hear_every_takedown_and_a_dead_one_catches_up(tmp_path):
    """WIREDESK_PURGE_URL lists two Varnish: each has its own cursor and retries, so one
    down neither holds the other back nor misses what happened while it was down."""
    from wiredesk.edge import cursor_for

    url = f"sqlite:///{tmp_path / 'wiredesk.db'}"
    site = Site(tmp_path, url, purge_in_servers=False)
    second_port = varnish.free_port()
    urls = [site.purge_url, f"http://127.0.0.1:{second_port}/.edge/purge"]
    Store.open(url).close()
    ids = seed(url, datetime.now(UTC), ["urn:e:one", "urn:e:two"])
    store = Store.open(url)
    first_cursor, second_cursor = (cursor_for(u, urls) for u in urls)
    assert first_cursor != second_cursor

    def caught_up(cursor: str) -> bool:
        return store.journal.position(cursor) == store.journal.latest()

    try:
        with varnish.running(site.web_port, port=site.edge_port):
            site.env["WIREDESK_PURGE_URL"] = ",".join(urls)  # the server's purgers only:
            site.start("web", "serve", "--port", str(site.web_port))  # web, worker, clock
            site.env.pop("WIREDESK_PURGE_URL")  # the CLI below sends no purge of its own
            wait_until(lambda: answers(f"{site.edge}/healthz"), 60, "the site through the edge")
            second = f"http://127.0.0.1:{second_port}"
            with varnish.running(site.web_port, port=second_port):
                for edge in (site.edge, second):
                    for story_id in ids.values():
                        assert httpx.get(f"{edge}/story/{story_id}").status_code == 200
                        assert httpx.get(f"{edge}/story/{story_id}").headers["X-Cache"] == "HIT"
                site.cli("kill", "urn:e:one", "--reason", "legal", purge=False)
                for edge in (site.edge, second):
                    wait_until(lambda e=edge: httpx.get(f"{e}/story/{ids['urn:e:one']}")
                               .status_code == 410, PURGED_WITHIN, f"{edge} purged")
            # The second edge is down: the first still hears the next takedown at once.
            site.cli("kill", "urn:e:two", "--reason", "legal", purge=False)
            wait_until(lambda: site.get(f"/story/{ids['urn:e:two']}").status_code == 410,
                       PURGED_WITHIN, "the live edge purged while the other is down")
            wait_until(lambda: caught_up(first_cursor), PURGED_WITHIN, "the first cursor")
            time.sleep(1)
            assert not caught_up(second_cursor)  # waits before the takedown it has not heard
            with varnish.running(site.web_port, port=second_port):
                # Back (MAX_RETRY: within 10 s of the back-off): the takedown is sent to it.
                wait_until(lambda: caught_up(second_cursor), 30, "the second edge catches up")
                assert httpx.get(f"{second}/story/{ids['urn:e:two']}").status_code == 410
    finally:
        store.close()
        site.stop()
