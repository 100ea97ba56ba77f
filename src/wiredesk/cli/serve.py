"""`wiredesk serve|demo`: the site in one process, with or without its worker."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from wiredesk import values
from wiredesk.cli.stories import collect_files, ingest_files, summary
from wiredesk.config import Settings
from wiredesk.store import Store
from wiredesk.terms import Terms


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    c = sub.add_parser("serve", help="serve the reader site, with the clock running")
    _serve_args(c)
    c.set_defaults(func=cmd_serve)

    c = sub.add_parser("demo", help="ingest the bundled samples (times moved to now) and serve")
    c.add_argument("--samples", type=Path, default=Path("samples"))
    _serve_args(c)
    c.set_defaults(func=cmd_demo)


def _serve_args(c: argparse.ArgumentParser) -> None:
    c.add_argument("--host", default="127.0.0.1")
    c.add_argument("--port", type=values.flag(values.port, "--port"), default=8000)
    c.add_argument("--no-worker", action="store_true",
                   help="serve only: no in-process worker (polls, folders, the clock)")


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


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from wiredesk.demo import shift_to_now

    store = Store.open(settings.database_url)
    files = collect_files([args.samples])
    totals = ingest_files(store, files, source="samples",
                          terms=Terms(licence_days=settings.licence_days),
                          transform=shift_to_now())
    print(summary(totals, len(files)))
    store.close()
    return cmd_serve(args, settings)
