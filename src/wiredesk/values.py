"""Checks of single values, the same wherever a value comes from: a CLI flag, the
environment (config.py), a source's settings or the TOML sources file (sources/config.py).

Each check returns the value in its working type or raises `BadValue`, one line that names
the setting and says the allowed range. Nothing here imports anything of ours, so both
config.py and the sources can use it.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

T = TypeVar("T")

# A licence is counted in days from first publication. 0 or less would take every story
# down on arrival; ten years is beyond any agency licence (AP keeps 30 days) and far below
# where a date past year 9999 overflows, so anything larger is a typo.
LICENCE_DAYS = (1, 3650)
MIN_INTERVAL = 0.1  # seconds; below this a source or the clock would spin
MAX_INTERVAL = 30 * 86400  # a month: a source polled less often is a source to pause
MAX_CLOCK = 3600.0  # the clock takes stories down on time: an hour late is already too late
PORTS = (1, 65535)
MAX_BYTES = 1024 ** 3  # 1 GiB: no single delivery or request is bigger
MAX_RATE = 1_000_000  # requests a minute per address; 0 turns a limit off
DATABASE_DRIVERS = ("sqlite", "sqlite+pysqlite", "postgresql+psycopg", "postgresql", "postgres")  # plain postgresql: psycopg 3, as store.engine reads it

_INTERVAL = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d)")
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}
_SIZE = re.compile(r"^(\d+)\s*([kmg]?b?)$", re.I)


class BadValue(ValueError):
    """A bad setting, in one line that names it; `problem` is the same without the name (for
    argparse, which puts the flag's name in front itself)."""

    def __init__(self, message: str, problem: str | None = None) -> None:
        super().__init__(message)
        self.problem = problem or message


def _bad(where: str, problem: str) -> BadValue:
    return BadValue(f"{where} {problem}" if where else problem, problem)


def whole(value: Any, where: str, low: int, high: int, unit: str = "") -> int:
    """A whole number from `low` to `high`; '30', 30 and ' 30 ' are alike, 30.5 and True are not."""
    text = str(value).strip()
    if isinstance(value, bool) or isinstance(value, float) or not re.fullmatch(r"[+-]?\d+", text):
        raise _bad(where, f"{value!r} is not a whole number: use {low} to {high}{unit}")
    number = int(text)
    if not low <= number <= high:
        raise _bad(where, f"{number} is out of range: use {low} to {high}{unit}")
    return number


def number(value: Any, where: str, low: float, high: float, unit: str = "") -> float:
    try:
        found = float(value)
    except (TypeError, ValueError):
        raise _bad(where, f"{value!r} is not a number: use {low:g} to {high:g}{unit}") from None
    if isinstance(value, bool) or not low <= found <= high:  # NaN fails this too
        raise _bad(where, f"{value!r} is out of range: use {low:g} to {high:g}{unit}")
    return found


def licence_days(value: Any, where: str = "licence_days") -> int:
    return whole(value, where, *LICENCE_DAYS, " days")


def port(value: Any, where: str = "--port") -> int:
    return whole(value, where, *PORTS)


def rate(value: Any, where: str) -> int:
    return whole(value, where, 0, MAX_RATE, " a minute (0: no limit)")


def clock_seconds(value: Any, where: str = "WIREDESK_CLOCK_SECONDS") -> float:
    return number(value, where, MIN_INTERVAL, MAX_CLOCK, " seconds")


def interval(value: str | float | int, where: str = "--every") -> float:
    """'90', '90s', '5m', '1h30m', '250ms' -> seconds, from MIN_INTERVAL to MAX_INTERVAL."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = float(value)
    else:
        text = str(value).strip().lower()
        if re.fullmatch(r"\d+(\.\d+)?", text):
            seconds = float(text)
        else:
            parts = _INTERVAL.findall(text)
            if not text or "".join(n + u for n, u in parts) != text:
                raise _bad(where, f"{value!r} is not an interval: use seconds or units "
                                      "ms, s, m, h, d (e.g. 60s, 5m, 1h30m), up to 30d")
            seconds = sum(float(n) * _UNITS[u] for n, u in parts)
    if not seconds >= MIN_INTERVAL:  # NaN too
        raise _bad(where, f"{value!r} is too short: at least {MIN_INTERVAL}s")
    if seconds > MAX_INTERVAL:
        raise _bad(where, f"{value!r} is too long: at most 30d")
    return seconds


def size(value: str | int, where: str = "--max-bytes", high: int = MAX_BYTES) -> int:
    """'10MB', '512k', '1048576' -> bytes, from 1 to `high`."""
    if isinstance(value, int) and not isinstance(value, bool):
        found = value
    else:
        m = _SIZE.match(str(value).strip())
        if not m:
            raise _bad(where, f"{value!r} is not a size: use bytes or k, MB, GB "
                                  f"(e.g. 10MB), 1 to {high} bytes")
        found = int(m.group(1)) * 1024 ** " kmg".index((m.group(2) or " ")[0].lower())
    if not 1 <= found <= high:
        raise _bad(where, f"{value!r} is out of range: use 1 to {high} bytes")
    return found


def database_url(value: str, where: str = "WIREDESK_DATABASE_URL") -> str:
    """A store URL SQLAlchemy can read, for a driver wiredesk ships with."""
    try:
        driver = make_url(value).drivername
    except (ArgumentError, ValueError):
        driver = None
    if driver not in DATABASE_DRIVERS:
        # The URL itself is not repeated: it may hold a password.
        problem = "not a store URL: use sqlite:///PATH or postgresql+psycopg://USER@HOST/DB"
        raise BadValue(f"{where} is {problem}", problem)
    return value


def flag(check: Callable[..., T], where: str) -> Callable[[str], T]:
    """`check` as an argparse `type`: a bad value exits 2 with one line naming the flag."""

    def parse(text: str) -> T:
        try:
            return check(text, where)
        except BadValue as exc:
            raise argparse.ArgumentTypeError(exc.problem) from None

    parse.__name__ = check.__name__
    return parse
