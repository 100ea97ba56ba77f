"""The `wiredesk` command, run as a user runs it: a real process, a real SQLite file."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from conftest import SAMPLES
from helpers import ninjs_item
from wiredesk.formats import ninjs

SEED = SAMPLES / "00-reuters-via-euronews.txt"


def run(*args: str, db: str | None = None, check: bool = True) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    if db is not None:
        env["WIREDESK_DATABASE_URL"] = db
    result = subprocess.run([sys.executable, "-m", "wiredesk.cli", *args], capture_output=True,
                            text=True, env=env, timeout=120)
    if check and result.returncode != 0:
        raise AssertionError(f"exit {result.returncode}: {result.stderr}")
    return result


def test_parse_seed_page_prints_schema_valid_ninjs_2_2():
    out = run("parse", str(SEED)).stdout.strip().splitlines()
    assert len(out) == 1
    item = json.loads(out[0])
    assert list(ninjs.validator("2.2").iter_errors(item)) == []
    assert item["headlines"][0]["value"].startswith("Mattis says Japan-U.S. committed")
    assert item["by"] == "Phil Stewart and Tim Kelly"
    assert item["located"] == "TOKYO"
    assert item["infosources"] == [{"name": "Reuters", "role": "originator"}]


def test_parse_every_sample_by_detection_alone():
    out = run("parse", *map(str, sorted(SAMPLES.iterdir()))).stdout.strip().splitlines()
    assert len(out) == len(list(SAMPLES.iterdir()))
    for line in out:
        assert list(ninjs.validator("2.2").iter_errors(json.loads(line))) == []


def test_parse_bad_input_names_the_file_and_problem(tmp_path):
    bad = tmp_path / "broken.json"
    bad.write_bytes(b'{"uri": "urn:x", "pubstatus": "published", "headline": "h"}')
    result = run("parse", str(SEED), str(bad), str(tmp_path / "missing.txt"), check=False)
    assert result.returncode == 1
    assert len(result.stdout.strip().splitlines()) == 1  # the good file still printed
    assert f"{bad}: ninjs 1.6: $.pubstatus:" in result.stderr
    assert "missing.txt: cannot read" in result.stderr


def test_ingest_status_kill_and_sweep(tmp_path, store_url):
    db = store_url
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.json").write_bytes(ninjs_item("urn:a", headline="A"))
    (folder / "b.json").write_bytes(ninjs_item("urn:b", headline="B"))
    (folder / "c.json").write_bytes(b"{ not json")
    run("init", db=db)
    out = run("ingest", str(folder), str(SEED), db=db).stdout
    assert "4 file(s): 3 new, 1 quarantined" in out
    assert "invalid JSON" in run("ingest", str(folder / "c.json"), db=db).stderr
    status = json.loads(run("status", "--json", db=db).stdout)
    assert status["live"] == 3 and status["quarantined"] == 2
    assert "taken down: urn:a" in run("kill", "urn:a", "--reason", "legal", db=db).stdout
    assert json.loads(run("status", "--json", db=db).stdout)["taken down"] == 1
    out = run("sweep", "--now", "2099-01-01T00:00:00Z", db=db).stdout
    assert "2 expired" in out
    assert json.loads(run("status", "--json", db=db).stdout)["live"] == 0


def test_kill_of_unknown_story_is_a_clear_error(store_url):
    run("init", db=store_url)
    result = run("kill", "urn:nope", "--reason", "x", db=store_url, check=False)
    assert result.returncode == 2 and "no story with uri 'urn:nope'" in result.stderr


def test_bad_settings_are_a_clear_error(tmp_path):
    env = dict(os.environ, WIREDESK_LICENCE_DAYS="thirty")
    result = subprocess.run([sys.executable, "-m", "wiredesk.cli", "status"], capture_output=True,
                            text=True, env=env, timeout=60)
    assert result.returncode == 2 and "WIREDESK_" in result.stderr


@pytest.mark.parametrize("args", [["ingest", "/no/such/folder"], ["sweep", "--now", "soon"]])
def test_bad_arguments_are_clear_errors(store_url, args):
    result = run(*args, db=store_url, check=False)
    assert result.returncode == 2 and result.stderr.startswith("wiredesk: ")


def test_the_makefile_demo_command_line_parses():
    """`make demo` runs a wiredesk command line; it must be one the CLI accepts."""
    import shlex

    from conftest import ROOT
    from wiredesk.cli.main import build_parser

    recipe = (ROOT / "Makefile").read_text().split("\ndemo:", 1)[1].split("\n\n", 1)[0]
    (line,) = [x for x in recipe.splitlines() if "/wiredesk " in x]
    words = shlex.split(line.strip().replace("$(HOST)", "127.0.0.1").replace("$(PORT)", "8000"))
    args = build_parser().parse_args(words[1:])
    assert args.command == "demo" and args.database == "sqlite:///var/wiredesk.db"


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _one_line_error(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr, result.stderr
    return result.stderr.strip()


def test_a_store_url_that_is_none_is_one_line(tmp_path):
    assert _one_line_error(run("--database", "foo", "status", check=False)) == (
        "wiredesk: 'foo' is not a store URL; give sqlite:///PATH or "
        "postgresql://***@HOST:PORT/DATABASE")  # userinfo in any URL shown is masked
    db = f"sqlite:///{tmp_path / 'w.db'}"
    run("init", db=db)
    assert _one_line_error(run("store", "copy", "--to", "foo", db=db, check=False)).startswith(
        "wiredesk: --to 'foo' is not a store URL")


def test_an_unreachable_postgresql_is_one_line(tmp_path):
    url = f"postgresql://wd@127.0.0.1:{_free_port()}/x"
    shown = url.replace("wd@", "***@")  # userinfo in any URL shown is masked
    line = _one_line_error(run("--database", url, "status", check=False))
    assert line.startswith(f"wiredesk: cannot reach the store at {shown}: ")
    assert "Connection refused" in line
    db = f"sqlite:///{tmp_path / 'w.db'}"
    run("init", db=db)
    line = _one_line_error(run("store", "copy", "--to", url, db=db, check=False))
    assert line.startswith(f"wiredesk: cannot reach the store at {shown}: ")


def test_a_missing_sqlite_store_is_refused_not_made(tmp_path):
    typo = tmp_path / "typo.db"
    for args in (["status"], ["ingest", str(SEED)], ["sources", "list"], ["serve"]):
        line = _one_line_error(run(*args, db=f"sqlite:///{typo}", check=False))
        assert line == f"wiredesk: no store at {typo}; run `wiredesk init` to create one"
        assert not typo.exists()
    run("init", db=f"sqlite:///{typo}")
    assert "1 new" in run("ingest", str(SEED), db=f"sqlite:///{typo}").stdout


def test_a_full_disk_is_one_line(tmp_path, monkeypatch, capsys):
    """SQLite says SQLITE_FULL when its disk is full; max_page_count gives the same error
    without filling a real disk."""
    from sqlalchemy import event

    import wiredesk.store as store_module
    from wiredesk.cli import main

    db = f"sqlite:///{tmp_path / 'w.db'}"
    assert main(["--database", db, "init"]) == 0
    real = store_module.make_engine

    def full_engine(url: str):  # type: ignore[no-untyped-def]
        engine = real(url)

        @event.listens_for(engine, "connect")
        def no_room(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
            pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
            dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

        return engine

    monkeypatch.setattr(store_module, "make_engine", full_engine)
    big = tmp_path / "big.json"
    big.write_bytes(ninjs_item("urn:big", headline="Big", body="<p>" + "word " * 50000 + "</p>"))
    capsys.readouterr()
    assert main(["--database", db, "ingest", str(big)]) == 2
    assert capsys.readouterr().err == "wiredesk: the store's disk is full\n"
