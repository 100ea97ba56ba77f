"""Values are checked once, by values.py, wherever they come from: CLI flags, the
environment, the TOML sources file. Each bad value is one line naming the setting and the
allowed range."""

from __future__ import annotations

import pytest

from wiredesk import values
from wiredesk.cli.main import main
from wiredesk.config import Settings
from wiredesk.sources.config import ConfigError
from wiredesk.sources.kinds import load_file
from wiredesk.sources.worker import next_delay


@pytest.mark.parametrize("args, message", [
    (["ingest", "--licence-days", "-3", "nowhere"], "wiredesk: --licence-days -3 is out of range: "
                                               "use 1 to 3650 days"),
    (["ingest", "--licence-days", "0", "nowhere"], "wiredesk: --licence-days 0 is out of range"),
    (["ingest", "--licence-days", "99999999999", "nowhere"], "--licence-days 99999999999 is out"),
    (["ingest", "--licence-days", "ten", "nowhere"], "--licence-days 'ten' is not a whole number"),
    (["sources", "add", "a", "--kind", "push", "--every", "99999999999d"],
     "wiredesk: source a: every '99999999999d' is too long: at most 30d"),
    (["sources", "add", "a", "--kind", "push", "--every", "0"], "every '0' is too short"),
    (["sources", "add", "a", "--kind", "push", "--licence-days", "-1"],
     "wiredesk: source a: licence_days -1 is out of range: use 1 to 3650 days"),
    (["sources", "add", "a", "--kind", "push", "--licence-days", "0"],
     "licence_days 0 is out of range"),
])
def test_cli_values_exit_2_with_one_line(args, message, capsys, tmp_path):
    assert main(["--database", f"sqlite:///{tmp_path}/v.db", "init"]) == 0  # a store to use
    capsys.readouterr()
    assert main(["--database", f"sqlite:///{tmp_path}/v.db", *args]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("args, message", [
    (["serve", "--port", "70000"], "argument --port: 70000 is out of range: use 1 to 65535"),
    (["serve", "--port", "0"], "--port: 0 is out of range"),
])
def test_flags_read_by_argparse_exit_2_naming_the_flag(args, message, capsys):
    with pytest.raises(SystemExit) as exited:
        main(args)
    assert exited.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert message in err


def test_a_bad_database_flag_is_one_line(capsys):
    assert main(["--database", "mysql://x/y", "status"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "'mysql://x/y' is not a store URL" in err[0]


@pytest.mark.parametrize("name, value, message", [
    ("WIREDESK_LICENCE_DAYS", "-5", "WIREDESK_LICENCE_DAYS -5 is out of range: use 1 to 3650"),
    ("WIREDESK_LICENCE_DAYS", "0", "WIREDESK_LICENCE_DAYS 0 is out of range"),
    ("WIREDESK_LICENCE_DAYS", "1e9", "WIREDESK_LICENCE_DAYS '1e9' is not a whole number"),
    ("WIREDESK_CLOCK_SECONDS", "0", "WIREDESK_CLOCK_SECONDS '0' is out of range: use 0.1 to 3600"),
    ("WIREDESK_CLOCK_SECONDS", "nan", "WIREDESK_CLOCK_SECONDS 'nan' is out of range"),
    ("WIREDESK_RATE_PUSH", "-1", "WIREDESK_RATE_PUSH -1 is out of range: use 0 to 1000000"),
    ("WIREDESK_RATE_LOGIN", "lots", "WIREDESK_RATE_LOGIN 'lots' is not a whole number"),
    ("WIREDESK_MAX_REQUEST_BYTES", "0", "WIREDESK_MAX_REQUEST_BYTES '0' is out of range"),
    ("WIREDESK_MAX_REQUEST_BYTES", "5TB", "WIREDESK_MAX_REQUEST_BYTES '5TB' is not a size"),
    ("WIREDESK_DATABASE_URL", "mysql://u:pw@h/db", "WIREDESK_DATABASE_URL is not a store URL"),
    ("WIREDESK_DATABASE_URL", "not a url", "WIREDESK_DATABASE_URL is not a store URL"),
])
def test_the_environment_is_checked(name, value, message):
    with pytest.raises(values.BadValue) as raised:
        Settings.from_env({name: value})
    assert message in str(raised.value) and "\n" not in str(raised.value)
    assert "pw" not in str(raised.value)  # a store URL may hold a password: not repeated


def test_good_environment_values_are_taken():
    s = Settings.from_env({"WIREDESK_LICENCE_DAYS": "7", "WIREDESK_CLOCK_SECONDS": "0.5",
                           "WIREDESK_MAX_REQUEST_BYTES": "2MB", "WIREDESK_RATE_PUSH": "0",
                           "WIREDESK_DATABASE_URL": "postgresql+psycopg://u@h/db"})
    assert (s.licence_days, s.clock_seconds, s.max_request_bytes, s.rate_push) == (
        7, 0.5, 2 * 1024 * 1024, 0)


@pytest.mark.parametrize("setting, message", [
    ("licence_days = -1", "sources.toml: source wire: licence_days -1 is out of range: use 1 to 3650"),
    ("licence_days = 0", "licence_days 0 is out of range"),
    ("licence_days = 10000000000", "licence_days 10000000000 is out of range"),
    ('every = "99999999999d"', "every '99999999999d' is too long: at most 30d"),
    ("every = 1e12", "every 1000000000000.0 is too long"),
    ("connect_timeout = 0", "connect_timeout 0 is out of range: use 0.001 to 3600 seconds"),
    ("max_redirects = 1000", "max_redirects 1000 is out of range: use 0 to 100"),
    ('max_bytes = "5GB"', "max_bytes '5GB' is out of range: use 1 to 1073741824 bytes"),
])
def test_the_sources_file_is_checked(tmp_path, setting, message):
    path = tmp_path / "sources.toml"
    path.write_text(f'[sources.wire]\nkind = "http"\nurl = "https://wire.example/"\n{setting}\n')
    with pytest.raises(ConfigError) as raised:
        load_file(path)
    assert message in str(raised.value)


def test_a_huge_interval_stored_before_cannot_overflow_the_schedule():
    assert next_delay(min(1e12, values.MAX_INTERVAL), 40, rand=lambda: 1.0) < 1e12
