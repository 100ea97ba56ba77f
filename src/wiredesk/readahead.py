"""Reading ahead: the next files of an ingest parsed, and their stories' cluster features
found, in a second process while this one applies the current file to the store.

Parsing and feature finding need no store; they were about a fifth of what ingesting a story
cost this process, and on two cores they overlap with the store's work. Nothing about the
outcome changes: the files come back in the order given, each with the bytes the desk
stores and quarantines, and the stories are those `formats.parse` makes of those bytes
(the desk's own parse: `desk.apply(parsed=...)`); the features go to `clustering.given`,
which answers only for the exact inputs they were found from. Whatever goes wrong in the
worker (bytes it cannot read, a bug, the process killed) costs nothing but time: that file
is parsed again here, by the desk, which quarantines or logs it as it always does. Small
inputs are read here alone, as starting the worker would cost more than it saves.

The worker is a fresh interpreter (multiprocessing's spawn): it has the formats as imported,
not as changed at run time, and it imports the program's main module, so a script that
calls `cli.stories.ingest_files` needs the usual `if __name__ == "__main__":` guard.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

from wiredesk import clustering, formats
from wiredesk.story import Story
from wiredesk.terms import Terms

log = logging.getLogger("wiredesk.readahead")

AHEAD = 3  # files in flight: keeps the worker busy while bounding what waits in memory
MIN_BYTES = 4 << 20  # inputs smaller than this are read in this process alone (see above)
READ_WHILE_STARTING = True  # files are read here until the worker is up (tests: off)

Found = tuple[tuple[str, str, str | None], clustering.Features]


@dataclass(frozen=True, slots=True)
class File:
    """One file's bytes and, when read ahead, its stories and their features (for
    clustering.given); `stories` None: the desk parses the bytes itself."""

    path: Path
    data: bytes
    stories: list[Story] | None = None
    found: tuple[Found, ...] = ()


def read(data: bytes, terms: Terms) -> tuple[list[Story], tuple[Found, ...]] | None:
    """In the worker: the stories in `data` and their features, or None when something
    fails (the desk then reads the file again, and says what failed, in its own process)."""
    try:
        stories = formats.parse(data, terms.format, agency=terms.agency)
        found = tuple(clustering.read_ahead(s.headline, s.body.text, s.located)
                      for s in stories if s.type != "picture")
    except Exception:  # noqa: BLE001 - the main process reports it, with the desk's words
        return None
    return stories, found


def read_files(files: Sequence[Path], terms: Terms, *,
               min_bytes: int | None = None) -> Iterator[File]:
    """Each file in order, read ahead by one worker process when the input is at least
    `min_bytes` (None: MIN_BYTES).
    A file that cannot be opened raises its OSError at its turn, as reading it then would.
    Close the iterator (contextlib.closing) to stop the worker early."""
    enough = MIN_BYTES if min_bytes is None else min_bytes
    if len(files) < 2 or _size(files, enough) < enough:
        for path in files:
            yield File(path, path.read_bytes())
        return
    # spawn, not fork: the parent holds a database connection and threads (tqdm's monitor).
    pool = ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn"))
    try:
        # A fresh interpreter takes a while to start: files are read here until it answers
        # this, and only then handed to it, so nothing is read twice.
        ready = pool.submit(_ready)
        if not READ_WHILE_STARTING:
            wait([ready])
        waiting: deque[tuple[Path, bytes | OSError, Future[object] | None]] = deque()
        following = 0  # the first file neither read nor handed to the worker yet
        while waiting or following < len(files):
            if ready.done():
                while following < len(files) and len(waiting) < AHEAD:
                    waiting.append(_submit(pool, files[following], terms))
                    following += 1
            if waiting:
                path, data, future = waiting.popleft()
            else:
                path, future = files[following], None
                following += 1
                data = _read(path)
            if isinstance(data, OSError):
                raise data
            got = _result(future, path)
            yield File(path, data) if got is None else File(path, data, *got)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _ready() -> bool:
    """In the worker: it is up."""
    return True


def _read(path: Path) -> bytes | OSError:
    try:
        return path.read_bytes()
    except OSError as exc:
        return exc


def _submit(pool: ProcessPoolExecutor, path: Path,
            terms: Terms) -> tuple[Path, bytes | OSError, Future[object] | None]:
    data = _read(path)
    if isinstance(data, OSError):
        return path, data, None
    try:
        return path, data, pool.submit(read, data, terms)
    except RuntimeError:  # the worker is gone (BrokenProcessPool is one): read it here
        return path, data, None


def _result(future: Future[object] | None,
            path: Path) -> tuple[list[Story], tuple[Found, ...]] | None:
    if future is None:
        return None
    try:
        got = future.result()
    except Exception as exc:  # noqa: BLE001 - a dead worker loses no file: it is read here
        log.warning("reading %s ahead failed (%s): read in this process", path,
                    type(exc).__name__)
        return None
    return got  # type: ignore[return-value]


def _size(files: Sequence[Path], enough: int) -> int:
    """The files' bytes, counted up to `enough`."""
    total = 0
    for path in files:
        try:
            total += path.stat().st_size
        except OSError:
            continue  # raised when its turn comes, not here
        if total >= enough:
            break
    return total
