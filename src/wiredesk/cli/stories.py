"""`wiredesk init|parse|ingest|sweep|kill|status`: the store, the formats and the desk by hand."""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from contextlib import closing
from pathlib import Path

from wiredesk import clustering, desk, formats, lifecycle, readahead, values
from wiredesk.config import Settings
from wiredesk.formats import FormatError, ninjs
from wiredesk.formats.dates import parse_datetime
from wiredesk.sources import registry
from wiredesk.sources.pictures import PictureFetch, PictureSettings, is_picture_file
from wiredesk.store import Changes, Store
from wiredesk.story import Delivery
from wiredesk.terms import Terms
from wiredesk.times import utc_now

SUMMARY_ORDER = ("new", "updated", "unchanged", "stale", "killed", "withheld", "embargoed",
                 "expired", "refused", "not-owner", "quarantined")


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    c = sub.add_parser("init", help="create or upgrade the store")
    c.set_defaults(func=cmd_init)

    c = sub.add_parser("parse", help="print each story in FILEs as one line of ninjs 2.2 JSON")
    c.add_argument("files", nargs="+", type=Path, metavar="FILE")
    c.add_argument("--format", choices=sorted(formats.FORMATS), help="skip detection")
    c.add_argument("--profile", choices=ninjs.PROFILES, default="2.2", help="ninjs version out")
    c.add_argument("--warnings", action="store_true",
                   help="also list on stderr what was dropped, defaulted or derived")
    c.set_defaults(func=cmd_parse)

    c = sub.add_parser("ingest", help="apply files and folders of agency copy to the store")
    c.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    c.add_argument("--source", default="cli", help="source name the copy is recorded under")
    c.add_argument("--agency", help="agency to credit when the copy does not name one")
    c.add_argument("--licence-days", help="licence period for a new source (1 to 3650 days)")
    c.add_argument("--format", choices=sorted(formats.FORMATS), help="skip detection")
    c.add_argument("--allow-private", action="store_true",
                   help="fetch remote pictures from private, loopback and link-local addresses "
                        "too (off: no SSRF)")
    c.set_defaults(func=cmd_ingest)

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
            if args.warnings:
                for w in story.warnings:
                    print(f"{path}: {story.uri}: warning: {w.field}: {w.problem}: {w.action}",
                          file=sys.stderr)
                if story.hold:
                    print(f"{path}: {story.uri}: held: {story.hold}", file=sys.stderr)
    return 1 if failed else 0


def collect_files(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith(".")
                            and not is_picture_file(p.name))  # taken with their stories
        elif path.is_file():
            files.append(path)
        else:
            raise OSError(f"{path}: no such file or folder")
    return files


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    licence = (settings.licence_days if args.licence_days is None
               else values.licence_days(args.licence_days, "--licence-days"))
    store = Store.open(settings.database_url)
    files = collect_files(args.paths)
    terms = Terms(args.format, args.agency, licence)
    # Remote pictures: through the SSRF guard, with no credentials (no source to lend them).
    remote = PictureSettings(allow_private=bool(args.allow_private))
    totals = ingest_files(store, files, source=args.source, terms=terms, remote=remote)
    print(summary(totals, len(files)))
    return 0


FILES_PER_COMMIT = 200


def ingest_files(store: Store, files: list[Path], *, source: str, terms: Terms,
                 transform: desk.Transform | None = None,
                 remote: PictureSettings | None = None) -> Counter[str]:
    """Each file through the desk, in the order given, applied whole or not at all (a
    savepoint each); FILES_PER_COMMIT files share one commit. A file that cannot be read is
    quarantined and the others still land. Pictures a story names are read from its own
    folder, and remote ones fetched with `remote` (None: not fetched)."""
    from tqdm import tqdm

    totals: Counter[str] = Counter()
    bar = tqdm(total=len(files), unit="file", disable=len(files) < 20 or None, file=sys.stderr)
    # Parsed, and their features found, ahead in a second process (readahead.py).
    with closing(readahead.read_files(files, terms)) as reading:
        for _commit in range(0, len(files), FILES_PER_COMMIT):  # FILES_PER_COMMIT files each
            with store.batch():
                for _, read in zip(range(FILES_PER_COMMIT), reading, strict=False):
                    report = _apply(store, read, source, terms, transform, remote)
                    totals.update(report.counts())
                    if report.error:
                        tqdm.write(f"quarantined {read.path}: {report.error}", file=sys.stderr)
                    for refused in report.pictures_refused:
                        tqdm.write(f"picture quarantined: {refused}", file=sys.stderr)
                    bar.update()
    bar.close()
    return totals


def _apply(store: Store, read: readahead.File, source: str, terms: Terms,
           transform: desk.Transform | None, remote: PictureSettings | None) -> desk.Report:
    delivery = Delivery(read.data, source, str(read.path), utc_now())
    with clustering.given(read.found):
        return desk.apply(store, delivery, terms, transform=transform, parsed=read.stories,
                          pictures=PictureFetch(store, folder=read.path.parent, remote=remote))


def summary(totals: Counter[str], files: int) -> str:
    parts = [f"{totals.get(k, 0)} {k}" for k in SUMMARY_ORDER if totals.get(k)]
    return f"{files} file(s): " + (", ".join(parts) or "nothing to do")


def cmd_sweep(args: argparse.Namespace, settings: Settings) -> int:
    now = parse_datetime(args.now, "--now", "--now") if args.now else utc_now()
    assert now is not None
    store = Store.open(settings.database_url)
    committed = _committed(store)
    report = lifecycle.tick(store, now)
    print(f"sweep at {now.isoformat()}: {report.expired} expired, "
          f"{report.embargoes_lifted} embargoes lifted")
    _purge_now(store, settings, committed)
    return 0


def cmd_kill(args: argparse.Namespace, settings: Settings) -> int:
    store = Store.open(settings.database_url)
    committed = _committed(store)
    if desk.kill(store, args.uri, reason=args.reason, actor=args.actor, now=utc_now()):
        print(f"taken down: {args.uri}")
    else:
        print(f"already down: {args.uri}")
    _purge_now(store, settings, committed)
    return 0


def _committed(store: Store) -> list[Changes]:
    """Every transaction this command commits, as the store tells its listeners."""
    committed: list[Changes] = []
    store.listeners.append(committed.append)
    return committed


def _purge_now(store: Store, settings: Settings, committed: list[Changes]) -> None:
    """Tell the edge cache at once, not waiting for the clock's purger (which sends the same
    from the journal, harmlessly): the edge hears even when no worker runs."""
    done = [c for c in committed if c.takedowns or c.embargoes_lifted]
    if not settings.purge_url or not done:
        return
    from wiredesk.edge import purge_changes
    from wiredesk.web.app import declared_routes
    from wiredesk.web.notify import list_keys

    lists = list_keys(declared_routes(settings, store))
    if not all(purge_changes(settings.purge_url, c, lists, store=store) for c in done):
        print("edge purge failed; the process holding the clock's lease retries it",
              file=sys.stderr)


def cmd_status(args: argparse.Namespace, settings: Settings) -> int:
    store, now = Store.open(settings.database_url), utc_now()
    counts = store.status(now)
    data = {"live": counts.live, "held": counts.held, "embargoed": counts.embargoed,
            "taken down": counts.takendown, "quarantined": counts.quarantined,
            "versions": counts.versions}
    if args.json:
        print(json.dumps({**data, "sources": registry.all_json(store, now)}))
    else:
        for key, value in data.items():
            print(f"{key:>12}: {value}")
        lines = registry.health_lines(store, now)
        print("     sources:" + ("" if lines else " none"))
        for line in lines:
            print(f"  {line}")
    return 0
