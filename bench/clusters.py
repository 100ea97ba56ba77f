"""Event clusters: precision and recall on the labelled pairs, and the cost per story.

    python bench/clusters.py            # quality, and the cost at 100,000 live stories
    python bench/clusters.py --quick    # quality, and the cost at 5,000: proves it runs

Quality is measured twice on tests/fixtures/clusters/pairs.jsonl: the pair verdict alone
(window, LSH band collision, overlap test), and end to end, every story delivered through
the desk in time order into a real store, a pair counting as "same" when both stories end
in one cluster (what readers see, chaining included).

Cost: a store is filled with N live stories and their cluster rows (written in bulk, as
`assign_many` would write them), then stories are delivered through the desk one transaction
each, with clustering and with it switched off, side by side in the same run: the figure
is the difference per story, and the ratio of the two. The machine may be shared: trust
the ratio and the difference more than the absolute times.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import cluster_corpus as corpus  # noqa: E402
from wiredesk import clustering, desk  # noqa: E402
from wiredesk.store import Store  # noqa: E402
from wiredesk.store import clusters as store_clusters  # noqa: E402
from wiredesk.store.schema import cluster_bands, stories, story_clusters  # noqa: E402
from wiredesk.story import Delivery  # noqa: E402
from wiredesk.terms import Terms  # noqa: E402

PAIRS = ROOT / "tests" / "fixtures" / "clusters" / "pairs.jsonl"


def scores(verdicts: list[tuple[bool, bool]]) -> tuple[float, float, int, int]:
    """Precision, recall, false positives, false negatives of (said same, is same) pairs."""
    tp = sum(1 for said, truth in verdicts if said and truth)
    fp = sum(1 for said, truth in verdicts if said and not truth)
    fn = sum(1 for said, truth in verdicts if truth and not said)
    return tp / max(1, tp + fp), tp / max(1, tp + fn), fp, fn


def pair_verdicts() -> list[tuple[bool, bool]]:
    found, pairs = corpus.load(PAIRS)
    feats = {i: clustering.features(s["headline"], s["body"], located=s["located"])
             for i, s in found.items()}
    bands = {i: set(clustering.bands(clustering.signature(f))) for i, f in feats.items()}
    at = {i: datetime.fromisoformat(s["at"]) for i, s in found.items()}
    out = []
    for pair in pairs:
        a, b = pair["pair"]
        said = (abs(at[a] - at[b]) <= clustering.WINDOW and bool(bands[a] & bands[b])
                and clustering.same_event(feats[a], feats[b]))
        out.append((said, pair["same"]))
    return out


def deliver_all(store: Store) -> dict[int, int]:
    """Deliver the labelled set's stories in time order; each story's cluster."""
    found, _ = corpus.load(PAIRS)
    order = sorted(found, key=lambda i: found[i]["at"])
    now = max(datetime.fromisoformat(s["at"]) for s in found.values()) + timedelta(hours=1)
    for i in order:
        delivery = Delivery(corpus.ninjs(found[i], f"urn:corpus:{i}"), "bench", f"{i}.json", now)
        desk.apply(store, delivery, Terms(licence_days=60))
    clusters = {}
    for i in order:
        record = store.story_by_uri(f"urn:corpus:{i}")
        assert record is not None
        clusters[i] = store.clusters.cluster_of(record.id)
    return clusters


def end_to_end(store: Store) -> list[tuple[bool, bool]]:
    _, pairs = corpus.load(PAIRS)
    clusters = deliver_all(store)
    return [(clusters[p["pair"][0]] == clusters[p["pair"][1]], p["same"]) for p in pairs]


def fill(store: Store, count: int, start: datetime) -> None:
    """`count` live stories over 30 days (a licence period) with their cluster rows."""
    rng = random.Random(7)
    events = [corpus.make_event(rng, n, rng.choice(list(corpus.H)), *rng.choice(corpus.PLACES),
                                start + timedelta(minutes=n * 3)) for n in range(count // 3 + 1)]
    span = timedelta(days=30)
    rows, members, bands = [], [], []
    for n in range(count):
        event = events[n // 3]
        story = corpus.write(rng, event, rng.choice(corpus.AGENCIES), event.at)
        at = start + span * n / count
        rows.append({"id": n + 1, "uri": f"urn:fill:{n}", "source": "bench", "state": "live",
                     "head_version_id": None, "version_count": 1, "headline": story["headline"],
                     "agency": story["agency"], "firstcreated": at, "versioncreated": at,
                     "embargoed": None, "ends_at": at + span + timedelta(days=60), "updated_at": at})
        found = clustering.features(story["headline"], story["body"], located=story["located"])
        members.append({"story_id": n + 1, "cluster_id": n // 3 + 1, "agency": story["agency"],
                        "slug": None, "at": at, "features": clustering.pack(found)})
        bands += [{"band": b, "at": at, "story_id": n + 1}
                  for b in dict.fromkeys(clustering.bands(clustering.signature(found)))]
    with store.write() as w:
        for table, values in ((stories, rows), (story_clusters, members), (cluster_bands, bands)):
            for first in range(0, len(values), 20_000):
                w.c.execute(insert(table), values[first:first + 20_000])


def cost(url: str, count: int, deliveries: int) -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    store = Store.open(url)
    t0 = time.perf_counter()
    fill(store, count, start)
    print(f"filled {count:,} live stories with cluster rows in {time.perf_counter() - t0:.1f} s")
    rng = random.Random(11)
    now = start + timedelta(days=30)
    real_assign = store_clusters.assign_many  # a new story's: at the Writer's flush
    inside: list[float] = []

    def timed_assign(*args: object, **kwargs: object) -> list[int]:
        c0 = time.process_time()
        try:
            return real_assign(*args, **kwargs)  # type: ignore[arg-type]
        finally:
            inside.append(time.process_time() - c0)
    timings: dict[str, list[float]] = {"with": [], "without": []}
    cpu: dict[str, list[float]] = {"with": [], "without": []}
    for n in range(deliveries):
        event = corpus.make_event(rng, n, rng.choice(list(corpus.H)), *rng.choice(corpus.PLACES),
                                  now - timedelta(hours=rng.randint(0, 40)))
        for mode in ("with", "without"):  # side by side: the same story, both ways
            story = corpus.write(rng, event, rng.choice(corpus.AGENCIES), event.at)
            data = corpus.ninjs(story, f"urn:cost:{mode}:{n}")
            store_clusters.assign_many = timed_assign if mode == "with" else _no_assign
            t0, c0 = time.perf_counter(), time.process_time()
            desk.apply(store, Delivery(data, "bench", None, now), Terms(licence_days=60))
            timings[mode].append(time.perf_counter() - t0)
            cpu[mode].append(time.process_time() - c0)
    store_clusters.assign_many = real_assign
    print(f"CPU inside clusters.assign_many: {statistics.mean(inside) * 1000:.2f} ms a story "
          f"(mean), {statistics.median(inside) * 1000:.2f} ms median")
    for label, found in (("wall", timings), ("CPU", cpu)):
        with_ms = statistics.mean(found["with"]) * 1000
        without_ms = statistics.mean(found["without"]) * 1000
        print(f"{label}: delivery at {count:,} live stories, with clustering {with_ms:.2f} ms "
              f"a story (mean of {deliveries}), without {without_ms:.2f} ms: clustering adds "
              f"{with_ms - without_ms:.2f} ms (ratio {with_ms / without_ms:.2f})")
    ids = list(range(count - 29, count + 1))  # the newest 30 of the fill, as a front page
    store.clusters.around(ids, now)  # compiled once, as in a running site
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(20):
        store.clusters.around(ids, now)
    print(f"front page's cluster read (30 stories): {(time.perf_counter() - t0) * 50:.2f} ms "
          f"wall, {(time.process_time() - c0) * 50:.2f} ms CPU")
    store.close()


def _no_assign(*args: object, **kwargs: object) -> list[int]:
    return []


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--url", help="store URL (default: a fresh SQLite file)")
    parser.add_argument("--size", type=int, help="live stories for the cost (default 100,000)")
    args = parser.parse_args()
    precision, recall, fp, fn = scores(pair_verdicts())
    total = len(corpus.load(PAIRS)[1])
    print(f"labelled pairs: {total}")
    print(f"pair verdict: precision {precision:.3f} recall {recall:.3f} ({fp} false same, {fn} missed)")
    with tempfile.TemporaryDirectory() as folder:
        store = Store.open(args.url or f"sqlite:///{folder}/quality.db")
        precision, recall, fp, fn = scores(end_to_end(store))
        store.close()
        print(f"end to end (clusters in the store): precision {precision:.3f} recall {recall:.3f} "
              f"({fp} false same, {fn} missed)")
        size, deliveries = (5_000, 40) if args.quick else (100_000, 300)
        size = args.size or size
        cost(args.url or f"sqlite:///{folder}/cost.db", size, deliveries)


if __name__ == "__main__":
    main()
