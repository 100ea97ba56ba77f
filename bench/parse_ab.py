"""Parse speed of two checkouts side by side: stories per second of one file per format,
each checkout in its own process (PYTHONPATH), interleaved, best of N, pinned to one core.

    git worktree add /tmp/wd-old 1b24d4c
    python bench/parse_ab.py --ref /tmp/wd-old/src            # plain, iptc7901, anpa...
    python bench/parse_ab.py --ref /tmp/wd-old/src --rounds 7 plain iptc7901
    python bench/parse_ab.py --quick                           # this checkout against itself

Both checkouts read the same bytes (this checkout's fixtures), so only the code differs.
Rates are CPU time of the worker process; the order alternates every round, and the best
round of each counts, so a busy neighbour costs both sides alike. Trust the ratio.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
# format: (file, parses a round): one story a file, except the generated batches below.
FILES = {
    "plain": (ROOT / "samples" / "00-reuters-via-euronews.txt", 3000),
    "iptc7901": (FIXTURES / "iptc7901" / "story.7901", 3000),
    "anpa": (FIXTURES / "anpa" / "story.anpa", 3000),
    "nitf": (FIXTURES / "nitf" / "ap-story.xml", 1000),
    "ninjs": (None, 20),  # 500 items a file, from bench/parse.py's builders
    "newsmlg2": (None, 20),
    "feeds": (None, 1),  # the real-world-shaped feed corpus (bench/feedcorpus.py), all 22 feeds
}


def worker(fmt: str, path: str, count: int) -> None:
    """Runs in the checkout under test: print its best rate over three timed rounds."""
    from wiredesk import formats

    where = Path(path)
    files = sorted(where.iterdir()) if where.is_dir() else [where]
    datas = [f.read_bytes() for f in files]
    fmt = "feed" if fmt == "feeds" else fmt
    for data in datas:
        formats.parse(data, fmt)  # warm: imports, regex and schema caches
    try:  # the feed memo (formats/feeds_memo.py): every round reads the entries anew
        from wiredesk.formats.feeds_memo import MEMO  # noqa: PLC0415
        forget = MEMO.clear
    except ImportError:  # a checkout from before the memo
        def forget() -> None:
            pass
    best = 0.0
    for _ in range(3):
        forget()
        start = time.process_time()
        stories = sum(len(formats.parse(d, fmt)) for _ in range(count) for d in datas)
        best = max(best, stories / (time.process_time() - start))
    print(f"{best:.1f}")


def corpus_file(fmt: str, folder: Path, quick: bool = False) -> Path:
    """The file (or, for feeds, the folder of files) a worker reads for `fmt`."""
    path, _ = FILES[fmt]
    if path is not None:
        return path
    sys.path.insert(0, str(ROOT / "bench"))
    if fmt == "feeds":
        from feedcorpus import feeds  # noqa: PLC0415

        made = folder / ("feeds-quick.bench" if quick else "feeds.bench")
        made.mkdir(exist_ok=True)
        for name, data in feeds(0.01 if quick else 1.0):
            (made / name).write_bytes(data)
        return made
    import parse  # noqa: PLC0415  # feedparser and the builders, only when needed

    build = {"ninjs": parse.ninjs_corpus, "newsmlg2": parse.newsmlg2_corpus}[fmt]
    made = folder / f"{fmt}.bench"
    made.write_bytes(build(500)[0])
    return made


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("formats", nargs="*", default=["plain", "iptc7901", "anpa"])
    parser.add_argument("--ref", default=str(ROOT / "src"), help="the other checkout's src/")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--core", default="1", help="taskset core ('' for none)")
    parser.add_argument("--quick", action="store_true", help="two short rounds: check it runs")
    parser.add_argument("--worker", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker[0], args.worker[1], int(args.worker[2]))
        return 0
    rounds = 2 if args.quick else args.rounds
    trees = {"ref": args.ref, "this": str(ROOT / "src")}
    folder = Path(os.environ.get("TMPDIR", "/tmp"))
    best = {(f, t): 0.0 for f in args.formats for t in trees}
    pin = ["taskset", "-c", args.core] if args.core else []
    paths = {fmt: corpus_file(fmt, folder, args.quick) for fmt in args.formats}
    for round_ in range(rounds):
        for fmt in args.formats:
            path = paths[fmt]
            count = min(5, FILES[fmt][1]) if args.quick else FILES[fmt][1]
            for tree in ("ref", "this") if round_ % 2 == 0 else ("this", "ref"):
                env = {**os.environ, "PYTHONPATH": trees[tree]}
                out = subprocess.run([*pin, sys.executable, __file__, "--worker", fmt, str(path),
                                      str(count)], env=env, capture_output=True, text=True,
                                     check=True)
                best[fmt, tree] = max(best[fmt, tree], float(out.stdout))
    print(f"best of {rounds} interleaved rounds; ref = {args.ref}, this = {trees['this']}")
    for fmt in args.formats:
        ref, this = best[fmt, "ref"], best[fmt, "this"]
        print(f"{fmt:<10} ref {ref:>9,.0f}/s  this {this:>9,.0f}/s  "
              f"{100 * (this / ref - 1):+.1f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
