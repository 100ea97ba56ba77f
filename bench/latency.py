"""Wire-to-web latency per path: push, drop folder, HTTP poll, WebSub content push.

    python bench/latency.py            # 100 stories per path and scenario (make bench)
    python bench/latency.py --quick    # 5 stories each: proves the bench runs

Starts `wiredesk serve` (granian, one worker, the ingest worker in-process) pinned to core 1
on a store of generated stories, with four sources: a push source, a drop folder (files
written under a temporary name and renamed in, as FTP/SFTP servers do), an http source
polling a local Atom feed every POLL_EVERY seconds (conditional GET), and an http source
whose feed names a local WebSub hub (the hub checks wiredesk's intent, then pushes each new
story signed with hub.secret). For each story it times, from the moment its bytes reach
wiredesk (the push or WebSub POST sent, the file renamed into the folder, the entry put on
the polled feed), until (a) the article answers 200, (b) the front page and the Atom feed
list it, (c) the /events stream announces it (where the site has /events: else "n/a").
Three scenarios: idle, one story at a time; the same with wrk loading the front page from
core 0; and 50 stories a second arriving. Prints p50/p99/max per path and scenario, and the
goals. The observers poll the site in rounds PAUSE apart, so each figure carries up to one
round (PAUSE plus the "observer floor" printed: a few ms idle, more under load). The server's log is in var/bench/latency/.
Needs `wrk` and `taskset`.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import random
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from latency_wire import Wire, ninjs  # noqa: E402
from serve import BIN, ROOT, build_store, free_port, wait_for  # noqa: E402

PUSH_SECRET = "latency-bench-secret"
POLL_EVERY = 2.0  # seconds: the polled feed's interval
RATE = 50.0  # stories a second in the third scenario
GIVE_UP = 60.0  # seconds after which a story counts as lost
PAUSE = 0.01  # seconds between an observer's rounds: the observers must not be the load
PATHS = ("push", "folder", "websub", "poll")


def _id(item: dict) -> int:
    return int(next(a["value"] for a in item["altids"] if a["role"] == "wiredesk-id"))


@dataclass
class Probe:
    uri: str
    headline: str
    sent: float
    run: str = ""
    seq: int = 0
    answered: float | None = None  # seconds for the push POST's answer (its commit done)
    article: float | None = None
    front: float | None = None
    atom: float | None = None
    event: float | None = None

    @property
    def listed(self) -> float | None:
        return max(self.front, self.atom) if self.front and self.atom else None


class Observer:
    """Threads polling the site for pending stories: the article (found by its uri through
    the API), the front page and Atom feed, and the /events stream where there is one."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.pending: dict[str, Probe] = {}
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.events = self._has_events()
        self.threads = [threading.Thread(target=t, daemon=True)
                        for t in (self._articles, self._lists)
                        + ((self._event_stream,) if self.events else ())]
        for thread in self.threads:
            thread.start()

    def _has_events(self) -> bool:
        try:
            with httpx.stream("GET", f"{self.base}/events", timeout=5) as r:
                return r.status_code == 200 and r.headers.get(
                    "content-type", "").startswith("text/event-stream")
        except httpx.HTTPError:
            return False

    def watch(self, probe: Probe) -> None:
        with self.lock:
            self.pending[probe.uri] = probe

    def waiting(self, what: str) -> list[Probe]:
        with self.lock:
            return [p for p in self.pending.values() if getattr(p, what) is None]

    def _articles(self) -> None:
        """One API list per round finds what has landed (a story not among the newest is
        looked up by its uri); then its article must answer 200."""
        with httpx.Client(base_url=self.base, timeout=30) as client:
            while not self.stop.is_set():
                todo = self.waiting("article")
                if not todo:
                    time.sleep(0.001)
                    continue
                listed = client.get("/api/v1/stories",
                                    params={"limit": min(100, len(todo) + 20)}).json()
                ids = {item["uri"]: _id(item) for item in listed["items"]}
                for probe in todo:
                    story_id = ids.get(probe.uri)
                    if story_id is None and time.monotonic() - probe.sent > 2:
                        found = client.get("/api/v1/stories/by-uri", params={"uri": probe.uri})
                        story_id = _id(found.json()) if found.status_code == 200 else None
                    if story_id is not None and \
                            client.get(f"/story/{story_id}").status_code == 200:
                        probe.article = time.monotonic()
                time.sleep(PAUSE)

    def _lists(self) -> None:
        """The front page and the Atom feed, each as fast as they answer. A story counts as
        listed once it, or one sent after it on the same run, is on the page: at 50 a second
        later stories push earlier ones off a page of 30 before anyone looks."""
        with httpx.Client(base_url=self.base, timeout=30) as client:
            while not self.stop.is_set():
                todo = self.waiting("front") + self.waiting("atom")
                if not todo:
                    time.sleep(0.001)
                    continue
                for where, page in (("front", "/"), ("atom", "/feeds/atom.xml")):
                    text = client.get(page).text
                    seen = time.monotonic()
                    with self.lock:
                        waiting = [p for p in self.pending.values() if getattr(p, where) is None]
                    newest = {}
                    for probe in waiting:
                        mark = probe.headline if where == "front" else f"<id>{probe.uri}</id>"
                        if mark in text:
                            newest[probe.run] = max(newest.get(probe.run, -1), probe.seq)
                    for probe in waiting:
                        if probe.seq <= newest.get(probe.run, -1):
                            setattr(probe, where, seen)
                time.sleep(PAUSE)

    def _event_stream(self) -> None:
        while not self.stop.is_set():
            try:
                with httpx.stream("GET", f"{self.base}/events", timeout=None) as r:
                    for line in r.iter_lines():
                        if self.stop.is_set():
                            return
                        if line.startswith("data:"):
                            try:
                                uri = json.loads(line[5:]).get("uri")
                            except ValueError:
                                continue
                            with self.lock:
                                probe = self.pending.get(uri)
                            if probe is not None and probe.event is None:
                                probe.event = time.monotonic()
            except httpx.HTTPError:
                time.sleep(0.1)

    def done(self, probe: Probe) -> bool:
        return (probe.article is not None and probe.listed is not None
                and (probe.event is not None or not self.events))

    def close(self) -> None:
        self.stop.set()


class Sender:
    """Puts one story on the wire by each path; returns when its bytes have arrived."""

    def __init__(self, base: str, drop: Path, wire: Wire) -> None:
        self.base, self.drop, self.wire = base, drop, wire
        self.client = httpx.Client(base_url=base, timeout=30)
        self.answered: float | None = None

    def send(self, path: str, uri: str, headline: str) -> float:
        if path == "push":
            body = ninjs(uri, headline)
            sig = hmac.new(PUSH_SECRET.encode(), body, hashlib.sha256).hexdigest()
            sent = time.monotonic()
            self.client.post("/push/latpush", content=body, headers={
                "X-Wiredesk-Signature": f"sha256={sig}",
                "Content-Type": "application/json"}).raise_for_status()
            self.answered = time.monotonic() - sent
            return sent
        if path in ("folder", "scan"):
            drop = self.drop if path == "folder" else self.drop.with_name("scan")
            name = uri.rsplit(":", 1)[-1].replace("/", "-")
            part = drop / f".{name}.json.part"
            part.write_bytes(ninjs(uri, headline))
            sent = time.monotonic()
            os.rename(part, drop / f"{name}.json")
            return sent
        if path == "websub":
            sent = time.monotonic()
            self.wire.push(uri, headline)
            return sent
        sent = time.monotonic()
        self.wire.add_to_feed(uri, headline)
        return sent


def run_scenario(path: str, scenario: str, count: int, sender: Sender, observer: Observer
                 ) -> list[Probe]:
    probes = []
    rate = scenario == "50/s"
    start = time.monotonic()
    for n in range(count):
        if rate:  # on schedule, whatever the site's pace
            time.sleep(max(0.0, start + n / RATE - time.monotonic()))
        elif path == "poll":  # at any moment of the interval, not just after a poll
            time.sleep(random.uniform(0, POLL_EVERY))
        token = secrets.token_hex(4)
        uri = f"urn:lat:{path}:{scenario.replace('/', '')}:{n}:{token}"
        headline = f"Latency {path} {token} story {n}"
        probe = Probe(uri, headline, 0.0, f"{path}:{scenario}", n)
        observer.watch(probe)
        sender.answered = None
        probe.sent = sender.send(path, uri, headline)
        probe.answered = sender.answered
        probes.append(probe)
        if not rate:
            wait_done(observer, [probe])
    wait_done(observer, probes)
    return probes


def wait_done(observer: Observer, probes: list[Probe]) -> None:
    deadline = time.monotonic() + GIVE_UP
    while not all(observer.done(p) for p in probes) and time.monotonic() < deadline:
        time.sleep(0.002)


def figures(values: list[float | None]) -> str:
    got = sorted(v for v in values if v is not None)
    lost = len(values) - len(got)
    if not got:
        return "n/a"
    p99 = got[min(len(got) - 1, int(len(got) * 0.99))]
    text = (f"{got[len(got) // 2] * 1000:7.0f} {p99 * 1000:7.0f} {got[-1] * 1000:7.0f}")
    return text + (f"  ({lost} not seen in {GIVE_UP:.0f} s)" if lost else "")


def _p50(probes: list[Probe]) -> float:
    got = sorted(p.article - p.sent for p in probes if p.article is not None)
    return got[len(got) // 2] if got else float("inf")


def p99_of(probes: list[Probe]) -> float:
    got = sorted(p.article - p.sent for p in probes if p.article is not None)
    if len(got) < len(probes):
        return float("inf")
    return got[min(len(got) - 1, int(len(got) * 0.99))]


@contextmanager
def site(url: str, port: int, env: dict[str, str], log: Path):
    with log.open("wb") as out:
        process = subprocess.Popen(
            ["taskset", "-c", "1", str(BIN / "wiredesk"), "--database", url, "serve",
             "--host", "127.0.0.1", "--port", str(port)],
            env=env, start_new_session=True, stdout=out, stderr=out)
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz")
        yield process
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=60)


@contextmanager
def load(base: str):
    """wrk on the front page from core 0, for as long as the block runs."""
    process = subprocess.Popen(["taskset", "-c", "0", "wrk", "-t1", "-c32", "-d3600s", f"{base}/"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    time.sleep(1)
    try:
        yield
    finally:
        process.send_signal(signal.SIGINT)
        out = process.communicate(timeout=30)[0]
        rate = next((line.split()[-1] for line in out.splitlines()
                     if line.startswith("Requests/sec")), "?")
        print(f"  (wrk on the front page meanwhile: {rate} requests/s)", file=sys.stderr)


def wiredesk(url: str, *args: str, env: dict[str, str]) -> None:
    run = subprocess.run([str(BIN / "wiredesk"), "--database", url, *args], env=env,
                         capture_output=True, text=True)
    if run.returncode != 0:
        raise RuntimeError(f"wiredesk {' '.join(args)}: {run.stderr.strip()}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="5 stories per path and scenario")
    parser.add_argument("--stories", type=int, help="stories per path and scenario (100)")
    parser.add_argument("--base", type=int, help="stories in the store beforehand (5000)")
    parser.add_argument("--paths", default=",".join(PATHS),
                        help=f"the paths to measure ({','.join(PATHS)}; the scan reference "
                             "runs with folder)")
    args = parser.parse_args()
    count = args.stories or (5 if args.quick else 100)
    base_count = args.base or (300 if args.quick else 5000)
    for tool in ("wrk", "taskset"):
        if shutil.which(tool) is None:
            print(f"bench/latency.py needs {tool} (apt-get install wrk util-linux)", file=sys.stderr)
            return 2
    work = ROOT / "var" / "bench" / "latency"
    shutil.rmtree(work, ignore_errors=True)
    (work / "drop").mkdir(parents=True)
    (work / "scan").mkdir()
    url = f"sqlite:///{work / 'latency.db'}"
    build_store(url, base_count)
    port = free_port()
    site_base = f"http://127.0.0.1:{port}"
    wire = Wire()
    env = {**os.environ, "LAT_PUSH_SECRET": PUSH_SECRET, "WIREDESK_BASE_URL": site_base}
    env.pop("WIREDESK_SOURCES_FILE", None)
    wiredesk(url, "sources", "add", "latpush", "--kind", "push", "--secret", "$LAT_PUSH_SECRET",
             env=env)
    wiredesk(url, "sources", "add", "latdrop", "--kind", "folder", "--path",
             str(work / "drop"), env=env)
    # The reference, side by side: the same folder protocol, looked at every 5 s (the way
    # every folder was taken before inotify; NFS and FUSE folders still are).
    wiredesk(url, "sources", "add", "latscan", "--kind", "folder", "--path", str(work / "scan"),
             "--processed", str(work / "scan-processed"), "--failed", str(work / "scan-failed"),
             "--watch", "scan", "--every", "5s", env=env)
    wiredesk(url, "sources", "add", "latpoll", "--kind", "http", "--url", f"{wire.base}/poll.atom",
             "--every", f"{POLL_EVERY:g}s", "--allow-private", "--no-check", env=env)
    wiredesk(url, "sources", "add", "latsub", "--kind", "http", "--url", wire.topic,
             "--every", "60s", "--allow-private", "--no-check", env=env)
    results: dict[tuple[str, str], list[Probe]] = {}
    floors: dict[str, list[float]] = {}
    try:
        with site(url, port, env, work / "server.log"):
            if not wire.verified.wait(60):
                raise RuntimeError("wiredesk did not subscribe to the local WebSub hub in 60 s")
            observer = Observer(site_base)
            sender = Sender(site_base, work / "drop", wire)
            try:
                floors["idle"] = floor(site_base)
                with load(site_base):
                    floors["load"] = floor(site_base)
                paths = [p for p in PATHS if p in args.paths.split(",")]
                if "folder" in paths:
                    print("  scan (reference): idle", file=sys.stderr)
                    results[("scan", "idle")] = run_scenario("scan", "idle", min(count, 10),
                                                             sender, observer)
                for path in paths:
                    print(f"  {path}: idle", file=sys.stderr)
                    results[(path, "idle")] = run_scenario(path, "idle", count, sender, observer)
                    print(f"  {path}: under load", file=sys.stderr)
                    with load(site_base):
                        results[(path, "load")] = run_scenario(path, "load", count, sender,
                                                               observer)
                    print(f"  {path}: {RATE:g} stories/s", file=sys.stderr)
                    results[(path, "50/s")] = run_scenario(path, "50/s", count, sender, observer)
                events = observer.events
            finally:
                observer.close()
    finally:
        wire.close()
    report(results, count, base_count, events, floors)
    return 0


def floor(base: str, rounds: int = 50) -> list[float]:
    """What one round of the observer costs on its own (a list and an article request): the
    floor under every (a) figure, and a measure of how busy the machine is."""
    times = []
    with httpx.Client(base_url=base, timeout=30) as client:
        story = _id(client.get("/api/v1/stories", params={"limit": 1}).json()["items"][0])
        for _ in range(rounds):
            started = time.monotonic()
            client.get("/api/v1/stories", params={"limit": 20})
            client.get(f"/story/{story}")
            times.append(time.monotonic() - started)
    return times


def report(results: dict[tuple[str, str], list[Probe]], count: int, base_count: int,
           events: bool, floors: dict[str, list[float]]) -> None:
    print(f"\nwire-to-web latency, ms (p50 p99 max), {count} stories per row, store of "
          f"{base_count:,} stories; poll interval {POLL_EVERY:g} s; server on core 1, wrk on core 0")
    print(f"{'path':<8} {'scenario':<8} {'(a) article 200':<26} {'(b) front + Atom':<26} "
          f"(c) /events")
    for (path, scenario), probes in results.items():
        article = figures([p.article - p.sent if p.article else None for p in probes])
        listed = figures([p.listed - p.sent if p.listed else None for p in probes])
        event = (figures([p.event - p.sent if p.event else None for p in probes])
                 if events else "n/a (no /events)")
        print(f"{path:<8} {scenario:<8} {article:<26} {listed:<26} {event}")
    for scenario, times in floors.items():
        print(f"observer floor ({scenario}): {figures(list(times))}  (one API list + one article)")
    answered = sorted(p.answered for p in results.get(("push", "load"), []) if p.answered)
    if answered:
        print(f"push POST answered (commit done), under load: p50 "
              f"{answered[len(answered) // 2] * 1000:.0f} ms, max {answered[-1] * 1000:.0f} ms")
    if ("scan", "idle") in results:
        scan, events_p50 = _p50(results[("scan", "idle")]), _p50(results[("folder", "idle")])
        print(f"drop folder by events vs the 5 s scan (reference, "
              f"{len(results[('scan', 'idle')])} stories side by side): p50 "
              f"{events_p50 * 1000:.0f} ms vs {scan * 1000:.0f} ms, "
              f"{scan / max(events_p50, 1e-9):.0f} times sooner")
    if len(results) < 3 * len(PATHS) + 1:
        return  # a subset: no verdict on the goals
    goals = [
        ("drop folder -> article p99 < 1 s", max(p99_of(results[("folder", s)])
                                                 for s in ("idle", "load")) < 1.0),
        ("push -> article p99 < 300 ms under load", p99_of(results[("push", "load")]) < 0.3),
        ("WebSub push -> article p99 < 1 s", max(p99_of(results[("websub", s)])
                                                 for s in ("idle", "load")) < 1.0),
        (f"poll -> article p99 < {POLL_EVERY + 1:g} s (interval + 1 s)",
         max(p99_of(results[("poll", s)]) for s in ("idle", "load")) < POLL_EVERY + 1),
    ]
    print("goals: " + ", ".join(f"{name}: {'met' if ok else 'MISSED'}" for name, ok in goals))


if __name__ == "__main__":
    sys.exit(main())
