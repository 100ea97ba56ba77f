"""Source health tells the truth: a folder whose every file lands in failed/ is not "ok",
and a paused source shows no next poll, in `sources list/show`, the API and the console."""

from __future__ import annotations

from pathlib import Path

from lxml import html as lxml_html

from test_console import PASSWORD, login, make_client
from wiredesk.passwords import hash_password
from wiredesk.sources import registry
from wiredesk.sources.kinds import build
from wiredesk.sources.worker import Worker


def folder_with_bad_files(store, tmp_path: Path, now) -> Path:  # type: ignore[no-untyped-def]
    drop = tmp_path / "drop"
    drop.mkdir()
    registry.add_source(store, build("dpa", "folder", {"path": str(drop), "every": "1s"}), now,
                        check=False)
    for n in range(3):
        (drop / f"{n}.json").write_bytes(b"{ not json %d" % n)
    clock = [now]
    worker = Worker(store, clock=lambda: clock[0])
    worker.run_once()  # the first look
    (h,) = store.sources.health(now)
    clock[0] = h.next_poll_at
    worker.run_once()  # the second look takes them: all three fail to parse
    assert len([p for p in (drop.parent / "failed").iterdir() if p.suffix == ".json"]) == 3
    return drop


def test_a_folder_whose_files_all_fail_is_not_ok(store, tmp_path, now, clock):
    folder_with_bad_files(store, tmp_path, now)
    (h,) = store.sources.health(now)
    assert h.quarantined_24h == 3 and h.stories_24h == 0 and h.state == "quarantining"
    line = registry.health_line(h, now)
    assert line.startswith("dpa (folder): quarantining;") and "3 quarantined in 24h" in line
    (info,) = registry.all_json(store, now)
    assert info["health"]["quarantined_24h"] == 3
    assert info["health"]["state"] == "quarantining"
    store.users.set_password("ed", hash_password(PASSWORD), now)
    with make_client(store, clock) as c:
        login(c)
        row = lxml_html.fromstring(c.get("/console").text).xpath(
            "//table[1]//tr[th='dpa']")[0].text_content()
    assert "quarantining" in row and "ok" not in row.split()


def test_a_paused_source_shows_no_next_poll(store, tmp_path, now, clock):
    drop = tmp_path / "drop"
    drop.mkdir()
    registry.add_source(store, build("dpa", "folder", {"path": str(drop), "every": "1m"}), now,
                        check=False)
    assert store.sources.set_paused("dpa", True, now)
    (h,) = store.sources.health(now)
    assert h.state == "paused" and h.next_poll_at is None
    assert "next poll" not in registry.health_line(h, now)
    (info,) = registry.all_json(store, now)
    assert info["paused"] and info["health"]["next_poll"] is None
    store.users.set_password("ed", hash_password(PASSWORD), now)
    with make_client(store, clock) as c:
        login(c)
        row = lxml_html.fromstring(c.get("/console").text).xpath(
            "//table[1]//tr[th='dpa']")[0]
    heads = [th.text_content().strip() for th in row.xpath("../../thead/tr/th")]
    cells = dict(zip(heads[1:], [td.text_content().strip() for td in row.xpath("td")], strict=False))
    assert cells["Next poll"] == "paused"
