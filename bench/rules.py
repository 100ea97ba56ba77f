"""What editorial rules cost the desk: ingest with 20 rules against ingest with none.

    python bench/rules.py            # 2,000 stories in deliveries of 50, three rounds each
    python bench/rules.py --quick    # 200 stories, one round: proves it runs

Both stores are SQLite files made the same way and fed the same ninjs deliveries, one after
the other in each round (the order alternating), so the machine's mood weighs on both. The
20 rules are enabled and none matches (every rule is tried on every story: the worst case),
among them keyword patterns. The figure is the ratio of the two ingest times.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from wiredesk import desk
from wiredesk.rules import parse
from wiredesk.store import Store
from wiredesk.story import Delivery
from wiredesk.terms import Terms

NOW = datetime(2026, 6, 1, tzinfo=UTC)
BATCH = 50


def deliveries(count: int, tag: str) -> list[bytes]:
    items = [{"uri": f"urn:bench:{tag}:{i}", "version": "1", "urgency": 5, "language": "en",
              "versioncreated": (NOW + timedelta(seconds=i)).isoformat(),
              "headlines": [{"role": "main", "value": f"Markets close higher, story {i}"}],
              "bodies": [{"role": "main", "contenttype": "text/html",
                          "value": f"<p>Shares rose on day {i} as traders weighed rates.</p>"}],
              "subjects": [{"name": "economy",
                            "uri": "http://cv.iptc.org/newscodes/mediatopic/04000000"}],
              "infosources": [{"name": "AP", "role": "originator"}]} for i in range(count)]
    return [json.dumps(items[n:n + BATCH]).encode() for n in range(0, count, BATCH)]


def rules(store: Store) -> None:
    for n in range(20):
        values = [{"agency": f"Agency{n}"}, {"subject": f"medtop:2000{n:04d}"},
                  {"keyword": rf"^(advisory|daybook|test{n})\b"}, {"language": "xx"},
                  {"urgency_max": 1, "source": "elsewhere"}][n % 5]
        store.rules.add(parse(f"rule{n}", {**values, "action": "review"}), NOW)


def ingest(store: Store, data: list[bytes]) -> float:
    started = time.perf_counter()
    for n, payload in enumerate(data):
        report = desk.apply(store, Delivery(payload, "bench", f"d{n}", NOW), Terms("ninjs"))
        assert report.counts()["new"] == BATCH, report.counts()
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    count, rounds = (200, 1) if args.quick else (2_000, 3)
    timings: dict[str, list[float]] = {"none": [], "20 rules": []}
    with tempfile.TemporaryDirectory() as folder:
        for r in range(rounds):
            stores = {}
            for label in timings:
                stores[label] = Store.open(f"sqlite:///{Path(folder) / f'{r}-{label}.db'}")
            rules(stores["20 rules"])
            order = list(timings) if r % 2 == 0 else list(reversed(timings))
            for label in order:
                timings[label].append(ingest(stores[label], deliveries(count, f"{r}")))
            assert stores["20 rules"].status(NOW).review == 0  # none matched: all published
            for store in stores.values():
                store.close()
    for label, values in timings.items():
        seconds = statistics.median(values)
        print(f"{label:>9}: {count} stories in {seconds:.2f} s "
              f"({count / seconds:,.0f} stories/s, median of {rounds})")
    ratio = statistics.median(timings["20 rules"]) / statistics.median(timings["none"])
    print(f"ingest with 20 rules / with none = {ratio:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
