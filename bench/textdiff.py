"""The public history's word diff on long bodies, against plain word-by-word difflib.

    python bench/textdiff.py            # bodies of 1,000 to 20,000 words (reference to 3,000)
    python bench/textdiff.py --quick    # 500 and 1,000 words: proves it runs

web/textdiff.py's `inline_diff` sets the common head and tail aside, matches paragraphs whole
and compares words only inside paragraphs that changed. The reference is what it replaced:
one difflib.SequenceMatcher over every word of both bodies. Both diff the same pairs in the
same run; the figure is the ratio of their times (reference / inline_diff), per case:
a word added in one paragraph, two changes far apart (the second paragraph and the last but
one), a paragraph added in the middle, and a rewrite (every paragraph changed), where
inline_diff's bound on word comparisons (MAX_PAIRS) holds. Words follow a Zipf-like spread.
"""

from __future__ import annotations

import argparse
import difflib
import random
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from wiredesk.web.textdiff import inline_diff  # noqa: E402

TOKENS = re.compile(r"\s+|[^\s]+")  # the reference's tokens: words and spacing apart

COMMON = "the of and to a in that is for on was said with he it as at by from".split()


def word(rng: random.Random) -> str:
    """Words as news copy repeats them: a few very common, a long tail (Zipf-like)."""
    rank = int(rng.paretovariate(0.12))  # about 30% of words among the 20 commonest
    return COMMON[rank - 1] if rank <= len(COMMON) else f"w{rank}"


def body(rng: random.Random, words: int) -> list[str]:
    """Paragraphs of 40 to 80 words."""
    out, left = [], words
    while left > 0:
        n = min(left, rng.randint(40, 80))
        out.append(" ".join(word(rng) for _ in range(n)) + ".")
        left -= n
    return out


def reference(old: str, new: str) -> int:
    a, b = TOKENS.findall(old), TOKENS.findall(new)
    matcher = difflib.SequenceMatcher(lambda t: t.isspace(), a, b, autojunk=False)
    return len(matcher.get_opcodes())


def best(fn, *args, rounds: int = 3) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn(*args)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    quick = parser.parse_args().quick
    rng = random.Random(15)
    sizes = (500, 1_000) if quick else (1_000, 3_000, 20_000)
    print(f"{'case':<28}{'words':>8}{'difflib s':>12}{'inline s':>12}{'ratio':>9}")
    for words in sizes:
        paragraphs = body(rng, words)
        old = "\n".join(paragraphs)
        fixed = list(paragraphs)
        middle = len(fixed) // 2
        fixed[middle] = fixed[middle] + " corrected"
        apart = list(paragraphs)
        apart[1], apart[-2] = apart[1] + " corrected", "added " + apart[-2]
        added = [*paragraphs[:middle], *body(rng, 60), *paragraphs[middle:]]
        rewrite = body(rng, words)
        cases = (("correction in one paragraph", "\n".join(fixed)),
                 ("two changes far apart", "\n".join(apart)),
                 ("paragraph added", "\n".join(added)), ("rewrite", "\n".join(rewrite)))
        for name, new in cases:
            if words > 3_000:
                ref = float("nan")  # the reference takes many minutes here: shown as n/a
            else:
                ref = best(reference, old, new, rounds=1)
            ours = best(inline_diff, old, new)
            ratio = f"{ref / ours:8.1f}x" if ref == ref else "     n/a"
            shown = f"{ref:12.4f}" if ref == ref else f"{'n/a':>12}"
            print(f"{name:<28}{words:>8}{shown}{ours:12.4f}{ratio}")
    print("ratio = plain difflib time / inline_diff time, measured side by side (higher is better)")


if __name__ == "__main__":
    main()
