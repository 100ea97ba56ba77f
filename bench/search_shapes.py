"""Which search shapes make the p99: build a store once (kept), then time 200 distinct searches.

    python bench/search_shapes.py --stories 200000 --store sqlite --keep /tmp/s200k
    python bench/search_shapes.py --stories 200000 --store postgresql --keep /tmp/p200k

The store is built by bench/scale.py's bulk path (same corpus, same 200 queries) and kept
under --keep (a SQLite file, or a note naming the PostgreSQL schema), so a second run times
the searches of the code as it is now against the same store: before and after side by side.
Prints p50/p99 (ms) of `Store.search` (snippets and records included, nothing cached), by the
wall clock and in CPU time (this process and the PostgreSQL server's, so a loaded machine
shows as a gap between the two), and the 10 costliest queries in CPU time per shape.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from scale import CpuClock, build, percentiles, queries  # noqa: E402
from stores import pg_schema  # noqa: E402
from wiredesk.store import Store  # noqa: E402


def opened(kind: str, count: int, keep: Path) -> tuple[str, datetime]:
    """The store's URL and the `now` it was built at, building it on the first run."""
    note = keep.with_suffix(".json")
    if note.exists():
        saved = json.loads(note.read_text())
        return saved["url"], datetime.fromisoformat(saved["now"])
    now = datetime.fromisoformat("2026-12-01T12:00:00+00:00")
    if kind == "sqlite":
        url = f"sqlite:///{keep}.db"
    else:
        url, schema = pg_schema()
        if url is None:
            raise SystemExit(schema)
    store = Store.open(url)
    print(f"built {count:,} in {build(store, count, now):.0f} s", file=sys.stderr)
    store.close()
    note.write_text(json.dumps({"url": url, "now": now.isoformat()}))
    return url, now


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stories", type=int, default=200_000)
    parser.add_argument("--store", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--keep", type=Path, required=True, help="where the built store is kept")
    parser.add_argument("--rounds", type=int, default=1, help="repeat the 200 (cold first)")
    parser.add_argument("--queries", type=int, default=200, help="the first N of the 200")
    args = parser.parse_args()
    url, now = opened(args.store, args.stories, args.keep)
    store = Store.open(url)
    cpu = CpuClock(store)
    timed: list[tuple[float, float, str]] = []
    for _ in range(args.rounds):
        for q in queries()[:args.queries]:
            started, used = time.perf_counter(), cpu()
            page = store.search(q, now, limit=10)
            timed.append((cpu() - used, time.perf_counter() - started,
                          f"{q} ({page.total}{'' if page.exact else '+'})"))
    store.close()
    p50, p99 = percentiles([t for _, t, _ in timed])
    c50, c99 = percentiles([c for c, _, _ in timed])
    print(f"{args.store} {args.keep.name}: wall p50 {p50:.1f} ms  p99 {p99:.1f} ms  "
          f"mean {statistics.mean(t for _, t, _ in timed) * 1000:.1f} ms; CPU (client and server) "
          f"p50 {c50:.1f} ms  p99 {c99:.1f} ms  ({len(timed)} searches)")
    for c, t, q in sorted(timed, reverse=True)[:10]:
        print(f"  CPU {c * 1000:8.1f} ms  wall {t * 1000:8.1f} ms  {q}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
