"""The folder kind: an agency's FTP delivery lands files here; each is applied, then moved.

A file is taken only when complete. Where the kernel tells (inotify on a local file system,
`watch = "events"`, or "auto" where the folder's mount is local), a file is complete when its
writer closes it or when it is renamed into the folder, and it is taken at once: the worker
watches the folder for a window at a time (sources/inotify.py). Otherwise (NFS, SMB, FUSE:
`watch = "scan"`, or "auto" there) and for whatever the events missed, the folder is looked at
every interval: a file is complete when its size and modification time are unchanged across
two looks, or it appeared under its final name where the previous look saw it under a
temporary one (`.name`, `name.tmp`, `name.part`, `name~`...: the write-then-rename
protocol). Temporary names are never taken. When several files are complete at once, those
holding a flash or an urgency-1 story go first (sources/urgency.py). Once its delivery has committed, a file moves to `processed/` or, if it
was quarantined, to `failed/` with `<name>.reason.txt` beside it. A file over the source's
`max_bytes` is never read whole: it goes to `failed/` with its reason, and the quarantine
keeps the message and its first HEAD_BYTES bytes (the file itself is in `failed/`). Nothing is moved or
deleted before it is applied: a worker killed between the commit and the move re-applies
the file on restart, which changes nothing, and then moves it.

A story's remote pictures are fetched through the SSRF guard, without credentials, within
the picture limits (sources/pictures.py); private addresses only if `allow_private` says.

Its settings, their checks and its `sources add` flags are here too.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import os
import shutil
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from wiredesk import desk
from wiredesk.sources import inotify
from wiredesk.sources.config import ConfigError, SourceConfig, parse_allow_private, parse_size
from wiredesk.sources.deliver import apply_delivery
from wiredesk.sources.kind import Flag, Kind, Ran, Run
from wiredesk.sources.pictures import PictureFetch, PictureSettings, is_picture_file
from wiredesk.sources.urgency import urgent_first
from wiredesk.store import Store
from wiredesk.story import Delivery

log = logging.getLogger("wiredesk.sources")

TEMP_SUFFIXES = (".tmp", ".temp", ".part", ".partial", ".filepart", ".crdownload", ".upload")
REASON_SUFFIX = ".reason.txt"
CHECKPOINT_SECONDS = 1.0
MAX_BYTES = 10 * 1024 * 1024
HEAD_BYTES = 4096  # what the quarantine keeps of a file over the limit (at most half of it)
WATCH_MODES = ("auto", "events", "scan")
KEEPALIVE_SECONDS = 5.0  # a watching run checkpoints at least this often (keeps its lease)
READ_SECONDS = 0.2  # longest wait for an event: how soon a watching run notices SIGTERM


@dataclass(frozen=True)
class FolderConfig(SourceConfig):
    path: str | None = None
    processed: str | None = None  # default: `processed/` beside the folder
    failed: str | None = None  # default: `failed/` beside the folder
    max_bytes: int = MAX_BYTES  # largest file read
    watch: str = "auto"  # events (inotify), scan (stable size), auto: events on local mounts
    # Remote pictures: True, or the host / host:port entries that may be private.
    allow_private: bool | tuple[str, ...] = False

    @classmethod
    def parse(cls, values: Mapping[str, Any]) -> dict[str, Any]:
        return {**{key: values.get(key) for key in ("path", "processed", "failed")},
                "max_bytes": parse_size(values.get("max_bytes") or MAX_BYTES),
                "watch": str(values.get("watch") or "auto").strip().lower(),
                "allow_private": parse_allow_private(values.get("allow_private", False))}

    @classmethod
    def revive(cls, stored: Mapping[str, Any]) -> dict[str, Any]:
        data = super().revive(stored)
        if isinstance(data.get("allow_private"), list):  # JSON has no tuples
            data["allow_private"] = tuple(data["allow_private"])
        return data

    def check(self) -> None:
        if not self.path:
            raise ConfigError("a folder source needs --path")
        if not Path(self.path).is_dir():
            raise ConfigError(f"no such folder {self.path}")
        if self.watch not in WATCH_MODES:
            raise ConfigError(f"bad watch {self.watch!r}: use {', '.join(WATCH_MODES)}")
        for other in (self.processed_dir, self.failed_dir):
            if other.resolve() == Path(self.path).resolve():
                raise ConfigError("processed/failed folders must not be the drop folder itself")

    @property
    def processed_dir(self) -> Path:
        return Path(self.processed) if self.processed else self._beside("processed")

    @property
    def failed_dir(self) -> Path:
        return Path(self.failed) if self.failed else self._beside("failed")

    def _beside(self, name: str) -> Path:
        return Path(self.path or ".").parent / name


FLAGS = (
    Flag("--path", "folder: the drop folder"),
    Flag("--processed", "folder: where applied files go (processed/ beside it)"),
    Flag("--failed", "folder: where quarantined files go (failed/ beside it)"),
    Flag("--max-bytes", "largest file read (10MB)"),
    Flag("--watch", "folder: events (inotify), scan (every interval; NFS, SMB, FUSE) or auto "
                    "(events where the mount is local)", {"choices": WATCH_MODES}),
    # Shared with http (declared there first): here for the stories' remote pictures.
    Flag("--allow-private", "allow private, loopback and link-local addresses (off: no SSRF)",
         {"action": "store_true", "default": None}),
    Flag("--allow-private-host", "allow just this private host (repeatable)",
         {"action": "append", "metavar": "HOST[:PORT]"}),
)


def from_flags(args: argparse.Namespace) -> dict[str, Any]:
    # Absolute now: the worker may run from another directory.
    return {**{key: str(Path(value).resolve()) if value else None
               for key, value in (("path", args.path), ("processed", args.processed),
                                  ("failed", args.failed))},
            "max_bytes": getattr(args, "max_bytes", None), "watch": getattr(args, "watch", None),
            "allow_private": getattr(args, "allow_private", None)
            or getattr(args, "allow_private_host", None)}


@dataclass
class ScanResult:
    memo: dict[str, Any]
    taken: int = 0
    totals: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)


def is_temporary(name: str) -> bool:
    return name.startswith((".", "~")) or name.endswith("~") or name.lower().endswith(TEMP_SUFFIXES)


def final_name(name: str) -> str:
    """What a temporary name becomes once renamed: `.x.json.part` -> `x.json`."""
    lower = name.lower()
    for suffix in TEMP_SUFFIXES:
        if lower.endswith(suffix):
            name, lower = name[: -len(suffix)], lower[: -len(suffix)]
            break
    return name.lstrip(".~").rstrip("~")


def look(folder: Path) -> tuple[dict[str, list[int]], list[str]]:
    """(final-named files -> [size, mtime_ns], temporary names) at the top of `folder`."""
    files: dict[str, list[int]] = {}
    temps: list[str] = []
    with os.scandir(folder) as entries:
        for entry in entries:
            try:
                if not entry.is_file(follow_symlinks=False):
                    continue
                st = entry.stat(follow_symlinks=False)
            except FileNotFoundError:
                continue  # moved away while we looked
            if is_temporary(entry.name):
                temps.append(entry.name)
            else:
                files[entry.name] = [st.st_size, st.st_mtime_ns]
    return files, temps


def complete_files(files: dict[str, list[int]], temps: list[str],
                   memo: dict[str, Any]) -> list[str]:
    """The files that are complete now, in name order (the agency's order of sending)."""
    before = memo.get("looks", {})
    renamed = set(memo.get("temps", []))
    ready = [name for name, stat in files.items()
             if before.get(name) == stat or (name in renamed and name not in before)]
    memo["looks"] = files
    memo["temps"] = sorted({final_name(t) for t in temps})
    return sorted(ready)


def move_aside(path: Path, target_dir: Path, reason: str | None = None) -> Path:
    """Move an applied file into `target_dir` (never over another file), with its reason."""
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / path.name
    n = 0
    while target.exists():  # an agency may send the same name twice: keep both
        n += 1
        target = target_dir / f"{path.name}.{n}"
    if reason is not None:
        # The reason first: a crash between the two leaves the file in place to be redone.
        Path(f"{target}{REASON_SUFFIX}").write_text(reason.rstrip() + "\n", encoding="utf-8")
    try:
        os.replace(path, target)
    except OSError as exc:
        if exc.errno != 18:  # EXDEV: another file system; copy, then remove the original
            raise
        shutil.copy2(path, target)
        path.unlink()
    return target


def uses_events(cfg: FolderConfig) -> bool:
    """Watch by events (the setting, or on "auto" whether the folder's mount tells)?"""
    if cfg.watch == "auto":
        return inotify.has_events(Path(cfg.path or "."))
    return cfg.watch == "events"


def run(cfg: FolderConfig, r: Run) -> Ran:
    """The worker's step: watch the drop folder for `r.watch` seconds where events can be
    had, else (or with no window: `worker --once`) one scan."""
    if r.watch > 0 and uses_events(cfg):
        try:
            events = inotify.Inotify(Path(cfg.path or ""))
        except inotify.Unavailable as exc:
            if cfg.watch == "events":
                scanned = _scan(cfg, r)
                return Ran(scanned.memo, scanned.totals,
                           [*scanned.errors, f"no folder events, scanning instead: {exc}"])
            log.debug("source %s: no folder events (%s), scanning", cfg.name, exc)
        else:
            with events:
                watched = watch_folder(r.store, cfg, r.memo, events, window=r.watch, now=r.now,
                                       stop=r.stop, checkpoint=r.checkpoint)
            # Due again at once: the next window starts as soon as the worker has a thread.
            return Ran(watched.memo, watched.totals, watched.errors, again=0.0)
    scanned = _scan(cfg, r)
    return Ran(scanned.memo, scanned.totals, scanned.errors)


def _scan(cfg: FolderConfig, r: Run) -> ScanResult:
    return scan_folder(r.store, cfg, r.memo, now=r.now, stop=r.stop, checkpoint=r.checkpoint)


def watch_folder(store: Store, cfg: FolderConfig, memo: dict[str, Any], events: inotify.Inotify,
                 *, window: float, now: Callable[[], datetime], stop: Callable[[], bool],
                 checkpoint: Callable[[dict[str, Any]], None]) -> ScanResult:
    """Take files as the kernel says they are complete, for `window` seconds or until told to
    stop. The watch is set before the first look, so nothing falls between the two; files
    already there when it started (or written while nobody watched) are taken by the
    stable-size rule, looked at every interval, as are any the events missed."""
    folder = Path(cfg.path or "")
    started = time.monotonic()
    result = scan_folder(store, cfg, memo, now=now, stop=stop, checkpoint=checkpoint)
    next_look = started + cfg.every
    saved = time.monotonic()
    while not stop():
        left = started + window - time.monotonic()
        if left <= 0:
            break
        got = events.read(min(READ_SECONDS, left, max(0.0, next_look - time.monotonic())))
        if any(event.gone for event in got):
            raise FileNotFoundError(f"drop folder {folder} was removed or moved away")
        if any(event.overflow for event in got):
            next_look = 0.0  # the kernel dropped events: look at the folder now
        complete = list(dict.fromkeys(event.name for event in got
                                      if event.complete and not is_temporary(event.name)))
        if complete:
            take_files(store, cfg, {name: None for name in complete}, result, now=now,
                       stop=stop, checkpoint=checkpoint)
            # Taken, or found changed again: either way the next look judges afresh.
            for name in complete:
                result.memo.get("looks", {}).pop(name, None)
        if time.monotonic() >= next_look:
            looked = scan_folder(store, cfg, result.memo, now=now, stop=stop,
                                 checkpoint=checkpoint)
            result.memo = looked.memo
            result.taken += looked.taken
            result.totals.update(looked.totals)
            result.errors += looked.errors
            next_look = time.monotonic() + cfg.every
            saved = time.monotonic()
        elif time.monotonic() - saved >= KEEPALIVE_SECONDS:
            checkpoint(result.memo)  # keeps the lease while the folder is quiet
            saved = time.monotonic()
    checkpoint(result.memo)
    return result


def scan_folder(store: Store, cfg: FolderConfig, memo: dict[str, Any], *,
                now: Callable[[], datetime], stop: Callable[[], bool],
                checkpoint: Callable[[dict[str, Any]], None]) -> ScanResult:
    folder = Path(cfg.path or "")
    if not folder.is_dir():
        raise FileNotFoundError(f"drop folder {folder} is missing")
    result = ScanResult(dict(memo))
    files, temps = look(folder)
    ready = complete_files(files, temps, result.memo)
    checkpoint(result.memo)  # the look survives a restart: the next one can take the files
    # Pictures still arriving (a temporary name, or a size not yet stable): a story naming
    # one waits for the next look rather than go without it.
    arriving = {final_name(t) for t in temps if is_picture_file(final_name(t))} | {
        name for name in files if is_picture_file(name) and name not in ready}
    take_files(store, cfg, {name: files[name][0] for name in ready}, result, now=now,
               stop=stop, checkpoint=checkpoint, arriving=arriving)
    return result


def take_files(store: Store, cfg: FolderConfig, ready: dict[str, int | None],
               result: ScanResult, *, now: Callable[[], datetime], stop: Callable[[], bool],
               checkpoint: Callable[[dict[str, Any]], None],
               arriving: set[str] | None = None) -> None:
    """Apply and move each complete file, urgent ones first. `ready` maps a name to the size
    a look saw (a file now longer is still being written and waits), or None when the kernel
    said it is complete (its size is read now)."""
    folder = Path(cfg.path or "")
    saved = time.monotonic()
    # Picture files wait for the story that names them, and go with it (sources/pictures.py).
    names = [name for name in ready if not is_picture_file(name)]
    for name in urgent_first(folder, names, fmt=cfg.format, agency=cfg.agency,
                             max_bytes=cfg.max_bytes):
        if stop():
            break  # SIGTERM: the delivery in hand finished; the rest waits for the restart
        if _take(store, cfg, folder / name, ready[name], result, now, arriving):
            result.memo.get("looks", {}).pop(name, None)
            result.taken += 1
        if time.monotonic() - saved >= CHECKPOINT_SECONDS:
            # Keeps the lease alive; not needed for safety (a moved file is simply gone at
            # the next look), so not once per file: the memo grows with the folder.
            checkpoint(result.memo)
            saved = time.monotonic()


def _take(store: Store, cfg: FolderConfig, path: Path, seen: int | None, result: ScanResult,
          now: Callable[[], datetime], arriving: set[str] | None = None) -> bool:
    """Apply one file, then move it aside; False if it was not taken (gone, or growing)."""
    try:
        # Never more than the limit in memory (the size is from the look or the open file,
        # not a read); one byte more than the look saw tells a file still growing.
        with path.open("rb") as f:
            st = os.fstat(f.fileno())
            size = st.st_size if seen is None else seen
            oversized = size > cfg.max_bytes
            data = f.read(min(HEAD_BYTES, cfg.max_bytes // 2) if oversized else size + 1)
    except FileNotFoundError:
        return False  # someone else took it
    except OSError as exc:
        result.errors.append(f"cannot read {path}: {exc.strerror}")
        return False
    if not oversized and len(data) != size:
        return False  # it changed since the look: still being written; look again later
    # When the bytes arrived: written (mtime) or renamed in (ctime), whichever came last.
    arrived = datetime.fromtimestamp(max(st.st_mtime, st.st_ctime), UTC)
    if not oversized and is_picture_file("", data[:16]):
        return False  # a picture without a picture's name: left for the story that names it
    if not oversized and any(name.encode() in data for name in arriving or ()):
        return False  # a picture it names is still being written: taken at a later look
    # Relative hrefs from the folder; remote ones through the guard, with no credentials.
    pictures = PictureFetch(store, folder=path.parent,
                            remote=PictureSettings(allow_private=cfg.allow_private))
    if oversized:
        report = _refuse_oversized(store, cfg, path.name, size, data, now())
    else:
        report = apply_delivery(store, cfg, Delivery(data, cfg.name, path.name, now(),
                                                     arrived=arrived), pictures=pictures)
    result.totals.update(report.counts())
    if report.error:
        sha = "" if oversized else f"\nsha256: {hashlib.sha256(data).hexdigest()}"
        move_aside(path, cfg.failed_dir, f"{report.error}\nsource: {cfg.name}{sha}")
    else:
        move_aside(path, cfg.processed_dir)
    for taken in dict.fromkeys(pictures.taken):  # the story's picture files go with it
        if taken.parent.resolve() == path.parent.resolve() and taken.is_file():
            move_aside(taken, cfg.processed_dir)
    return True


def _refuse_oversized(store: Store, cfg: FolderConfig, name: str, size: int, data: bytes,
                      now: datetime) -> desk.Report:
    error = (f"folder: {name}: {size} bytes is over this source's limit of {cfg.max_bytes} "
             f"bytes (--max-bytes); not read. The file is in {cfg.failed_dir}; the quarantine "
             f"keeps its first {len(data)} bytes only")
    return desk.refuse(store, Delivery(data, cfg.name, name, now), None, error)


KIND = Kind("folder", FolderConfig, every=5.0, run=run, flags=FLAGS, from_flags=from_flags)
