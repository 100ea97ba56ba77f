"""Which stories tell the same event: features, a MinHash signature, LSH bands, a verdict.

Agencies word one event in different sentences, so shingles of several words rarely match
across agencies; what they share are the event's names, places and figures, and a few of its
words. A story's features are therefore: its capitalised names, its figures, its place
(located or dateline) and its content words (lower case, stop words out, cut to a stem),
from the headline and the first paragraphs. Names, figures and the place carry more weight.

A MinHash signature of the feature set (datasketch, NUM_PERM permutations) is cut into
BANDS bands of ROWS values; stories sharing any band hash are candidates (found with one
indexed query, store/clusters.py), and a candidate joins when the weighted overlap of the
two stories' key features is at least THRESHOLD and they are within WINDOW of each other.
THRESHOLD was chosen on the labelled pairs in tests/fixtures/clusters (bench/clusters.py).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from datasketch import MinHash

WINDOW = timedelta(hours=48)
NUM_PERM = 32
BANDS = 16  # two values a band: a collision is two keys' minimums agreeing, rare by chance
ROWS = NUM_PERM // BANDS
THRESHOLD = 0.18  # weighted overlap of all features...
MIN_SHARED_KEYS = 3  # ...and at least this many names, figures or the place in common
BODY_WORDS = 120  # the lede and the next paragraphs carry the event's facts
_SEED = 18
_WORD = re.compile(r"[^\W_][\w'’.,-]*[^\W_]|[^\W_]", re.UNICODE)
# Split where a sentence ends. The stop itself goes too (cheaper than a look-behind): a
# token ends in a letter or digit, so the stop before a space was never part of one.
_SENTENCES = re.compile(r"[.!?]\s+|\n+")
_FLASH = re.compile(r"^\s*(?:FLASH|BREAKING|URGENT|ALERT|UPDATE \d+|RPT|CORRECTED)\s*[:-]\s*",
                    re.IGNORECASE)
_STOP = frozenset("""a about above after again against all also am an and any are as at be
because been before being below between both but by can could did do does doing down during
each early few for from further had has have having he her here hers him his how i if in into
is it its itself just late later like made make many may me more most much must my near new
no nor not now of off on once one only or other our out over own per said same says she
should since so some such than that the their them then there these they this those through
to too two under until up very was we were what when where which while who whom why will with
would year years you your monday tuesday wednesday thursday friday saturday sunday today
yesterday tonight morning evening afternoon night week weekend month people officials
official told according reporters statement added percent cent least about some around
flash breaking urgent alert update reuters ap afp dpa""".split())
# Capitalised words that begin sentences or name no one in particular.
_NOT_NAMES = frozenset("""the a an at in on of for after as by but it its this that these those
he she they we i his her their there when while with from police officials some about more
most many former prime president minister governor chief rescuers authorities regional
interior finance transport foreign""".split())


@dataclass(frozen=True, slots=True)
class Features:
    keys: frozenset[str]  # names ("n:"), figures ("f:"), the place ("p:")
    words: frozenset[str]  # content-word stems ("w:")
    # feature_bands(self), when worked out ahead (read_ahead): not part of what they are.
    bands: tuple[int, ...] | None = field(default=None, compare=False, repr=False)

    @property
    def all(self) -> frozenset[str]:
        return self.keys | self.words


def _stem(word: str) -> str:
    return word[:6]


def _figure(token: str) -> str | None:
    cleaned = token.replace(",", "").rstrip(".%").replace("’", "'")
    if not any(ch.isdigit() for ch in cleaned):
        return None
    return cleaned.lower()


# What a token means wherever it stands, found once: a figure's "f:" key, or else the word in
# lower case with its "n:" key if it would be a name and its "w:" stem if a content word.
# Wire copy repeats its vocabulary, so most tokens are found here. None: nothing in it.
_Token = tuple[str | None, str, str | None, str | None] | None
_TOKENS: dict[str, _Token] = {}
_TOKENS_MAX = 50_000  # some 15 MB at most; cleared whole when full (cheaper than LRU)


def _token(raw: str) -> _Token:
    token = raw.strip(".,'’-")
    if not token:
        return None
    # Most tokens are letters only, which hold no figure: skip the digit test.
    figure = None if token.isalpha() else _figure(token)
    if figure is not None:
        return ("f:" + figure, "", None, None)
    lower = token.lower().removesuffix("'s").removesuffix("’s")
    if token[0].isupper() and lower not in _NOT_NAMES and lower not in _STOP:
        return (None, lower, "n:" + lower, None)
    if len(lower) > 3 and lower not in _STOP:
        return (None, lower, None, "w:" + _stem(lower))
    return (None, lower, None, None)


def features(headline: str, text: str, *, located: str | None = None) -> Features:
    """The features of a story from its headline, body text and place."""
    given = _GIVEN.get((headline, text, located))
    if given is not None:
        return given
    headline = _FLASH.sub("", headline or "")
    # The first BODY_WORDS words, without splitting the rest of a long story.
    words = (text or "").split(None, BODY_WORDS)[:BODY_WORDS]
    keys: set[str] = set()
    stems: set[str] = set()
    openers: set[str] = set()  # capitalised only because they begin a sentence, perhaps
    place = {w.lower() for w in _WORD.findall(located or "")}
    known = _TOKENS
    if len(known) >= _TOKENS_MAX:
        known.clear()
    for sentence in _SENTENCES.split(headline + "\n" + " ".join(words)):
        for position, raw in enumerate(_WORD.findall(sentence)):
            try:
                meant = known[raw]
            except KeyError:
                meant = known[raw] = _token(raw)
            if meant is None:
                continue
            figure, lower, name, stem = meant
            if figure is not None:
                keys.add(figure)
            elif lower in place:
                continue  # the place is one feature of its own, not a name shared by all its news
            elif name is not None:
                if position == 0:
                    openers.add(lower)
                else:
                    keys.add(name)
            elif stem is not None:
                stems.add(stem)
    for lower in openers:  # a sentence's first word is a name if it is capitalised elsewhere
        if "n:" + lower not in keys and len(lower) > 3:
            stems.add("w:" + _stem(lower))
    if located and located.strip():
        keys.add("p:" + located.strip().lower())
    return Features(frozenset(keys), frozenset(stems))


# Features worked out ahead for exact inputs (headline, text, located), in another process
# (cli ingest's reader): features() is pure, so the answer is the same. See `given`.
_GIVEN: dict[tuple[str, str, str | None], Features] = {}


@contextmanager
def given(found: Iterable[tuple[tuple[str, str, str | None], Features]]) -> Iterator[None]:
    """While the block runs, features() answers from `found` for those exact inputs (as
    read_ahead made them); anything else is worked out as ever."""
    _GIVEN.update(found)
    try:
        yield
    finally:
        _GIVEN.clear()


def read_ahead(headline: str, text: str, located: str | None) -> tuple[
        tuple[str, str, str | None], Features]:
    """A story's features with their bands, and the inputs they answer, for `given`."""
    found = features(headline, text, located=located)
    return (headline, text, located), replace(found, bands=tuple(feature_bands(found)))


KEY_WEIGHT = 3.0


def similarity(a: Features, b: Features) -> float:
    """Weighted Jaccard: shared features over all features, names and figures counting
    KEY_WEIGHT times a word."""
    keys, words = len(a.keys & b.keys), len(a.words & b.words)
    shared = KEY_WEIGHT * keys + words
    # The unions' sizes from the overlaps: no union sets built (candidates are many).
    union = (KEY_WEIGHT * (len(a.keys) + len(b.keys) - keys)
             + (len(a.words) + len(b.words) - words))
    return shared / union if union else 0.0


_MASK = 2**63 - 1
# The affine32 permutations (a * h + b) datasketch draws for seed _SEED, written out:
# importing datasketch pulls in scipy, some 0.4 s CPU at every process start (the ingest's
# reader too), for numbers that never change. The tests check them against datasketch's own.
_A = np.array([1291704917, 652927527, 46844145, 3716224651, 3252161917, 2100658019, 1561995613,
    3507917285, 3025659013, 1752109585, 2148654385, 98842053, 1426802467, 3666969867,
    4190989995, 593918175, 2207341949, 3003298261, 243146005, 4114685929, 1165818347,
    2777515159, 2983390719, 469960559, 2028724553, 810225801, 178731735, 2479163267, 958663559,
    1164347027, 2557427467, 1748498461], dtype=np.uint32)
_B = np.array([2950514502, 1225608021, 3700655740, 2672078349, 853128072, 1685272210,
    2822605376, 2383936093, 3004998025, 3890080461, 1513514122, 2237631226, 3392854714,
    4031891917, 3496309263, 3166055995, 847917955, 1136954802, 4077879452, 1823455619,
    2046983071, 4169934101, 2863026699, 816451434, 907578295, 2314705250, 3468299161,
    2092805405, 1373041430, 3325819481, 1262445379, 3014807348], dtype=np.uint32)
_EMPTY = [2**32 - 1] * NUM_PERM  # the signature of no features at all: datasketch's max hash


def signature(found: Features) -> MinHash:
    """MinHash of the key features (names, figures, place): rarer than words, so a band
    collision is a real hint; a story with no keys is signed by its words. (The store uses
    feature_bands, the same numbers without datasketch; this is the reference.)"""
    from datasketch import MinHash  # here only: see _A

    sketch = MinHash(num_perm=NUM_PERM, seed=_SEED, scheme="affine32")
    sketch.update_batch([f.encode("utf-8") for f in sorted(found.keys or found.words)])
    return sketch


def bands(sketch: MinHash) -> list[int]:
    """One 63-bit number a band (a BigInteger column): the band's number and its ROWS
    values mixed (FNV-style multiply and add), so equal values in different bands differ."""
    return _band_numbers(sketch.hashvalues.tolist())


def feature_bands(found: Features) -> list[int]:
    """bands(signature(found)), the same numbers (the stored band rows depend on it, and
    tests check it against datasketch), without building a MinHash: the hashing that
    MinHash.update_batch does for the affine32 scheme, on arrays made once."""
    if found.bands is not None:
        return list(found.bands)
    chosen = found.keys or found.words
    if not chosen:
        return _band_numbers(_EMPTY)
    known = _MIXED
    if len(known) >= _MIXED_MAX:
        known.clear()
    missing = [f for f in chosen if f not in known]
    if missing:
        known.update(zip(missing, _mixed(missing), strict=True))
    hashed = np.array([known[f] for f in chosen], dtype=np.uint32).reshape(-1, 1)
    # The minimum over the features: the order they come in does not change it.
    return _band_array((hashed * _A + _B).min(axis=0))


# A feature's 32-bit hash as datasketch mixes it before the permutations; names, places and
# stems recur from story to story, so most are found here.
_MIXED: dict[str, int] = {}
_MIXED_MAX = 50_000  # a few MB at most; cleared whole when full


def _mixed(values: list[str]) -> list[int]:
    digests = b"".join([hashlib.sha1(v.encode("utf-8")).digest()[:4] for v in values])  # sha1_hash32
    hashed = np.frombuffer(digests, dtype="<u4").astype(np.uint32)
    hashed ^= hashed >> np.uint32(16)  # MurmurHash3's finalizer, as datasketch pre-mixes
    hashed *= np.uint32(0x85EBCA6B)
    hashed ^= hashed >> np.uint32(13)
    hashed *= np.uint32(0xC2B2AE35)
    hashed ^= hashed >> np.uint32(16)
    return hashed.tolist()


def _band_numbers(values: list[int]) -> list[int]:
    out = []
    for band in range(BANDS):
        number = band + 1
        for value in values[band * ROWS:(band + 1) * ROWS]:
            number = (number * 0x100000001B3 + int(value)) & _MASK
        out.append(number)
    return out


_FNV = np.uint64(0x100000001B3)
_FIRST = np.arange(1, BANDS + 1, dtype=np.uint64)  # each band's number starts from its own
assert ROWS == 2  # _band_array mixes in two values a band


def _band_array(values: np.ndarray) -> list[int]:
    """_band_numbers on a signature's array, all bands at once: uint64 arithmetic wraps
    modulo 2**64, and taking it modulo 2**63 after (the mask) leaves what the plain sums
    give masked at each step."""
    rows = values.astype(np.uint64).reshape(BANDS, ROWS)
    with np.errstate(over="ignore"):
        number = (_FIRST * _FNV + rows[:, 0]) & np.uint64(_MASK)
        number = (number * _FNV + rows[:, 1]) & np.uint64(_MASK)
    return number.tolist()


def pack(found: Features) -> bytes:
    """The features kept with a story's cluster row, to check candidates without its text:
    keys and words, each sorted and joined by newlines, the two parts split by a NUL."""
    return ("\n".join(sorted(found.keys)) + "\0" + "\n".join(sorted(found.words))).encode("utf-8")


def unpack(data: bytes) -> Features:
    """Features from pack(); the same live stories are candidates again and again, so the
    answers are kept by their bytes (immutable both), up to a bound."""
    data = bytes(data)
    found = _UNPACKED.get(data)
    if found is None:
        keys, _, words = data.decode("utf-8").partition("\0")
        found = Features(frozenset(keys.split("\n")) - {""}, frozenset(words.split("\n")) - {""})
        if len(_UNPACKED) >= _UNPACKED_MAX:
            _UNPACKED.clear()  # a new generation: cheaper than tracking use
        _UNPACKED[data] = found
    return found


_UNPACKED_MAX, _UNPACKED = 4096, dict[bytes, Features]()  # a few MB at most


def shares_keys(a: Features, b: Features) -> bool:
    return len(a.keys & b.keys) >= MIN_SHARED_KEYS


def same_event(a: Features, b: Features) -> bool:
    return shares_keys(a, b) and similarity(a, b) >= THRESHOLD


def agency_keys(values: Iterable[str | None]) -> str | None:
    """An agency's own key for a developing story (slugline), made comparable."""
    for value in values:
        if value and value.strip():
            return re.sub(r"\s+", " ", value.strip().upper())[:200]
    return None
