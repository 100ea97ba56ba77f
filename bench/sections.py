"""Front page and section pages at scale (issue 14): render times of the surfaces it added.

    python bench/sections.py                    # 100,000 stories, SQLite and PostgreSQL
    python bench/sections.py --stories 20000    # any size
    python bench/sections.py --quick            # 2,000: proves it runs (tests/test_bench.py)
    python bench/sections.py --stores sqlite    # one store only

The store is built by bench/scale.py's bulk path, then every story is filed under an IPTC
Media Topic (story_topics, as the desk files them): a child code below one of the 17 top
levels, drawn with a Zipf weight so politics, business and sport are large sections and
weather is small (about 1 in 60 stories), as on a real wire.

Each surface is rendered in process with the rendered-page cache off (every request is a
first render: the store's queries and the templates), REPEAT times, and reported as the
median in ms and as a ratio to the overall Atom feed (50 entries) measured side by side:
the feed is the reference because it existed before and its work is the same at any size.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert, text

sys.path.insert(0, str(Path(__file__).parent))
from scale import build  # noqa: E402
from stores import drop_schema, pg_schema  # noqa: E402
from wiredesk.store import Store  # noqa: E402
from wiredesk.store.section_tables import story_topics  # noqa: E402
from wiredesk.store.sections import TOP_LEVELS  # noqa: E402

REPEAT = 7
BATCH = 20000
# Section order by size on the wire: politics, business, sport ... weather.
BY_SIZE = ("11", "04", "15", "16", "02", "14", "13", "07", "01", "03", "06", "09", "10",
           "08", "05", "12", "17")


def file_under_topics(store: Store, count: int) -> None:
    """Each story i under one child Media Topic (and its top level), Zipf over BY_SIZE."""
    weights = [1 / (rank + 1) for rank in range(len(BY_SIZE))]
    cycle = []
    for number, weight in zip(BY_SIZE, weights, strict=True):
        cycle += [number] * max(1, round(weight * 60))
    rows: list[dict[str, object]] = []
    for i in range(1, count + 1):
        top = cycle[(i * 7919) % len(cycle)]
        rows += [{"story_id": i, "code": f"medtop:{top}{i % 9 + 1:03d}000"},
                 {"story_id": i, "code": f"medtop:{top}000000"}]
        if len(rows) >= BATCH or i == count:
            with store.write() as w:
                w.c.execute(insert(story_topics), rows)
            rows = []


def timed(client, path: str) -> float:  # type: ignore[no-untyped-def]
    runs = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        answer = client.get(path)
        runs.append(time.perf_counter() - started)
        assert answer.status_code == 200, (path, answer.status_code)
    return statistics.median(runs) * 1000


def measure(url: str, count: int) -> dict[str, float]:
    from starlette.testclient import TestClient

    from wiredesk.config import Settings
    from wiredesk.web.app import create_app

    now = datetime.now(UTC)
    store = Store.open(url)
    build(store, count, now)
    file_under_topics(store, count)
    with store.engine.begin() as c:  # as autovacuum would: the planner knows story_topics
        c.execute(text("ANALYZE"))
    slug = {number: name for number, name, _ in TOP_LEVELS}
    deep = 20 if count >= 50_000 else 2  # a page well past the first (a smaller OFFSET)
    pages = {
        "reference: /feeds/atom.xml": "/feeds/atom.xml",
        "front page": "/",
        f"front page {deep}": f"/?page={deep}",
        f"section {slug['11']} (largest)": f"/sections/{slug['11']}",
        f"section {slug['15']}": f"/sections/{slug['15']}",
        f"section {slug['17']} (smallest)": f"/sections/{slug['17']}",
        f"section {slug['15']} page {deep}": f"/sections/{slug['15']}?page={deep}",
        f"section {slug['15']} atom": f"/sections/{slug['15']}/atom.xml",
        "agency AP": "/agencies/ap",
        "article (more-from lists)": f"/story/{count // 2}",
    }
    with TestClient(create_app(Settings(), store=store, cache=False)) as client:
        found = {name: timed(client, path) for name, path in pages.items()}
    store.close()
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stories", type=int, default=100_000)
    parser.add_argument("--quick", action="store_true", help="2,000 stories")
    parser.add_argument("--stores", default="sqlite,postgresql")
    args = parser.parse_args()
    count = 2000 if args.quick else args.stories
    results: dict[str, dict[str, float] | str] = {}
    for kind in args.stores.split(","):
        if kind == "sqlite":
            with tempfile.TemporaryDirectory() as folder:
                results["sqlite"] = measure(f"sqlite:///{folder}/bench.db", count)
        elif kind == "postgresql":
            url, schema = pg_schema()
            if url is None:
                results["postgresql"] = schema  # why not
                continue
            try:
                results["postgresql"] = measure(url, count)
            finally:
                drop_schema(schema)
    print(f"\nRender times at {count:,} stories (median of {REPEAT}, page cache off; "
          "ratio to the Atom feed in the same run)")
    for kind, found in results.items():
        print(f"\n{kind}")
        if isinstance(found, str):
            print(f"  skipped: {found}")
            continue
        reference = next(iter(found.values()))
        for name, ms in found.items():
            print(f"  {name:<34} {ms:8.1f} ms  {ms / reference:5.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
