"""What every source's settings share: the common fields, and the checks of single values.

Every mistake an operator can make in a source's settings is found when they are read, at
`sources add` or from the sources file, and reported in one line that names the setting:
never a stack trace in the worker an hour later. Each kind's own settings extend
`SourceConfig` in its module (sources/http.py, folder.py, push.py); sources/kinds.py reads
a mapping of settings into the right one.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any, ClassVar

from wiredesk import values as check  # `values` is the settings mapping's name below
from wiredesk.masking import mask_url
from wiredesk.sources import sealed
from wiredesk.terms import DEFAULT_LICENCE_DAYS, Terms

MIN_EVERY = check.MIN_INTERVAL
# Kept in the `sources` table's own columns, not in its `settings` JSON.
_COLUMNS = ("name", "kind", "agency", "licence_days")

# A bad source setting; the message is one line that names the source and the setting. The
# same class as every other bad value (values.py), so one `except` catches them all.
ConfigError = check.BadValue


def parse_interval(text: str | float | int, where: str = "--every") -> float:
    """'90', '90s', '5m', '1h30m', '250ms' -> seconds (0.1s to 30 days)."""
    return check.interval(text, where)


def parse_size(text: str | int, where: str = "--max-bytes") -> int:
    """'10MB', '512k', '1048576' -> bytes."""
    return check.size(text, where)


def resolve_secret(value: str | None) -> str | None:
    """A value of `$NAME` is read from the environment when used, so secrets need not be
    stored in the database or the sources file; one stored encrypted (sources/sealed.py) is
    decrypted here, when used; a plain one (stored before secrets were sealed) is itself."""
    if value and sealed.is_sealed(value):
        return sealed.unseal(value)
    if value and value.startswith("$"):
        found = os.environ.get(value[1:])
        if found is None:
            raise ConfigError(f"environment variable {value[1:]} is not set")
        return found
    return value


def positive_number(value: Any, where: str) -> float:
    """A timeout in seconds: more than nothing, at most an hour."""
    return check.number(value, where, 0.001, 3600, " seconds")


def positive_int(value: Any, where: str, zero: bool = False) -> int:
    """A small count (redirects followed): up to 100."""
    return check.whole(value, where, 0 if zero else 1, 100)


def boolean(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"bad {where} {value!r}: expected true or false")
    return value


def parse_allow_private(value: Any) -> bool | tuple[str, ...]:
    """The `allow_private` setting (http and folder sources): true, false, or the host /
    host:port entries that may be private (fetch_guard.allowed)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, list | tuple) and all(isinstance(x, str) and x.strip() for x in value):
        return tuple(x.strip() for x in value)
    raise ConfigError(f"bad allow_private {value!r}: true, false or a list of host[:port]")


PUBLIC_TEXT = ("full", "summary", "headline")  # web/public_text.py says what each gives


@dataclass(frozen=True)
class SourceConfig:
    """The settings every source has, whatever its kind (a source made on the fly by
    `ingest --source` has only these); a kind's own settings are fields of its subclass."""

    name: str
    kind: str
    agency: str | None = None
    licence_days: int = DEFAULT_LICENCE_DAYS
    format: str | None = None  # None: detect by content
    every: float = 60.0
    public_text: str = "full"  # what public feeds and API give: full | summary | headline

    # Settings shown masked by `redacted`, as paths into `settings()`: ("auth", "secret").
    SECRETS: ClassVar[tuple[tuple[str, ...], ...]] = ()

    @classmethod
    def parse(cls, values: Mapping[str, Any]) -> dict[str, Any]:
        """This kind's own fields from given settings (CLI flags or a TOML table, `-` already
        `_`), each value checked; ConfigError names the setting. Others' keys are ignored."""
        return {}

    @classmethod
    def revive(cls, stored: Mapping[str, Any]) -> dict[str, Any]:
        """Fields from the stored `settings` JSON (checked when it was stored). Rows stored
        before each kind had its own settings carry every kind's keys: those are dropped."""
        names = {f.name for f in fields(cls)} - set(_COLUMNS)
        # A URL that holds a password or key is stored sealed (registry.add_source): it is
        # opened here, as every use of it needs it whole.
        return {key: sealed.unseal(value) if sealed.is_sealed(value) else value
                for key, value in stored.items() if key in names}

    def check(self) -> None:
        """Checks across settings, once every value is read; raises ConfigError."""

    def settings(self) -> dict[str, Any]:
        """What goes into the `sources.settings` JSON (name, kind, agency, licence apart)."""
        data = asdict(self)
        for key in _COLUMNS:
            data.pop(key)
        return data

    def redacted(self) -> dict[str, Any]:
        """Settings fit to show: secrets given inline are masked, `$ENV` names are shown,
        and URLs lose their userinfo and secret-looking query values (masking.py)."""
        data = self.settings()
        for key, value in data.items():
            if isinstance(value, str) and "://" in value:
                data[key] = mask_url(value)
        for *parents, key in self.SECRETS:
            holder = data
            for parent in parents:
                holder = holder[parent]
            if holder.get(key) and not str(holder[key]).startswith("$"):
                holder[key] = "***"
        return data

    @property
    def terms(self) -> Terms:
        """What the desk needs of this source with each delivery."""
        return Terms(self.format, self.agency, self.licence_days)


def common(values: Mapping[str, Any], *, every: float,
           known_formats: tuple[str, ...] | None = None) -> dict[str, Any]:
    """The common fields from given settings; `every` is the kind's default interval."""
    fmt = values.get("format")
    if fmt in ("auto", ""):
        fmt = None
    if fmt is not None and known_formats is not None and fmt not in known_formats:
        raise ConfigError(f"unknown format {fmt!r} (use auto or one of "
                          f"{', '.join(known_formats)})")
    return {
        "agency": values.get("agency"),
        "licence_days": check.licence_days(values.get("licence_days", DEFAULT_LICENCE_DAYS)),
        "format": fmt,
        "every": parse_interval(values.get("every", every), "every"),
        "public_text": _public_text(values.get("public_text") or "full"),
    }


def _public_text(value: Any) -> str:
    if value not in PUBLIC_TEXT:
        raise ConfigError(f"bad public_text {value!r}: use {', '.join(PUBLIC_TEXT)}")
    return str(value)
