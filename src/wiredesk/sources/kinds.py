"""The kinds of source, one line each, and reading settings into the right kind's config.

A kind is one module (sources/http.py, folder.py, push.py) that ends with its `KIND`; listing
it here is all the registering there is. The worker, the CLI and `sources add` ask the kind
found here; none of them names a kind.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import fields
from pathlib import Path
from typing import Any

from wiredesk.rules import Rule
from wiredesk.rules import parse_table as parse_rules
from wiredesk.sources import folder, http, push
from wiredesk.sources.config import ConfigError, SourceConfig, boolean, common
from wiredesk.sources.kind import Kind

KINDS: dict[str, Kind[Any]] = {k.name: k for k in (http.KIND, folder.KIND, push.KIND)}
POLLED = tuple(name for name, kind in KINDS.items() if kind.polled)  # what a worker claims
# Those run on an interval (`every` means something for them): not a push, run on demand.
SCHEDULED = tuple(name for name, kind in KINDS.items() if kind.polled and not kind.on_demand)
# Every setting some kind takes: a key in none of them is a typo, named as such.
SETTINGS = frozenset(f.name for kind in KINDS.values() for f in fields(kind.config))
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


def build(name: str, kind: str, values: Mapping[str, Any], *,
          known_formats: tuple[str, ...] | None = None) -> SourceConfig:
    """Validate settings given as a mapping (CLI flags or a TOML table) into the kind's config.

    Settings of another kind are ignored, except those that kind holds as its own alone
    (--url and --auth are http's): given to another kind they are a mistake, said so."""
    if not _NAME.match(name or ""):
        raise ConfigError(f"bad source name {name!r}: letters, digits, '.', '_' and '-', "
                          "up to 100")
    found = KINDS.get(kind)
    if found is None:
        raise ConfigError(f"source {name}: unknown kind {kind!r} (use {', '.join(KINDS)})")
    v = {k.replace("-", "_"): val for k, val in values.items() if val is not None}
    unknown = set(v) - SETTINGS - {"paused"}
    if unknown:
        raise ConfigError(f"source {name}: unknown setting(s) {', '.join(sorted(unknown))}")
    try:
        cfg = found.config(name=name, kind=kind,
                           **common(v, every=found.every, known_formats=known_formats),
                           **found.config.parse(v))
        cfg.check()
        for other in KINDS.values():
            if other is not found and any(_given(v.get(key)) for key in other.exclusive):
                raise ConfigError(f"{' and '.join('--' + key for key in other.exclusive)} "
                                  f"are for {other.name} sources")
    except ConfigError as exc:
        raise ConfigError(f"source {name}: {exc}") from None
    return cfg


def _given(value: Any) -> bool:
    """Set to something: not empty, false or "none" (nor an Auth of type none)."""
    return bool(value) and value != "none" and getattr(value, "type", None) != "none"


def from_row(name: str, kind: str, agency: str | None, licence_days: int,
             settings: Mapping[str, Any]) -> SourceConfig:
    """The config of a stored source (validated when it was stored). A kind no longer (or
    never) registered, such as the "cli" sources `ingest --source` makes, has the common
    settings only."""
    found = KINDS.get(kind)
    config = found.config if found is not None else SourceConfig
    return config(name=name, kind=kind, agency=agency, licence_days=licence_days,
                  **config.revive(settings))


def read_toml(path: Path) -> dict[str, Any]:
    """A sources file's TOML, or a ConfigError that names the file and the problem."""
    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except OSError as exc:
        raise ConfigError(f"cannot read sources file {path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"sources file {path}: {exc}") from None


def load_rules(path: Path) -> list[Rule]:
    """The editorial rules a sources file declares (`[[rules]]`, in order; rules.py)."""
    doc = read_toml(path)
    return parse_rules(doc.get("rules", []), f"sources file {path}")


def load_file(path: Path, known_formats: tuple[str, ...] | None = None
              ) -> list[tuple[SourceConfig, bool | None]]:
    """Sources declared in a TOML file: `[sources.NAME]` tables with `kind` and settings.

    Returns each config with its `paused` setting (None when the file does not say)."""
    doc = read_toml(path)
    tables = doc.get("sources", {})
    if not isinstance(tables, dict) or set(doc) - {"sources", "rules"}:  # rules: load_rules
        raise ConfigError(f"sources file {path}: expected only [sources.NAME] tables "
                          "and [[rules]]")
    out = []
    for name, table in tables.items():
        if not isinstance(table, dict):
            raise ConfigError(f"sources file {path}: sources.{name} must be a table")
        values = dict(table)
        kind = str(values.pop("kind", ""))
        paused = values.pop("paused", None)
        if paused is not None:
            paused = boolean(paused, f"sources.{name}.paused")
        try:
            out.append((build(name, kind, values, known_formats=known_formats), paused))
        except ConfigError as exc:
            raise ConfigError(f"{path}: {exc}") from None
    return out
