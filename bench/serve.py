"""Serving speed against nginx, side by side in one run, and takedown latency under load.

    python bench/serve.py              # 100,000 stories, 10 s per measurement (make bench)
    python bench/serve.py --quick      # 2,000 stories, 2 s each: proves the bench runs

Starts wiredesk (granian, one worker) on a store of generated stories and nginx serving a
copy of the same article page as a static file, drives each with wrk (64 connections) from
this script, and prints requests/s, p50 and p99 for each surface and its ratio to nginx.
Then, under load, it kills stories by push and times how long until the article answers 410
and the story has left the front page and the Atom feed. Needs `wrk` and `nginx` (Debian
packages; `make bench` installs them when missing). The store is kept in var/bench/ and
reused by later runs.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CONNECTIONS = 64
SECRET = "bench-secret"
WORDS = ("storm", "markets", "election", "football", "court", "oil", "summit", "vaccine")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build_store(url: str, count: int) -> None:
    """Generate `count` stories through the real desk, 500 per delivery."""
    from wiredesk import desk
    from wiredesk.store import Store
    from wiredesk.story import Delivery
    from wiredesk.terms import Terms

    store = Store.open(url)
    if store.count_live(datetime.now(UTC)) >= count:
        return
    now = datetime.now(UTC)
    started = time.monotonic()
    for batch in range(0, count, 500):
        items = [{
            "uri": f"urn:bench:{i}", "version": "1",
            "versioncreated": (now - timedelta(seconds=count - i)).isoformat(),
            "headlines": [{"role": "main", "value": f"{WORDS[i % len(WORDS)].title()} story {i}"}],
            "bodies": [{"role": "main", "contenttype": "text/html", "value": "".join(
                f"<p>Paragraph {p} of story {i} about {WORDS[(i + p) % len(WORDS)]}, written "
                "the way an agency writes it, with a dateline, quotes and figures.</p>"
                for p in range(6))}],
            "by": "Bench Reporter", "located": "LONDON", "language": "en", "urgency": 1 + i % 6,
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


@contextmanager
def wiredesk_server(url: str, port: int):
    env = dict(os.environ, WIREDESK_DATABASE_URL=url, WIREDESK_BASE_URL=f"http://127.0.0.1:{port}")
    process = subprocess.Popen(
        [str(BIN / "granian"), "--interface", "asgi", "--factory", "wiredesk.asgi:make_app",
         "--host", "127.0.0.1", "--port", str(port), "--workers", "1", "--no-ws",
         "--log-level", "warning"],
        env=env, start_new_session=True)
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz")
        yield process
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)


@contextmanager
def nginx_server(page: bytes, port: int):
    folder = Path(tempfile.mkdtemp(prefix="wiredesk-nginx-"))
    folder.chmod(0o755)  # nginx's workers drop to an unprivileged user and must read the page
    (folder / "www").mkdir(mode=0o755)
    (folder / "www" / "article.html").write_bytes(page)
    (folder / "www" / "article.html").chmod(0o644)
    (folder / "nginx.conf").write_text(f"""
worker_processes 1;
daemon off;
pid {folder}/nginx.pid;
error_log {folder}/error.log;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  server {{ listen 127.0.0.1:{port}; root {folder}/www;
           location / {{ default_type text/html; }} }}
}}""")
    process = subprocess.Popen([shutil.which("nginx") or "nginx", "-c", str(folder / "nginx.conf"),
                                "-p", str(folder)], start_new_session=True)
    try:
        wait_for(f"http://127.0.0.1:{port}/article.html")
        yield process
    finally:
        process.terminate()
        process.wait(timeout=10)
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


def wrk(url: str, seconds: int) -> dict[str, float]:
    out = subprocess.run(["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", url],
                         capture_output=True, text=True, check=True, timeout=seconds + 60).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": rate, "p50": _ms(out, "50%"), "p99": _ms(out, "99%"),
            "errors": float(errors.group(1)) if errors else 0.0}


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


def takedown_latency(base: str, ids: list[tuple[int, str, str]], seconds_of_load: int) -> list[float]:
    """Kill stories by push while wrk loads the site; time until every surface drops each."""
    load = subprocess.Popen(["wrk", "-t1", f"-c{CONNECTIONS // 2}", f"-d{seconds_of_load}s",
                             f"{base}/"], stdout=subprocess.DEVNULL)
    timings = []
    with httpx.Client(base_url=base, timeout=10) as client:
        time.sleep(1)
        for story_id, uri, headline in ids:
            article = f"/story/{story_id}"
            assert client.get(article).status_code == 200  # cached before the kill
            started = time.monotonic()
            push_kill(base, uri)
            while True:
                gone = (client.get(article).status_code == 410
                        and headline not in client.get("/").text
                        and f"<id>{uri}</id>" not in client.get("/feeds/atom.xml").text)
                if gone:
                    break
                if time.monotonic() - started > 30:
                    raise RuntimeError(f"{uri} still shown 30 s after its kill")
            timings.append(time.monotonic() - started)
    load.wait(timeout=seconds_of_load + 60)
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small store, short runs")
    parser.add_argument("--stories", type=int)
    parser.add_argument("--seconds", type=int)
    args = parser.parse_args()
    count = args.stories or (2000 if args.quick else 100_000)
    seconds = args.seconds or (2 if args.quick else 10)
    kills = 5 if args.quick else 30
    for tool in ("wrk", "nginx"):
        if shutil.which(tool) is None:
            print(f"bench/serve.py needs {tool}: apt-get install wrk nginx-light", file=sys.stderr)
            return 2
    folder = ROOT / "var" / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / f"serve-{count}.db"
    url = f"sqlite:///{db}"
    build_store(url, count)
    os.environ["BENCH_PUSH_SECRET"] = SECRET  # by name: inline secrets need WIREDESK_SECRET_KEY
    # Made anew each run, so a store kept from an older run gets today's settings.
    subprocess.run([str(BIN / "wiredesk"), "--database", url, "sources", "remove", "benchpush"],
                   capture_output=True, text=True)
    run = subprocess.run([str(BIN / "wiredesk"), "--database", url, "sources", "add", "benchpush",
                          "--kind", "push", "--secret", "$BENCH_PUSH_SECRET",
                          "--agency", "Reuters"],  # may kill the Reuters stories it did not send
                         capture_output=True, text=True)
    if run.returncode != 0:
        print(run.stderr, file=sys.stderr)
        return 1
    port, nginx_port = free_port(), free_port()
    base = f"http://127.0.0.1:{port}"
    results: dict[str, dict[str, float]] = {}
    with wiredesk_server(url, port) as server:
        # Reuters stories: the push source that kills them is configured for Reuters.
        items = httpx.get(f"{base}/api/v1/stories?limit=100&agency=Reuters",
                          timeout=30).json()["items"]
        ids = [(int(next(a["value"] for a in i["altids"] if a["role"] == "wiredesk-id")),
                i["uri"], i["headlines"][0]["value"]) for i in items]
        article = f"{base}/story/{ids[50][0]}"
        page = httpx.get(article).content
        surfaces = {
            "article page (cached)": article,
            "front page": f"{base}/",
            "search query": f"{base}/search?q=storm",
            "API item": f"{base}/api/v1/stories/{ids[50][0]}",
        }
        for name, target in surfaces.items():
            httpx.get(target, timeout=30)  # render once: the bench measures the cached state
            results[name] = wrk(target, seconds)
        memory = rss_mb(server.pid)
        with nginx_server(page, nginx_port):
            results["nginx static page"] = wrk(f"http://127.0.0.1:{nginx_port}/article.html", seconds)
        latencies = takedown_latency(base, ids[:kills], seconds_of_load=max(5, kills))
    reference = results["nginx static page"]["rps"]
    print(f"\nwiredesk serving {count:,} stories; wrk -t2 -c{CONNECTIONS} -d{seconds}s, one worker each")
    print(f"{'surface':<24} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'vs nginx':>9}")
    for name, r in results.items():
        print(f"{name:<24} {r['rps']:>9,.0f} {r['p50']:>8.2f} {r['p99']:>8.2f} "
              f"{r['rps'] / reference:>8.0%}" + (f"  ({r['errors']:.0f} non-2xx)" if r["errors"] else ""))
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    print(f"\ntakedown by push under load ({len(latencies)} kills): "
          f"p50 {statistics.median(latencies) * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, "
          f"max {latencies[-1] * 1000:.0f} ms (goal: p99 under 1000 ms)")
    print(f"serving process memory: {memory:.0f} MB resident (goal: under 250 MB)")
    goals = [("article >= 40% of nginx", results["article page (cached)"]["rps"] / reference >= 0.4),
             ("article p99 < 20 ms", results["article page (cached)"]["p99"] < 20),
             ("front page >= 30% of nginx", results["front page"]["rps"] / reference >= 0.3),
             ("takedown p99 < 1 s", p99 < 1.0), ("memory < 250 MB", memory < 250)]
    print("goals: " + ", ".join(f"{name}: {'met' if ok else 'MISSED'}" for name, ok in goals))
    return 0


if __name__ == "__main__":
    sys.exit(main())
