"""Live delivery at scale: N open /events streams, one takedown, how soon every one has it.

    python bench/live.py                 # N = 1 (the reference), 1,000 and 10,000 (make bench)
    python bench/live.py --n 2000        # any counts
    python bench/live.py --quick         # N = 1 and 50: proves the bench runs

Starts `wiredesk events` (the light /events server, web/eventserver.py) and then `wiredesk
serve --no-worker` (granian, one worker; its /events) on a small SQLite store, each pinned to
core 1 with taskset (`--server events|app|both`, default both); this script, the client, pins itself to core 0. It opens N concurrent
/events streams (asyncio, raw sockets, connected in batches), measures the server's memory
with them idle (RSS of the server's processes, before and after, divided by N), then takes a
story down from this process (another process than the server's, as `wiredesk kill` is) and
times, for every stream, the moment its `event: takedown` arrives after the kill committed.
Prints p50, p99 and max, and each against N = 1, the reference run side by side. Goals (issue
16): p99 under 1 s at 10,000 streams, under 20 KB per idle stream.

The open-file limit is raised to its hard limit (each stream is a socket at both ends); the
server raises its own (`wiredesk serve` does). On a shared machine the absolute figures are
noisy: read the ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
BATCH = 500  # connections opened at once
WAIT = 60.0  # seconds allowed for every stream to hear the takedown


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def raise_open_files() -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        soft = hard
    return soft


def build_store(url: str, count: int) -> None:
    import json

    from wiredesk import desk
    from wiredesk.store import Store
    from wiredesk.story import Delivery
    from wiredesk.terms import Terms

    store = Store.open(url)
    now = datetime.now(UTC)
    items = [{"uri": f"urn:live:{i}", "version": "1", "versioncreated": now.isoformat(),
              "headlines": [{"role": "main", "value": f"Live story {i}"}],
              "bodies": [{"role": "main", "contenttype": "text/html",
                          "value": f"<p>Story {i}.</p>"}],
              "infosources": [{"name": "AP", "role": "originator"}]} for i in range(count)]
    desk.apply(store, Delivery(json.dumps(items).encode(), "bench", "live", now),
               Terms(licence_days=365))
    store.close()


def tree_rss(pid: int) -> int:
    """Resident bytes of a process and its children (granian's worker is a child)."""
    total = 0
    pids = [pid]
    while pids:
        current = pids.pop()
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
            pids += [int(c) for c in children]
        except OSError:
            continue
    return total


class Server:
    """`wiredesk serve` (the app's /events under granian) or `wiredesk events` (the light
    server of its own, web/eventserver.py)."""

    def __init__(self, url: str, folder: Path, kind: str = "events") -> None:
        self.port = free_port()
        env = dict(os.environ, WIREDESK_DATABASE_URL=url, PYTHONPATH=str(ROOT / "src"))
        command = [sys.executable, "-m", "wiredesk.cli", "serve", "--no-worker",
                   "--port", str(self.port)] if kind == "app" else \
            [sys.executable, "-m", "wiredesk.cli", "events", "--port", str(self.port)]
        if shutil.which("taskset") and (os.cpu_count() or 1) > 1:
            command = ["taskset", "-c", "1", *command]
        self.log = (folder / "server.log").open("wb")
        self.process = subprocess.Popen(command, env=env, stdout=self.log,
                                        stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.head(f"http://127.0.0.1:{self.port}/events", timeout=2).is_success:
                    return
            except httpx.HTTPError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError((folder / "server.log").read_text(errors="replace"))
            time.sleep(0.2)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


async def open_stream(port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=4096)
    writer.write(b"GET /events?events=takedown HTTP/1.1\r\nHost: bench\r\n"
                 b"Accept: text/event-stream\r\n\r\n")
    seen = b""
    while b": connected" not in seen:
        chunk = await reader.read(4096)
        if not chunk:
            raise ConnectionError("the server closed a stream before it was open")
        seen += chunk
    return reader, writer


async def hear(reader: asyncio.StreamReader, uri: bytes) -> float:
    seen = b""
    while uri not in seen:
        chunk = await reader.read(4096)
        if not chunk:
            raise ConnectionError("a stream closed before the takedown arrived")
        seen = seen[-len(uri):] + chunk
    return time.perf_counter()


async def run(n: int, url: str, server: Server, victim: int) -> dict[str, float]:
    from wiredesk import desk
    from wiredesk.store import Store

    # One stream first, so the broadcaster has started before memory is read.
    warm = await open_stream(server.port)
    await asyncio.sleep(1.0)
    before = tree_rss(server.process.pid)
    streams: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
    started = time.perf_counter()
    for first in range(0, n, BATCH):
        streams += await asyncio.gather(*(open_stream(server.port)
                                          for _ in range(first, min(n, first + BATCH))))
    opened = time.perf_counter() - started
    await asyncio.sleep(2.0)  # let the server settle with them idle
    after = tree_rss(server.process.pid)
    uri = f"urn:live:{victim}".encode()
    listeners = [asyncio.ensure_future(hear(r, uri)) for r, _ in streams]
    store = Store(url)
    await asyncio.sleep(0.2)
    killed = await asyncio.to_thread(desk.kill, store, uri.decode(), reason="bench",
                                     actor="bench", now=datetime.now(UTC))
    committed = time.perf_counter()
    assert killed, "the story was not live"
    arrivals = await asyncio.wait_for(asyncio.gather(*listeners), WAIT)
    delays = sorted(a - committed for a in arrivals)
    for _, writer in [*streams, warm]:
        writer.close()
    store.close()
    return {"n": n, "p50": statistics.median(delays),
            "p99": delays[min(len(delays) - 1, int(len(delays) * 0.99))], "max": delays[-1],
            "per_connection": max(0, after - before) / n, "open_seconds": opened}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="*", help="stream counts (default 1000 10000)")
    parser.add_argument("--quick", action="store_true", help="N = 50 only: proves it runs")
    parser.add_argument("--server", choices=("events", "app", "both"), default="both",
                        help="`wiredesk events` (the light server), `wiredesk serve`, or both")
    args = parser.parse_args()
    counts = [50] if args.quick else (args.n or [1000, 10000])
    limit = raise_open_files()
    if max(counts) + 100 > limit:
        print(f"open-file limit {limit} is too low for {max(counts)} streams: raise the hard "
              "limit (ulimit -Hn)", file=sys.stderr)
        return 2
    if hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) > 1:
        os.sched_setaffinity(0, {0})  # the client on core 0, the server on core 1
    kinds = ["events", "app"] if args.server == "both" else [args.server]
    with tempfile.TemporaryDirectory(prefix="wiredesk-live-") as folder:
        url = f"sqlite:///{folder}/live.db"
        runs = [(kind, n) for kind in kinds for n in (1, *counts)]
        build_store(url, len(runs))
        rows = []
        for victim, (kind, n) in enumerate(runs):
            # A fresh server each time: memory is its own.
            server = Server(url, Path(folder), kind)
            try:
                rows.append({"server": kind, **asyncio.run(run(n, url, server, victim))})
            finally:
                server.stop()
    print("live takedown to every open /events stream (SQLite; server pinned to core 1, "
          "client to core 0; shared machine: read the ratios)")
    print(f"{'server':>15} {'streams':>8} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} "
          f"{'p99/ref':>8} {'KB/stream':>10} {'open s':>7}")
    names = {"events": "wiredesk events", "app": "wiredesk serve"}
    for row in rows:
        reference = next(r for r in rows if r["server"] == row["server"] and r["n"] == 1)
        ratio = row["p99"] / reference["p99"] if reference["p99"] else float("nan")
        memory = f"{row['per_connection'] / 1024:10.1f}" if row["n"] >= 50 else f"{'-':>10}"
        print(f"{names[row['server']]:>15} {row['n']:>8} {row['p50'] * 1000:8.1f} "
              f"{row['p99'] * 1000:8.1f} {row['max'] * 1000:8.1f} {ratio:8.1f} {memory} "
              f"{row['open_seconds']:7.1f}")
    print("goals: p99 under 1000 ms at 10,000 streams; under 20 KB per idle stream")
    return 0


if __name__ == "__main__":
    sys.exit(main())
