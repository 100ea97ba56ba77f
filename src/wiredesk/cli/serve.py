"""`wiredesk serve|demo`: the site in one process, with or without its worker."""

from __future__ import annotations

import argparse
import errno
import os
import socket
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

    c = sub.add_parser("events", help="serve /events alone on a light server (many streams)")
    c.add_argument("--host", default="127.0.0.1")
    c.add_argument("--port", type=values.flag(values.port, "--port"), default=8001)
    c.add_argument("--heartbeat", type=float, default=15.0,
                   help="seconds between keep-alive comments on idle streams")
    c.set_defaults(func=cmd_events)

    c = sub.add_parser("demo", help="ingest the bundled samples (times moved to now) and serve")
    c.add_argument("--samples", type=Path, default=Path("samples"))
    _serve_args(c)
    c.set_defaults(func=cmd_demo)


def _serve_args(c: argparse.ArgumentParser) -> None:
    c.add_argument("--host", default="127.0.0.1")
    c.add_argument("--port", type=values.flag(values.port, "--port"), default=8000)
    c.add_argument("--no-worker", action="store_true",
                   help="serve only: no in-process worker (polls, folders, the clock)")


def address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def check_address(host: str, port: int) -> None:
    """Fail in one line, before the store or the server is touched, when the address cannot
    be listened on. granian binds with SO_REUSEPORT, so a second `wiredesk serve` on a busy
    port would otherwise start and the kernel split the traffic between two sites; this
    plain bind (without SO_REUSEPORT) is refused by any listener already there."""
    if not 1 <= port <= 65535:
        raise ValueError(f"--port {port} is not a port number (1-65535)")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise ValueError(f"--host {host}: {exc.strerror}") from exc
    family, kind, proto, _, sockaddr = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # TIME_WAIT is no listener
        try:
            probe.bind(sockaddr)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise RuntimeError(f"{address(host, port)} is already in use") from exc
            raise RuntimeError(f"cannot listen on {address(host, port)}: {exc.strerror}") from exc


def base_url_for(settings: Settings, host: str, port: int) -> Settings:
    """With no WIREDESK_BASE_URL, absolute links (canonical, feeds, sitemaps, API) name the
    address served; a wildcard host is named as 127.0.0.1 (set WIREDESK_BASE_URL for a
    public name). A set WIREDESK_BASE_URL always wins."""
    if os.environ.get("WIREDESK_BASE_URL"):
        return settings
    shown = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)
    return settings.with_changes(base_url=f"http://{address(shown, port)}")


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    """Serve with granian, one worker process: on cached pages it carries about 1.4 times
    uvicorn's requests (bench/serve.py and the closing note of issue 6). The server process
    builds the app from these settings and, unless --no-worker, runs the ingest worker and
    the clock beside it; with --no-worker the app keeps only its own clock. A worker process
    that dies is started again; one that loses this process exits (asgi.py)."""
    from granian import Granian

    from wiredesk.asgi import SERVE_SETTINGS, serve_environment

    check_address(args.host, args.port)
    Store.open(settings.database_url).close()  # migrate once, before the server starts
    settings = base_url_for(settings, args.host, args.port)
    os.environ[SERVE_SETTINGS] = serve_environment(settings, run_worker=not args.no_worker,
                                                   parent=os.getpid())
    print(f"serving on http://{address(args.host, args.port)}/", flush=True)
    open_files = raise_open_files()
    # Each open /events stream is a request in flight: granian's default (the backlog, 1024)
    # would queue the 1025th reader; the file limit is the real ceiling.
    Granian("wiredesk.asgi:make_app", factory=True, address=args.host, port=args.port,
            interface="asgi", workers=1, websockets=False, log_level="warning",
            respawn_failed_workers=True, backpressure=max(1024, open_files - 256)).serve()
    return 0


def cmd_events(args: argparse.Namespace, settings: Settings) -> int:
    """/events on its own asyncio server (web/eventserver.py): a stream there costs a few KB
    where the ASGI server's costs about 31 KB. The proxy sends /events here and the rest to
    `wiredesk serve` (deploy/varnish/wiredesk.vcl)."""
    import asyncio

    from wiredesk.web.eventserver import serve

    check_address(args.host, args.port)
    if args.heartbeat <= 0:
        raise ValueError(f"--heartbeat {args.heartbeat}: expected seconds above 0")
    store = Store.open(settings.database_url)
    raise_open_files()
    print(f"serving /events on http://{address(args.host, args.port)}/events", flush=True)
    try:
        asyncio.run(serve(store, args.host, args.port, heartbeat=args.heartbeat))
    finally:
        store.close()
    return 0


def raise_open_files() -> int:
    """Lift this process's open-file limit to its hard limit (each /events stream holds a
    socket); returns the limit now in force."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard > soft:
        wanted = 1_048_576 if hard == resource.RLIM_INFINITY else hard
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
            soft = wanted
        except (ValueError, OSError):
            pass
    return int(min(soft, 1_048_576))


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from wiredesk.demo import shift_to_now

    check_address(args.host, args.port)
    store = Store.open(settings.database_url)
    files = collect_files([args.samples])
    totals = ingest_files(store, files, source="samples",
                          terms=Terms(licence_days=settings.licence_days),
                          transform=shift_to_now())
    print(summary(totals, len(files)))
    store.close()
    return cmd_serve(args, settings)
