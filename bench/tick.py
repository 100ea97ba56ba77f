"""The clock's cost grows with change, not with size.

    python bench/tick.py            # idle tick at 1,000 vs 1,000,000 stories; 10,000 expiring at once
    python bench/tick.py --quick    # 1,000 vs 20,000 and 1,000 expiring: proves it runs

Stories are written straight into the `stories` table (the only table `lifecycle.tick` reads
when nothing is due), so a million rows take seconds, not the desk's hour. The figure is the
ratio of an idle tick's time at the large size to the small one, measured in the same run.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from wiredesk import lifecycle
from wiredesk.store import Store
from wiredesk.store.schema import stories

NOW = datetime(2026, 6, 1, tzinfo=UTC)


def fill(store: Store, count: int, *, ending: datetime) -> None:
    rows = [{
        "uri": f"urn:tick:{i}", "source": "bench", "state": "live", "head_version_id": None,
        "version_count": 1, "headline": f"Story {i}", "agency": "AP", "firstcreated": NOW,
        "versioncreated": NOW, "embargoed": None, "ends_at": ending + timedelta(seconds=i % 3600),
        "updated_at": NOW,
    } for i in range(count)]
    with store.write() as w:
        for start in range(0, count, 50_000):
            w.c.execute(insert(stories), rows[start:start + 50_000])


def idle_tick_ms(store: Store, rounds: int) -> float:
    lifecycle.tick(store, NOW)  # warm the connection and statement caches
    timings = []
    for _ in range(rounds):
        started = time.perf_counter()
        report = lifecycle.tick(store, NOW)
        timings.append(time.perf_counter() - started)
        assert report.expired == 0 and report.embargoes_lifted == 0
    return statistics.median(timings) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    small, large, expiring = (1_000, 20_000, 1_000) if args.quick else (1_000, 1_000_000, 10_000)
    rounds = 20 if args.quick else 200
    with tempfile.TemporaryDirectory() as folder:
        timings = {}
        for count in (small, large):
            store = Store.open(f"sqlite:///{Path(folder) / f'tick-{count}.db'}")
            started = time.monotonic()
            fill(store, count, ending=NOW + timedelta(days=30))
            print(f"  {count:>9,} stories written in {time.monotonic() - started:.1f} s", file=sys.stderr)
            timings[count] = idle_tick_ms(store, rounds)
            if count == large:
                fill_expiring(store, expiring)
                started = time.perf_counter()
                report = lifecycle.tick(store, NOW)
                pass_seconds = time.perf_counter() - started
                again = lifecycle.tick(store, NOW)
            store.close()
    print(f"idle tick, median of {rounds}: {timings[small]:.3f} ms at {small:,} stories, "
          f"{timings[large]:.3f} ms at {large:,} stories: ratio {timings[large] / timings[small]:.2f}")
    print(f"expiring {expiring:,} stories at once: {report.expired:,} taken down by one tick "
          f"in {pass_seconds:.2f} s ({report.expired / pass_seconds:,.0f}/s); "
          f"the next tick found {again.expired} more")
    return 0 if report.expired == expiring and again.expired == 0 else 1


def fill_expiring(store: Store, count: int) -> None:
    rows = [{
        "uri": f"urn:tick:expiring:{i}", "source": "bench", "state": "live", "head_version_id": None,
        "version_count": 1, "headline": f"Expiring {i}", "agency": "AP", "firstcreated": NOW,
        "versioncreated": NOW, "embargoed": None, "ends_at": NOW - timedelta(seconds=1),
        "updated_at": NOW,
    } for i in range(count)]
    with store.write() as w:
        w.c.execute(insert(stories), rows)


if __name__ == "__main__":
    sys.exit(main())
