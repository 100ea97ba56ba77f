"""Ingest rate and search latency on SQLite and PostgreSQL, side by side in one run.

    python bench/stores.py           # 100,000 stories into each store (make bench)
    python bench/stores.py --quick   # 2,000: proves it runs
    python bench/stores.py --count 10000

Stories go in through `wiredesk ingest`'s own path (cli.stories.ingest_files: files of 500
ninjs stories in a folder, read, detected, parsed and applied by the desk, each file a
savepoint, 200 files a commit). The goals of issue 17 are 3,000 stories/s on SQLite and
2,000/s on PostgreSQL; the ratio to the goal is printed, with the CPU milliseconds this
process spent a story (on PostgreSQL the server's own work is not in it: the wall clock's
rate minus this is the server and the machine's other load).
Each store is filled twice. First with TEMPLATED copy: every story the same five sentences
around a few of 12 words, so the whole corpus is one event and a file's 500 stories share
the same 16 cluster bands (the cheap case for clustering: one band read serves them all).
Then with VARIED copy, as bench/scale.py writes it (3 to 7 paragraphs drawn from a
Zipf-weighted vocabulary of 8,000 words, headlines of their own, a lede naming four to seven
people from a Zipf-weighted pool and giving two to four figures): unrelated stories whose
common words and names still collide in some bands, as real copy's do, so each file reads thousands
of bands and each story's candidates are checked. The varied row is the nearer to a real
wire; the goals are quoted against both.
Search (on the templated store) runs the same 200 queries (words, phrases, prefixes) against each store. PostgreSQL
is $WIREDESK_TEST_DATABASE_URL or 127.0.0.1:5432/test, in a schema of its own that is dropped
afterwards; without a server the PostgreSQL column says why it is missing.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, text

from wiredesk import formats
from wiredesk.cli.stories import collect_files, ingest_files
from wiredesk.store import Store
from wiredesk.terms import Terms

PG = os.environ.get("WIREDESK_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
WORDS = ["storm", "markets", "election", "football", "court", "oil", "summit", "vaccine",
         "harbour", "minister", "shares", "drought"]
INGEST_GOAL = {"SQLite": 3000, "PostgreSQL": 2000}  # stories/s, issue 17
QUERIES = ["storm", "markets report", '"oil prices"', "elect*", "court ruling", "summit*",
           '"prime minister"', "vaccine", "harbour storm", "share*"]


def files(count: int, now: datetime,
          story: Callable[[int], tuple[str, str, str]]) -> list[bytes]:
    """`count` ninjs stories in files of 500, a second apart up to `now`; `story(i)` gives
    the i-th story's headline, HTML body and subject."""
    batches = []
    for start in range(0, count, 500):
        items = []
        for i in range(start, min(count, start + 500)):
            headline, body, subject = story(i)
            items.append({
                "uri": f"urn:bench:{i}", "version": "1",
                "versioncreated": (now - timedelta(seconds=count - i)).isoformat(),
                "headlines": [{"role": "main", "value": headline}],
                "bodies": [{"role": "main", "contenttype": "text/html", "value": body}],
                "infosources": [{"name": ("Reuters", "AP", "AFP")[i % 3], "role": "originator"}],
                "subjects": [{"name": subject}],
            })
        batches.append(json.dumps(items).encode())
    return batches


def corpus(count: int, now: datetime) -> list[bytes]:
    """Templated copy: the same five sentences around a few of WORDS."""
    def story(i: int) -> tuple[str, str, str]:
        a, b = WORDS[i % len(WORDS)], WORDS[(i * 7) % len(WORDS)]
        body = "".join(f"<p>The {WORDS[(i + p) % len(WORDS)]} report said oil prices and the "
                       f"prime minister's {b} plans moved markets, paragraph {p}.</p>"
                       for p in range(5))
        return f"{a.title()} and {b}: story {i}", body, a

    return files(count, now, story)


def varied_corpus(count: int, now: datetime) -> list[bytes]:
    """`count` stories of unrelated events in bench/scale.py's words, files of 500."""
    from scale import Corpus  # scale imports this module: imported when needed

    words = Corpus()
    rng = words.rng
    # Names as real copy has them: a few very common (the leaders, the big countries), most
    # rare; each lede names four to seven of them and gives two to four figures, so a story
    # has the keys a verdict needs and unrelated stories now and then share common ones.
    names = [w.title() for w in words.words]  # 8,000, in the vocabulary's Zipf order
    weights = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(names))))

    def story(i: int) -> tuple[str, str, str]:
        who = rng.choices(names, cum_weights=weights, k=rng.randint(4, 7))
        figures = [str(rng.randint(2, 99_999)) for _ in range(rng.randint(2, 4))]
        lede = (f"Officials said {', '.join(who[:-1])} and {who[-1]} met on the "
                f"{' and '.join(figures)} {words.sentence(8).lower()}.")
        paragraphs = [lede, *rng.sample(words.paragraphs, rng.randint(3, 7))]
        body = "".join(f"<p>{p}</p>" for p in paragraphs)
        return words.sentence(6), body, WORDS[i % len(WORDS)]

    return files(count, now, story)


def measure(url: str, batches: list[bytes], now: datetime, *,
            searches: bool = True) -> dict[str, float]:
    store = Store.open(url)
    count = sum(len(formats.parse(b, "ninjs")) for b in batches)
    with tempfile.TemporaryDirectory() as folder:
        for n, data in enumerate(batches):
            (Path(folder) / f"batch-{n:05d}.json").write_bytes(data)
        files = collect_files([Path(folder)])
        started, cpu = time.perf_counter(), time.process_time()  # reading and parsing included
        totals = ingest_files(store, files, source="bench", terms=Terms(None, None, 365))
        ingest = count / (time.perf_counter() - started)
        cpu_ms = (time.process_time() - cpu) * 1000 / count
    assert totals["new"] == count, totals
    if not searches:
        store.close()
        return {"ingest": ingest, "cpu_ms": cpu_ms}
    timings = []
    for _ in range(20):
        for q in QUERIES:
            started = time.perf_counter()
            store.search(q, now, limit=10, offset=0)
            timings.append(time.perf_counter() - started)
    store.close()
    timings.sort()
    return {"ingest": ingest, "cpu_ms": cpu_ms, "p50": statistics.median(timings) * 1000,
            "p99": timings[int(len(timings) * 0.99) - 1] * 1000}


def pg_schema() -> tuple[str | None, str]:
    try:
        admin = create_engine(PG, connect_args={"connect_timeout": 3})
        schema = f"wd_bench_{uuid.uuid4().hex[:10]}"
        with admin.begin() as c:
            c.execute(text(f'CREATE SCHEMA "{schema}"'))
        admin.dispose()
    except Exception as exc:  # no server: report it rather than fail the whole bench
        return None, f"no PostgreSQL at {PG}: {type(exc).__name__}"
    separator = "&" if "?" in PG else "?"
    return f"{PG}{separator}options=-csearch_path%3D{schema}", schema


def drop_schema(schema: str) -> None:
    admin = create_engine(PG)
    with admin.begin() as c:
        c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--count", type=int, help="stories into each store (default 100,000)")
    args = parser.parse_args()
    count = args.count or (2000 if args.quick else 100_000)
    now = datetime.now(UTC)
    corpora = {"templated": corpus(count, now), "varied": varied_corpus(count, now)}
    results: dict[tuple[str, str], dict[str, float] | str] = {}
    for text_kind, batches in corpora.items():
        searches = text_kind == "templated"
        with tempfile.TemporaryDirectory() as folder:
            results["SQLite", text_kind] = measure(f"sqlite:///{folder}/bench.db", batches, now,
                                                   searches=searches)
        url, schema = pg_schema()
        if url is None:
            results["PostgreSQL", text_kind] = schema
            continue
        try:
            results["PostgreSQL", text_kind] = measure(url, batches, now, searches=searches)
        finally:
            drop_schema(schema)
    load = os.getloadavg()[0]
    print(f"{count:,} stories through `wiredesk ingest` (files of 500) for each copy, then "
          f"{20 * len(QUERIES)} searches; load average {load:.1f} on {os.cpu_count()} cores")
    print(f"{'store':<12} {'copy':<10} {'ingest stories/s':>17} {'/ goal':>8} "
          f"{'CPU ms/story':>13} {'search p50 ms':>14} {'search p99 ms':>14}")
    for (name, text_kind), r in results.items():
        if isinstance(r, str):
            print(f"{name:<12} {text_kind:<10} skipped: {r}")
            continue
        goal = INGEST_GOAL[name]
        line = (f"{name:<12} {text_kind:<10} {r['ingest']:>17,.0f} {r['ingest'] / goal:>7.2f}x "
                f"{r['cpu_ms']:>13.3f}")
        if "p50" in r:
            line += f" {r['p50']:>14.2f} {r['p99']:>14.2f}"
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
