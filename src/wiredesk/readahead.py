"""Reading ahead: the next files of an ingest parsed, and their stories' cluster features
found, in a second process while this one applies the current file to the store.

Parsing and feature finding need no store, and they are about half of what ingesting a story
costs this process; on two cores they overlap with the store's work. Nothing about the
outcome changes: the files come back in the order given, each with the bytes the desk
stores and quarantines, and the stories are those `formats.parse` makes of those bytes
(the desk's own parse: `desk.apply(parsed=...)`). Whatever goes wrong in the worker (bytes
it cannot read, a bug, the process killed) costs nothing but time: that file is parsed again
here, by the desk, which quarantines or logs it as it always does. Small inputs are read
here alone, as starting the worker (a fresh interpreter importing the formats) would cost
more than it saves.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

from wiredesk import clustering, formats
from wiredesk.story import Story
from wiredesk.terms import Terms

log = logging.getLogger("wiredesk.readahead")

AHEAD = 3  # files in flight: keeps the worker busy while bounding what waits in memory
MIN_BYTES = 4 << 20  # inputs smaller than this are read in this process alone (see above)
READ_WHILE_STARTING = True  # files are read here until the worker first answers (tests: off)

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
    waiting: deque[tuple[Path, bytes | OSError, Future[object] | None]] = deque()
    queued = iter(files)
    started = not READ_WHILE_STARTING  # has the worker answered yet? Until then: read here
    try:
        for path in queued:
            waiting.append(_submit(pool, path, terms))
            if len(waiting) >= AHEAD:
                break
        while waiting:
            path, data, future = waiting.popleft()
            following = next(queued, None)
            if following is not None:
                waiting.append(_submit(pool, following, terms))
            if isinstance(data, OSError):
                raise data
            started = started or future is None or future.done()
            if not started:  # a fresh interpreter takes a while: no waiting for it
                future.cancel()  # if it is still queued; its answer is not used either way
                yield File(path, data)
                continue
            got = _result(future, path)
            yield File(path, data) if got is None else File(path, data, *got)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _submit(pool: ProcessPoolExecutor, path: Path,
            terms: Terms) -> tuple[Path, bytes | OSError, Future[object] | None]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        return path, exc, None
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
