"""A source's settings, validated once, from the CLI or a TOML file, into one typed value.

Every mistake an operator can make in a source's settings is found here, at `sources add`
or when the sources file is read, and reported in one line that names the setting: never a
stack trace in the worker an hour later.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from wiredesk.terms import DEFAULT_LICENCE_DAYS, Terms

KINDS = ("http", "folder", "push")
POLLED = ("http", "folder")  # the kinds the worker runs on a schedule
PAGING_MODES = ("none", "link", "next", "cursor")
AUTH_TYPES = ("none", "basic", "bearer", "header")
DEFAULT_EVERY = {"http": 60.0, "folder": 5.0, "push": 0.0}
MIN_EVERY = 0.1  # seconds; below this a source would spin
_INTERVAL = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d)")
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
_SIZE = re.compile(r"^(\d+)\s*([kmg]?b?)$", re.I)


class ConfigError(ValueError):
    """A bad source setting; the message is one line that names the source and the setting."""


def parse_interval(text: str | float | int, where: str = "--every") -> float:
    """'90', '90s', '5m', '1h30m', '250ms' -> seconds."""
    if isinstance(text, int | float) and not isinstance(text, bool):
        seconds = float(text)
    else:
        value = str(text).strip().lower()
        if re.fullmatch(r"\d+(\.\d+)?", value):
            seconds = float(value)
        else:
            parts = _INTERVAL.findall(value)
            if not value or "".join(n + u for n, u in parts) != value:
                raise ConfigError(f"{where} {text!r} is not an interval: use seconds or units "
                                  "ms, s, m, h, d (e.g. 60s, 5m, 1h30m)")
            seconds = sum(float(n) * _UNITS[u] for n, u in parts)
    if seconds < MIN_EVERY:
        raise ConfigError(f"{where} {text!r} is too short: at least {MIN_EVERY}s")
    return seconds


def parse_size(text: str | int, where: str = "--max-bytes") -> int:
    """'10MB', '512k', '1048576' -> bytes."""
    if isinstance(text, int) and not isinstance(text, bool):
        return text
    m = _SIZE.match(str(text).strip())
    if not m or int(m.group(1)) <= 0:
        raise ConfigError(f"bad size {text!r} for {where}: use bytes or k, MB, GB (e.g. 10MB)")
    return int(m.group(1)) * 1024 ** " kmg".index((m.group(2) or " ")[0].lower())


def resolve_secret(value: str | None) -> str | None:
    """A value of `$NAME` is read from the environment when used, so secrets need not be
    stored in the database or the sources file."""
    if value and value.startswith("$"):
        found = os.environ.get(value[1:])
        if found is None:
            raise ConfigError(f"environment variable {value[1:]} is not set")
        return found
    return value


@dataclass(frozen=True)
class Auth:
    type: str = "none"
    user: str | None = None  # basic
    secret: str | None = None  # basic password, bearer token or header value; `$ENV` allowed
    header: str | None = None  # header name, for type "header"

    @classmethod
    def parse(cls, spec: str | Mapping[str, Any] | None) -> Auth:
        """`basic:USER:PASSWORD`, `bearer:TOKEN`, `header:NAME:VALUE`, or a TOML table."""
        if spec is None or spec == "" or spec == "none":
            return cls()
        if isinstance(spec, Mapping):
            kind = str(spec.get("type", ""))
            auth = cls(kind, spec.get("user"),
                       spec.get("password") or spec.get("token") or spec.get("value"),
                       spec.get("header"))
        else:
            kind, _, rest = str(spec).partition(":")
            if kind == "basic":
                user, _, secret = rest.partition(":")
                auth = cls(kind, user, secret)
            elif kind == "header":
                header, _, secret = rest.partition(":")
                auth = cls(kind, None, secret, header)
            else:
                auth = cls(kind, None, rest)
        if auth.type not in AUTH_TYPES:
            raise ConfigError(f"unknown auth {auth.type!r}: use basic:USER:PASSWORD, "
                              "bearer:TOKEN or header:NAME:VALUE")
        if not auth.secret or (auth.type == "basic" and not auth.user) or (
                auth.type == "header" and not re.fullmatch(r"[A-Za-z0-9-]+", auth.header or "")):
            raise ConfigError(f"incomplete {auth.type} auth: use basic:USER:PASSWORD, "
                              "bearer:TOKEN or header:NAME:VALUE")
        return auth

    def headers(self) -> dict[str, str]:
        """The request headers this auth adds (basic is done by httpx.BasicAuth)."""
        if self.type == "bearer":
            return {"Authorization": f"Bearer {resolve_secret(self.secret)}"}
        if self.type == "header" and self.header:
            return {self.header: resolve_secret(self.secret) or ""}
        return {}


@dataclass(frozen=True)
class Paging:
    """How a JSON API says where the next page is.

    link: an HTTP `Link: <...>; rel="next"` header. next: a JSON field holding the next
    page's URL. cursor: a JSON field holding a cursor, sent back as query parameter `param`;
    the last cursor is kept between polls so the next poll starts where this one ended.
    """

    mode: str = "none"
    field: str | None = None  # dotted path: "next", "links.next", "meta.cursor"
    param: str = "cursor"
    items: str | None = None  # dotted path to the array of items in each page
    max_pages: int = 20  # per poll: one poll cannot run away with the worker


@dataclass(frozen=True)
class SourceConfig:
    name: str
    kind: str
    agency: str | None = None
    licence_days: int = DEFAULT_LICENCE_DAYS
    format: str | None = None  # None: detect by content
    every: float = 60.0
    url: str | None = None
    path: str | None = None
    processed: str | None = None  # default: `processed/` beside the folder
    failed: str | None = None  # default: `failed/` beside the folder
    auth: Auth = field(default_factory=Auth)
    paging: Paging = field(default_factory=Paging)
    fetch_linked: bool = False
    # True, or the host / host:port entries that may be private (see fetch_guard.allowed)
    allow_private: bool | tuple[str, ...] = False
    secret: str | None = None  # push: the HMAC-SHA256 key; `$ENV` allowed
    max_bytes: int = 10 * 1024 * 1024
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    max_redirects: int = 5

    def settings(self) -> dict[str, Any]:
        """What goes into the `sources.settings` JSON (name, kind, agency, licence apart)."""
        data = asdict(self)
        for key in ("name", "kind", "agency", "licence_days"):
            data.pop(key)
        return data

    def redacted(self) -> dict[str, Any]:
        """Settings fit to show: secrets given inline are masked, `$ENV` names are shown."""
        data = self.settings()
        for holder, key in ((data, "secret"), (data["auth"], "secret")):
            if holder.get(key) and not str(holder[key]).startswith("$"):
                holder[key] = "***"
        return data

    @property
    def terms(self) -> Terms:
        """What the desk needs of this source with each delivery."""
        return Terms(self.format, self.agency, self.licence_days)

    @property
    def processed_dir(self) -> Path:
        return Path(self.processed) if self.processed else Path(self.path or ".").parent / "processed"

    @property
    def failed_dir(self) -> Path:
        return Path(self.failed) if self.failed else Path(self.path or ".").parent / "failed"


def build(name: str, kind: str, values: Mapping[str, Any], *,
          known_formats: tuple[str, ...] | None = None) -> SourceConfig:
    """Validate settings given as a mapping (CLI flags or a TOML table) into a SourceConfig."""
    if not _NAME.match(name or ""):
        raise ConfigError(f"bad source name {name!r}: letters, digits, '.', '_' and '-', "
                          "up to 100")
    if kind not in KINDS:
        raise ConfigError(f"source {name}: unknown kind {kind!r} (use {', '.join(KINDS)})")
    v = {k.replace("-", "_"): val for k, val in values.items() if val is not None}
    unknown = set(v) - {f for f in SourceConfig.__dataclass_fields__} - {"paused"}
    if unknown:
        raise ConfigError(f"source {name}: unknown setting(s) {', '.join(sorted(unknown))}")
    try:
        fmt = v.get("format")
        if fmt in ("auto", ""):
            fmt = None
        if fmt is not None and known_formats is not None and fmt not in known_formats:
            raise ConfigError(f"unknown format {fmt!r} (use auto or one of "
                              f"{', '.join(known_formats)})")
        paging = v.get("paging") or {}
        if isinstance(paging, str):
            paging = {"mode": paging}
        paging = Paging(**{k.replace("-", "_"): x for k, x in dict(paging).items()})
        cfg = SourceConfig(
            name=name, kind=kind, agency=v.get("agency"),
            licence_days=_positive_int(v.get("licence_days", DEFAULT_LICENCE_DAYS),
                                       "licence_days"),
            format=fmt,
            every=parse_interval(v.get("every", DEFAULT_EVERY[kind] or 60), "every"),
            url=v.get("url"), path=v.get("path"), processed=v.get("processed"),
            failed=v.get("failed"), auth=v["auth"] if isinstance(v.get("auth"), Auth)
            else Auth.parse(v.get("auth")),
            paging=paging, fetch_linked=_bool(v.get("fetch_linked", False), "fetch_linked"),
            allow_private=_allow(v.get("allow_private", False)),
            secret=v.get("secret"),
            max_bytes=parse_size(v.get("max_bytes", 10 * 1024 * 1024)),
            connect_timeout=_positive(v.get("connect_timeout", 10.0), "connect_timeout"),
            read_timeout=_positive(v.get("read_timeout", 30.0), "read_timeout"),
            max_redirects=_positive_int(v.get("max_redirects", 5), "max_redirects", zero=True),
        )
    except ConfigError as exc:
        raise ConfigError(f"source {name}: {exc}") from None
    except TypeError as exc:  # an unknown key in a paging table
        raise ConfigError(f"source {name}: bad paging setting: {exc}") from None
    _check_kind(cfg)
    return cfg


def _check_kind(cfg: SourceConfig) -> None:
    where = f"source {cfg.name}"
    if cfg.kind == "http":
        if not cfg.url:
            raise ConfigError(f"{where}: an http source needs --url")
        parts = urlsplit(cfg.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(f"{where}: bad url {cfg.url!r}: only http:// and https:// "
                              "addresses with a host")
        if cfg.paging.mode not in PAGING_MODES:
            raise ConfigError(f"{where}: unknown paging {cfg.paging.mode!r} "
                              f"(use {', '.join(PAGING_MODES)})")
        if cfg.paging.mode in ("next", "cursor") and not cfg.paging.field:
            raise ConfigError(f"{where}: paging {cfg.paging.mode} needs a JSON field "
                              "(--page-field)")
    elif cfg.kind == "folder":
        if not cfg.path:
            raise ConfigError(f"{where}: a folder source needs --path")
        if not Path(cfg.path).is_dir():
            raise ConfigError(f"{where}: no such folder {cfg.path}")
        for other in (cfg.processed_dir, cfg.failed_dir):
            if other.resolve() == Path(cfg.path).resolve():
                raise ConfigError(f"{where}: processed/failed folders must not be the drop "
                                  "folder itself")
    elif cfg.kind == "push" and not cfg.secret:
        raise ConfigError(f"{where}: a push source needs --secret (the HMAC-SHA256 key)")
    if cfg.kind != "http" and (cfg.url or cfg.auth.type != "none"):
        raise ConfigError(f"{where}: --url and --auth are for http sources")


def _positive(value: Any, where: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ConfigError(f"bad {where} {value!r}: expected a number") from None
    if number <= 0:
        raise ConfigError(f"bad {where} {value!r}: must be more than 0")
    return number


def _positive_int(value: Any, where: str, zero: bool = False) -> int:
    if isinstance(value, bool) or not str(value).strip().isdigit():
        raise ConfigError(f"bad {where} {value!r}: expected a whole number")
    number = int(value)
    if number <= 0 and not (zero and number == 0):
        raise ConfigError(f"bad {where} {value!r}: must be more than 0")
    return number


def _allow(value: Any) -> bool | tuple[str, ...]:
    if isinstance(value, bool):
        return value
    if isinstance(value, list | tuple) and all(isinstance(x, str) and x.strip() for x in value):
        return tuple(x.strip() for x in value)
    raise ConfigError(f"bad allow_private {value!r}: true, false or a list of host[:port]")


def _bool(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"bad {where} {value!r}: expected true or false")
    return value


def from_row(name: str, kind: str, agency: str | None, licence_days: int,
             settings: Mapping[str, Any]) -> SourceConfig:
    """The SourceConfig of a stored source (validated when it was stored)."""
    data = dict(settings)
    auth = Auth(**data.pop("auth", {}) or {})
    paging = Paging(**data.pop("paging", {}) or {})
    known = set(SourceConfig.__dataclass_fields__)
    if isinstance(data.get("allow_private"), list):
        data["allow_private"] = tuple(data["allow_private"])
    return SourceConfig(name=name, kind=kind, agency=agency, licence_days=licence_days,
                        auth=auth, paging=paging,
                        **{k: val for k, val in data.items() if k in known})


def load_file(path: Path, known_formats: tuple[str, ...] | None = None
              ) -> list[tuple[SourceConfig, bool | None]]:
    """Sources declared in a TOML file: `[sources.NAME]` tables with `kind` and settings.

    Returns each config with its `paused` setting (None when the file does not say)."""
    try:
        with open(path, "rb") as f:
            doc = tomllib.load(f)
    except OSError as exc:
        raise ConfigError(f"cannot read sources file {path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"sources file {path}: {exc}") from None
    tables = doc.get("sources", {})
    if not isinstance(tables, dict) or set(doc) - {"sources"}:
        raise ConfigError(f"sources file {path}: expected only [sources.NAME] tables")
    out = []
    for name, table in tables.items():
        if not isinstance(table, dict):
            raise ConfigError(f"sources file {path}: sources.{name} must be a table")
        values = dict(table)
        kind = str(values.pop("kind", ""))
        paused = values.pop("paused", None)
        if paused is not None:
            paused = _bool(paused, f"sources.{name}.paused")
        try:
            out.append((build(name, kind, values, known_formats=known_formats), paused))
        except ConfigError as exc:
            raise ConfigError(f"{path}: {exc}") from None
    return out
