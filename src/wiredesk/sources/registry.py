"""Adding sources (checked before they are stored), the sources file, and health as JSON."""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any

from wiredesk import formats
from wiredesk.sources.config import POLLED, ConfigError, SourceConfig, from_row, load_file
from wiredesk.sources.fetch import Fetcher, FetchError
from wiredesk.sources.fetch_guard import BlockedAddress, check_url
from wiredesk.store import Store
from wiredesk.store.records import Health, SourceRow
from wiredesk.times import iso

SOURCES_FILE_ENV = "WIREDESK_SOURCES_FILE"


def known_formats() -> tuple[str, ...]:
    return tuple(formats.FORMATS)


def config_of(row: SourceRow) -> SourceConfig:
    return from_row(row.name, row.kind, row.agency, row.licence_days, row.settings)


def check_reachable(cfg: SourceConfig) -> None:
    """Fail now, in one line, if an http source's URL cannot be fetched at all.

    Any answer the worker can use or wait out (200, 304, 429, 503) passes; refused
    addresses, DNS failures, timeouts and 4xx answers do not."""
    if cfg.kind != "http" or not cfg.url:
        return
    try:
        check_url(cfg.url, cfg.allow_private)
        with Fetcher(cfg) as fetcher:
            fetcher.get(cfg.url)
    except BlockedAddress as exc:
        raise ConfigError(f"source {cfg.name}: {exc}") from None
    except FetchError as exc:
        if exc.status in (429, 503):
            return
        raise ConfigError(f"source {cfg.name}: {exc}") from None


def add_source(store: Store, cfg: SourceConfig, now: datetime, *, check: bool = True,
               replace: bool = False, paused: bool | None = None) -> bool:
    if check:
        check_reachable(cfg)
    # Through JSON and back, so the settings compare equal to what the store returns
    # (tuples become lists) and an unchanged sources file changes nothing at start.
    settings = json.loads(json.dumps(cfg.settings()))
    return store.sources.add(cfg.name, kind=cfg.kind, agency=cfg.agency,
                             licence_days=cfg.licence_days, settings=settings,
                             polled=cfg.kind in POLLED, now=now, replace=replace, paused=paused)


def sources_file(explicit: Path | None = None) -> Path | None:
    if explicit is not None:
        return explicit
    value = os.environ.get(SOURCES_FILE_ENV, "").strip()
    return Path(value) if value else None


def sync_file(store: Store, path: Path, now: datetime) -> list[str]:
    """Store every source the TOML file declares; the names of those that changed.

    The whole file is validated before anything is stored, so a typo in one source leaves
    the store as it was. URLs are not fetched here: a worker must start even while an
    agency is down (its health will say so)."""
    declared = load_file(path, known_formats())
    return [cfg.name for cfg, paused in declared
            if add_source(store, cfg, now, check=False, replace=True, paused=paused)]


def health_json(h: Health) -> dict[str, Any]:
    return {
        "last_attempt": iso(h.last_attempt_at),
        "last_success": iso(h.last_success_at),
        "last_error": ({"at": iso(h.last_error_at), "message": h.last_error}
                       if h.last_error else None),
        "consecutive_failures": h.consecutive_failures,
        "next_poll": iso(h.next_poll_at),
        "stories_24h": h.stories_24h,
        "leased_by": h.lease_owner,
    }


def source_json(row: SourceRow, health: Health | None) -> dict[str, Any]:
    """A source for people and programs: settings with secrets masked, and its health."""
    try:
        settings = config_of(row).redacted()
    except (TypeError, ValueError):  # a row stored by an older wiredesk or by hand
        settings = {}
    return {
        "name": row.name, "kind": row.kind, "agency": row.agency,
        "licence_days": row.licence_days, "paused": row.paused,
        "created_at": iso(row.created_at), "settings": settings,
        "health": health_json(health) if health else None,
    }


def all_json(store: Store, now: datetime, name: str | None = None) -> list[dict[str, Any]]:
    ss = store.sources
    health = {h.name: h for h in ss.health(now, name)}
    rows = [ss.get(name)] if name is not None else ss.all()
    return [source_json(row, health.get(row.name)) for row in rows if row is not None]


def health_lines(store: Store, now: datetime) -> list[str]:
    """Source health for `wiredesk status` and `sources list`, one line each."""
    return [health_line(h, now) for h in store.sources.health(now)]


def health_line(h: Health, now: datetime) -> str:
    """One line per source for `wiredesk status`."""
    state = "paused" if h.paused else ("failing" if h.consecutive_failures else "ok")
    parts = [f"{h.name} ({h.kind}): {state}", f"{h.stories_24h} stories in 24h"]
    if h.last_success_at:
        parts.append(f"last success {_ago(h.last_success_at, now)}")
    if h.consecutive_failures:
        parts.append(f"{h.consecutive_failures} failure(s) in a row")
    if h.last_error:
        parts.append(f"last error {_ago(h.last_error_at, now)}: {h.last_error.splitlines()[0]}")
    if h.next_poll_at and not h.paused:
        due = h.next_poll_at <= now
        parts.append("next poll due now" if due else f"next poll {_ago(h.next_poll_at, now)}")
    return "; ".join(parts)


def _ago(when: datetime | None, now: datetime) -> str:
    if when is None:
        return "never"
    seconds = int((now - when).total_seconds())
    future, seconds = seconds < 0, abs(seconds)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            text = f"{seconds // size}{unit}"
            break
    else:
        text = f"{seconds}s"
    return f"in {text}" if future else f"{text} ago"
