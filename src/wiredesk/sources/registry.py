"""Adding sources (checked before they are stored), the sources file, and health as JSON."""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from wiredesk import formats
from wiredesk.masking import mask_url
from wiredesk.sources import sealed
from wiredesk.sources.config import SourceConfig
from wiredesk.sources.kinds import KINDS, from_row, load_file, load_rules
from wiredesk.store import Store
from wiredesk.store.records import Health, SourceRow
from wiredesk.terms import Terms
from wiredesk.times import iso

SOURCES_FILE_ENV = "WIREDESK_SOURCES_FILE"


def known_formats() -> tuple[str, ...]:
    return tuple(formats.FORMATS)


def config_of(row: SourceRow) -> SourceConfig:
    return from_row(row.name, row.kind, row.agency, row.licence_days, row.settings)


def terms_for(store: Store, source: str, *, licence_days: int) -> Terms:
    """The terms of a stored source (its format, agency, licence), for bytes it delivered
    earlier (the console's quarantine retry); defaults with `licence_days` for a source
    that is gone or was never declared (`wiredesk ingest --source`)."""
    row = store.sources.get(source)
    if row is None:
        return Terms(licence_days=licence_days)
    try:
        return config_of(row).terms
    except (TypeError, ValueError):  # a row stored by an older wiredesk or made on the fly
        return Terms(agency=row.agency, licence_days=row.licence_days)


def add_source(store: Store, cfg: SourceConfig, now: datetime, *, check: bool = True,
               replace: bool = False, paused: bool | None = None) -> bool:
    """Store a source (built by kinds.build); with `check`, its kind's probe runs first
    (an http source's URL is fetched once). Inline secrets are stored sealed (sealed.py)."""
    kind = KINDS[cfg.kind]
    if check and kind.probe is not None:
        kind.probe(cfg)
    plain = _opened(cfg, _stored(cfg))
    settings = _sealed(cfg, plain)
    quiet = False
    old = store.sources.get(cfg.name)
    if old is not None and old.kind == cfg.kind and _stored_again(old) == plain:
        # The same settings must not count as a change, which would reset the poll memo:
        # rows stored before each kind had its own settings carry every kind's keys, and a
        # sealed secret is new bytes each time it is sealed. A secret stored plain by an
        # older wiredesk is sealed now, quietly.
        if _plain_secrets(cfg, old.settings):
            quiet = True
        else:
            settings = old.settings
    return store.sources.add(cfg.name, kind=cfg.kind, agency=cfg.agency,
                             licence_days=cfg.licence_days, settings=settings,
                             polled=kind.polled and not kind.on_demand, now=now,
                             replace=replace, paused=paused, quiet=quiet)


def _stored(cfg: SourceConfig) -> dict[str, Any]:
    # Through JSON and back, so the settings compare equal to what the store returns
    # (tuples become lists) and an unchanged sources file changes nothing at start.
    return json.loads(json.dumps(cfg.settings()))


def _secrets(cfg: SourceConfig, settings: dict[str, Any],
             change: Callable[[str, str], str]) -> dict[str, Any]:
    """A copy of `settings` with each of the kind's secrets passed through `change`."""
    data = copy.deepcopy(settings)
    for *parents, key in cfg.SECRETS:
        holder = data
        for parent in parents:
            holder = holder.get(parent) or {}
        if holder.get(key):
            holder[key] = change(holder[key], f"source {cfg.name}: {'.'.join([*parents, key])}")
    return data


def _sealed(cfg: SourceConfig, plain: dict[str, Any]) -> dict[str, Any]:
    """What is stored: inline secrets sealed, and a URL that holds a password or a key."""
    data = _secrets(cfg, plain, sealed.seal)
    url = data.get("url")
    if isinstance(url, str) and mask_url(url) != url:
        data["url"] = sealed.seal(url, f"source {cfg.name}: url (it holds a password or key)")
    return data


def _plain_secrets(cfg: SourceConfig, stored: dict[str, Any]) -> bool:
    """Does a stored row hold a secret in the clear (stored by an older wiredesk)?"""
    found: list[str] = []
    _secrets(cfg, stored, lambda value, _where: found.append(value) or value)
    url = stored.get("url")
    if isinstance(url, str) and not sealed.is_sealed(url) and mask_url(url) != url:
        found.append(url)
    return any(sealed.needs_sealing(value) for value in found)


def _opened(cfg: SourceConfig, settings: dict[str, Any]) -> dict[str, Any]:
    return _secrets(cfg, settings, lambda value, _where: sealed.unseal(value))


def _stored_again(row: SourceRow) -> dict[str, Any] | None:
    try:
        cfg = config_of(row)
        return _opened(cfg, _stored(cfg))
    except (TypeError, ValueError):  # a row stored by an older wiredesk or by hand; no key
        return None


def sources_file(explicit: Path | None = None) -> Path | None:
    if explicit is not None:
        return explicit
    value = os.environ.get(SOURCES_FILE_ENV, "").strip()
    return Path(value) if value else None


def sync_file(store: Store, path: Path, now: datetime) -> list[str]:
    """Store every source the TOML file declares; the names of those that changed.

    The whole file is validated before anything is stored, so a typo in one source leaves
    the store as it was. URLs are not fetched here: a worker must start even while an
    agency is down (its health will say so). Its `[[rules]]` (editorial rules) are stored
    too, named "rule NAME" among the changes."""
    declared = load_file(path, known_formats())
    rules = load_rules(path)
    changed = [cfg.name for cfg, paused in declared
               if add_source(store, cfg, now, check=False, replace=True, paused=paused)]
    return changed + [f"rule {name}" for name in store.rules.sync(rules, now)]


def health_json(h: Health) -> dict[str, Any]:
    return {
        "last_attempt": iso(h.last_attempt_at),
        "last_success": iso(h.last_success_at),
        "last_error": ({"at": iso(h.last_error_at), "message": h.last_error}
                       if h.last_error else None),
        "consecutive_failures": h.consecutive_failures,
        "next_poll": iso(h.next_poll_at),
        "stories_24h": h.stories_24h,
        "quarantined_24h": h.quarantined_24h,
        "state": h.state,
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


def origins(store: Store) -> dict[str, str]:
    """Where each source's copy comes from, fit to show: its URL masked, or its folder."""
    found = {}
    for row in store.sources.all():
        try:
            settings = config_of(row).redacted()
        except (TypeError, ValueError):  # a row stored by an older wiredesk or by hand
            continue
        where = settings.get("url") or settings.get("path")
        if where:
            found[row.name] = str(where)
    return found


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
    parts = [f"{h.name} ({h.kind}): {h.state}", f"{h.stories_24h} stories in 24h"]
    if h.quarantined_24h:
        parts.append(f"{h.quarantined_24h} quarantined in 24h")
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
