"""`wiredesk sources ...` and `wiredesk worker`: sources as data, and the process that runs them."""

from __future__ import annotations

import argparse
import json
import logging
import signal
from pathlib import Path
from typing import Any

from wiredesk.config import Settings
from wiredesk.edge import EdgePurger, EdgePurgers
from wiredesk.sources import registry
from wiredesk.sources.config import parse_interval
from wiredesk.sources.kinds import KINDS, SCHEDULED, build
from wiredesk.sources.worker import Worker
from wiredesk.store import Store
from wiredesk.times import utc_now

log = logging.getLogger("wiredesk.worker")


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    s = sub.add_parser("sources", help="add, list, show, pause, resume, remove sources")
    ss = s.add_subparsers(dest="sources_command", required=True, metavar="ACTION")

    c = ss.add_parser("add", help="add a source (checked before it is stored)")
    c.add_argument("name")
    names = list(KINDS)
    c.add_argument("--kind", required=True, help=f"{', '.join(names[:-1])} or {names[-1]}")
    # Both checked by kinds.build, as the sources file's are (values.py).
    c.add_argument("--every", help="how often to poll or scan (60s, 5m, 1h, up to 30d; "
                                   "default 60s, folders 5s)")
    c.add_argument("--licence-days", help="licence period of its stories (1 to 3650 days; "
                                          "default 30)")
    c.add_argument("--agency", help="agency credited when the copy names none")
    c.add_argument("--format", help="auto (detect by content) or a format name")
    c.add_argument("--public-text", choices=("full", "summary", "headline"),
                   help="what public feeds and the API give without an API key (default full)")
    added: set[str] = set()
    for kind in KINDS.values():  # each kind's own flags; one shared by two is added once
        for flag in kind.flags:
            if flag.option not in added:
                added.add(flag.option)
                c.add_argument(flag.option, help=flag.help, **flag.options)
    c.add_argument("--no-check", action="store_true", help="store without fetching the URL")
    c.set_defaults(func=cmd_add)

    c = ss.add_parser("list", help="every source with its health in one line")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_list)
    c = ss.add_parser("show", help="a source's settings (secrets masked) and health")
    c.add_argument("name")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_show)
    for verb, func, text in (("pause", cmd_pause, "stop polling a source (pushes get 503)"),
                             ("resume", cmd_resume, "poll a paused source again, now"),
                             ("remove", cmd_remove, "forget a source (its stories stay)")):
        c = ss.add_parser(verb, help=text)
        c.add_argument("name")
        c.set_defaults(func=func)
    c = ss.add_parser("load", help="check a TOML sources file and store what it declares")
    c.add_argument("file", type=Path)
    c.set_defaults(func=cmd_load)

    c = sub.add_parser("worker", help="run due polls, folder scans and the clock until SIGTERM")
    c.add_argument("--once", action="store_true", help="one round of what is due, then exit")
    c.add_argument("--threads", type=int, default=4, help="sources run at once (4)")
    c.add_argument("--per-host", type=int, default=2, help="requests in flight per host (2)")
    c.add_argument("--lease", default="5m", help="how long a taken source stays ours (5m)")
    c.add_argument("--sources", type=Path, metavar="FILE",
                   help="TOML sources file (default: $WIREDESK_SOURCES_FILE)")
    c.set_defaults(func=cmd_worker)


def _open(settings: Settings) -> Store:
    store = Store.open(settings.database_url)
    path = registry.sources_file()
    if path is not None:
        registry.sync_file(store, path, utc_now())
    return store


def cmd_add(args: argparse.Namespace, settings: Settings) -> int:
    values: dict[str, Any] = {
        "every": args.every, "agency": args.agency, "format": args.format,
        "public_text": args.public_text,
        "licence_days": settings.licence_days if args.licence_days is None else args.licence_days,
    }
    # Every kind's flags, not just the chosen kind's: a flag of another kind is then found
    # by build() (--url on a folder source is a mistake) rather than silently dropped.
    for kind in KINDS.values():
        values.update({k: v for k, v in kind.from_flags(args).items() if v is not None})
    chosen = KINDS.get(args.kind)
    note = chosen.complete(values) if chosen is not None else None
    cfg = build(args.name, args.kind, values, known_formats=registry.known_formats())
    store = Store.open(settings.database_url)
    registry.add_source(store, cfg, utc_now(), check=not args.no_check)
    print(f"source added: {cfg.name} ({cfg.kind})")
    if note:
        print(note)
    return 0


def cmd_list(args: argparse.Namespace, settings: Settings) -> int:
    store, now = _open(settings), utc_now()
    if args.json:
        print(json.dumps({"sources": registry.all_json(store, now)}))
        return 0
    lines = registry.health_lines(store, now)
    if not lines:
        print("no sources (add one with `wiredesk sources add`)")
    for line in lines:
        print(line)
    return 0


def cmd_show(args: argparse.Namespace, settings: Settings) -> int:
    store, now = _open(settings), utc_now()
    found = registry.all_json(store, now, args.name)
    if not found:
        raise LookupError(f"no source named {args.name!r}")
    info = found[0]
    if args.json:
        print(json.dumps(info))
        return 0
    for key in ("name", "kind", "agency", "licence_days", "paused", "created_at"):
        print(f"{key.replace('_', ' '):>22}: {_show(info[key])}")
    for key, value in info["settings"].items():
        if value in (None, {}, False) or (key == "every" and info["kind"] not in SCHEDULED):
            continue  # unset, or meaningless for this kind
        if (key == "auth" and value["type"] == "none") or (
                key == "paging" and value["mode"] == "none"):
            continue
        if key == "every":
            value = f"{value:g}s"
        print(f"{key.replace('_', ' '):>22}: {_show(value)}")
    print("health:")
    for key, value in (info["health"] or {}).items():
        if key == "last_error" and value:
            value = f"{value['at']}: {value['message']}"
        print(f"{key.replace('_', ' '):>22}: {_show(value)}")
    return 0


def _show(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(map(str, value))
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items() if v not in (None, "none"))
    return str(value)


def _set_paused(args: argparse.Namespace, settings: Settings, paused: bool) -> int:
    if not Store.open(settings.database_url).sources.set_paused(args.name, paused, utc_now()):
        raise LookupError(f"no source named {args.name!r}")
    print(f"{'paused' if paused else 'resumed'}: {args.name}")
    return 0


def cmd_pause(args: argparse.Namespace, settings: Settings) -> int:
    return _set_paused(args, settings, True)


def cmd_resume(args: argparse.Namespace, settings: Settings) -> int:
    return _set_paused(args, settings, False)


def cmd_remove(args: argparse.Namespace, settings: Settings) -> int:
    if not Store.open(settings.database_url).sources.remove(args.name):
        raise LookupError(f"no source named {args.name!r}")
    print(f"removed: {args.name} (its stories stay until their licence ends)")
    return 0


def cmd_load(args: argparse.Namespace, settings: Settings) -> int:
    changed = registry.sync_file(Store.open(settings.database_url), args.file, utc_now())
    rules = [name.removeprefix("rule ") for name in changed if name.startswith("rule ")]
    changed = [name for name in changed if not name.startswith("rule ")]
    print(f"{args.file}: {len(changed)} source(s) added or changed"
          + (f": {', '.join(changed)}" if changed else ""))
    if rules:
        print(f"{args.file}: {len(rules)} rule(s) added or changed: {', '.join(rules)}")
    return 0


def edge_purger(settings: Settings, store: Store) -> EdgePurger | EdgePurgers | None:
    """The worker's journal-driven edge purger (edge.py), when a purge URL is set."""
    from wiredesk.web.app import declared_routes
    from wiredesk.web.notify import purger_for

    return purger_for(settings, store, declared_routes(settings, store))


def cmd_worker(args: argparse.Namespace, settings: Settings) -> int:
    store = Store.open(settings.database_url)
    path = registry.sources_file(args.sources)
    if path is not None:
        changed = registry.sync_file(store, path, utc_now())
        if changed:
            log.info("sources file %s: %s", path, ", ".join(changed))
    worker = Worker(store, clock_seconds=settings.clock_seconds, threads=args.threads,
                    per_host=args.per_host, lease_seconds=parse_interval(args.lease, "--lease"),
                    purger=edge_purger(settings, store), base_url=settings.base_url)
    if args.once:
        ran = worker.run_once()
        print(f"ran {ran} source(s)")
        return 0

    def on_signal(signum: int, _frame: object) -> None:
        log.info("signal %d: finishing the deliveries in hand, then stopping", signum)
        worker.stop()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    worker.run()
    return 0
