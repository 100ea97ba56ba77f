"""`wiredesk verify URI` and `wiredesk report --agency NAME`: the verbatim proof of one story,
and an agency's compliance report from the ledger (CSV or JSON)."""

from __future__ import annotations

import argparse
import sys

from wiredesk import compliance, proof
from wiredesk.config import Settings
from wiredesk.store import Store
from wiredesk.times import iso, utc_now


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    c = sub.add_parser("verify", help="re-hash and re-parse a story's stored bytes and check "
                                      "that its page shows the agency's words")
    c.add_argument("uri")
    c.add_argument("--site", metavar="URL",
                   help="check the page a running site serves (default: rendered here)")
    c.set_defaults(func=cmd_verify)

    c = sub.add_parser("report", help="an agency's compliance report from the ledger")
    c.add_argument("--agency", required=True, metavar="NAME")
    c.add_argument("--from", dest="start", metavar="DATE", help="first day, e.g. 2026-01-01")
    c.add_argument("--to", dest="end", metavar="DATE", help="last day (inclusive)")
    c.add_argument("--format", choices=("csv", "json"), default="csv")
    c.set_defaults(func=cmd_report)


def cmd_verify(args: argparse.Namespace, settings: Settings) -> int:
    store, now = Store.open(settings.database_url), utc_now()
    pages = (proof.site_pages(args.site) if args.site
             else proof.local_pages(store, settings, now))
    found = proof.verify(store, args.uri, now, pages)
    print(f"story {found.story_id}: {found.uri} ({found.state}, {found.agency or 'no agency'})")
    for h in found.hashes:
        mark = "current" if h.current else "earlier"
        print(f"version {h.version or '-'} ({mark}): {h.format}, received {iso(h.received_at)} "
              f"from {h.source}")
        print(f"  stored     sha256 {h.stored}")
        recomputed = h.recomputed or "(raw bytes purged)"
        verdict = "" if h.recomputed is None else ("  match" if h.ok else "  MISMATCH")
        print(f"  recomputed sha256 {recomputed}{verdict}")
    if found.parser:
        print(f"re-parsed as {found.parser} with agency {found.parsed_with or 'none'}")
    if found.words:
        print(f"words: {found.words}")
    print(found.outcome)
    return 0 if found.ok else 1


def cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    try:
        start = compliance.parse_day(args.start, "--from")
        end = compliance.parse_day(args.end, "--to")
        store, now = Store.open(settings.database_url), utc_now()
        report = compliance.build(store, args.agency, now, start=start, end=end)
    except compliance.ReportError as exc:
        print(f"wiredesk: {exc}", file=sys.stderr)
        return 2
    sys.stdout.write(compliance.to_csv(report) if args.format == "csv"
                     else compliance.to_json(report, now) + "\n")
    return 0
