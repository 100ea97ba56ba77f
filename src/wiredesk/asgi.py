"""The site as one ASGI app for a server process: `granian --interface asgi --factory
wiredesk.asgi:make_app` (what `wiredesk serve` runs) or `uvicorn --factory wiredesk.asgi:make_app`.

Settings come from WIREDESK_* variables, or, under `wiredesk serve`, from the settings the
command was given (SERVE_SETTINGS). The ingest worker, when asked for, starts inside the
server process with the app, after the server has forked it: a SQLite connection or a thread
never crosses a fork, and the worker's commits reach the page cache at once.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import asdict

from starlette.applications import Starlette

from wiredesk.config import Settings
from wiredesk.store import Store
from wiredesk.web.app import create_app

SERVE_SETTINGS = "WIREDESK_SERVE_SETTINGS"


def serve_environment(settings: Settings, *, run_worker: bool, parent: int | None = None) -> str:
    return json.dumps({"settings": asdict(settings), "run_worker": run_worker,
                       "parent": parent})


def die_with_parent(parent: int) -> None:
    """Have the kernel send this process SIGTERM when the `wiredesk serve` process that
    started it dies, even by SIGKILL (Linux prctl PR_SET_PDEATHSIG): a server worker left
    behind would keep the port and the store's leases with no one to stop it."""
    import ctypes
    import signal
    import sys

    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM, 0, 0, 0)  # 1 = PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the parent died before the request above was made
        os.kill(os.getpid(), signal.SIGTERM)


def make_app() -> Starlette:
    payload = os.environ.get(SERVE_SETTINGS)
    if not payload:
        return create_app(Settings.from_env())
    data = json.loads(payload)
    if data.get("parent"):
        die_with_parent(int(data["parent"]))
    settings = Settings(**data["settings"])
    if not data["run_worker"]:  # web only: the app keeps its own clock
        return create_app(settings, run_clock=True)
    return create_app(settings, background=_worker(settings))


def _worker(settings: Settings) -> Callable[[Store], Callable[[], None]]:
    def start(store: Store) -> Callable[[], None]:
        from wiredesk.sources.worker import start_with_app
        from wiredesk.web.app import declared_routes
        from wiredesk.web.notify import purger_for

        purger = purger_for(settings, store, declared_routes(settings, store))
        return start_with_app(store, clock_seconds=settings.clock_seconds, purger=purger,
                              base_url=settings.base_url)

    return start
