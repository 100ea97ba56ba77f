"""The `wiredesk` command: thin verbs over formats, desk, lifecycle, store and web."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from wiredesk import (
    __version__,
    cli_sources,
    cli_store,
    cli_users,
    desk,
    formats,
    lifecycle,
    logs,
    metrics,
)
from wiredesk.config import Settings
from wiredesk.formats import FormatError, ninjs
from wiredesk.formats.dates import parse_datetime
from wiredesk.store import Store
from wiredesk.story import Delivery

SUMMARY_ORDER = ("new", "updated", "unchanged", "stale", "killed", "withheld", "embargoed",
                 "expired", "refused", "quarantined")


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        logs.configure()  # text, or JSON lines with WIREDESK_LOG_FORMAT=json
        metrics.install()
        settings = Settings.from_env().with_changes(database_url=args.database)
        return int(args.func(args, settings) or 0)
    except (ValueError, LookupError, RuntimeError, OSError) as exc:
        print(f"wiredesk: {exc}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="wiredesk", description="A self-hosted wire-news desk.")
    p.add_argument("--version", action="version", version=f"wiredesk {__version__}")
    p.add_argument("--database", metavar="URL",
                   help="store URL (default: $WIREDESK_DATABASE_URL or sqlite:///var/wiredesk.db)")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    c = sub.add_parser("init", help="create or upgrade the store")
    c.set_defaults(func=cmd_init)

    c = sub.add_parser("parse", help="print each story in FILEs as one line of ninjs 2.2 JSON")
    c.add_argument("files", nargs="+", type=Path, metavar="FILE")
    c.add_argument("--format", choices=sorted(formats.FORMATS), help="skip detection")
    c.add_argument("--profile", choices=ninjs.PROFILES, default="2.2", help="ninjs version out")
    c.set_defaults(func=cmd_parse)

    c = sub.add_parser("ingest", help="apply files and folders of agency copy to the store")
    c.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    c.add_argument("--source", default="cli", help="source name the copy is recorded under")
    c.add_argument("--agency", help="agency to credit when the copy does not name one")
    c.add_argument("--licence-days", type=int, help="licence period for a new source")
    c.add_argument("--format", choices=sorted(formats.FORMATS), help="skip detection")
    c.set_defaults(func=cmd_ingest)

    c = sub.add_parser("serve", help="serve the reader site, with the clock running")
    _serve_args(c)
    c.set_defaults(func=cmd_serve)

    c = sub.add_parser("sweep", help="apply the clock once: lift embargoes, end licences")
    c.add_argument("--now", help="ISO 8601 time to apply (default: now)")
    c.set_defaults(func=cmd_sweep)

    c = sub.add_parser("kill", help="take a story down everywhere, with a reason")
    c.add_argument("uri")
    c.add_argument("--reason", required=True)
    c.add_argument("--actor", default="operator (cli)")
    c.set_defaults(func=cmd_kill)

    c = sub.add_parser("status", help="count stories live, held, embargoed, taken down")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_status)

    c = sub.add_parser("demo", help="ingest the bundled samples (times moved to now) and serve")
    c.add_argument("--samples", type=Path, default=Path("samples"))
    _serve_args(c)
    c.set_defaults(func=cmd_demo)
    cli_sources.register(sub)
    cli_users.register(sub)
    cli_store.register(sub)
    return p


def _serve_args(c: argparse.ArgumentParser) -> None:
    c.add_argument("--host", default="127.0.0.1")
    c.add_argument("--port", type=int, default=8000)
    c.add_argument("--no-worker", action="store_true",
                   help="serve only: no in-process worker (polls, folders, the clock)")


def cmd_init(_args: argparse.Namespace, settings: Settings) -> int:
    Store.open(settings.database_url).close()
    print(f"store ready: {settings.database_url}")
    return 0


def cmd_parse(args: argparse.Namespace, _settings: Settings) -> int:
    failed = 0
    for path in args.files:
        try:
            stories = formats.parse(path.read_bytes(), args.format)
        except FormatError as exc:
            print(f"{path}: {exc}", file=sys.stderr)
            failed += 1
            continue
        except OSError as exc:
            print(f"{path}: cannot read: {exc.strerror}", file=sys.stderr)
            failed += 1
            continue
        for story in stories:
            print(json.dumps(ninjs.to_ninjs(story, args.profile), ensure_ascii=False))
    return 1 if failed else 0


def collect_files(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
        elif path.is_file():
            files.append(path)
        else:
            raise OSError(f"{path}: no such file or folder")
    return files


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    store = Store.open(settings.database_url)
    files = collect_files(args.paths)
    totals = ingest_files(store, files, source=args.source, agency=args.agency,
                          licence_days=args.licence_days or settings.licence_days,
                          fmt=args.format)
    print(_summary(totals, len(files)))
    return 0


def ingest_files(store: Store, files: list[Path], *, source: str, agency: str | None,
                 licence_days: int, fmt: str | None = None, shift=None) -> Counter[str]:  # type: ignore[no-untyped-def]
    from tqdm import tqdm

    totals: Counter[str] = Counter()
    bar = tqdm(files, unit="file", disable=len(files) < 20 or None, file=sys.stderr)
    for path in bar:
        delivery = Delivery(path.read_bytes(), source, str(path), datetime.now(UTC))
        stories = None
        if shift is not None:
            try:
                stories = shift(formats.parse(delivery.data, fmt, agency=agency), delivery)
            except FormatError:
                stories = None  # let the desk quarantine it with its own message
        report = desk.apply(store, delivery, format=fmt, stories=stories, agency=agency,
                            licence_days=licence_days)
        totals.update(report.counts())
        if report.error:
            tqdm.write(f"quarantined {path}: {report.error}", file=sys.stderr)
    return totals


def _summary(totals: Counter[str], files: int) -> str:
    parts = [f"{totals.get(k, 0)} {k}" for k in SUMMARY_ORDER if totals.get(k)]
    return f"{files} file(s): " + (", ".join(parts) or "nothing to do")


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    """Serve with granian, one worker process: on cached pages it carries about 1.4 times
    uvicorn's requests (bench/serve.py and the closing note of issue 6). The server process
    builds the app from these settings and, unless --no-worker, runs the ingest worker and
    the clock beside it; with --no-worker the app keeps only its own clock."""
    from granian import Granian

    from wiredesk.asgi import SERVE_SETTINGS, serve_environment

    Store.open(settings.database_url).close()  # migrate once, before the server starts
    os.environ[SERVE_SETTINGS] = serve_environment(settings, run_worker=not args.no_worker)
    print(f"serving on http://{args.host}:{args.port}/", flush=True)
    Granian("wiredesk.asgi:make_app", factory=True, address=args.host, port=args.port,
            interface="asgi", workers=1, websockets=False, log_level="warning").serve()
    return 0


def cmd_sweep(args: argparse.Namespace, settings: Settings) -> int:
    now = parse_datetime(args.now, "--now", "--now") if args.now else datetime.now(UTC)
    assert now is not None
    report = lifecycle.tick(Store.open(settings.database_url), now)
    print(f"sweep at {now.isoformat()}: {report.expired} expired, "
          f"{report.embargoes_lifted} embargoes lifted")
    return 0


def cmd_kill(args: argparse.Namespace, settings: Settings) -> int:
    store = Store.open(settings.database_url)
    if desk.kill(store, args.uri, reason=args.reason, actor=args.actor, now=datetime.now(UTC)):
        print(f"taken down: {args.uri}")
    else:
        print(f"already down: {args.uri}")
    return 0


def cmd_status(args: argparse.Namespace, settings: Settings) -> int:
    store, now = Store.open(settings.database_url), datetime.now(UTC)
    counts = store.status(now)
    data = {"live": counts.live, "held": counts.held, "embargoed": counts.embargoed,
            "taken down": counts.takendown, "quarantined": counts.quarantined,
            "versions": counts.versions}
    if args.json:
        print(json.dumps({**data, "sources": cli_sources.status_json(store, now)}))
    else:
        for key, value in data.items():
            print(f"{key:>12}: {value}")
        lines = cli_sources.status_lines(store, now)
        print("     sources:" + ("" if lines else " none"))
        for line in lines:
            print(f"  {line}")
    return 0


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from wiredesk.demo import shift_to_now

    store = Store.open(settings.database_url)
    files = collect_files([args.samples])
    totals = ingest_files(store, files, source="samples", agency=None,
                          licence_days=settings.licence_days, shift=shift_to_now())
    print(_summary(totals, len(files)))
    store.close()
    return cmd_serve(args, settings)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
