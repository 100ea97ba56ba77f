"""The parser and the one place a command's error becomes a one-line message."""

from __future__ import annotations

import argparse
import sys

from wiredesk import __version__, logs, metrics, values
from wiredesk.cli import serve, sources, store, stories, users
from wiredesk.config import Settings
from wiredesk.masking import mask_text


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        logs.configure()  # text, or JSON lines with WIREDESK_LOG_FORMAT=json
        metrics.install()
        settings = Settings.from_env().with_changes(database_url=args.database)
        return int(args.func(args, settings) or 0)
    except (ValueError, LookupError, RuntimeError, OSError) as exc:
        print(f"wiredesk: {mask_text(str(exc))}", file=sys.stderr)  # a URL's key stays unsaid
        return 2


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="wiredesk", description="A self-hosted wire-news desk.")
    p.add_argument("--version", action="version", version=f"wiredesk {__version__}")
    p.add_argument("--database", metavar="URL",
                   type=values.flag(values.database_url, "--database"),
                   help="store URL (default: $WIREDESK_DATABASE_URL or sqlite:///var/wiredesk.db)")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for group in (stories, serve, sources, users, store):
        group.register(sub)
    return p
