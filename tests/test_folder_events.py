"""Drop folders by filesystem events: a file is taken when its writer closes it or when it
is renamed in, never under a temporary name; folders without events are scanned; when
several files wait, flashes go first."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from helpers import ninjs_item
from wiredesk.sources import folder, inotify
from wiredesk.sources.fetch import HostLimiter
from wiredesk.sources.folder import final_name, is_temporary, scan_folder, watch_folder
from wiredesk.sources.kind import Run
from wiredesk.sources.kinds import build
from wiredesk.times import utc_now

GUARD = 60.0  # seconds: only ever a guard against a hang, never a measure
NO_SCAN = "1h"  # an interval no test waits for: whatever is taken, events took

MOUNTINFO = """\
22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
30 22 0:40 / /mnt/nfs rw - nfs4 server:/export rw
31 22 0:41 / /mnt/ssh rw - fuse.sshfs host: rw
32 22 0:42 / /mnt/with\\040space rw - tmpfs tmpfs rw
33 30 8:2 / /mnt/nfs/local rw - xfs /dev/sdb1 rw
"""


@pytest.fixture
def drop(tmp_path: Path) -> Path:
    path = tmp_path / "drop"
    path.mkdir()
    return path


def names(path: Path) -> list[str]:
    return sorted(p.name for p in path.iterdir()) if path.exists() else []


def wait_until(what, message: str) -> None:
    deadline = time.monotonic() + GUARD
    while not what():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting: {message}")
        time.sleep(0.005)


def test_temporary_names_include_a_trailing_tilde():
    assert is_temporary("story.xml~") and is_temporary(".story.xml") and is_temporary("a.filepart")
    assert final_name("story.xml~") == "story.xml" and not is_temporary("story.xml")


def test_the_file_system_type_decides_whether_events_are_heard():
    assert inotify.fs_type(Path("/srv/drop"), MOUNTINFO) == "ext4"
    assert inotify.has_events(Path("/srv/drop"), MOUNTINFO)
    assert not inotify.has_events(Path("/mnt/nfs/agency"), MOUNTINFO)
    assert not inotify.has_events(Path("/mnt/ssh/x"), MOUNTINFO)  # any fuse.* mount
    assert inotify.has_events(Path("/mnt/nfs/local/x"), MOUNTINFO)  # a local mount inside
    assert inotify.fs_type(Path("/mnt/with space/x"), MOUNTINFO) == "tmpfs"
    assert not inotify.has_events(Path("/x"), "")  # cannot tell: scan


def test_inotify_reports_a_close_after_write_and_a_rename_in(drop):
    with inotify.Inotify(drop) as events:
        (drop / "a.xml").write_bytes(b"<a/>")
        (drop / ".b.xml.part").write_bytes(b"<b/>")
        os.rename(drop / ".b.xml.part", drop / "b.xml")
        seen: list[inotify.Event] = []
        deadline = time.monotonic() + GUARD
        while {"a.xml", "b.xml"} - {e.name for e in seen if e.complete}:
            assert time.monotonic() < deadline, seen
            seen += events.read(1.0)
    complete = [e.name for e in seen if e.complete]
    assert complete == ["a.xml", ".b.xml.part", "b.xml"]  # the part is complete, and temporary
    assert not any(e.complete for e in seen if e.mask & inotify.IN_MODIFY and
                   not e.mask & inotify.IN_CLOSE_WRITE)


def test_inotify_refuses_a_missing_folder(tmp_path):
    with pytest.raises(inotify.Unavailable, match="cannot watch"):
        inotify.Inotify(tmp_path / "missing")


def watching(store, cfg, memo=None):
    """watch_folder in a thread; returns (thread, stop event, result holder)."""
    stop = threading.Event()
    out: dict = {}
    events = inotify.Inotify(Path(cfg.path))

    def run():
        try:
            out["result"] = watch_folder(store, cfg, memo or {}, events, window=GUARD,
                                         now=utc_now,
                                         stop=stop.is_set, checkpoint=lambda m: None)
        except Exception as exc:  # shown by the test
            out["error"] = exc
        finally:
            events.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, stop, out


def test_watched_files_are_taken_on_close_write_and_on_rename_never_while_temporary(
        store, drop, now):
    cfg = build("dpa", "folder", {"path": str(drop), "every": NO_SCAN, "watch": "events"})
    thread, stop, out = watching(store, cfg)
    try:
        (drop / "a.json").write_bytes(ninjs_item("urn:ev:a", at=now))  # written in place
        part = drop / "b.json.part"
        with part.open("wb") as f:  # an upload under a temporary name, closed, not renamed
            f.write(ninjs_item("urn:ev:b", at=now))
        (drop / ".c.json").write_bytes(ninjs_item("urn:ev:c", at=now))
        os.rename(drop / ".c.json", drop / "c.json")  # the write-then-rename protocol
        processed = cfg.processed_dir
        wait_until(lambda: names(processed) == ["a.json", "c.json"], "events to take a and c")
        assert store.story_by_uri("urn:ev:a") and store.story_by_uri("urn:ev:c")
        assert names(drop) == ["b.json.part"] and store.story_by_uri("urn:ev:b") is None
        os.rename(part, drop / "b.json")
        wait_until(lambda: "b.json" in names(processed), "the rename to take b")
    finally:
        stop.set()
        thread.join(GUARD)
    assert "error" not in out, out
    assert out["result"].totals == {"new": 3}


def test_a_file_there_before_the_watch_is_taken_by_the_stable_size_rule(store, drop, now):
    cfg = build("dpa", "folder", {"path": str(drop), "every": "0.2s", "watch": "events"})
    (drop / "early.json").write_bytes(ninjs_item("urn:ev:early", at=now))  # no event to come
    thread, stop, out = watching(store, cfg)
    try:
        wait_until(lambda: names(cfg.processed_dir) == ["early.json"], "the second look")
    finally:
        stop.set()
        thread.join(GUARD)
    assert "error" not in out, out


def test_a_watched_folder_that_goes_away_is_an_error(store, drop, now):
    cfg = build("dpa", "folder", {"path": str(drop), "every": NO_SCAN, "watch": "events"})
    thread, stop, out = watching(store, cfg)
    time.sleep(0.05)  # let the watch start; not a measure
    drop.rename(drop.parent / "elsewhere")
    thread.join(GUARD)
    stop.set()
    assert isinstance(out.get("error"), FileNotFoundError)


def run_step(store, cfg, memo=None, *, watch: float) -> object:
    return folder.run(cfg, Run(store, dict(memo or {}), utc_now, lambda: False, lambda m: None,
                               HostLimiter(), watch))


def test_scan_mode_and_folders_without_events_fall_back_to_two_looks(store, drop, now,
                                                                   monkeypatch):
    (drop / "a.json").write_bytes(ninjs_item("urn:scan:a", at=now))
    scan_cfg = build("dpa", "folder", {"path": str(drop), "every": "1s", "watch": "scan"})
    assert not folder.uses_events(scan_cfg)
    first = run_step(store, scan_cfg, watch=30.0)  # a window, yet one scan: no events wanted
    assert first.again is None and names(drop) == ["a.json"]
    second = run_step(store, scan_cfg, first.memo, watch=30.0)
    assert second.totals == {"new": 1} and names(drop) == []
    # auto: a folder on NFS is scanned (the events of other hosts' writes never come)
    auto = build("dpa", "folder", {"path": str(drop), "every": "1s"})
    monkeypatch.setattr(inotify, "has_events", lambda _path: False)
    assert not folder.uses_events(auto)
    monkeypatch.setattr(inotify, "has_events", lambda _path: True)
    assert folder.uses_events(auto)


def test_events_asked_for_where_inotify_fails_scan_and_say_so(store, drop, now, monkeypatch):
    def unavailable(_folder):
        raise inotify.Unavailable(24, "inotify_init1: Too many open files")
    monkeypatch.setattr(inotify, "Inotify", unavailable)
    cfg = build("dpa", "folder", {"path": str(drop), "every": "1s", "watch": "events"})
    ran = run_step(store, cfg, watch=30.0)
    assert ran.again is None and any("scanning instead" in w for w in ran.warnings)


def test_a_watching_step_asks_to_run_again_at_once(store, drop, now):
    cfg = build("dpa", "folder", {"path": str(drop), "every": NO_SCAN, "watch": "events"})
    ran = run_step(store, cfg, watch=0.05)
    assert ran.again == 0.0


def test_a_bad_watch_setting_is_named():
    from wiredesk.sources.config import ConfigError
    with pytest.raises(ConfigError, match="bad watch 'inotify'"):
        build("dpa", "folder", {"path": "/tmp", "watch": "inotify"})


def test_flashes_and_urgency_one_go_first(store, drop, now):
    cfg = build("dpa", "folder", {"path": str(drop), "every": "1s"})
    for n, urgency in enumerate((5, 4, 1, 3)):
        (drop / f"{n}.json").write_bytes(ninjs_item(f"urn:u:{n}", at=now, urgency=urgency))
    (drop / "4.anpa").write_bytes(b"not a story at all")  # unreadable: routine, quarantined
    memo = scan_folder(store, cfg, {}, now=lambda: now, stop=lambda: False,
                       checkpoint=lambda m: None).memo
    scan_folder(store, cfg, memo, now=lambda: now, stop=lambda: False, checkpoint=lambda m: None)
    ids = {n: store.story_by_uri(f"urn:u:{n}").id for n in range(4)}
    assert ids[2] < ids[0] < ids[1] < ids[3]  # the flash first, the rest as sent
