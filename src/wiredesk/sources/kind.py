"""What a kind of source declares about itself, in its own module, for the registry.

A kind is its settings (a `SourceConfig` subclass: its fields, their checks, how they are
stored), its `sources add` flags, and, for a polled kind, the step the worker runs with a
claimed source. sources/kinds.py lists the kinds, one line each; nothing else branches on
a kind's name.
"""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

from wiredesk.sources.config import SourceConfig
from wiredesk.sources.fetch import HostLimiter
from wiredesk.store import Store

C = TypeVar("C", bound=SourceConfig)


@dataclass(frozen=True)
class Flag:
    """One `sources add` option: `add_argument(option, help=help, **options)`. Kinds may
    share an option (http and push both take --max-bytes): the first declaration is used."""

    option: str
    help: str
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class Run:
    """What the worker lends a polled kind's step for one claimed source."""

    store: Store
    memo: dict[str, Any]  # what the last run left (ETag, cursor, folder looks)
    now: Callable[[], datetime]
    stop: Callable[[], bool]  # SIGTERM: finish the delivery in hand, then return
    checkpoint: Callable[[dict[str, Any]], None]  # save the memo, keep the lease (or raise)
    limiter: HostLimiter  # the worker's per-host cap on requests in flight
    # Seconds the step may keep the source to wait for more (a drop folder watching for
    # events); 0 for one pass (`worker --once`, tests).
    watch: float = 0.0
    base_url: str | None = None  # the site's public address (WebSub callbacks), if known


@dataclass
class Ran:
    """One run's outcome: the memo to keep, story outcomes counted, and warnings for health
    (a quarantined page, an unreadable file) that do not count as the source failing."""

    memo: dict[str, Any]
    totals: Counter[str] = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)
    again: float | None = None  # seconds until the next run, when not the interval


@dataclass(frozen=True)
class Kind(Generic[C]):
    name: str
    config: type[C]  # its settings: fields, parse, revive, check (see SourceConfig)
    every: float = 60.0  # the default interval, for a polled kind
    # Polled kinds: one run of a claimed source. May raise fetch.FetchError (its retry-after
    # is honoured) or anything else (the source's health, never the worker's end).
    run: Callable[[C, Run], Ran] | None = None
    # No schedule of its own: run only when the source's own events make it due (a push
    # leaving pictures to fetch; store/picture_waits.py), never on an interval.
    on_demand: bool = False
    # `sources add` without --no-check: fail now, in one line, if it cannot work at all.
    probe: Callable[[C], None] | None = None
    # Settings that are a mistake on a source of any other kind (not merely ignored).
    exclusive: tuple[str, ...] = ()
    flags: tuple[Flag, ...] = ()
    # Its settings from the parsed command line (None where a flag was not given).
    from_flags: Callable[[argparse.Namespace], dict[str, Any]] = lambda _args: {}
    # For `sources add` of this kind: fill in what may be made up (a push secret), and the
    # line to print once the source is stored.
    complete: Callable[[dict[str, Any]], str | None] = lambda _values: None

    @property
    def polled(self) -> bool:
        return self.run is not None
