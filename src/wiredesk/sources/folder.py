"""The folder kind: an agency's FTP delivery lands files here; each is applied, then moved.

A file is taken only when complete: its size and modification time unchanged across two
looks, or it appeared under its final name where the previous look saw it under a temporary
one (`.name`, `name.tmp`, `name.part`...: the write-then-rename protocol). Temporary names
are never taken. Once its delivery has committed, a file moves to `processed/` or, if it
was quarantined, to `failed/` with `<name>.reason.txt` beside it. A file over the source's
`max_bytes` is never read whole: it goes to `failed/` with its reason, and the quarantine
keeps the message and its first HEAD_BYTES bytes (the file itself is in `failed/`). Nothing is moved or
deleted before it is applied: a worker killed between the commit and the move re-applies
the file on restart, which changes nothing, and then moves it.

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
from datetime import datetime
from pathlib import Path
from typing import Any

from wiredesk import desk
from wiredesk.sources.config import ConfigError, SourceConfig, parse_size
from wiredesk.sources.deliver import apply_delivery
from wiredesk.sources.kind import Flag, Kind, Ran, Run
from wiredesk.store import Store
from wiredesk.story import Delivery

log = logging.getLogger("wiredesk.sources")

TEMP_SUFFIXES = (".tmp", ".temp", ".part", ".partial", ".filepart", ".crdownload", ".upload")
REASON_SUFFIX = ".reason.txt"
CHECKPOINT_SECONDS = 1.0
MAX_BYTES = 10 * 1024 * 1024
HEAD_BYTES = 4096  # what the quarantine keeps of a file over the limit (at most half of it)


@dataclass(frozen=True)
class FolderConfig(SourceConfig):
    path: str | None = None
    processed: str | None = None  # default: `processed/` beside the folder
    failed: str | None = None  # default: `failed/` beside the folder
    max_bytes: int = MAX_BYTES  # largest file read

    @classmethod
    def parse(cls, values: Mapping[str, Any]) -> dict[str, Any]:
        return {**{key: values.get(key) for key in ("path", "processed", "failed")},
                "max_bytes": parse_size(values.get("max_bytes") or MAX_BYTES)}

    def check(self) -> None:
        if not self.path:
            raise ConfigError("a folder source needs --path")
        if not Path(self.path).is_dir():
            raise ConfigError(f"no such folder {self.path}")
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
)


def from_flags(args: argparse.Namespace) -> dict[str, Any]:
    # Absolute now: the worker may run from another directory.
    return {**{key: str(Path(value).resolve()) if value else None
               for key, value in (("path", args.path), ("processed", args.processed),
                                  ("failed", args.failed))},
            "max_bytes": getattr(args, "max_bytes", None)}


@dataclass
class ScanResult:
    memo: dict[str, Any]
    taken: int = 0
    totals: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)


def is_temporary(name: str) -> bool:
    return name.startswith((".", "~")) or name.lower().endswith(TEMP_SUFFIXES)


def final_name(name: str) -> str:
    """What a temporary name becomes once renamed: `.x.json.part` -> `x.json`."""
    lower = name.lower()
    for suffix in TEMP_SUFFIXES:
        if lower.endswith(suffix):
            name, lower = name[: -len(suffix)], lower[: -len(suffix)]
            break
    return name.lstrip(".~")


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


def run(cfg: FolderConfig, r: Run) -> Ran:
    """The worker's step: one scan of the drop folder."""
    scanned = scan_folder(r.store, cfg, r.memo, now=r.now, stop=r.stop, checkpoint=r.checkpoint)
    return Ran(scanned.memo, scanned.totals, scanned.errors)


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
    saved = time.monotonic()
    for name in ready:
        if stop():
            break  # SIGTERM: the delivery in hand finished; the rest waits for the restart
        path = folder / name
        size = files[name][0]
        oversized = size > cfg.max_bytes
        try:
            # Never more than the limit in memory (the size is from the look, not a read);
            # one byte more than the look saw tells a file still growing.
            with path.open("rb") as f:
                data = f.read(min(HEAD_BYTES, cfg.max_bytes // 2) if oversized else size + 1)
        except FileNotFoundError:
            continue  # someone else took it
        except OSError as exc:
            result.errors.append(f"cannot read {path}: {exc.strerror}")
            continue
        if oversized:
            report = _refuse_oversized(store, cfg, name, size, data, now())
        elif len(data) != size:
            continue  # it changed since the look: still being written; look again later
        else:
            report = apply_delivery(store, cfg, Delivery(data, cfg.name, name, now()))
        result.totals.update(report.counts())
        if report.error:
            sha = "" if oversized else f"\nsha256: {hashlib.sha256(data).hexdigest()}"
            move_aside(path, cfg.failed_dir, f"{report.error}\nsource: {cfg.name}{sha}")
        else:
            move_aside(path, cfg.processed_dir)
        result.memo["looks"].pop(name, None)
        result.taken += 1
        if time.monotonic() - saved >= CHECKPOINT_SECONDS:
            # Keeps the lease alive; not needed for safety (a moved file is simply gone at
            # the next look), so not once per file: the memo grows with the folder.
            checkpoint(result.memo)
            saved = time.monotonic()
    return result


def _refuse_oversized(store: Store, cfg: FolderConfig, name: str, size: int, data: bytes,
                      now: datetime) -> desk.Report:
    error = (f"folder: {name}: {size} bytes is over this source's limit of {cfg.max_bytes} "
             f"bytes (--max-bytes); not read. The file is in {cfg.failed_dir}; the quarantine "
             f"keeps its first {len(data)} bytes only")
    return desk.refuse(store, Delivery(data, cfg.name, name, now), None, error)


KIND = Kind("folder", FolderConfig, every=5.0, run=run, flags=FLAGS, from_flags=from_flags)
