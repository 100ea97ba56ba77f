"""A million stories: store size, serving memory, page renders, the clock, copy and search.

    python bench/scale.py                      # 1,000,000 stories, SQLite and PostgreSQL
    python bench/scale.py --stories 100000     # any size
    python bench/scale.py --quick              # 2,000: proves it runs (tests/test_bench.py)
    python bench/scale.py --stores sqlite      # one store only
    python bench/scale.py --data /big/disk     # keep the built stores; measure them again later

The store is BUILT BY A BULK PATH, not through the desk: rows for stories, versions, raw
bytes, subjects and the search index are written with executemany, 20,000 stories a
transaction (with a big page cache and no fsync; on PostgreSQL the GIN index built at the end), the search rows by the same `search.index_many` the desk uses. (The desk's own
rate is bench/stores.py's figure.) Stories are spread evenly over the last 30 days, bodies
of 3 to 7 paragraphs of 20 words drawn from a Zipf-weighted vocabulary of 8,000 words, so common words
match most stories and rare ones a few, as in real copy.

Then, on each store: its size on disk; 200 distinct searches (words, two words, phrases,
prefixes) through `Store.search` (snippets and records included; nothing cached), p50 and
p99; an idle clock tick; `wiredesk serve --no-worker` started on the store, the front page,
deeper front pages, agency and subject feeds (the site's sections) and an article timed on
their first (uncached) render, 200 searches over HTTP, and then the RSS of the server's
processes; `wiredesk backup` of the live store (SQLite's backup API; pg_dump -Fc), timed
with its size; `wiredesk store copy` into an empty store of the same kind, timed.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import event, func, insert, select, text

sys.path.insert(0, str(Path(__file__).parent))
from stores import drop_schema, pg_schema  # noqa: E402
from wiredesk import lifecycle  # noqa: E402
from wiredesk.store import Store, search  # noqa: E402
from wiredesk.store.codec import story_meta  # noqa: E402
from wiredesk.store.schema import raws, stories, story_subjects, versions  # noqa: E402
from wiredesk.story import Body, Story, Subject  # noqa: E402

BATCH = 20_000
AGENCIES = ("Reuters", "AP", "AFP", "dpa", "PA")
SUBJECTS = ("politics", "business", "sport", "weather", "health", "science", "culture",
            "world", "technology", "crime")
SYLLABLES = ("ka", "ro", "mi", "ten", "sa", "lo", "vi", "ne", "dor", "pa", "qui", "ber",
             "tu", "gan", "el", "os", "ri", "mar", "fe", "lin")


def vocabulary() -> list[str]:
    words = [a + b + c for a in SYLLABLES for b in SYLLABLES for c in SYLLABLES]
    random.Random(7).shuffle(words)
    return words  # 8,000 words; rank 1 is the most common


class Corpus:
    """Stories made from a pool of 4,000 paragraphs drawn from the Zipf-weighted vocabulary:
    each story takes 3 to 7 of them and a headline of its own, so making a million is quick
    and word frequencies stay those of the vocabulary."""

    def __init__(self, seed: int = 42) -> None:
        self.rng = random.Random(seed)
        self.words = vocabulary()
        self.weights = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(self.words))))
        self.paragraphs = [self.sentence(20) + "." for _ in range(4000)]

    def sentence(self, k: int) -> str:
        return " ".join(self.rng.choices(self.words, cum_weights=self.weights, k=k)).capitalize()

    def story(self, i: int, at: datetime) -> Story:
        paragraphs = self.rng.sample(self.paragraphs, self.rng.randint(3, 7))
        headline = self.sentence(6)
        html = "".join(f"<p>{p}</p>" for p in paragraphs)
        return Story(
            uri=f"urn:scale:{i}", headline=headline, version="1", firstcreated=at,
            versioncreated=at, agency=AGENCIES[i % len(AGENCIES)], language="en",
            subjects=(Subject(name=SUBJECTS[i % len(SUBJECTS)]),),
            body=Body(received=html, content_type="text/html", html=html,
                      text="\n\n".join(paragraphs)),
            raw=f"urn:scale:{i}\n{headline}\n{html}".encode(), format="ninjs",
        )


def build(store: Store, count: int, now: datetime, *, progress: bool = True) -> float:
    """The bulk path: rows straight into the tables, ids given, 20,000 stories a transaction."""
    corpus = Corpus()
    span = timedelta(days=30).total_seconds()
    ends = now + timedelta(days=60)
    started = time.perf_counter()
    postgres = store.engine.dialect.name == "postgresql"
    settings = bulk_settings(store)
    with store.write() as w:  # the source the stories name
        w.ensure_source("scale", now, agency=None, licence_days=365)
    if postgres:  # one GIN build at the end is several times faster than a million inserts
        with store.engine.begin() as c:
            c.execute(text("DROP INDEX ix_story_search_document"))
    for first in range(1, count + 1, BATCH):
        batch = []
        for i in range(first, min(count, first + BATCH - 1) + 1):
            at = now - timedelta(seconds=span * (count - i) / count)
            batch.append((i, corpus.story(i, at)))
        with store.write() as w:
            w.c.execute(insert(raws), [{"sha256": s.raw_sha256, "data": s.raw, "size": len(s.raw)}
                                       for _, s in batch])
            w.c.execute(insert(stories), [{
                "id": i, "uri": s.uri, "source": "scale", "state": "live", "head_version_id": i,
                "version_count": 1, "headline": s.headline, "agency": s.agency,
                "located": None, "urgency": None, "language": s.language,
                "firstcreated": s.firstcreated, "versioncreated": s.versioncreated,
                "embargoed": None, "ends_at": ends, "updated_at": now} for i, s in batch])
            w.c.execute(insert(versions), [{
                "id": i, "story_id": i, "version": "1", "version_number": 1,
                "versioncreated": s.versioncreated, "received_at": s.versioncreated,
                "pubstatus": "usable", "format": "ninjs", "source": "scale", "delivery_name": None,
                "raw_sha256": s.raw_sha256, "meta": story_meta(s), "body_received": s.body.received,
                "body_content_type": s.body.content_type, "body_html": s.body.html,
                "body_text": s.body.text, "purged": False} for i, s in batch])
            w.c.execute(insert(story_subjects), [{"story_id": i, "name": s.subjects[0].name,
                                                  "uri": None} for i, s in batch])
            search.index_many(w.c, search.index_rows(w.c.dialect.name, batch))
        if progress:
            print(f"\r  built {batch[-1][0]:,} of {count:,}", end="", file=sys.stderr, flush=True)
    if postgres:
        with store.engine.begin() as c:  # serial ids continue after the given ones
            c.execute(text("SET LOCAL maintenance_work_mem = '512MB'"))
            c.execute(text(search.create_index_sql("postgresql")[1]))
            for table in ("stories", "versions"):
                c.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                               f"(SELECT max(id) FROM {table}))"))
            c.execute(text("ANALYZE"))
    else:
        with store.engine.begin() as c:
            c.execute(text("ANALYZE"))
    event.remove(store.engine, "connect", settings)
    store.engine.dispose()  # the bulk settings end with the build's connections
    if progress:
        print(file=sys.stderr)
    return time.perf_counter() - started


def bulk_settings(store: Store) -> Callable[..., None]:
    """Settings of the build's own connections only: a big page cache on SQLite (the store
    grows to gigabytes; random key inserts into a 2 MB cache went to disk and the build of a
    million took 49 minutes) and no fsync per commit on either store: if the machine fails
    during a bench build, the bench is run again."""
    store.engine.dispose()
    if store.engine.dialect.name == "postgresql":
        sql = ("SET synchronous_commit = off",)
    else:
        sql = ("PRAGMA cache_size = -1048576", "PRAGMA synchronous = OFF")

    def on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        cursor = dbapi_connection.cursor()
        for statement in sql:
            cursor.execute(statement)
        cursor.close()
        if store.engine.dialect.name == "postgresql":
            dbapi_connection.commit()

    event.listen(store.engine, "connect", on_connect)
    return on_connect


def queries(count: int = 200) -> list[str]:
    """Distinct queries across the vocabulary: common and rare words, two words, phrases,
    prefixes. None repeats, so no cache anywhere can answer one from another."""
    words = vocabulary()
    rng = random.Random(99)
    found: list[str] = []
    kinds = ["word", "word", "two", "phrase", "prefix"]
    while len(found) < count:
        kind = kinds[len(found) % len(kinds)]
        a, b = words[int(rng.paretovariate(0.6)) % 4000], words[int(rng.paretovariate(0.6)) % 4000]
        q = {"word": a, "two": f"{a} {b}", "phrase": f'"{a} {b}"', "prefix": a[:4] + "*"}[kind]
        if q not in found:
            found.append(q)
    return found


class CpuClock:
    """CPU seconds spent on searches: this process's and, on PostgreSQL, those of the server
    processes behind the store's connections (from /proc/PID/schedstat, in nanoseconds). On
    a shared machine the wall clock includes waiting for a core; this does not."""

    def __init__(self, store: Store) -> None:
        self.backends: set[int] = set()
        if store.engine.dialect.name == "postgresql":
            store.engine.dispose()  # every connection from now on is seen connecting
            event.listen(store.engine, "connect", self.connected)

    def connected(self, dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        self.backends.add(dbapi_connection.info.backend_pid)

    def __call__(self) -> float:
        server = 0
        for pid in self.backends:
            try:
                server += int(Path(f"/proc/{pid}/schedstat").read_text().split()[0])
            except (OSError, ValueError, IndexError):  # another machine, or gone: not counted
                continue
        return time.process_time() + server / 1e9


def timed_searches(store: Store, qs: list[str], now: datetime) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds of each search, nothing cached."""
    cpu = CpuClock(store)
    walls, cpus = [], []
    for q in qs:
        started, used = time.perf_counter(), cpu()
        store.search(q, now, limit=10)
        walls.append(time.perf_counter() - started)
        cpus.append(cpu() - used)
    return walls, cpus


def percentiles(timings: list[float]) -> tuple[float, float]:
    ordered = sorted(timings)
    return statistics.median(ordered) * 1000, ordered[max(0, int(len(ordered) * 0.99) - 1)] * 1000


def store_size(store: Store, url: str) -> int:
    if store.engine.dialect.name == "postgresql":
        with store.engine.connect() as c:
            return int(c.execute(text(
                "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n "
                "ON n.oid = c.relnamespace WHERE n.nspname = current_schema() "
                "AND c.relkind IN ('r', 'm')")).scalar() or 0)
    path = Path(url.split("///", 1)[1])
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tree_rss(pid: int) -> int:
    """Resident bytes of a process and all its descendants (granian runs a worker process)."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += next(int(line.split()[1]) * 1024 for line in status.splitlines()
                          if line.startswith("VmRSS:"))
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, StopIteration):
            continue
    return total


def get(url: str) -> tuple[float, int]:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=120) as response:  # noqa: S310 (127.0.0.1 only)
        response.read()
        return time.perf_counter() - started, response.status


def serving(url: str, qs: list[str]) -> dict[str, float]:
    """Start `wiredesk serve --no-worker` on the store; first renders; RSS after it all."""
    port = free_port()
    env = cli_env(url)
    server = subprocess.Popen([sys.executable, "-m", "wiredesk.cli", "serve", "--no-worker", "--port",
                               str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                get(base + "/healthz")
                break
            except OSError:
                if server.poll() is not None:
                    break
                time.sleep(0.1)
        else:
            raise RuntimeError("wiredesk serve did not start: " + server.stderr.read1().decode())
        out = {"front": get(base + "/")[0] * 1000,
               "front deep": statistics.median(get(f"{base}/?page={n}")[0] for n in (2, 10, 50)) * 1000,
               "section": statistics.median(get(f"{base}/feeds/agency/{a}/atom.xml")[0]
                                            for a in AGENCIES[:3]) * 1000,
               "subject": statistics.median(get(f"{base}/feeds/subject/{s}/atom.xml")[0]
                                            for s in SUBJECTS[:3]) * 1000,
               "article": get(base + "/story/1")[0] * 1000}
        timings = [get(base + "/search?" + urllib.parse.urlencode({"q": q}))[0] for q in qs]
        out["http search p50"], out["http search p99"] = percentiles(timings)
        out["rss"] = tree_rss(server.pid) / 2**20
        return out
    finally:
        server.terminate()
        server.wait(timeout=30)


def cli_env(url: str) -> dict[str, str]:
    """The environment for a `wiredesk` child process on this store, from this checkout."""
    src = str(Path(__file__).resolve().parents[1] / "src")
    path = os.pathsep.join(p for p in (src, os.environ.get("PYTHONPATH")) if p)
    # No rate limit: the bench is one client asking for 200 searches in a row.
    return {**os.environ, "WIREDESK_DATABASE_URL": url, "PYTHONPATH": path, "WIREDESK_RATE_SEARCH": "0"}


def copy_seconds(url: str, target: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "wiredesk.cli", "store", "copy", "--to", target], env=cli_env(url),
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def backup_seconds(url: str, path: Path) -> tuple[float, float]:
    """`wiredesk backup PATH` as an operator runs it: seconds, and the file's MB."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "wiredesk.cli", "backup", str(path)], env=cli_env(url),
                   check=True, stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - started
    size = path.stat().st_size / 2**20
    path.unlink()
    return seconds, size


def said(result: dict[str, float]) -> dict[str, float]:
    """Each figure on stderr as soon as it is measured: a long run that is stopped keeps them."""
    print("  " + ", ".join(f"{k} {v:,.1f}" for k, v in result.items()), file=sys.stderr, flush=True)
    return result


def measure(url: str, count: int, now: datetime, copy_to: str, built: float,
            backup_to: Path, *, copy: bool = True) -> dict[str, float]:
    store = Store.open(url)
    qs = queries()
    with store.engine.connect() as c:
        assert c.execute(select(func.count()).select_from(stories)).scalar() == count
    timings, cpus = timed_searches(store, qs, now)
    p50, p99 = percentiles(timings)
    cpu50, cpu99 = percentiles(cpus)
    lifecycle.tick(store, now)
    ticks = []
    for _ in range(5):
        started = time.perf_counter()
        lifecycle.tick(store, now)
        ticks.append(time.perf_counter() - started)
    result = {"build s": built, "size MB": store_size(store, url) / 2**20, "search p50": p50,
              "search p99": p99, "search cpu p50": cpu50, "search cpu p99": cpu99,
              "tick ms": statistics.median(ticks) * 1000}
    store.close()
    said(result)
    result.update(said(serving(url, [q + " " + w for q, w in zip(qs, vocabulary()[:200], strict=True)])))
    result["backup s"], result["backup MB"] = backup_seconds(url, backup_to)
    said({"backup s": result["backup s"], "backup MB": result["backup MB"]})
    if copy:
        result["copy s"] = said({"copy s": copy_seconds(url, copy_to)})["copy s"]
    return result


def one_store(kind: str, count: int, folder: Path, *, keep: bool,
              build_only: bool = False, copy: bool = True) -> dict[str, float] | str:
    """Build (or, kept from an earlier run with --data, reopen) one store and measure it."""
    note = folder / f"scale-{kind}-{count}.json"
    saved = json.loads(note.read_text()) if keep and note.exists() else None
    if saved is not None:
        url, schema, now, built = saved["url"], saved["schema"], saved["now"], saved["build s"]
    else:
        now = datetime.now(UTC).replace(microsecond=0).isoformat()
        url, schema = (f"sqlite:///{folder}/scale-{count}.db", "") if kind == "sqlite" else pg_schema()
        if url is None:
            return schema
        store = Store.open(url)
        built = build(store, count, datetime.fromisoformat(now))
        store.close()
        if keep:
            note.write_text(json.dumps({"url": url, "schema": schema, "now": now, "build s": built}))
    if build_only:
        return {"build s": built}
    target, target_schema = (f"sqlite:///{folder}/copy.db", "") if kind == "sqlite" else pg_schema()
    try:
        if target is None:
            return target_schema
        return measure(url, count, datetime.fromisoformat(now), target, built,
                       folder / "scale.backup", copy=copy)
    finally:
        for path in (*folder.glob("copy.db*"), *folder.glob("scale.backup*")):
            path.unlink()
        if target_schema:
            drop_schema(target_schema)
        if not keep:
            for path in folder.glob(f"scale-{count}.db*"):
                path.unlink()
            if schema:
                drop_schema(schema)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stories", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true", help="2,000 stories")
    parser.add_argument("--stores", default="sqlite,postgresql")
    parser.add_argument("--data", type=Path, help="build the stores here and keep them: a later "
                        "run with the same --stories measures them again without building")
    parser.add_argument("--build-only", action="store_true", help="with --data: build, measure nothing")
    parser.add_argument("--no-copy", action="store_true", help="skip `store copy` (long at a million)")
    args = parser.parse_args()
    count = 2000 if args.quick else args.stories
    if count < 1:
        parser.error("--stories: give a number of stories, 1 or more")
    results: dict[str, dict[str, float] | str] = {}
    with tempfile.TemporaryDirectory() as temporary:
        folder = args.data or Path(temporary)
        folder.mkdir(parents=True, exist_ok=True)
        for kind, name in (("sqlite", "SQLite"), ("postgresql", "PostgreSQL")):
            if kind in args.stores.split(","):
                results[name] = one_store(kind, count, folder, keep=args.data is not None,
                                          build_only=args.build_only and args.data is not None,
                                          copy=not args.no_copy)
    if args.build_only:
        print(json.dumps(results))
        return 0
    report(results, count)
    return 0


ROWS = (("build s", "bulk build (s, not the desk)", "{:,.1f}"), ("size MB", "store size (MB)", "{:,.0f}"),
        ("search p50", "search p50 (ms)", "{:.1f}"), ("search p99", "search p99 (ms)", "{:.1f}"),
        ("search cpu p50", "search CPU p50 (ms)", "{:.1f}"), ("search cpu p99", "search CPU p99 (ms)", "{:.1f}"),
        ("tick ms", "idle clock tick (ms)", "{:.2f}"), ("front", "front page, first render (ms)", "{:.1f}"),
        ("front deep", "front pages 2/10/50 (ms)", "{:.1f}"), ("section", "agency feed (ms)", "{:.1f}"),
        ("subject", "subject feed (ms)", "{:.1f}"), ("article", "article (ms)", "{:.1f}"),
        ("http search p50", "HTTP search p50 (ms)", "{:.1f}"),
        ("http search p99", "HTTP search p99 (ms)", "{:.1f}"),
        ("rss", "serving RSS (MB, goal < 300)", "{:.0f}"), ("backup s", "wiredesk backup (s)", "{:,.1f}"),
        ("backup MB", "backup file (MB)", "{:,.0f}"), ("copy s", "store copy (s)", "{:,.1f}"))


def report(results: dict[str, dict[str, float] | str], count: int) -> None:
    print(f"{count:,} stories (bulk-built), 200 distinct searches; machine shared, figures noisy")
    names = list(results)
    print(f"{'':<32}" + "".join(f"{n:>14}" for n in names))
    for key, label, form in ROWS:
        cells = [form.format(r[key]) if isinstance(r, dict) and key in r else "-"
                 for r in results.values()]
        print(f"{label:<32}" + "".join(f"{c:>14}" for c in cells))
    print(f"{'search p99 / 50 ms goal':<32}" + "".join(
        f"{r['search p99'] / 50:>13.2f}x" if isinstance(r, dict) else f"{'-':>14}"
        for r in results.values()))
    print(f"{'serving RSS / 300 MB goal':<32}" + "".join(
        f"{r['rss'] / 300:>13.2f}x" if isinstance(r, dict) else f"{'-':>14}"
        for r in results.values()))
    for name, r in results.items():
        if isinstance(r, str):
            print(f"{name} skipped: {r}")


if __name__ == "__main__":
    sys.exit(main())
