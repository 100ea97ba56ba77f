"""Serving speed against nginx, side by side in one run, with the load generator and the
servers on separate cores, and takedown latency under load, direct and through Varnish.

    python bench/serve.py              # 100,000 stories, 10 s per measurement (make bench)
    python bench/serve.py --quick      # 2,000 stories, 2 s each: proves the bench runs

wrk runs pinned to core 0 (`taskset -c 0 wrk -t1 -c64`) and every server to core 1
(`taskset -c 1`), so the load generator never takes the server's core (bench/README.md).
On a store of generated stories it measures, in one run: nginx serving the article page's
bytes as a static file (the reference), a bare granian ASGI app returning the same bytes (the
Python ceiling), wiredesk itself (`wiredesk serve`, one worker), and wiredesk behind Varnish
with the shipped deploy/varnish/ VCL and params. Every request says `Accept-Encoding: gzip`,
as browsers do; nginx (gzip_static), the bare app and Varnish answer with stored gzip bytes,
wiredesk with plain bytes. It checks that wrk is not the cap (the server's core busy, wrk's
not saturated) and prints each rate as a ratio to nginx. The goals are judged on paired
rounds: nginx, then wiredesk's article, nginx, then the article through Varnish, five times in
turn, each ratio taken against the nginx run just before it, the median quoted. Then, under load, it kills stories by
push and times until the article answers 410 and the story has left the front page and the
Atom feed, directly and at the edge, and times CLI kills at the edge. Needs `wrk`, `nginx`,
`taskset` and, for the edge rows, `varnishd` with xkey (Debian packages; `make bench` installs
them). The store is kept in var/bench/ and reused by later runs.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import hmac
import json
import os
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
import varnish  # noqa: E402  (bench/varnish.py, shared with tests/test_edge.py)

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
# This tree's wiredesk, whatever the venv has installed (children inherit the path).
WIREDESK = [sys.executable, "-m", "wiredesk.cli"]
os.environ["PYTHONPATH"] = os.pathsep.join(
    [str(ROOT / "src"), *filter(None, [os.environ.get("PYTHONPATH")])])
CONNECTIONS = 64
SECRET = "bench-secret"
WORDS = ("storm", "markets", "election", "football", "court", "oil", "summit", "vaccine")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


SYLLABLES = ("ka", "lo", "mi", "ren", "sa", "tu", "vo", "zel", "bri", "dan", "fe", "gor")


def name(i: int, salt: int = 0) -> str:
    """A name of its own for story `i`: stories about different events, as on a real wire
    (the same names, place and figures in every story would make one cluster of them all,
    and every article would link every other)."""
    n = i * 16 + salt + 1  # salt < 16: no two stories share a name
    parts = []
    while n:
        n, digit = divmod(n, len(SYLLABLES))
        parts.append(SYLLABLES[digit])
    return "".join(parts).title()


def place(i: int) -> str:
    return f"{name(i, 3)}stad".upper()


def story_text(i: int) -> str:
    """Six paragraphs about story i's own people and figures, as an agency writes them."""
    return "".join(
        f"<p>{name(i, p + 1)} said the {WORDS[(i + p) % len(WORDS)]} talks in {place(i).title()} "
        f"would resume after {i * 8 + p + 1000} delegates backed a plan by {name(i, p + 7)}, "
        "with quotes from the floor and a vote due soon.</p>"
        for p in range(6))


def build_store(url: str, count: int) -> None:
    """Generate `count` stories through the real desk, 500 per delivery."""
    from sqlalchemy import func, select

    from wiredesk import desk
    from wiredesk.store import Store
    from wiredesk.store.schema import stories
    from wiredesk.story import Delivery
    from wiredesk.terms import Terms

    store = Store.open(url)
    with store.engine.connect() as c:
        # Every story, live or not: each run kills some, and counting only the live ones
        # made every later run deliver all `count` again (392 s, and the store grew).
        have = c.execute(select(func.count()).select_from(stories)).scalar_one()
    if have >= count:
        store.close()
        return
    now = datetime.now(UTC)
    started = time.monotonic()
    for batch in range(0, count, 500):
        items = [{
            "uri": f"urn:bench:{i}", "version": "1",
            "versioncreated": (now - timedelta(seconds=count - i)).isoformat(),
            "headlines": [{"role": "main", "value": f"{WORDS[i % len(WORDS)].title()} story {i}"}],
            "bodies": [{"role": "main", "contenttype": "text/html", "value": story_text(i)}],
            "by": "Bench Reporter", "located": place(i), "language": "en", "urgency": 1 + i % 6,
            "subjects": [{"name": WORDS[i % len(WORDS)]}],
            "infosources": [{"name": ("Reuters", "AP", "AFP")[i % 3], "role": "originator"}],
        } for i in range(batch, min(count, batch + 500))]
        desk.apply(store, Delivery(json.dumps(items).encode(), "bench", f"batch-{batch}", now),
                   Terms(licence_days=365))
        done = min(count, batch + 500)
        print(f"\r  generating stories: {done}/{count}", end="", file=sys.stderr, flush=True)
    seconds = time.monotonic() - started
    print(f"\r  generated {count} stories in {seconds:.0f} s ({count / seconds:.0f}/s)   ",
          file=sys.stderr)
    store.close()


LOAD_CORE, SERVER_CORE = "0", "1"
BARE_APP = """
import gzip
from pathlib import Path

PAGE = Path(__file__).with_name("article.html").read_bytes()
GZ = gzip.compress(PAGE, 6)


async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    gz = any(n == b"accept-encoding" and b"gzip" in v for n, v in scope["headers"])
    body = GZ if gz else PAGE
    headers = [(b"content-type", b"text/html; charset=utf-8"),
               (b"content-length", str(len(body)).encode())]
    if gz:
        headers.append((b"content-encoding", b"gzip"))
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})
"""


def pinned(core: str, command: list[str]) -> list[str]:
    return ["taskset", "-c", core, *command]


@contextmanager
def wiredesk_server(url: str, port: int, purge_url: str | None = None):
    """`wiredesk serve` (web, worker, clock and edge purger in one process) on SERVER_CORE."""
    env = dict(os.environ, WIREDESK_DATABASE_URL=url, WIREDESK_BASE_URL=f"http://127.0.0.1:{port}")
    env.pop("WIREDESK_PURGE_URL", None)
    if purge_url:
        env["WIREDESK_PURGE_URL"] = purge_url
    process = subprocess.Popen(
        pinned(SERVER_CORE, [*WIREDESK, "serve", "--host", "127.0.0.1",
                             "--port", str(port)]),
        env=env, start_new_session=True, stdout=subprocess.DEVNULL)
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz")
        yield process
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


@contextmanager
def nginx_server(page: bytes, port: int):
    """nginx, one worker on SERVER_CORE, serving the page (and its gzip, gzip_static)."""
    folder = Path(tempfile.mkdtemp(prefix="wiredesk-nginx-"))
    folder.chmod(0o755)  # nginx's workers drop to an unprivileged user and must read the page
    (folder / "www").mkdir(mode=0o755)
    for name, data in (("article.html", page), ("article.html.gz", gzip.compress(page, 6))):
        (folder / "www" / name).write_bytes(data)
        (folder / "www" / name).chmod(0o644)
    (folder / "nginx.conf").write_text(f"""
worker_processes 1;
daemon off;
pid {folder}/nginx.pid;
error_log {folder}/error.log;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  gzip_static on;
  server {{ listen 127.0.0.1:{port}; root {folder}/www;
           location / {{ default_type text/html; }} }}
}}""")
    process = subprocess.Popen(pinned(SERVER_CORE, [shutil.which("nginx") or "nginx", "-c",
                                                    str(folder / "nginx.conf"), "-p", str(folder)]),
                               start_new_session=True)
    try:
        wait_for(f"http://127.0.0.1:{port}/article.html")
        yield process
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def bare_server(page: bytes, port: int):
    """The Python ceiling: granian, one worker on SERVER_CORE, an ASGI app that returns the
    page's bytes and does nothing else."""
    folder = Path(tempfile.mkdtemp(prefix="wiredesk-bare-"))
    (folder / "article.html").write_bytes(page)
    (folder / "bare_app.py").write_text(BARE_APP)
    env = dict(os.environ, PYTHONPATH=str(folder))
    process = subprocess.Popen(
        pinned(SERVER_CORE, [str(BIN / "granian"), "--interface", "asgi", "bare_app:app",
                             "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
                             "--no-ws", "--log-level", "warning"]),
        env=env, cwd=folder, start_new_session=True)
    try:
        wait_for(f"http://127.0.0.1:{port}/")
        yield process
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
        shutil.rmtree(folder, ignore_errors=True)


def wait_for(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


def cpu_seconds(pids: list[int]) -> float:
    """User and system CPU seconds of these processes and their threads and children."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for pid in {p for root in pids for p in [root, *_children(root)]}:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total


def context_switches(pids: list[int]) -> int:
    """Voluntary context switches of these processes' threads (and their children's): a
    thread that sleeps until its connection has the next request switches once a request."""
    total = 0
    for pid in {p for root in pids for p in [root, *_children(root)]}:
        for status in Path(f"/proc/{pid}/task").glob("*/status"):
            try:
                found = re.search(r"^voluntary_ctxt_switches:\s+(\d+)", status.read_text(), re.M)
            except OSError:
                continue
            total += int(found.group(1)) if found else 0
    return total


def wrk(url: str, seconds: int, server: list[int] | None = None, *,
        threads: int = 1) -> dict[str, float]:
    """wrk on LOAD_CORE; also how busy wrk and the server (`server` pids) kept their cores."""
    server_before, switches_before = cpu_seconds(server or []), context_switches(server or [])
    wrk_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    out = subprocess.run(pinned(LOAD_CORE, ["wrk", f"-t{threads}", f"-c{CONNECTIONS}",
                                            f"-d{seconds}s", "--latency",
                                            "-H", "Accept-Encoding: gzip", url]),
                         capture_output=True, text=True, check=True, timeout=seconds + 60).stdout
    wall = time.monotonic() - started
    switches = context_switches(server or []) - switches_before
    wrk_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    wrk_cpu = (wrk_after.ru_utime - wrk_before.ru_utime) + (wrk_after.ru_stime - wrk_before.ru_stime)
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": rate, "p50": _ms(out, "50%"), "p99": _ms(out, "99%"),
            "errors": float(errors.group(1)) if errors else 0.0,
            "wrk_busy": wrk_cpu / wall, "switches": switches / max(1.0, rate * wall),
            "server_busy": (cpu_seconds(server) - server_before) / wall if server else float("nan")}


PAIRED_ROUNDS = 5


def paired_rounds(reference: str, reference_pids: list[int],
                  servers: dict[str, tuple[str, list[int]]], *, rounds: int,
                  seconds: int) -> dict[str, list[float]]:
    """Each server's rate as a ratio to the reference's, measured right before it, `rounds`
    times in turn: on a VM whose neighbours come and go, one 10 s run of each row can land
    in a busy minute for one server and a quiet one for the other (the same build gave the
    Varnish row 0.79x and 0.42x in two runs an hour apart, nginx steady at 60-62k)."""
    ratios: dict[str, list[float]] = {name: [] for name in servers}
    for _ in range(rounds):
        for name, (url, pids) in servers.items():
            base = wrk(reference, seconds, reference_pids)["rps"]
            ratios[name].append(wrk(url, seconds, pids)["rps"] / base if base else 0.0)
    return ratios


def _ms(out: str, label: str) -> float:
    value, unit = re.search(rf"{label}\s+([\d.]+)(us|ms|s)", out).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def push_kill(base: str, uri: str) -> None:
    body = json.dumps({"uri": uri, "version": "99", "pubstatus": "canceled",
                       "headlines": [{"role": "main", "value": "KILL"}]}).encode()
    signature = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    response = httpx.post(f"{base}/push/benchpush", content=body, timeout=10,
                          headers={"X-Wiredesk-Signature": f"sha256={signature}",
                                   "Content-Type": "application/json"})
    response.raise_for_status()


def canonical(item: dict) -> str:
    """The article's own path, /story/{id}/{slug}, from the API's `url` altid: the page the
    site links to, answered 200 (a wrong slug answers 301 to it)."""
    url = next(a["value"] for a in item["altids"] if a["role"] == "url")
    return urlsplit(url).path


def checked(url: str, article: str | None = None) -> bytes:
    """What `url` answers, asserted to be the page itself: 200 and HTML, never a redirect
    (wrk counts a 3xx as a success, so a redirect would be measured as the page), and with
    `article` (its path), that article's page: its canonical link names it. (Not the same
    bytes: its relative times are rendered afresh each minute.)"""
    response = httpx.get(url, headers={"Accept-Encoding": "gzip"}, timeout=30)
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}, not the page "
                           f"({response.headers.get('location') or response.text[:200]!r})")
    if not response.headers.get("content-type", "").startswith("text/html"):
        raise RuntimeError(f"{url} answered {response.headers.get('content-type')}, not HTML")
    if article is not None and not re.search(
            rf'<link rel="canonical" href="[^"]*{re.escape(article)}">', response.text):
        raise RuntimeError(f"{url} answered another page than the article {article}")
    return response.content


@contextmanager
def background_load(url: str, seconds: int) -> Iterator[None]:
    """wrk loading `url` on LOAD_CORE while the block runs; ended on any way out, so a failed
    run leaves no load behind on a shared machine."""
    load = subprocess.Popen(pinned(LOAD_CORE, ["wrk", "-t1", f"-c{CONNECTIONS // 2}",
                                               f"-d{seconds}s", url]),
                            stdout=subprocess.DEVNULL)
    try:
        yield
    finally:
        load.terminate()
        try:
            load.wait(timeout=10)
        except subprocess.TimeoutExpired:
            load.kill()
            load.wait()


def takedown_latency(read: str, write: str, ids: list[tuple[str, str, str]],
                     seconds_of_load: int) -> list[float]:
    """Kill stories by push (to `write`) while wrk loads `read`; time until every surface
    read there drops each: the article answers 410, the front page and Atom feed omit it."""
    timings = []
    with background_load(f"{read}/", seconds_of_load), \
            httpx.Client(base_url=read, timeout=10) as client:
        time.sleep(1)
        for article, uri, headline in ids:
            client.get(article)
            status = client.get(article).status_code
            assert status == 200, f"{article} answered {status} before its kill"
            started = time.monotonic()
            push_kill(write, uri)
            while True:
                gone = (client.get(article).status_code == 410
                        and headline not in client.get("/").text
                        and f"<id>{uri}</id>" not in client.get("/feeds/atom.xml").text)
                if gone:
                    break
                if time.monotonic() - started > 30:
                    raise RuntimeError(f"{uri} still shown at {read} 30 s after its kill")
            timings.append(time.monotonic() - started)
    return timings


def cli_kill_latency(url: str, edge: str, purge_url: str,
                     ids: list[tuple[str, str, str]]) -> list[float]:
    """`wiredesk kill` from another process: time from its return until the edge says 410."""
    env = dict(os.environ, WIREDESK_DATABASE_URL=url, WIREDESK_PURGE_URL=purge_url)
    timings = []
    with httpx.Client(base_url=edge, timeout=10) as client:
        for article, uri, _ in ids:
            client.get(article)
            assert client.get(article).headers.get("x-cache") == "HIT"
            subprocess.run([*WIREDESK, "kill", uri, "--reason", "legal"], env=env,
                           check=True, capture_output=True, timeout=120)
            started = time.monotonic()
            while client.get(article).status_code != 410:
                if time.monotonic() - started > 30:
                    raise RuntimeError(f"{uri} still served by the edge 30 s after its kill")
            timings.append(time.monotonic() - started)
    return timings


def rss_mb(pid: int) -> float:
    total = 0.0
    for child in [pid, *_children(pid)]:
        try:
            status = Path(f"/proc/{child}/status").read_text()
        except OSError:
            continue
        match = re.search(r"VmRSS:\s+(\d+) kB", status)
        total = max(total, int(match.group(1)) / 1024) if match else total
    return total


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().split()
            except OSError:
                continue
            if int(stat[3]) == pid:
                found.append(int(entry.name))
                found += _children(int(entry.name))
    return found


def summary(label: str, latencies: list[float]) -> str:
    latencies = sorted(latencies)
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    return (f"{label} ({len(latencies)} kills): p50 {statistics.median(latencies) * 1000:.0f} ms, "
            f"p99 {p99 * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small store, short runs")
    parser.add_argument("--stories", type=int)
    parser.add_argument("--seconds", type=int)
    args = parser.parse_args()
    # A kill of the bench ends its servers and load too (the `finally`s run), not only ^C.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    count = args.stories or (2000 if args.quick else 100_000)
    seconds = args.seconds or (2 if args.quick else 10)
    kills = 5 if args.quick else 30
    for tool in ("wrk", "nginx", "taskset"):
        if shutil.which(tool) is None:
            print(f"bench/serve.py needs {tool}: apt-get install wrk nginx-light util-linux",
                  file=sys.stderr)
            return 2
    if len(os.sched_getaffinity(0)) < 2:
        print("bench/serve.py needs two cores (load on one, servers on the other)", file=sys.stderr)
        return 2
    edge_ok = varnish.varnishd() is not None
    if not edge_ok:
        print("varnishd not found: the edge rows are left out "
              "(apt-get install varnish varnish-modules)", file=sys.stderr)
    folder = ROOT / "var" / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / f"serve-events-{count}.db"  # stories of distinct events (story_text)
    url = f"sqlite:///{db}"
    build_store(url, count)
    os.environ["BENCH_PUSH_SECRET"] = SECRET  # by name: inline secrets need WIREDESK_SECRET_KEY
    # Made anew each run, so a store kept from an older run gets today's settings.
    subprocess.run([*WIREDESK, "--database", url, "sources", "remove", "benchpush"],
                   capture_output=True, text=True)
    run = subprocess.run([*WIREDESK, "--database", url, "sources", "add", "benchpush",
                          "--kind", "push", "--secret", "$BENCH_PUSH_SECRET",
                          "--agency", "Reuters"],  # may kill the Reuters stories it did not send
                         capture_output=True, text=True)
    if run.returncode != 0:
        print(run.stderr, file=sys.stderr)
        return 1
    port, nginx_port, bare_port, edge_port = free_port(), free_port(), free_port(), free_port()
    base, edge = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{edge_port}"
    purge_url = f"{edge}/.edge/purge" if edge_ok else None
    results: dict[str, dict[str, float]] = {}
    latencies: dict[str, list[float]] = {}
    paired: dict[str, list[float]] = {}  # each round's ratio to nginx, measured just before
    with ExitStack() as stack:
        server = stack.enter_context(wiredesk_server(url, port, purge_url))
        # Reuters stories: the push source that kills them is configured for Reuters.
        items = httpx.get(f"{base}/api/v1/stories?limit=100&agency=Reuters",
                          timeout=30).json()["items"]
        ids = [(canonical(i), i["uri"], i["headlines"][0]["value"]) for i in items]
        article = ids[90][0]
        httpx.get(base + article, timeout=30)  # rendered once: what follows is the cached page
        page = checked(base + article, article)
        # nginx stays up to the end (idle, it costs nothing) for the paired rounds.
        nginx = stack.enter_context(nginx_server(page, nginx_port))
        target = f"http://127.0.0.1:{nginx_port}/article.html"
        checked(target, article)
        results["nginx static page"] = wrk(target, seconds, [nginx.pid])
        check = wrk(target, seconds, [nginx.pid], threads=2)
        with bare_server(page, bare_port) as bare:
            checked(f"http://127.0.0.1:{bare_port}/", article)
            results["bare granian app"] = wrk(f"http://127.0.0.1:{bare_port}/", seconds, [bare.pid])
        surfaces = {
            "article page (cached)": article,
            "front page": "/",
            "search query": "/search?q=storm",
            "API item": f"/api/v1/stories/{ids[90][0].split('/')[2]}",
        }
        for name, path in surfaces.items():
            httpx.get(base + path, timeout=30)  # render once: the bench measures the cached state
            if name == "article page (cached)":
                checked(base + path, article)
            results[name] = wrk(base + path, seconds, [server.pid])
        memory = rss_mb(server.pid)
        if edge_ok:
            with varnish.running(port, port=edge_port, cpus=SERVER_CORE) as cache:
                for name, path in (("article via Varnish", article), ("front via Varnish", "/")):
                    httpx.get(edge + path, headers={"Accept-Encoding": "gzip"}, timeout=30)
                    checked(edge + path, article if path == article else None)
                    results[name] = wrk(edge + path, seconds, [cache.pid, server.pid])
                paired = paired_rounds(target, [nginx.pid], {
                    "article page (cached)": (base + article, [server.pid]),
                    "article via Varnish": (edge + article, [cache.pid, server.pid])},
                    rounds=2 if args.quick else PAIRED_ROUNDS, seconds=max(1, seconds // 2))
                latencies["push kill, at the edge"] = takedown_latency(
                    edge, base, ids[:kills], seconds_of_load=max(5, kills))
                latencies["CLI kill, at the edge"] = cli_kill_latency(
                    url, edge, purge_url or "", ids[kills:kills + max(3, kills // 5)])
        latencies["push kill, direct"] = takedown_latency(
            base, base, ids[50:50 + kills], seconds_of_load=max(5, kills))
    reference = results["nginx static page"]["rps"]
    print(f"\nwiredesk serving {count:,} stories; wrk -t1 -c{CONNECTIONS} -d{seconds}s pinned to "
          f"core {LOAD_CORE}, each server pinned to core {SERVER_CORE}, one worker each")
    print(f"{'surface':<24} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'vs nginx':>9} "
          f"{'server core':>12} {'wrk core':>9} {'req/CPU-s':>10} {'vs nginx':>9} {'switch/req':>10}")
    per_cpu = {name: r["rps"] / r["server_busy"] if r["server_busy"] else float("nan")
               for name, r in results.items()}
    for name, r in results.items():
        # Requests per CPU-second of the server: what a shared machine disturbs least.
        print(f"{name:<24} {r['rps']:>9,.0f} {r['p50']:>8.2f} {r['p99']:>8.2f} "
              f"{r['rps'] / reference:>8.2f}x {r['server_busy']:>11.0%} {r['wrk_busy']:>8.0%} "
              f"{per_cpu[name]:>10,.0f} {per_cpu[name] / per_cpu['nginx static page']:>8.2f}x"
              f" {r['switches']:>10.2f}"
              + (f"  ({r['errors']:.0f} non-2xx)" if r["errors"] else ""))
    print(f"\narticle page {article}: 200, text/html, {len(page):,} bytes, the same page "
          "from nginx, the bare app, wiredesk and Varnish (checked before each row's run)")
    nginx_row = results["nginx static page"]
    same = abs(check["rps"] - reference) / reference < 0.1
    print(f"\nwrk is not the cap: nginx with wrk -t2 on core {LOAD_CORE}: {check['rps']:,.0f} req/s "
          f"vs {reference:,.0f} with -t1 ({'the same' if same else 'DIFFERENT'} within 10%); "
          f"nginx kept core {SERVER_CORE} {nginx_row['server_busy']:.0%} busy, "
          f"wrk core {LOAD_CORE} {nginx_row['wrk_busy']:.0%}"
          + ("" if same and nginx_row["server_busy"] > 0.85 else
             "  (WARNING: the server core was not saturated; the figure may be wrk's limit "
             "or another load on the machine)"))
    if paired:
        rounds = len(next(iter(paired.values())))
        print(f"\npaired rounds (nginx, then the row, {rounds} times in turn, "
              f"{max(1, seconds // 2)} s each): the ratio to nginx, median (range)")
        for name, ratios in paired.items():
            print(f"  {name:<22} {statistics.median(ratios):.2f}x "
                  f"({min(ratios):.2f}-{max(ratios):.2f})")
    for label, found in latencies.items():
        print("takedown by " + summary(label, found) if "push" in label else summary(label, found))
    print(f"serving process memory: {memory:.0f} MB resident (goal: under 250 MB)")
    push_p99 = sorted(latencies["push kill, direct"])[-1]
    def ratio(name: str) -> float:
        """The paired rounds' median where they ran, else the single run's ratio."""
        if name in paired:
            return statistics.median(paired[name])
        return results[name]["rps"] / reference

    goals = [("article >= 0.3x nginx", ratio("article page (cached)") >= 0.3),
             ("front page >= 0.25x nginx", results["front page"]["rps"] / reference >= 0.25),
             ("takedown max < 1 s", push_p99 < 1.0), ("memory < 250 MB", memory < 250)]
    if edge_ok:
        edge_max = max(max(latencies["push kill, at the edge"]),
                       max(latencies["CLI kill, at the edge"]))
        goals[:0] = [("article via Varnish >= 0.7x nginx",
                      ratio("article via Varnish") >= 0.7),
                     ("410 at the edge within 1 s", edge_max < 1.0)]
    print("goals (paired medians where measured): " + ", ".join(f"{name}: {'met' if ok else 'MISSED'}" for name, ok in goals))
    return 0


if __name__ == "__main__":
    sys.exit(main())
