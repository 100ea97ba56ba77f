"""The parser and the one place a command's error becomes a one-line message."""

from __future__ import annotations

import argparse
import errno
import sys
from typing import NoReturn

from sqlalchemy.exc import SQLAlchemyError

from wiredesk import __version__, logs, metrics
from wiredesk.cli import (
    backup,
    proof,
    rules,
    sections,
    serve,
    sources,
    store,
    stories,
    subscribers,
    users,
)
from wiredesk.config import Settings
from wiredesk.masking import mask_text
from wiredesk.store.engine import describe_failure, parse_url, require_existing

MAKES_STORE = {"init", "demo"}  # the commands that may create a store that is not there
NO_STORE = {"parse"}


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    settings: Settings | None = None
    try:
        logs.configure()  # text, or JSON lines with WIREDESK_LOG_FORMAT=json
        metrics.install()
        settings = Settings.from_env().with_changes(database_url=args.database)
        if args.command not in NO_STORE:
            parse_url(settings.database_url)
            if args.command not in MAKES_STORE:
                require_existing(settings.database_url)
        return int(args.func(args, settings) or 0)
    except SQLAlchemyError as exc:
        message = describe_failure(settings.database_url if settings else "", exc)
        if message is None:
            raise
        return _fail(message)
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            return _fail(f"the disk is full{f': {exc.filename}' if exc.filename else ''}")
        return _fail(str(exc))
    except (ValueError, LookupError, RuntimeError) as exc:
        return _fail(str(exc))


def _fail(message: str) -> int:
    print(f"wiredesk: {mask_text(message)}", file=sys.stderr)  # a URL's key stays unsaid
    return 2


class Parser(argparse.ArgumentParser):
    """argparse, with its errors in one line like every other error of the command."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"wiredesk: {message} (see `{self.prog} --help`)\n")


def build_parser() -> argparse.ArgumentParser:
    p = Parser(prog="wiredesk", description="A self-hosted wire-news desk.")
    p.add_argument("--version", action="version", version=f"wiredesk {__version__}")
    p.add_argument("--database", metavar="URL",
                   help="store URL (default: $WIREDESK_DATABASE_URL or sqlite:///var/wiredesk.db)")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for group in (stories, serve, sources, users, store, backup, subscribers, proof, sections):
        group.register(sub)
    rules.register(sub)  # editorial rules and the review queue
    return p
