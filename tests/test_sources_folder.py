"""Drop folders on real folders: complete files only, applied then moved, never lost."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from helpers import ninjs_item
from wiredesk import desk
from wiredesk.sources.config import SourceConfig
from wiredesk.sources.folder import final_name, is_temporary, scan_folder
from wiredesk.sources.kinds import build
from wiredesk.sources.registry import add_source
from wiredesk.sources.worker import Worker
from wiredesk.story import Delivery
from wiredesk.terms import Terms


@pytest.fixture
def drop(tmp_path: Path) -> Path:
    folder = tmp_path / "dpa"
    folder.mkdir()
    return folder


def folder_source(drop: Path, **values: object) -> SourceConfig:
    return build("dpa", "folder", {"path": str(drop), "every": "1s", **values})


def scan(store, cfg: SourceConfig, now, memo: dict | None = None):
    return scan_folder(store, cfg, memo if memo is not None else {}, now=lambda: now,
                       stop=lambda: False, checkpoint=lambda m: None)


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_temporary_names():
    for name in (".x.json", "x.json.tmp", "x.json.part", "~x.json", "X.JSON.PART"):
        assert is_temporary(name)
    assert not is_temporary("x.json")
    assert final_name(".x.json.part") == "x.json" and final_name("x.xml.tmp") == "x.xml"


def test_a_file_is_taken_when_its_size_is_stable_across_two_looks(store, drop, now):
    cfg = folder_source(drop)
    (drop / "a.json").write_bytes(ninjs_item("urn:a", at=now))
    first = scan(store, cfg, now)
    assert first.taken == 0 and names(drop) == ["a.json"]  # one look proves nothing
    second = scan(store, cfg, now, first.memo)
    assert second.taken == 1 and second.totals == {"new": 1}
    assert names(drop) == [] and names(cfg.processed_dir) == ["a.json"]
    assert cfg.processed_dir == drop.parent / "processed"  # beside the folder


def test_a_growing_file_waits_and_a_temporary_name_is_never_taken(store, drop, now):
    cfg = folder_source(drop)
    growing = drop / "b.json"
    growing.write_bytes(b'{"uri": "urn:b", ')
    (drop / "c.json.part").write_bytes(ninjs_item("urn:c", at=now))
    memo = scan(store, cfg, now).memo
    with growing.open("ab") as f:
        f.write(b'"headlines": []')
    result = scan(store, cfg, now, memo)
    assert result.taken == 0 and store.story_by_uri("urn:c") is None
    growing.write_bytes(ninjs_item("urn:b", at=now))
    result = scan(store, cfg, now, scan(store, cfg, now, result.memo).memo)
    assert result.taken == 1 and store.story_by_uri("urn:b") is not None
    assert names(drop) == ["c.json.part"]


def test_a_file_renamed_from_a_temporary_name_is_taken_at_the_next_look(store, drop, now):
    cfg = folder_source(drop)
    part = drop / ".d.json.part"
    part.write_bytes(ninjs_item("urn:d", at=now))
    memo = scan(store, cfg, now).memo
    part.rename(drop / "d.json")
    result = scan(store, cfg, now, memo)  # no second stable look needed: it was renamed
    assert result.taken == 1 and store.story_by_uri("urn:d") is not None


def test_a_bad_file_goes_to_failed_with_its_reason_and_the_rest_still_land(store, drop, now):
    cfg = folder_source(drop)
    (drop / "1-good.json").write_bytes(ninjs_item("urn:g", at=now))
    (drop / "2-bad.json").write_bytes(b"{ not json")
    (drop / "3-good.json").write_bytes(ninjs_item("urn:h", at=now))
    result = scan(store, cfg, now, scan(store, cfg, now).memo)
    assert result.totals == {"new": 2, "quarantined": 1}
    assert names(cfg.processed_dir) == ["1-good.json", "3-good.json"]
    assert names(cfg.failed_dir) == ["2-bad.json", "2-bad.json.reason.txt"]
    reason = (cfg.failed_dir / "2-bad.json.reason.txt").read_text()
    assert "invalid JSON" in reason and "source: dpa" in reason
    (q,) = store.quarantine.records()
    assert q.source == "dpa" and q.name == "2-bad.json"


def test_a_crash_after_the_commit_but_before_the_move_changes_nothing(store, drop, now):
    """The file was applied (committed) and the worker died before moving it: the next
    scan applies it again, which changes nothing, and then moves it."""
    cfg = folder_source(drop)
    add_source(store, cfg, now, check=False)
    good, bad = ninjs_item("urn:k", at=now), b"\x00\x01 binary junk"
    (drop / "k.json").write_bytes(good)
    (drop / "z.bin").write_bytes(bad)
    for name, data in (("k.json", good), ("z.bin", bad)):
        desk.apply(store, Delivery(data, "dpa", name, now), Terms(licence_days=30))
    result = scan(store, cfg, now, scan(store, cfg, now).memo)
    assert result.totals == {"unchanged": 1, "quarantined": 1}
    assert len(store.history(store.story_by_uri("urn:k").id)) == 1
    assert len(store.quarantine.records()) == 1  # not quarantined twice
    assert names(drop) == [] and names(cfg.failed_dir) == ["z.bin", "z.bin.reason.txt"]


def test_the_same_name_twice_keeps_both_files(store, drop, now):
    cfg = folder_source(drop)
    for version in (1, 2):
        (drop / "s.json").write_bytes(ninjs_item("urn:s", version=version, at=now))
        scan(store, cfg, now, scan(store, cfg, now).memo)
    assert names(cfg.processed_dir) == ["s.json", "s.json.1"]
    assert store.story_by_uri("urn:s").version_count == 2


def test_processed_and_failed_folders_can_be_set(store, drop, tmp_path, now):
    cfg = folder_source(drop, processed=str(tmp_path / "done"), failed=str(tmp_path / "bad"))
    (drop / "x.json").write_bytes(ninjs_item("urn:x", at=now))
    scan(store, cfg, now, scan(store, cfg, now).memo)
    assert names(tmp_path / "done") == ["x.json"]


def test_a_folder_that_disappears_is_an_error_in_health(store, drop, now):
    add_source(store, folder_source(drop), now, check=False)
    os.rmdir(drop)
    worker = Worker(store, clock=lambda: now)
    assert worker.run_once() == 1
    (h,) = store.sources.health(now)
    assert h.consecutive_failures == 1 and "is missing" in h.last_error


def test_the_worker_scans_folders_and_counts_stories_in_health(store, drop, now):
    add_source(store, folder_source(drop, agency="dpa"), now, check=False)
    for n in range(3):
        (drop / f"{n}.json").write_bytes(ninjs_item(f"urn:w{n}", at=now))
    clock = [now]
    worker = Worker(store, clock=lambda: clock[0])
    worker.run_once()  # the first look
    (h,) = store.sources.health(now)
    clock[0] = h.next_poll_at
    worker.run_once()  # the second look takes them
    (h,) = store.sources.health(clock[0])
    assert h.stories_24h == 3 and h.last_success_at == clock[0] and h.last_error is None
    assert names(drop) == []


def test_a_file_over_max_bytes_is_not_read_but_moved_to_failed_and_quarantined(store, drop,
                                                                               now, monkeypatch):
    cfg = folder_source(drop, max_bytes="2k")
    assert cfg.max_bytes == 2048
    at_limit = ninjs_item("urn:fits", at=now, body="<p>" + "x" * 100 + "</p>")
    at_limit = at_limit[:-1] + b" " * (2048 - len(at_limit)) + b"}"
    (drop / "a-fits.json").write_bytes(at_limit)  # exactly the limit: taken
    big = ninjs_item("urn:big", at=now, body="<p>" + "y" * 100 + "</p>")
    big = big[:-1] + b" " * (2049 - len(big)) + b"}"
    (drop / "b-big.json").write_bytes(big)  # one byte over
    reads: list[int] = []
    real_open = Path.open

    def counting_open(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        f = real_open(self, *args, **kwargs)
        if self.name == "b-big.json":
            real_read = f.read
            f.read = lambda n=-1: reads.append(n) or real_read(n)  # type: ignore[method-assign]
        return f

    monkeypatch.setattr(Path, "open", counting_open)
    result = scan(store, cfg, now, scan(store, cfg, now).memo)
    assert result.totals == {"new": 1, "quarantined": 1}
    assert store.story_by_uri("urn:fits") is not None and store.story_by_uri("urn:big") is None
    assert reads and all(0 < n < 2048 for n in reads)  # never the whole file
    assert names(drop) == [] and names(cfg.failed_dir) == ["b-big.json", "b-big.json.reason.txt"]
    assert (cfg.failed_dir / "b-big.json").read_bytes() == big  # kept whole, never deleted
    reason = (cfg.failed_dir / "b-big.json.reason.txt").read_text()
    assert "2049 bytes" in reason and "limit of 2048 bytes" in reason
    (q,) = store.quarantine.records()
    assert q.name == "b-big.json" and "limit of 2048 bytes" in q.error
    assert q.size < 2048 and big.startswith(store.quarantine.item(q.id).data)
